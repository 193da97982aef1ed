"""``keras.ops`` gradients against float64 finite differences (tests/gradcheck.py); each op is
weighted by a fixed array so that every output entry counts differently. (``image.resize``
computes in float32, as TensorFlow does: its gradient is checked against Keras in
test_keras_fixture.py.)"""
import numpy as np
import pytest

import tinytf as tf
from gradcheck import assert_grad
from tinytf.keras import ops

RNG = np.random.default_rng(11)


def weighted(fn):
    def f(t):
        out = fn(t)
        outs = tf.nest.flatten(out) if isinstance(out, (list, tuple)) else [out]
        total = None
        for k, o in enumerate(outs):
            w = np.arange(1, int(np.prod(o.shape)) + 1, dtype=np.float64).reshape(o.shape) / 7 + k
            term = ops.sum(o * w)
            total = term if total is None else total + term
        return total
    return f


CASES = {
    "mean_std_var": (lambda t: [ops.mean(t, axis=1), ops.std(t, axis=(0, 2)), ops.var(t)], (2, 3, 4)),
    "norm": (lambda t: [ops.norm(t, axis=-1), ops.norm(t[0], ord=1), ops.norm(t, ord=3, axis=1)], (2, 3, 4)),
    "logsumexp_softmax": (lambda t: [ops.logsumexp(t, axis=1), ops.softmax(t, axis=(1, 2)), ops.log_softmax(t)],
                          (2, 3, 4)),
    "einsum": (lambda t: ops.einsum("bij,jk->bik", t, np.ones((4, 2)) + np.arange(8).reshape(4, 2)), (2, 3, 4)),
    "matmul_dot": (lambda t: [ops.matmul(t, ops.transpose(t[0])), ops.dot(t[0], np.arange(4.0))], (2, 3, 4)),
    "indexing": (lambda t: [ops.take(t, [2, -1], axis=1), ops.take_along_axis(t, np.zeros((2, 3, 1), int), -1),
                            ops.repeat(t, 2, axis=0), ops.tile(t, (1, 2, 1))], (2, 3, 4)),
    "shape": (lambda t: [ops.rot90(t, axes=(1, 2)), ops.flip(t, 1), ops.moveaxis(t, 0, -1),
                         ops.pad(t, ((0, 0), (1, 1), (2, 0)), mode="reflect"), ops.split(t, [1], axis=2)],
              (2, 3, 4)),
    "sort_top_k": (lambda t: [ops.sort(t), ops.top_k(t, 2)[0]], (2, 3, 4)),
    "activations": (lambda t: [ops.gelu(t), ops.gelu(t, approximate=False), ops.hard_sigmoid(t * 3),
                               ops.log_sigmoid(t), ops.elu(t, alpha=0.5), ops.silu(t)], (2, 3, 4)),
    "normalize_moments": (lambda t: [ops.normalize(t), ops.normalize(t, order=1, axis=0),
                                     *ops.moments(t, axes=[0, 1])], (2, 3, 4)),
    "conv": (lambda t: ops.conv(t, np.linspace(-1, 1, 3 * 3 * 2 * 3).reshape(3, 3, 2, 3), strides=2, padding="same"),
             (1, 5, 5, 2)),
    "depthwise_conv": (lambda t: ops.depthwise_conv(t, np.linspace(-1, 1, 18).reshape(3, 3, 2, 1), padding="same"),
                       (1, 4, 4, 2)),
    "pools": (lambda t: [ops.max_pool(t, 2), ops.average_pool(t, 3, strides=1, padding="same")], (1, 4, 4, 2)),
    "activations_more": (lambda t: [ops.celu(t), ops.glu(t), ops.soft_shrink(t, 0.3), ops.squareplus(t),
                                    ops.sparse_plus(t * 2)], (2, 3, 4)),
    "rearranging": (lambda t: [ops.depth_to_space(t, 2), ops.space_to_depth(ops.depth_to_space(t, 2), 2),
                               ops.roll(t, (1, -2), axis=(1, 2)), ops.divide_no_nan(t, ops.round(t))],
                    (1, 2, 3, 8)),
    "crossentropy": (lambda t: [ops.binary_crossentropy(np.eye(3)[[0, 1, 2, 1]], ops.sigmoid(t)),
                                ops.categorical_crossentropy(np.eye(3)[[0, 1, 2, 1]], t, from_logits=True),
                                ops.sparse_categorical_crossentropy(np.array([0, 2, 1, 1]), t, from_logits=True)],
                     (4, 3)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_gradient_matches_finite_differences(name):
    fn, shape = CASES[name]
    assert_grad(weighted(fn), RNG.uniform(0.2, 1.0, shape) * RNG.choice([-1, 1], shape))
