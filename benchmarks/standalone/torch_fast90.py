"""The ``tinytf train --recipe fast90`` run as a plain PyTorch script (see recipe90.py).

    python benchmarks/standalone/torch_fast90.py [--threads 2] [--epochs 4] [--augment flip,shift]

Eager PyTorch, NCHW, Keras's initialisers (Glorot uniform, zero bias) and BN settings, Adam with
eps 1e-7 and the learning rate set before every step, cross-entropy on logits.
"""
import time

T0 = time.perf_counter()
import os  # noqa: E402
import sys  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import recipe90  # noqa: E402  (NumPy only)

import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402


def model(filters):
    c1, c2 = filters
    net = nn.Sequential(
        nn.Conv2d(1, c1, 3), nn.BatchNorm2d(c1, eps=1e-3, momentum=0.01), nn.MaxPool2d(2), nn.ReLU(),
        nn.Conv2d(c1, c2, 3), nn.BatchNorm2d(c2, eps=1e-3, momentum=0.01), nn.MaxPool2d(2), nn.ReLU(),
        nn.Flatten(), nn.Linear(c2 * 25, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))
    for m in net:
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)
    return net


def main():
    a = recipe90.parse(__doc__)
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    x, y, xt, yt = recipe90.load()
    xt_t, yt_t = torch.from_numpy(xt.transpose(0, 3, 1, 2).copy()), torch.from_numpy(yt)
    t_data = time.perf_counter() - T0
    net = model(a.filters)
    opt = torch.optim.Adam(net.parameters(), lr=a.lr, eps=1e-7)
    loss_fn = nn.CrossEntropyLoss()
    rng = np.random.default_rng(a.seed)
    total = a.epochs * -(-len(x) // a.batch)
    step, accs, epoch_s = 0, [], []
    for _ in range(a.epochs):
        t = time.perf_counter()
        net.train()
        for xb, yb in recipe90.epoch_batches(rng, x, y, a):
            for g in opt.param_groups:
                g["lr"] = recipe90.learning_rate(a, step, total)
            opt.zero_grad()
            loss = loss_fn(net(torch.from_numpy(xb.transpose(0, 3, 1, 2).copy())), torch.from_numpy(yb))
            loss.backward()
            opt.step()
            step += 1
        net.eval()
        with torch.no_grad():
            pred = torch.cat([net(xt_t[i:i + a.batch]).argmax(1) for i in range(0, len(xt_t), a.batch)])
        accs.append(float((pred == yt_t).double().mean()))
        epoch_s.append(time.perf_counter() - t)
    recipe90.result("torch", a, T0, t_data, accs, epoch_s, {"torch": torch.__version__})


if __name__ == "__main__":
    main()
