"""keras.mixed_precision: policies report Keras 3's names and dtypes (tests/fixtures/layers19.npz);
set_global_policy records a policy and warns that tinytf keeps computing in float32; layers take
a policy as dtype; bad names are refused."""
import json
import os
import warnings

import numpy as np
import pytest

import tinytf as tf
from tinytf import keras
from tinytf.keras import mixed_precision

FIXTURE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fixtures", "layers19.npz")
with np.load(FIXTURE, allow_pickle=False) as _d:
    POLICIES = json.loads(str(_d["meta"]))["policies"]


@pytest.fixture(autouse=True)
def restore_policy():
    yield
    mixed_precision.set_global_policy("float32")


@pytest.mark.parametrize("name", sorted(POLICIES))
def test_policy_matches_keras(name):
    p = keras.mixed_precision.Policy(name)
    assert dict(name=p.name, compute_dtype=p.compute_dtype, variable_dtype=p.variable_dtype) == POLICIES[name]
    assert keras.mixed_precision.Policy.from_config(p.get_config()) == p


def test_global_policy_is_recorded_and_computation_stays_float32():
    assert keras.mixed_precision.global_policy().name == "float32"
    mixed_precision._warned = False
    with pytest.warns(UserWarning, match="computes in float32"):
        keras.mixed_precision.set_global_policy("mixed_float16")
    policy = keras.mixed_precision.global_policy()
    assert (policy.name, policy.compute_dtype) == ("mixed_float16", "float16")
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3),
                              keras.layers.Activation("linear", dtype="float32")])
    assert model(np.ones((2, 4), np.float32)).dtype == tf.float32
    assert keras.layers.Dense(2, dtype=policy).dtype == "float32"
    assert keras.layers.Dense(2, dtype="mixed_bfloat16").dtype == "float32"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # warned once only
        keras.mixed_precision.set_global_policy(keras.mixed_precision.Policy("mixed_bfloat16"))
    keras.config.set_dtype_policy("float32")
    assert keras.config.dtype_policy().name == "float32"
    tf.keras.mixed_precision.experimental.set_policy("mixed_float16")
    assert tf.keras.mixed_precision.global_policy().name == "mixed_float16"


def test_bad_policy_names():
    with pytest.raises(ValueError, match="mixed_float8"):
        keras.mixed_precision.Policy("mixed_float8")
    with pytest.raises(ValueError, match="int32"):
        keras.mixed_precision.set_global_policy("int32")
