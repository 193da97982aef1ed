"""The program of tests/fixtures/record_tf_tensorboard.py run under tinytf gives what TensorBoard
read from TF 2.21's logs of it (tensorboard_tf.json): the same runs, plugins, tags, metadata and
steps, and the same values (scalars and histogram edges within float32 rounding of 12 SGD steps,
histogram counts, text, audio exactly, image pixels within 1)."""
import json
import os
import sys

import numpy as np
import pytest

pytest.importorskip("tensorboard")
pytest.importorskip("PIL")
FIXTURES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fixtures")
sys.path.insert(0, FIXTURES)

import record_tf_tensorboard as recording  # noqa: E402
import tinytf as tf  # noqa: E402

# Loss and accuracy after up to 12 SGD steps through exp/log: float32 rounding differs between
# TF's kernels and NumPy's and can grow with the steps (2 ulp seen on an AMD EPYC, AVX2).
SCALAR_ULPS = 16


@pytest.fixture(scope="module")
def logs(tmp_path_factory):
    logdir = tmp_path_factory.mktemp("tb")
    recording.program(tf, tf.keras, str(logdir))
    with open(recording.FIXTURE) as f:
        return recording.dump(str(logdir)), json.load(f)


def test_same_runs_tags_plugins_and_steps(logs):
    got, want = logs
    assert sorted(got) == sorted(want)
    for run in want:
        assert sorted(got[run]) == sorted(want[run]), run
        for tag, rec in want[run].items():
            if tag.startswith("_"):
                assert got[run][tag] == rec, (run, tag)
                continue
            for field in ("plugin", "content", "steps"):
                assert got[run][tag][field] == rec[field], (run, tag, field)


def _values(logs, plugin):
    got, want = logs
    for run in want:
        for tag, rec in want[run].items():
            if not tag.startswith("_") and rec["plugin"] == plugin:
                yield f"{run}:{tag}", got[run][tag]["values"], rec["values"]


def test_scalar_values(logs):
    n = 0
    for where, got, want in _values(logs, "scalars"):
        if want[0] is None:  # steps per second: wall-clock
            assert all(g is None for g in got)
            continue
        np.testing.assert_array_max_ulp(np.float32(got), np.float32(want), SCALAR_ULPS)
        n += len(want)
    assert n > 100


def test_histogram_values(logs):
    for where, got, want in _values(logs, "histograms"):
        got, want = np.array(got), np.array(want)
        assert got.shape == want.shape, where
        np.testing.assert_array_equal(got[..., 2], want[..., 2], err_msg=where)
        np.testing.assert_allclose(got[..., :2], want[..., :2], rtol=1e-5, atol=1e-6, err_msg=where)


def test_image_values(logs):
    for where, got, want in _values(logs, "images"):
        for g, w in zip(got, want):
            assert g["size"] == w["size"] and len(g["pixels"]) == len(w["pixels"]), where
            for gp, wp in zip(g["pixels"], w["pixels"]):
                assert np.abs(np.int16(gp) - np.int16(wp)).max() <= 1, where


@pytest.mark.parametrize("plugin", ["text", "audio", "graph_keras_model", "graph_run_metadata_graph", ""])
def test_exact_values(logs, plugin):
    found = list(_values(logs, plugin))
    assert found
    for where, got, want in found:
        assert got == want, where
