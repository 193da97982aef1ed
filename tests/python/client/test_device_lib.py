"""tensorflow.python.client.device_lib: one CPU device, as TensorFlow 2.21 lists it on a CPU-only machine."""
import re

import tinytf as tf
from tinytf.python.client import device_lib


def test_list_local_devices_is_tensorflows_cpu_record():
    (cpu,) = device_lib.list_local_devices()
    assert tf.python.client.device_lib is device_lib
    assert (cpu.name, cpu.device_type, cpu.memory_limit, cpu.physical_device_desc, cpu.xla_global_id) == (
        "/device:CPU:0", "CPU", 268435456, "", -1)
    assert str(cpu.locality) == "" and cpu.locality.bus_id == 0
    assert 0 <= cpu.incarnation < 2 ** 64
    text = re.sub(r"incarnation: \d+", "incarnation: N", str(cpu))
    assert text == ('name: "/device:CPU:0"\ndevice_type: "CPU"\nmemory_limit: 268435456\nlocality {\n}\n'
                    "incarnation: N\nxla_global_id: -1\n")
    gpus = [d.name for d in device_lib.list_local_devices(session_config=None) if d.device_type == "GPU"]
    assert gpus == []
