"""Minimal tinytf training loop: the harness's workloads (``lenet_tape``, ``vgg_train``,
``resnet18_train``) as a plain script; the same Keras code as ``tf_lenet.py`` (eager; tinytf's
``tf.function`` is a pass-through).

    PYTHONPATH=. python benchmarks/standalone/tinytf_lenet.py [--model lenet|vgg|resnet18] [--threads 2]

The thread count goes to NumPy's BLAS through threadpoolctl when it is installed (the harness
also sets OMP/OPENBLAS/NUMBA_NUM_THREADS in the environment; ``--threads`` here only limits).
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(1, os.path.dirname(os.path.dirname(HERE)))  # the repository, for tinytf
import common  # noqa: E402  (NumPy only)
import keras_models  # noqa: E402

import numpy as np  # noqa: E402
import tinytf as tf  # noqa: E402


def main():
    args = common.parse(__doc__)
    extra = {}
    try:
        from threadpoolctl import threadpool_limits, threadpool_info
        threadpool_limits(args.threads, user_api="blas")
        extra["blas"] = [(i.get("internal_api"), i.get("architecture"), i.get("num_threads"))
                         for i in threadpool_info() if i.get("user_api") == "blas"]
    except ImportError:
        pass
    tf.random.set_seed(0)
    model = keras_models.MODELS[args.model](tf)
    step = keras_models.train_step(tf, model, function=False)
    x, y = common.dataset(args)
    batches = [(tf.constant(xb), tf.constant(yb.astype(np.int32))) for xb, yb in common.batch_arrays(args, x, y)]
    del x, y
    common.run(args, "tinytf", step, batches, {"tinytf": tf.__version__, **extra})


if __name__ == "__main__":
    main()
