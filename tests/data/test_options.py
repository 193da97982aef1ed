"""tf.data.Options: TensorFlow 2.21's option groups and fields; unknown options are refused."""
import pytest

import tinytf as tf


def test_options_have_tensorflows_fields_and_groups():
    o = tf.data.Options()
    o.experimental_deterministic = False
    o.deterministic = True
    o.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.OFF
    o.experimental_optimization.map_and_batch_fusion = True
    o.threading.private_threadpool_size = 4
    o.autotune.enabled = False
    assert o.experimental_distribute.auto_shard_policy == -1
    assert [(p.name, int(p)) for p in tf.data.experimental.AutoShardPolicy] == [
        ("OFF", -1), ("AUTO", 0), ("FILE", 1), ("DATA", 2), ("HINT", 3)]


@pytest.mark.parametrize("group, name", [(None, "experimental_autotune"), ("experimental_optimization", "x")])
def test_unknown_option_is_an_attribute_error_naming_it(group, name):
    o = tf.data.Options()
    with pytest.raises(AttributeError, match=f"Cannot set the property '{name}'"):
        setattr(o if group is None else getattr(o, group), name, True)


def test_with_options_records_merged_options_and_keeps_the_elements():
    ds = tf.data.Dataset.range(5).batch(2)
    a = tf.data.Options()
    a.experimental_deterministic = False
    b = tf.data.Options()
    b.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    out = ds.with_options(a).with_options(b)
    assert out.options().experimental_deterministic is False
    assert out.options().experimental_distribute.auto_shard_policy == tf.data.experimental.AutoShardPolicy.DATA
    assert [e.numpy().tolist() for e in out] == [[0, 1], [2, 3], [4]]
    with pytest.raises(TypeError, match="tf.data.Options"):
        ds.with_options({"deterministic": False})
