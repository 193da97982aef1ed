"""tinytf.tools.explain: the numbers the pictures show come from the kernels, and the pictures
are written, legible-sized and not blank."""
import sys

import numpy as np
import pytest

from tinytf.kernels.conv import conv2d_forward, geometry
from tinytf.kernels.pool import max_pool_forward
from tinytf.tools import explain

pytest.importorskip("matplotlib")
Image = pytest.importorskip("PIL.Image")


# ---------------------------------------------------------------------------------------------
# compute side

@pytest.mark.parametrize("kw", [
    {}, {"stride": 2, "size": 7}, {"padding": "SAME"}, {"stride": 3, "padding": "SAME"},
    {"padding": [[0, 0], [1, 1], [1, 1], [0, 0]], "stride": 3},
    {"channels": 3, "filters": 4, "seed": 5},
])
def test_conv_data_matches_conv2d_forward(kw):
    d = explain.conv_data(**kw)
    x, w, geo = d["x"], d["w"], d["geo"]
    y, _ = conv2d_forward(x[None], w, geo)
    np.testing.assert_array_equal(d["y"], y[0])
    # integer inputs, so the numbers print exactly
    assert np.all(d["x"] == np.round(d["x"])) and np.all(d["w"] == np.round(d["w"]))
    # the highlighted window cells times the kernel give the output shown for each step
    for st in d["steps"]:
        oi, oj = st["index"]
        for o in range(w.shape[3]):
            s = sum(d["xpad"][r, c, :] @ w[a, b, :, o] for a, b, r, c in st["cells"])
            assert s == d["y"][oi, oj, o]
    # per-channel parts add up to the output (the multi-channel picture)
    np.testing.assert_allclose(d["partial"].sum(0), d["y"])
    assert len(d["steps"]) == geo.oh * geo.ow


def test_conv_data_default_is_the_tutorial_single_channel_case():
    d = explain.conv_data()
    assert d["x"].shape == (5, 5, 1) and d["w"].shape == (3, 3, 1, 1) and d["y"].shape == (3, 3, 1)
    assert not d["pad_mask"].any() and d["covered"].all()


def test_padding_masks_tutorial_stride3_same():
    # tutorial: 5x5, k3, strides=3, SAME -> 2x2, pad total 1: 0 before, 1 after
    d = explain.conv_data(5, 3, 3, "SAME")
    assert d["geo"].pads == ((0, 1), (0, 1)) and d["y"].shape[:2] == (2, 2)
    assert d["pad_mask"][5].all() and d["pad_mask"][:, 5].all() and not d["pad_mask"][:5, :5].any()
    v = explain.conv_data(5, 3, 3, "VALID")
    assert v["y"].shape[:2] == (1, 1)
    assert not v["covered"][3:, :].any() and v["covered"][:3, :3].all()   # rows 3, 4 dropped
    lines = explain.size_arithmetic(5, 3, 3, "SAME")
    assert any("⌈5 / 3⌉ = 2" in s for s in lines)
    assert any("top/left 0, bottom/right 1" in s for s in lines)
    assert any("= 1" in s for s in explain.size_arithmetic(5, 3, 3, "VALID"))
    assert any("= 2" in s for s in explain.size_arithmetic(5, 3, 3, [[0, 0], [1, 1], [1, 1], [0, 0]]))


def test_pool_data_winners():
    d = explain.pool_data(size=4, pool=2, stride=2, seed=0)
    x = d["x"]
    geo = geometry((4, 4), (2, 2), (2, 2), (1, 1), "VALID")
    np.testing.assert_array_equal(d["y_max"], max_pool_forward(x[None, :, :, None], geo)[0, :, :, 0])
    np.testing.assert_allclose(d["y_avg"], x.reshape(2, 2, 2, 2).mean(axis=(1, 3)))
    routed = np.zeros_like(x)
    for win in d["windows"]:
        oi, oj = win["index"]
        assert d["xpad"][win["winner"]] == d["y_max"][oi, oj]
        routed[win["winner"]] += 1
    np.testing.assert_array_equal(routed, d["routed"])       # same cells max_pool_backward picks


def test_bn_data_per_channel_statistics():
    d = explain.bn_data(batch=4, size=2, channels=3, eps=1e-3)
    x = d["x"]
    np.testing.assert_allclose(d["mean"], x.mean(axis=(0, 1, 2)))
    np.testing.assert_allclose(d["var"], x.var(axis=(0, 1, 2)))
    np.testing.assert_allclose(d["y_mean"], 0, atol=1e-12)
    np.testing.assert_allclose(d["y_var"], d["var"] / (d["var"] + 1e-3))
    assert len(set(np.round(d["mean"]))) == 3                # channels on different scales


def test_rf_data_lenet():
    d = explain.rf_data()
    assert d["sizes"] == [28, 26, 13, 11, 5] and d["unit"] == (2, 2)
    sizes = [nd["window"].span[0][1] - nd["window"].span[0][0] + 1 for nd in d["nested"]]
    assert sizes == [3, 4, 8, 10]
    for inner, outer in zip(d["nested"], d["nested"][1:]):        # the boxes nest
        (a0, a1), (b0, b1) = inner["window"].span[0], outer["window"].span[0]
        assert b0 <= a0 and a1 <= b1
    assert [len(w.rows) for w in d["back"]] == [10, 8, 4, 2, 1]
    assert d["window"].rows == range(8, 18)


# ---------------------------------------------------------------------------------------------
# drawing side

def _check_image(path, min_w=700, max_w=1700):
    with Image.open(path) as im:
        w, h = im.size
        assert min_w <= w <= max_w and min_w / 4 <= h <= 1800, (path, im.size)
        a = np.asarray(im.convert("RGB")).astype(np.int32)
        colours = np.unique((a[..., 0] << 16) | (a[..., 1] << 8) | a[..., 2])
        assert a.std() > 10 and colours.size > 20, path
        return im.size


def test_explain_all_topics(tmp_path):
    paths = explain.explain(tmp_path, dpi=60)
    names = sorted(p.rsplit("/", 1)[-1] for p in paths)
    assert names == sorted(["conv_single.png", "conv_single.gif", "conv_multichannel.png",
                            "conv_multikernel.png", "conv_stride.png", "padding.png", "pool.png",
                            "bn.png", "rf.png", "rf_layers.png"])
    for p in paths:
        if p.endswith(".png"):
            _check_image(p, min_w=400)
    with Image.open(str(tmp_path / "conv_single.gif")) as gif:
        assert gif.n_frames == 9                               # one frame per output position
        sizes = set()
        for i in range(gif.n_frames):
            gif.seek(i)
            sizes.add(gif.size)
        assert len(sizes) == 1


def test_explain_default_dpi_sizes(tmp_path):
    for p in explain.explain_padding(tmp_path) + explain.explain_pool(tmp_path):
        _check_image(p, min_w=800, max_w=1600)


def test_explain_options(tmp_path):
    (p,) = explain.explain_stride(tmp_path, size=9, strides=(1, 3), dpi=80)
    _check_image(p, min_w=500)
    with pytest.raises(ValueError):
        explain.explain(tmp_path, ["nope"])
    with pytest.raises(TypeError):
        explain.explain(tmp_path, ["rf"], seed=1)


def test_missing_matplotlib_message(tmp_path, monkeypatch):
    for mod in ("matplotlib", "matplotlib.figure", "matplotlib.backends.backend_agg",
                "matplotlib.patches"):
        monkeypatch.setitem(sys.modules, mod, None)
    with pytest.raises(ImportError, match=r"pip install 'tinytf\[plot\]'"):
        explain.explain_pool(tmp_path)


def test_missing_pillow_message(monkeypatch):
    # (matplotlib itself writes PNGs through Pillow, so only the GIF helper is checked)
    monkeypatch.setitem(sys.modules, "PIL", None)
    with pytest.raises(ImportError, match=r"pip install 'tinytf\[image\]'"):
        explain.pil_image()
