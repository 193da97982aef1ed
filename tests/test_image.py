"""``tf.image`` against numbers recorded from TensorFlow 2.21 (tests/fixtures/image.npz, written by
record_tf_image.py), the resize kernels against slow loops and finite differences, and the
argument checks."""
import json
import os

import numpy as np
import pytest

import tinytf as tf
from gradcheck import assert_grad, fd_inplace
from tinytf.kernels import affine, resize

HERE = os.path.dirname(os.path.abspath(__file__))
FIX, CASES = {}, {}
for _file in ("image.npz", "image_extra.npz"):  # image_extra: the scale-and-translate methods, extract_patches
    with np.load(os.path.join(HERE, "fixtures", _file), allow_pickle=False) as _d:
        _arrays = {k: _d[k] for k in _d.files}
    CASES.update({c["name"]: c for c in json.loads(str(_arrays.pop("cases")))})
    FIX.update(_arrays)


def case_input(c):
    x = FIX[f"{c['name']}/x"]
    return x.astype(c.get("dtype", x.dtype.name))


SIMPLE = {
    "resize_with_pad_wide": lambda t: tf.image.resize_with_pad(t, 7, 7),
    "resize_with_pad_tall": lambda t: tf.image.resize_with_pad(t, 6, 8, method="bicubic"),
    "crop_or_pad_crop": lambda t: tf.image.resize_with_crop_or_pad(t, 4, 5),
    "crop_or_pad_pad": lambda t: tf.image.resize_with_crop_or_pad(t, 8, 9),
    "crop_or_pad_mixed": lambda t: tf.image.resize_with_crop_or_pad(t, 4, 7),
    "central_crop_half": lambda t: tf.image.central_crop(t, 0.5),
    "central_crop_third": lambda t: tf.image.central_crop(t, 0.33),
    "crop_to_bbox": lambda t: tf.image.crop_to_bounding_box(t, 1, 2, 4, 5),
    "pad_to_bbox": lambda t: tf.image.pad_to_bounding_box(t, 2, 1, 8, 6),
    "flip_lr": tf.image.flip_left_right,
    "flip_ud": tf.image.flip_up_down,
    "transpose": tf.image.transpose,
    "per_image_std": tf.image.per_image_standardization,
    "per_image_std_3d": tf.image.per_image_standardization,
    "per_image_std_uint8": tf.image.per_image_standardization,
    "brightness": lambda t: tf.image.adjust_brightness(t, 0.3),
    "brightness_uint8": lambda t: tf.image.adjust_brightness(t, 0.2),
    "contrast": lambda t: tf.image.adjust_contrast(t, 1.7),
    "contrast_3d": lambda t: tf.image.adjust_contrast(t, 0.4),
    "contrast_uint8": lambda t: tf.image.adjust_contrast(t, 1.8),
    **{f"rot90{s}_k{k}": (lambda t, k=k: tf.image.rot90(t, k)) for k in range(4) for s in ("", "_3d")},
}


def fn_of(c):
    if c["fn"] == "resize":
        return lambda t: tf.image.resize(t, c["size"], c["method"], antialias=c["antialias"],
                                         preserve_aspect_ratio=c.get("preserve_aspect_ratio", False))
    if c["fn"] == "extract_patches":
        return lambda t: tf.image.extract_patches(t, c["sizes"], c["strides"], c["rates"], c["padding"])
    return SIMPLE[c["name"]]


def compare(c, fn):
    name = c["name"]
    x = tf.constant(case_input(c))
    with tf.GradientTape() as tape:
        tape.watch(x)
        out = fn(x)
        loss = tf.reduce_sum(tf.cast(out, tf.float32) * FIX[f"{name}/g"]) if f"{name}/grad" in FIX else None
    want = FIX[f"{name}/out"]
    assert out.shape == want.shape
    if c.get("dtype") == "uint8" and c["fn"] in ("brightness_uint8", "contrast_uint8"):
        assert out.dtype == tf.uint8
    if out.dtype.is_integer:
        np.testing.assert_array_equal(out.numpy(), want)
    else:
        assert out.dtype == tf.float32
        np.testing.assert_allclose(out.numpy(), want, rtol=2e-6, atol=2e-6 * max(1, np.abs(want).max()))
    if loss is not None:
        np.testing.assert_allclose(tape.gradient(loss, x).numpy(), FIX[f"{name}/grad"], rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name", sorted(n for n, c in CASES.items() if c["fn"] not in ("convert", "affine")))
def test_against_tensorflow(name):
    compare(CASES[name], fn_of(CASES[name]))


def test_fixture_has_gradients_for_differentiable_resizes():
    for m in ("bilinear", "nearest", "bicubic"):
        assert f"resize_{m}_plain_0/grad" in FIX and f"resize_{m}_aa_0/grad" in FIX


@pytest.mark.parametrize("name", sorted(n for n, c in CASES.items() if c["fn"] == "convert"))
def test_convert_image_dtype(name):
    c = CASES[name]
    out = tf.image.convert_image_dtype(case_input(c), c["to"], saturate=c["saturate"])
    assert out.dtype == tf.as_dtype(c["to"])
    want = FIX[f"{name}/out"]
    if out.dtype.is_integer:
        np.testing.assert_array_equal(out.numpy(), want)
    else:
        np.testing.assert_allclose(out.numpy(), want, rtol=1e-6)


@pytest.mark.parametrize("name", sorted(n for n, c in CASES.items() if c["fn"] == "affine"))
def test_projective_transform(name):
    c = CASES[name]
    out = tf.image.projective_transform(FIX[f"{name}/x"], FIX[f"{name}/transforms"], c["interpolation"],
                                        c["fill_mode"], c["fill_value"])
    np.testing.assert_allclose(out.numpy(), FIX[f"{name}/out"], rtol=1e-5, atol=1e-5)


# ---- kernels: slow loops and finite differences ------------------------------------------------

def slow_bilinear(img, oh, ow):
    """TF's ResizeBilinear (half-pixel centres) as a loop over output pixels."""
    h, w = img.shape[:2]
    out = np.zeros((oh, ow) + img.shape[2:])
    for i in range(oh):
        y = (i + 0.5) * h / oh - 0.5
        y0, y1, ly = max(int(np.floor(y)), 0), min(int(np.ceil(y)), h - 1), y - np.floor(y)
        for j in range(ow):
            x = (j + 0.5) * w / ow - 0.5
            x0, x1, lx = max(int(np.floor(x)), 0), min(int(np.ceil(x)), w - 1), x - np.floor(x)
            top = img[y0, x0] + (img[y0, x1] - img[y0, x0]) * lx
            bot = img[y1, x0] + (img[y1, x1] - img[y1, x0]) * lx
            out[i, j] = top + (bot - top) * ly
    return out


@pytest.mark.parametrize("shape, size", [((5, 7, 2), (3, 11)), ((4, 4, 1), (9, 2)), ((1, 6, 1), (3, 3))])
def test_bilinear_matrix_matches_loop(shape, size):
    img = np.random.default_rng(1).random(shape)
    got = resize.apply(img[None], resize.bilinear_matrix(shape[0], size[0]), resize.bilinear_matrix(shape[1], size[1]))[0]
    np.testing.assert_allclose(got, slow_bilinear(img, *size), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("method", ["bilinear", "nearest", "bicubic", "area", *resize.SCALE_AND_TRANSLATE])
@pytest.mark.parametrize("n_in, n_out", [(7, 3), (3, 8), (5, 5)])
def test_rows_sum_to_one(method, n_in, n_out):
    np.testing.assert_allclose(resize.matrix(method, n_in, n_out).sum(1), 1, rtol=1e-5)
    if method in ("bilinear", "bicubic", *resize.SCALE_AND_TRANSLATE):
        np.testing.assert_allclose(resize.matrix(method, n_in, n_out, antialias=True).sum(1), 1, rtol=1e-5)


def _kernel_value(method, x):
    """The scale-and-translate kernels written out in float64 (the formulas TF's sampling_kernels.h
    documents), for a check of the float32 ones."""
    x = abs(x)
    if method.startswith("lanczos"):
        r = float(method[-1])
        return 0.0 if x > r else 1.0 if x <= 1e-3 else r * np.sin(np.pi * x) * np.sin(np.pi * x / r) / (np.pi * x) ** 2
    if method == "gaussian":
        return 0.0 if x >= 1.5 else np.exp(-x * x / (2 * 0.25))
    if x >= 2:
        return 0.0
    if x >= 1:
        return ((-7 / 18 * x + 2) * x - 10 / 3) * x + 16 / 9
    return (7 / 6 * x - 2) * x * x + 8 / 9


@pytest.mark.parametrize("method", resize.SCALE_AND_TRANSLATE)
@pytest.mark.parametrize("n_in, n_out, antialias", [(7, 3, True), (7, 3, False), (3, 8, False), (10, 6, True)])
def test_scale_and_translate_matrix_matches_loop(method, n_in, n_out, antialias):
    """Row i: the kernel at (j + 0.5 - (i + 0.5) * in/out) / kernel_scale over the taps within its
    reach (stretched by in/out when shrinking with antialias), normalised to sum 1."""
    radius = {"lanczos3": 3, "lanczos5": 5, "gaussian": 1.5, "mitchellcubic": 2}[method]
    inv = n_in / n_out
    kscale = max(inv, 1.0) if antialias else 1.0
    want = np.zeros((n_out, n_in))
    for i in range(n_out):
        centre = (i + 0.5) * inv
        lo = min(max(int(np.ceil(centre - radius * kscale - 0.5)), 0), n_in - 1)
        hi = min(max(int(np.floor(centre + radius * kscale - 0.5)), 0), n_in - 1) + 1
        for j in range(lo, hi):
            want[i, j] = _kernel_value(method, (j + 0.5 - centre) / kscale)
        want[i] /= want[i].sum()
    np.testing.assert_allclose(resize.matrix(method, n_in, n_out, antialias), want, rtol=2e-5, atol=2e-6)


def slow_patches(x, k, s, r, padding):
    """extract_patches by loops over output cells and taps (zero outside the image)."""
    n, h, w, c = x.shape
    ke = [(k[a] - 1) * r[a] + 1 for a in range(2)]
    if padding == "VALID":
        out = [(d - e) // st + 1 for d, e, st in zip((h, w), ke, s)]
        before = [0, 0]
    else:
        out = [-(-d // st) for d, st in zip((h, w), s)]
        before = [max((o - 1) * st + e - d, 0) // 2 for o, st, e, d in zip(out, s, ke, (h, w))]
    y = np.zeros((n, out[0], out[1], k[0] * k[1] * c))
    for oi in range(out[0]):
        for oj in range(out[1]):
            for i in range(k[0]):
                for j in range(k[1]):
                    yi, xj = oi * s[0] + i * r[0] - before[0], oj * s[1] + j * r[1] - before[1]
                    if 0 <= yi < h and 0 <= xj < w:
                        y[:, oi, oj, (i * k[1] + j) * c:(i * k[1] + j + 1) * c] = x[:, yi, xj]
    return y


@pytest.mark.parametrize("k, s, r, padding", [((3, 2), (2, 1), (1, 2), "SAME"), ((2, 2), (3, 2), (2, 1), "VALID"),
                                              ((1, 3), (1, 1), (1, 1), "SAME"), ((4, 5), (1, 1), (1, 1), "VALID")])
def test_extract_patches_matches_loops_and_finite_differences(k, s, r, padding):
    x = np.random.default_rng(8).standard_normal((2, 5, 6, 2))
    got = tf.image.extract_patches(x, [1, *k, 1], [1, *s, 1], [1, *r, 1], padding)
    np.testing.assert_array_equal(got.numpy(), slow_patches(x, k, s, r, padding))
    weights = tf.constant(np.arange(got.numpy().size, dtype=np.float64).reshape(got.shape) % 7 - 3)
    assert_grad(lambda t: tf.image.extract_patches(t, [1, *k, 1], [1, *s, 1], [1, *r, 1], padding) * weights, x)


def test_extract_patches_empty_and_bad_arguments():
    assert tf.image.extract_patches(np.ones((1, 2, 2, 1)), [1, 3, 3, 1], [1, 1, 1, 1], [1, 1, 1, 1],
                                    "VALID").shape == (1, 0, 0, 9)
    with pytest.raises(ValueError, match="sizes must be a list of 4"):
        tf.image.extract_patches(np.ones((1, 4, 4, 1)), [3, 3], [1, 1, 1, 1], [1, 1, 1, 1], "VALID")
    with pytest.raises(ValueError, match="strides must be a list of 4 positive ints"):
        tf.image.extract_patches(np.ones((1, 4, 4, 1)), [1, 2, 2, 1], [1, 0, 1, 1], [1, 1, 1, 1], "VALID")
    with pytest.raises(ValueError, match="4-D"):
        tf.image.extract_patches(np.ones((4, 4, 1)), [1, 2, 2, 1], [1, 1, 1, 1], [1, 1, 1, 1], "VALID")
    with pytest.raises(ValueError, match="padding"):
        tf.image.extract_patches(np.ones((1, 4, 4, 1)), [1, 2, 2, 1], [1, 1, 1, 1], [1, 1, 1, 1], "FULL")


def test_apply_transpose_is_the_gradient():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 5, 4, 3))
    g = rng.standard_normal((2, 3, 7, 3))
    mh, mw = resize.bicubic_matrix(5, 3), resize.area_matrix(4, 7)
    num = fd_inplace(lambda: np.sum(resize.apply(x, mh, mw) * g), x)
    np.testing.assert_allclose(resize.apply_transpose(g, mh, mw), num, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("interp, mode", [("bilinear", "constant"), ("bilinear", "reflect"), ("nearest", "wrap")])
def test_affine_backward_matches_finite_differences(interp, mode):
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 4, 5, 2))
    t = np.array([[0.8, 0.3, 0.7, -0.2, 1.1, 0.4, 0, 0], [1, 0, -1.3, 0, 1, 2.6, 0, 0]], np.float32)
    g = rng.standard_normal(x.shape)
    num = fd_inplace(lambda: np.sum(affine.transform(x, t, interp, mode, 0.5) * g), x)
    got = affine.transform_backward(g, x.shape, t, interp, mode)
    np.testing.assert_allclose(got, num, rtol=1e-5, atol=1e-6)


# ---- gradients through the public functions (float64, finite differences) -----------------------

X64 = np.random.default_rng(7).random((2, 4, 5, 2))


@pytest.mark.parametrize("fn", [
    tf.image.flip_left_right, tf.image.flip_up_down, lambda t: tf.image.rot90(t, 3),
    lambda t: tf.image.central_crop(t, 0.6), lambda t: tf.image.resize_with_crop_or_pad(t, 3, 7),
    lambda t: tf.image.random_flip_left_right(t, seed=3) * t, lambda t: tf.image.random_crop(t, [2, 3, 3, 2], 1),
    lambda t: tf.image.pad_to_bounding_box(t, 1, 2, 6, 8) ** 2,
])
def test_float64_gradients(fn):
    tf.random.set_seed(0)
    assert_grad(lambda t: (tf.random.set_seed(0), fn(t))[1], X64)


def test_resize_second_order_gradient():
    x = tf.constant(X64)
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = tf.reduce_sum(tf.image.resize(x, [3, 7]) ** 2)
        g = inner.gradient(y, x)
        s = tf.reduce_sum(g * g)
    assert outer.gradient(s, x) is not None


# ---- dtypes, shapes, randomness ----------------------------------------------------------------

def test_output_dtypes():
    u8 = np.random.default_rng(0).integers(0, 255, (4, 6, 3)).astype(np.uint8)
    assert tf.image.resize(u8, [2, 3], "nearest").dtype == tf.uint8
    for m in ("bilinear", "bicubic", "area"):
        assert tf.image.resize(u8, [2, 3], m).dtype == tf.float32
    assert tf.image.resize(X64, [2, 3]).dtype == tf.float32
    assert tf.image.resize(X64, [2, 3], tf.image.ResizeMethod.NEAREST_NEIGHBOR).dtype == tf.float64
    assert tf.image.resize(u8, (5, 5), preserve_aspect_ratio=True).shape == (3, 5, 3)


def test_random_ops_repeat_after_set_seed():
    x = np.arange(2 * 3 * 4 * 1, dtype=np.float32).reshape(2, 3, 4, 1)
    outs = []
    for _ in range(2):
        tf.random.set_seed(11)
        outs.append([tf.image.random_flip_left_right(x).numpy(), tf.image.random_flip_up_down(x, seed=2).numpy(),
                     tf.image.random_crop(x, [2, 2, 2, 1]).numpy(), tf.image.random_brightness(x, 0.5).numpy(),
                     tf.image.random_contrast(x, 0.2, 0.8, seed=1).numpy()])
    for a, b in zip(*outs):
        np.testing.assert_array_equal(a, b)


def test_random_flip_flips_each_image_or_not():
    x = np.random.default_rng(0).random((64, 3, 4, 1)).astype(np.float32)
    out = tf.image.random_flip_left_right(x, seed=5).numpy()
    flipped = np.all(out == x[:, :, ::-1], axis=(1, 2, 3))
    kept = np.all(out == x, axis=(1, 2, 3))
    assert np.all(flipped | kept) and 10 < flipped.sum() < 54


def test_random_brightness_delta_in_range():
    x = np.zeros((2, 3, 3), np.float32)
    d = tf.image.random_brightness(x, 0.25).numpy()
    assert np.all(d == d.flat[0]) and -0.25 <= d.flat[0] < 0.25


# ---- argument checks --------------------------------------------------------------------------

@pytest.mark.parametrize("call, err, match", [
    (lambda: tf.image.resize(np.zeros((4, 4)), [2, 2]), ValueError, "3 or 4 dimensions"),
    (lambda: tf.image.resize(X64, [2, 2], method="lanczos7"), ValueError, "method must be one of"),
    (lambda: tf.image.resize(X64, [2]), ValueError, "'size' must be a 1-D int32"),
    (lambda: tf.image.resize(X64, [0, 2]), ValueError, "'size' must be positive"),
    (lambda: tf.image.central_crop(X64, 0.0), ValueError, r"central_fraction must be within \(0, 1\]"),
    (lambda: tf.image.crop_to_bounding_box(X64, 1, 0, 4, 2), ValueError, "height must be >= target"),
    (lambda: tf.image.crop_to_bounding_box(X64, -1, 0, 2, 2), ValueError, "offset_height must be >= 0"),
    (lambda: tf.image.pad_to_bounding_box(X64, 0, 3, 4, 6), ValueError, "width must be <= target"),
    (lambda: tf.image.resize_with_crop_or_pad(X64, 0, 3), ValueError, "target_height must be >= 1"),
    (lambda: tf.image.rot90(X64, 1.5), TypeError, "k must be an int"),
    (lambda: tf.image.random_crop(X64, [3, 3, 3, 2]), ValueError, "size <= value's shape"),
    (lambda: tf.image.random_brightness(X64, -0.1), ValueError, "max_delta must be non-negative"),
    (lambda: tf.image.random_contrast(X64, 0.5, 0.5), ValueError, "upper must be > lower"),
    (lambda: tf.image.convert_image_dtype(X64, tf.bool), AttributeError, "floating point or integer"),
    (lambda: tf.image.projective_transform(X64, [1, 0, 0, 0, 1, 0, 0]), ValueError, "shape \\[8\\]"),
    (lambda: tf.image.projective_transform(X64, [1, 0, 0, 0, 1, 0, 0, 0], fill_mode="x"), ValueError,
     "fill_mode must be one of"),
])
def test_bad_arguments(call, err, match):
    with pytest.raises(err, match=match):
        call()


def test_rgb_to_grayscale_and_back_match_tensorflow():
    fix = np.load(os.path.join(os.path.dirname(__file__), "fixtures", "misc19.npz"))
    got = tf.image.rgb_to_grayscale(fix["u8"])
    assert got.dtype == tf.uint8 and got.shape == (2, 5, 7, 1)
    assert np.abs(got.numpy().astype(int) - fix["gray_u8"].astype(int)).max() <= 1  # float32 sum order
    x = tf.Variable(fix["f32"])
    upstream = tf.constant(fix["upstream"])
    with tf.GradientTape() as tape:
        g = tf.image.rgb_to_grayscale(x)
        loss = tf.reduce_sum(g * upstream)
    np.testing.assert_array_max_ulp(g.numpy(), fix["gray_f32"], maxulp=2)
    np.testing.assert_array_max_ulp(tape.gradient(loss, x).numpy(), fix["gray_grad"], maxulp=1)
    np.testing.assert_array_equal(tf.image.grayscale_to_rgb(fix["gray_u8"]).numpy(), fix["rgb_back"])
    with pytest.raises(ValueError, match="3 channels"):
        tf.image.rgb_to_grayscale(np.zeros((2, 2, 4), np.float32))
