"""Minimal TensorFlow training loop (tf.function step; ``--eager`` for eager): the harness's
workloads (``lenet_tape``, ``vgg_train``, ``resnet18_train``) as a plain script.

    python benchmarks/standalone/tf_lenet.py [--model lenet|vgg|resnet18] [--threads 2] [--eager]

NHWC, Adam (Keras defaults: 1e-3, eps 1e-7), sparse cross-entropy from logits, batches made
tensors before timing, intra-op threads = --threads, inter-op 1 (as the harness).
"""
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.argv, EAGER = [a for a in sys.argv if a != "--eager"], "--eager" in sys.argv
import common  # noqa: E402  (NumPy only)
import keras_models  # noqa: E402

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402


def main():
    args = common.parse(__doc__)
    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    tf.random.set_seed(0)
    model = keras_models.MODELS[args.model](tf)
    step = keras_models.train_step(tf, model, function=not EAGER)
    x, y = common.dataset(args)
    batches = [(tf.constant(xb), tf.constant(yb.astype(np.int32))) for xb, yb in common.batch_arrays(args, x, y)]
    del x, y
    common.run(args, "tf-eager" if EAGER else "tf-function", step, batches, {"tensorflow": tf.__version__})


if __name__ == "__main__":
    main()
