"""Contract point 6: the tutorial's three conv2d calls, exactly as the tutorial writes them,
with shapes and values checked against an independent slow-loop convolution.
"""
import numpy as np
import pytest

import tinytf as tf


def conv2d_loops(x, w, stride, pads):
    """Independent NHWC/HWIO cross-correlation: pad, then loop over every output cell."""
    x = np.pad(np.asarray(x, np.float64), [(0, 0), pads[0], pads[1], (0, 0)])
    w = np.asarray(w, np.float64)
    n, h, wd, c = x.shape
    kh, kw, _, o = w.shape
    oh, ow = (h - kh) // stride + 1, (wd - kw) // stride + 1
    out = np.zeros((n, oh, ow, o))
    for b in range(n):
        for i in range(oh):
            for j in range(ow):
                patch = x[b, i * stride:i * stride + kh, j * stride:j * stride + kw, :]
                for f in range(o):
                    out[b, i, j, f] = np.sum(patch * w[:, :, :, f])
    return out


@pytest.fixture
def tutorial_inputs():
    tf.random.set_seed(0)
    x = tf.random.normal([2,5,5,3])
    w = tf.random.normal([3,3,3,4])
    return x, w


def test_tutorial_random_inputs(tutorial_inputs):
    x, w = tutorial_inputs
    assert x.shape == (2, 5, 5, 3) and x.dtype == tf.float32
    assert w.shape == (3, 3, 3, 4) and w.dtype == tf.float32


def test_tutorial_explicit_padding(tutorial_inputs):
    x, w = tutorial_inputs
    out = tf.nn.conv2d(x,w,strides=1,padding=[[0,0],[1,1],[1,1],[0,0]])
    assert out.shape == [2, 5, 5, 4]
    assert out.dtype == tf.float32
    np.testing.assert_allclose(out.numpy(), conv2d_loops(x, w, 1, ((1, 1), (1, 1))), rtol=1e-5, atol=1e-5)


def test_tutorial_same_padding(tutorial_inputs):
    x, w = tutorial_inputs
    out = tf.nn.conv2d(x,w,strides=1,padding='SAME')
    assert out.shape == [2, 5, 5, 4]
    np.testing.assert_allclose(out.numpy(), conv2d_loops(x, w, 1, ((1, 1), (1, 1))), rtol=1e-5, atol=1e-5)
    explicit = tf.nn.conv2d(x,w,strides=1,padding=[[0,0],[1,1],[1,1],[0,0]])
    np.testing.assert_allclose(out.numpy(), explicit.numpy(), rtol=1e-6, atol=1e-6)


def test_tutorial_same_padding_stride_3(tutorial_inputs):
    x, w = tutorial_inputs
    out = tf.nn.conv2d(x,w,strides=3,padding='SAME')
    assert out.shape == [2, 2, 2, 4]
    # SAME with stride 3 on 5: out = ceil(5/3) = 2, total pad = (2-1)*3 + 3 - 5 = 1 -> (0 before, 1 after)
    np.testing.assert_allclose(out.numpy(), conv2d_loops(x, w, 3, ((0, 1), (0, 1))), rtol=1e-5, atol=1e-5)


def test_tutorial_is_repeatable_with_a_seed():
    tf.random.set_seed(42)
    x = tf.random.normal([2,5,5,3])
    w = tf.random.normal([3,3,3,4])
    a = tf.nn.conv2d(x,w,strides=1,padding='SAME').numpy()
    tf.random.set_seed(42)
    x = tf.random.normal([2,5,5,3])
    w = tf.random.normal([3,3,3,4])
    b = tf.nn.conv2d(x,w,strides=1,padding='SAME').numpy()
    np.testing.assert_array_equal(a, b)
