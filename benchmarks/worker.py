"""One benchmark worker process: runs workloads for one system and answers the driver (run.py).

Protocol: the driver writes one JSON object per line on stdin, ``{"workload": name}``; the worker
answers one JSON line on stdout, ``{"seconds": t, ...}`` (or ``{"error": "..."}``). The first
request for a workload builds it (model, data, optimizer) and runs it once untimed (warm-up: JIT,
allocator, caches); later requests time one run. ``{"quit": true}`` ends the worker.

Systems: ``tinytf`` (optionally ``TINYTF_KERNELS`` set by the driver), ``tf-eager``,
``tf-function`` (TensorFlow 2.x), ``torch`` (PyTorch eager, CPU).

Run by hand: ``python benchmarks/worker.py tinytf`` then type ``{"workload": "conv_big_fwd"}``.
Also ``python benchmarks/worker.py SYSTEM --import-time`` and ``--memory STEPS``.
"""
import json
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "standalone"))  # the models and data of the standalone scripts

BATCH = 128
N_TRAIN = 60000
N_INFER, INFER_BATCH = 10000, 1000
THREADS = int(os.environ.get("BENCH_THREADS", "2"))

# conv shapes: name -> (input NHWC, filter HWIO, padding)
CONVS = {
    "conv_tiny": ((2, 5, 5, 3), (3, 3, 3, 4), "SAME"),
    "conv_lenet1": ((128, 28, 28, 1), (3, 3, 1, 6), "VALID"),
    "conv_lenet2": ((128, 13, 13, 6), (3, 3, 6, 16), "VALID"),
    "conv_big": ((64, 32, 32, 64), (3, 3, 64, 64), "SAME"),
}
# CIFAR-sized training steps: workload -> (model in standalone/, batch); steps per request
CIFAR = {"vgg_train": ("vgg", 64), "resnet18_train": ("resnet18", 32)}
CIFAR_N = 50000
BN_SHAPE = (128, 26, 26, 6)
POOL_SHAPE = (128, 26, 26, 6)


def workload_names():
    names = ["lenet_tape", "lenet_fit", "infer", *CIFAR]
    for c in CONVS:
        names += [c + "_fwd", c + "_fwdbwd"]
    names += ["bn_train_fwdbwd", "maxpool_fwd", "maxpool_fwdbwd"]
    return names


def mnist_like(n, seed):
    """MNIST-shaped data (float32 in [0, 1], int64 labels), the same in every system: Fashion-MNIST
    when the driver found it (``BENCH_DATA``, an .npz it wrote), else synthetic noise. Real data
    matters: on unlearnable noise the gradients shrink into float32 subnormals, which slow every
    system's arithmetic differently."""
    path = os.environ.get("BENCH_DATA")
    if path:
        with np.load(path, allow_pickle=False) as z:
            x, y = (z["x_train"], z["y_train"]) if seed == 0 else (z["x_test"], z["y_test"])
        reps = -(-n // len(x))
        x, y = np.concatenate([x] * reps)[:n], np.concatenate([y] * reps)[:n]
        return (x.astype(np.float32) / 255.0)[..., None], y.astype(np.int64)
    r = np.random.default_rng(seed)
    x = r.random((n, 28, 28, 1), dtype=np.float32)
    y = r.integers(0, 10, n).astype(np.int64)
    return x, y


def batches(n, steps=None, seed=0, batch=BATCH):
    """Index arrays of one shuffled epoch in batches (the last one partial)."""
    perm = np.random.default_rng(seed).permutation(n)
    out = [perm[i:i + batch] for i in range(0, n, batch)]
    return out if steps is None else out[:steps]


def train_batches(wl, steps, nchw=False):
    """The training batches of a workload as contiguous NumPy arrays, made before timing (as the
    standalone scripts do; indexing the data set each step cost PyTorch ~0.13 ms a step and made
    the harness time work the scripts do not): LeNet: Fashion-MNIST (``mnist_like``), one epoch
    or ``steps``; CIFAR workloads: ``standalone/common.cifar_synthetic`` (learnable), ``steps``."""
    if wl in CIFAR:
        import common
        batch = CIFAR[wl][1]
        x, y = common.cifar_synthetic(CIFAR_N)
        idx = batches(CIFAR_N, steps or 5, batch=batch)
        x, y = x[np.concatenate(idx)].astype(np.float32) / 255.0, y[np.concatenate(idx)].astype(np.int64)
        idx = [np.arange(i, min(i + batch, len(x))) for i in range(0, len(x), batch)]
    else:
        x, y = mnist_like(N_TRAIN, 0)
        idx = batches(N_TRAIN, steps)
    out = []
    for i in idx:
        xb = x[i].transpose(0, 3, 1, 2) if nchw else x[i]
        out.append((np.ascontiguousarray(xb), np.ascontiguousarray(y[i])))
    return out


def rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024


def hwm_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024


def reset_peak():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


# ---------------------------------------------------------------------------------------------
# tinytf, and what TensorFlow shares with it

class _TFLike:
    """What tinytf and TensorFlow share, since tinytf has TensorFlow's API: the model and the op
    workloads. ``wrap`` (tf.function or not), ``bn_inputs`` and ``compile_kwargs`` are where
    they differ."""

    def wrap(self, f):
        return f

    def bn_inputs(self, layer):
        return [layer.gamma, layer.beta]

    def compile_kwargs(self):
        return {}

    def lenet(self):
        import keras_models
        return keras_models.lenet(self.tf)

    def setup(self, wl, steps):
        tf = self.tf
        if wl == "lenet_fit":
            model = self.lenet()
            x, y = mnist_like(N_TRAIN, 0)
            y = y.astype(np.int32)
            loss_obj = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
            model.compile(optimizer="adam", loss=loss_obj, **self.compile_kwargs())
            n = N_TRAIN if steps is None else steps * BATCH
            return lambda: model.fit(x[:n], y[:n], batch_size=BATCH, epochs=1, verbose=0)
        if wl == "lenet_tape" or wl in CIFAR:
            # the tutorial's GradientTape step (loss + Adam, no metrics): standalone/keras_models.py
            import keras_models
            model = self.lenet() if wl == "lenet_tape" else keras_models.MODELS[CIFAR[wl][0]](tf)
            train_step = keras_models.train_step(tf, model, function=self.function)
            data = [(tf.constant(xb), tf.constant(yb.astype(np.int32))) for xb, yb in train_batches(wl, steps)]

            def epoch():
                for xb, yb in data:
                    train_step(xb, yb)
            return epoch
        if wl == "infer":
            model = self.lenet()
            x, _ = mnist_like(N_INFER, 1)
            call = self.wrap(lambda b: model(b, training=False))

            def run():
                for i in range(0, N_INFER, INFER_BATCH):
                    call(x[i:i + INFER_BATCH]).numpy()
            return run
        return self._op(wl)

    def _op(self, wl):
        tf = self.tf
        r = np.random.default_rng(0)
        base, mode = wl.rsplit("_", 1)
        if base in CONVS:
            xs, ws, pad = CONVS[base]
            x = tf.constant(r.standard_normal(xs, dtype=np.float32))
            w = tf.constant(r.standard_normal(ws, dtype=np.float32))
            f = lambda: tf.nn.conv2d(x, w, 1, pad)  # noqa: E731
            ins = [x, w]
        elif base == "bn_train":
            x = tf.constant(r.standard_normal(BN_SHAPE, dtype=np.float32))
            layer = tf.keras.layers.BatchNormalization()
            layer.build(BN_SHAPE)
            f = lambda: layer(x, training=True)  # noqa: E731
            ins = [x] + self.bn_inputs(layer)
        elif base == "maxpool":
            x = tf.constant(r.standard_normal(POOL_SHAPE, dtype=np.float32))
            f = lambda: tf.nn.max_pool2d(x, 2, 2, "VALID")  # noqa: E731
            ins = [x]
        else:
            raise KeyError(wl)
        if mode == "fwd":
            ff = self.wrap(f)
            return lambda: ff().numpy()
        g = tf.constant(r.standard_normal(tuple(f().shape), dtype=np.float32))

        @self.wrap
        def fwdbwd():
            with tf.GradientTape() as tape:
                tape.watch(ins)
                y = f()
            return tape.gradient(y, ins, output_gradients=g)
        return lambda: [t.numpy() for t in fwdbwd()]


class TinyTF(_TFLike):
    name = "tinytf"
    function = False  # tinytf's tf.function is a pass-through; the harness times it eagerly

    def __init__(self):
        import tinytf as tf
        self.tf = tf
        tf.random.set_seed(0)

    def info(self):
        import tinytf
        info = {"tinytf": tinytf.__tinytf_version__, "numpy": np.__version__,
                "kernels": os.environ.get("TINYTF_KERNELS", "auto")}
        try:
            from tinytf.kernels import parallel, table
            info["kernels_active"] = table.active()
            info["threads"] = parallel.threads()  # tinytf's own (kernels/parallel.py)
        except Exception:  # noqa: BLE001
            info["kernels_active"] = "numpy"
        try:
            from threadpoolctl import threadpool_info
            np.ones((4, 4)) @ np.ones((4, 4))
            info["blas"] = [(d.get("internal_api"), d.get("architecture"), d.get("num_threads"))
                            for d in threadpool_info()]
        except ImportError:
            info["blas"] = "threadpoolctl not installed"
        return info


def pool_info():
    """Thread pools loaded in this process (threadpoolctl), as (library, kernel, threads)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "threadpoolctl not installed"
    return [(d.get("internal_api"), d.get("architecture"), d.get("num_threads")) for d in threadpool_info()]


# ---------------------------------------------------------------------------------------------
# TensorFlow

class TensorFlow(_TFLike):
    def __init__(self, function):
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        import tensorflow as tf
        tf.config.threading.set_intra_op_parallelism_threads(THREADS)
        tf.config.threading.set_inter_op_parallelism_threads(1)
        tf.random.set_seed(0)
        self.tf, self.function = tf, function
        self.name = "tf-function" if function else "tf-eager"

    def info(self):
        return {"tensorflow": self.tf.__version__, "numpy": np.__version__, "pools": pool_info(),
                "intra_op": self.tf.config.threading.get_intra_op_parallelism_threads(),
                "inter_op": self.tf.config.threading.get_inter_op_parallelism_threads()}

    def wrap(self, f):
        return self.tf.function(f) if self.function else f

    def bn_inputs(self, layer):
        return [getattr(v, "value", v) for v in layer.trainable_variables]

    def compile_kwargs(self):
        return {"run_eagerly": not self.function}


# ---------------------------------------------------------------------------------------------
# PyTorch

class Torch:
    name = "torch"

    def __init__(self):
        import torch
        # as a plain script does: intra-op threads only (the inter-op pool does not run eager CPU
        # training; the standalone script leaves it alone too)
        torch.set_num_threads(THREADS)
        torch.manual_seed(0)
        self.torch = torch

    def info(self):
        t = self.torch
        return {"torch": t.__version__, "numpy": np.__version__, "threads": t.get_num_threads(),
                "interop_threads": t.get_num_interop_threads(), "cpu_capability": t.backends.cpu.get_cpu_capability(),
                "mkldnn": t.backends.mkldnn.is_available(), "pools": pool_info()}

    def lenet(self):
        import torch_lenet
        return torch_lenet.lenet()

    def setup(self, wl, steps):
        torch = self.torch
        if wl == "lenet_fit":
            raise NotImplementedError("PyTorch has no fit()")
        if wl == "lenet_tape" or wl in CIFAR:
            import torch_lenet
            model = self.lenet() if wl == "lenet_tape" else getattr(torch_lenet, CIFAR[wl][0])()
            opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
            loss_fn = torch.nn.CrossEntropyLoss()
            model.train()
            # NCHW, PyTorch's own layout; tensors made before timing, as in the standalone script
            data = [(torch.from_numpy(xb), torch.from_numpy(yb)) for xb, yb in train_batches(wl, steps, nchw=True)]

            def epoch():
                for xb, yb in data:
                    opt.zero_grad()
                    loss = loss_fn(model(xb), yb)
                    loss.backward()
                    opt.step()
            return epoch
        if wl == "infer":
            model = self.lenet().eval()
            x, _ = mnist_like(N_INFER, 1)
            x = np.ascontiguousarray(x.transpose(0, 3, 1, 2))

            def run():
                with torch.no_grad():
                    for i in range(0, N_INFER, INFER_BATCH):
                        model(torch.from_numpy(x[i:i + INFER_BATCH])).numpy()
            return run
        return self._op(wl)

    def _op(self, wl):
        torch = self.torch
        F = torch.nn.functional
        r = np.random.default_rng(0)
        base, mode = wl.rsplit("_", 1)
        grad = mode == "fwdbwd"
        if base in CONVS:
            xs, ws, pad = CONVS[base]
            x = torch.from_numpy(r.standard_normal(xs, dtype=np.float32).transpose(0, 3, 1, 2).copy())
            w = torch.from_numpy(r.standard_normal(ws, dtype=np.float32).transpose(3, 2, 0, 1).copy())
            x.requires_grad_(grad)
            w.requires_grad_(grad)
            f = lambda: F.conv2d(x, w, padding=pad.lower())  # noqa: E731
        elif base == "bn_train":
            x = torch.from_numpy(r.standard_normal(BN_SHAPE, dtype=np.float32).transpose(0, 3, 1, 2).copy())
            x.requires_grad_(grad)
            layer = torch.nn.BatchNorm2d(BN_SHAPE[-1], eps=1e-3, momentum=0.01).train()
            f = lambda: layer(x)  # noqa: E731
        elif base == "maxpool":
            x = torch.from_numpy(r.standard_normal(POOL_SHAPE, dtype=np.float32).transpose(0, 3, 1, 2).copy())
            x.requires_grad_(grad)
            f = lambda: F.max_pool2d(x, 2, 2)  # noqa: E731
        else:
            raise KeyError(wl)
        if not grad:
            def fwd():
                with torch.no_grad():
                    return f().numpy()
            return fwd
        g = torch.from_numpy(r.standard_normal(tuple(f().shape), dtype=np.float32))

        def fwdbwd():
            y = f()
            y.backward(g)
        return fwdbwd


def make(system):
    if system == "tinytf":
        return TinyTF()
    if system == "tf-eager":
        return TensorFlow(False)
    if system == "tf-function":
        return TensorFlow(True)
    if system == "torch":
        return Torch()
    raise ValueError(f"unknown system {system!r}")


IMPORTS = {"tinytf": "tinytf", "tf-eager": "tensorflow", "tf-function": "tensorflow", "torch": "torch"}


def serve(system):
    sysobj = make(system)
    out = sys.stdout
    sys.stdout = sys.stderr  # keep library chatter off the protocol channel
    made = {}
    out.write(json.dumps({"ready": True, "info": sysobj.info()}) + "\n")
    out.flush()
    for line in sys.stdin:
        req = json.loads(line)
        if req.get("quit"):
            break
        wl, steps = req["workload"], req.get("steps")
        try:
            if wl not in made:
                fn = sysobj.setup(wl, steps)
                t = time.perf_counter()
                fn()  # warm-up
                t = time.perf_counter() - t
                # ops: repeat the call enough times for ~0.3 s of work per measurement
                made[wl] = (fn, 1 if wl.startswith(("lenet", "infer")) or wl in CIFAR
                            else max(1, int(0.3 / max(t, 1e-6))))
            fn, n = made[wl]
            t = time.perf_counter()
            for _ in range(n):
                fn()
            t = (time.perf_counter() - t) / n
            resp = {"seconds": t, "inner": n}
        except Exception as e:  # noqa: BLE001
            resp = {"error": f"{type(e).__name__}: {e}"[:300]}
        out.write(json.dumps(resp) + "\n")
        out.flush()


def memory(system, steps):
    """Peak RSS of a training run: a fresh process, after import and data load the peak is reset."""
    sysobj = make(system)
    fn = sysobj.setup("lenet_tape", steps)
    base = rss_mb()
    ok = reset_peak()
    fn()
    peak = hwm_mb()
    print(json.dumps({"rss_before_mb": base, "peak_mb": peak, "train_extra_mb": peak - base if ok else None,
                      "peak_reset": ok}))


if __name__ == "__main__":
    system = sys.argv[1]
    if "--import-time" in sys.argv:
        t = time.perf_counter()
        __import__(IMPORTS[system])
        print(json.dumps({"seconds": time.perf_counter() - t}))
    elif "--memory" in sys.argv:
        memory(system, int(sys.argv[sys.argv.index("--memory") + 1]))
    else:
        serve(system)
