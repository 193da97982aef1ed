"""Minimal PyTorch training loop: the harness's workloads (``lenet_tape``, ``vgg_train``,
``resnet18_train``) as a plain script, to check the harness against.

    python benchmarks/standalone/torch_lenet.py [--model lenet|vgg|resnet18] [--threads 2]

Eager PyTorch, NCHW, Adam(1e-3, eps=1e-7), cross-entropy, batches made tensors before timing.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402  (NumPy only)

import torch  # noqa: E402
from torch import nn  # noqa: E402


def bn(c):  # Keras defaults: epsilon 1e-3, momentum 0.99 (PyTorch counts the other way)
    return nn.BatchNorm2d(c, eps=1e-3, momentum=0.01)


def lenet():
    return nn.Sequential(
        nn.Conv2d(1, 6, 3), bn(6), nn.MaxPool2d(2), nn.ReLU(),
        nn.Conv2d(6, 16, 3), bn(16), nn.MaxPool2d(2), nn.ReLU(),
        nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


def vgg():
    return nn.Sequential(
        nn.Conv2d(3, 64, 3, padding=1), nn.ReLU(), nn.Conv2d(64, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(64, 128, 3, padding=1), nn.ReLU(), nn.Conv2d(128, 128, 3, padding=1), nn.ReLU(),
        nn.MaxPool2d(2), nn.Flatten(), nn.Linear(128 * 8 * 8, 256), nn.ReLU(), nn.Linear(256, 10))


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.c1, self.b1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False), bn(cout)
        self.c2, self.b2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False), bn(cout)
        self.short = None
        if stride != 1 or cin != cout:
            self.short = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), bn(cout))

    def forward(self, x):
        y = torch.relu(self.b1(self.c1(x)))
        y = self.b2(self.c2(y))
        return torch.relu(y + (x if self.short is None else self.short(x)))


def resnet18():
    layers, cin = [nn.Conv2d(3, 64, 3, 1, 1, bias=False), bn(64), nn.ReLU()], 64
    for i, c in enumerate((64, 128, 256, 512)):
        for j in range(2):
            layers.append(BasicBlock(cin, c, 2 if (i and not j) else 1))
            cin = c
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(512, 10)]
    return nn.Sequential(*layers)


def main():
    args = common.parse(__doc__)
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = {"lenet": lenet, "vgg": vgg, "resnet18": resnet18}[args.model]()
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    loss_fn = nn.CrossEntropyLoss()
    x, y = common.dataset(args)
    batches = [(torch.from_numpy(xb), torch.from_numpy(yb)) for xb, yb in common.batch_arrays(args, x, y, nchw=True)]
    del x, y

    def step(xb, yb):
        opt.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()

    common.run(args, "torch", step, batches, {"torch": torch.__version__, "torch_threads": torch.get_num_threads(),
                                              "interop_threads": torch.get_num_interop_threads()})


if __name__ == "__main__":
    main()
