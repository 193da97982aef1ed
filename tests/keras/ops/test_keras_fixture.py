"""``keras.ops`` against Keras 3.15 / TensorFlow 2.21 (tests/fixtures/keras_ops.npz, written by
tests/fixtures/record_keras_ops.py; the runner and its ulp budget: tests/keras_cases.py)."""
import pytest

from keras_cases import check_case, load

CASES, ARRAYS = load("keras_ops.npz")


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_matches_keras(case):
    check_case(case, ARRAYS)


def test_fixture_covers_the_cnn_ops():
    """The ops CNN programs use most are all in the fixture."""
    used = " ".join(c["expr"] for c in CASES)
    for op in ("mean", "einsum", "softmax", "convert_to_tensor", "reshape", "matmul", "conv", "max_pool",
               "image.resize", "top_k", "one_hot", "categorical_crossentropy", "moments", "gelu"):
        assert f"ops.{op}(" in used, op
