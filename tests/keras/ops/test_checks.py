"""``keras.ops``' argument checks: a clear error naming the argument and the value, worded as
Keras 3 words it (numbers against Keras: test_keras_fixture.py)."""
import numpy as np
import pytest

import tinytf as tf
from tinytf.keras import ops

IMG = np.ones((1, 6, 6, 2), np.float32)


@pytest.mark.parametrize("call,err,match", [
    (lambda: ops.where(np.ones(2) > 0, 1.0), ValueError, "both should be `None`"),
    (lambda: ops.pad(np.ones(3), ((1, 1),), mode="reflect", constant_values=1), ValueError, "constant_values"),
    (lambda: ops.pad(np.ones(3), ((1, 1),), mode="wrap"), ValueError, "mode"),
    (lambda: ops.split(np.ones(5), 2), ValueError, "not divisible"),
    (lambda: ops.linspace(0, 1, -1), ValueError, "`num` must be a non-negative integer"),
    (lambda: ops.meshgrid(np.ones(2), indexing="yx"), ValueError, "indexing"),
    (lambda: ops.squeeze(np.ones((2, 3)), axis=1), ValueError, "Cannot squeeze axis 1"),
    (lambda: ops.expand_dims(np.ones(2), 3), ValueError, "axis=3"),
    (lambda: ops.moveaxis(np.ones((2, 3)), (0, 1), 0), ValueError, "same number of axes"),
    (lambda: ops.rot90(np.ones((2, 3)), axes=(1, 1)), ValueError, "axes must be different"),
    (lambda: ops.take(np.ones(3), np.array([0.5])), TypeError, "integers"),
    (lambda: ops.norm(np.ones((2, 2, 2))), ValueError, "Invalid axis values"),
    (lambda: ops.norm(np.ones(3), ord="fro"), ValueError, "Invalid `ord` argument for vector norm"),
    (lambda: ops.norm(np.ones((3, 3)), ord="nuc"), ValueError, "Invalid `ord` argument for matrix norm"),
    (lambda: ops.norm(np.ones(3), axis=2), ValueError, r"range \[-ndim, ndim\)"),
    (lambda: ops.max(np.ones((0, 2))), ValueError, "empty"),
    (lambda: ops.conv(IMG, np.ones((3, 3, 2, 4)), padding="full"), ValueError, "`padding` argument"),
    (lambda: ops.conv(IMG, np.ones((3, 3, 2, 4)), data_format="nhwc"), ValueError, "`data_format`"),
    (lambda: ops.conv(IMG, np.ones((3, 3, 3, 4))), ValueError, "input channels"),
    (lambda: ops.conv(IMG, np.ones((3, 3, 4))), ValueError, "kernel must have rank 4"),
    (lambda: ops.conv(np.ones((1, 4, 4, 4, 1)), np.ones((3, 3, 3, 1, 1))), ValueError, "no 3-D"),
    (lambda: ops.conv(IMG, np.ones((7, 7, 2, 1))), ValueError, "empty"),
    (lambda: ops.conv(IMG, np.ones((3, 3, 2, 1)), strides=0), ValueError, "`strides`"),
    (lambda: ops.max_pool(IMG, (2, 2, 2)), ValueError, "`pool_size`"),
    (lambda: ops.one_hot([1], 3, sparse=True), ValueError, "sparse"),
    (lambda: ops.multi_hot([1]), ValueError, "`num_classes` must be specified"),
    (lambda: ops.binary_crossentropy(np.ones(3), np.ones((3, 1)) / 2), ValueError, "same rank"),
    (lambda: ops.categorical_crossentropy(np.ones((2, 3)), np.ones((2, 4)) / 4), ValueError, "same shape"),
    (lambda: ops.normalize(np.ones(3), order=0), ValueError, "`order` must be an int >= 1"),
    (lambda: ops.image.resize(IMG, (3, 3), interpolation="cubic"), ValueError, "`interpolation`"),
    (lambda: ops.image.resize(IMG, (3, 3), fill_mode="reflect"), ValueError, "`fill_mode`"),
    (lambda: ops.image.resize(IMG, (3, 3), crop_to_aspect_ratio=True, pad_to_aspect_ratio=True), ValueError,
     "Only one of"),
    (lambda: ops.image.resize(IMG, (3,)), ValueError, "tuple of two elements"),
    (lambda: ops.image.resize(np.ones((6, 6)), (3, 3)), ValueError, "Invalid images rank"),
    (lambda: ops.top_k(np.ones((2, 3)), 5), tf.errors.InvalidArgumentError, "k must be"),
    (lambda: ops.image.extract_patches(IMG, (2, 2, 2)), ValueError, "tuple of length 2"),
    (lambda: ops.image.extract_patches(IMG, "2"), TypeError, "Invalid `size` argument"),
    (lambda: ops.image.extract_patches(np.ones((6, 6)), 2), ValueError, "3-D or 4-D"),
    (lambda: ops.in_top_k(np.ones(3), np.ones((2, 3)), 1), ValueError, "predictions must be"),
    (lambda: ops.depth_to_space(np.ones((1, 2, 2, 6)), 2), ValueError, "divide the channels"),
    (lambda: ops.space_to_depth(np.ones((1, 3, 2, 1)), 2), ValueError, "divide the height"),
    (lambda: ops.depth_to_space(np.ones((2, 2, 4)), 2), ValueError, "4-D"),
    (lambda: ops.glu(np.ones((2, 3))), ValueError, "divisible by 2"),
    (lambda: ops.psnr(np.ones((2, 3)), np.ones((3, 2)), 1.0), ValueError, "must match"),
    (lambda: ops.image.rgb_to_grayscale(np.ones((2, 2, 4))), ValueError, "Invalid channel size"),
    (lambda: ops.conv_transpose(IMG, np.ones((3, 3, 4, 3))), ValueError, "in_channels=2"),
    (lambda: ops.zeros((2, None)), ValueError, "`shape` must be a tuple"),
    (lambda: ops.conv_transpose(np.ones((1, 5, 2)), np.ones((3, 4, 2))), ValueError, "2-D transposed"),
    (lambda: ops.conv_transpose(IMG, np.ones((3, 3, 4, 2)), output_padding=-1), ValueError, "output_padding"),
])
def test_bad_arguments(call, err, match):
    with pytest.raises(err, match=match):
        call()


def test_softmax_keeps_keras_logits_for_the_losses():
    """As Keras 3: a softmax output remembers its logits, so the crossentropy scores from them."""
    z = np.array([[20.0, -20.0, 0.0]], np.float32)
    p = ops.softmax(z)
    exact = ops.categorical_crossentropy(np.array([[0.0, 1.0, 0.0]], np.float32), p)
    np.testing.assert_allclose(exact.numpy(), [40.0], rtol=1e-6)  # from probabilities it would clip at 16.1
