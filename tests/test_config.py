"""tf.config and tf.device: one CPU, said truthfully; the malloc tuning can be seen and undone."""
import platform

import pytest

import tinytf as tf


def test_devices_are_one_cpu_and_no_gpu():
    cpus = tf.config.list_physical_devices("CPU")
    assert [d.device_type for d in cpus] == ["CPU"] and cpus[0].name == "/physical_device:CPU:0"
    assert tf.config.list_physical_devices("GPU") == []
    assert tf.config.experimental.list_physical_devices("gpu") == []
    assert tf.config.list_physical_devices() == cpus
    assert [d.name for d in tf.config.list_logical_devices()] == ["/device:CPU:0"]
    with pytest.raises(TypeError, match="device_type"):
        tf.config.list_physical_devices(0)


def test_memory_growth_is_refused_for_the_cpu_as_in_tensorflow():
    cpu = tf.config.list_physical_devices("CPU")[0]
    with pytest.raises(ValueError, match="non-GPU"):
        tf.config.experimental.set_memory_growth(cpu, True)
    with pytest.raises(TypeError, match="PhysicalDevice"):
        tf.config.experimental.set_memory_growth("/GPU:0", True)
    tf.config.set_visible_devices([], "GPU")  # the usual "hide the GPUs" line runs
    with pytest.raises(ValueError, match="not a device"):
        tf.config.set_visible_devices([tf.config.PhysicalDevice("/physical_device:GPU:0", "GPU")])


def test_logical_device_configuration_as_tensorflow():
    cfg = tf.config.experimental.VirtualDeviceConfiguration(memory_limit=4096)
    assert cfg.memory_limit == 4096 and cfg.experimental_priority is None
    assert cfg == tf.config.LogicalDeviceConfiguration(4096)


def test_threading_settings_are_recorded_and_checked():
    tf.config.threading.set_intra_op_parallelism_threads(2)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    assert tf.config.threading.get_intra_op_parallelism_threads() == 2
    assert tf.config.threading.get_inter_op_parallelism_threads() == 1
    with pytest.raises(ValueError, match="num_threads"):
        tf.config.threading.set_intra_op_parallelism_threads(-1)
    tf.config.threading.set_intra_op_parallelism_threads(0)
    tf.config.threading.set_inter_op_parallelism_threads(0)


def test_device_context_runs_the_block_on_the_cpu():
    for name in ("/CPU:0", "/device:GPU:0", "/job:localhost/replica:0/task:0/device:CPU:0", None):
        with tf.device(name):
            assert float(tf.constant(2.0) * 3) == 6.0
    with pytest.raises(TypeError, match="device_name"):
        tf.device(0)


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc only")
def test_malloc_tuning_is_visible_and_reversible_at_run_time():
    was = tf.config.malloc_tuning()
    try:
        assert tf.config.set_malloc_tuning(False) is False and tf.config.malloc_tuning() is False
        assert tf.config.set_malloc_tuning(True) is True and tf.config.malloc_tuning() is True
    finally:
        tf.config.set_malloc_tuning(was)
