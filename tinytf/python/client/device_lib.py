"""``device_lib.list_local_devices()``: tinytf's devices as TensorFlow lists them on a CPU-only
machine, one ``DeviceAttributes`` record for ``/device:CPU:0`` (TensorFlow returns protocol buffers;
these are plain objects with the same fields, printed in the same text form)."""
import random


class DeviceLocality:
    """Where a device sits: TensorFlow leaves it empty for the CPU."""

    def __init__(self, bus_id=0, numa_node=0):
        self.bus_id = bus_id
        self.numa_node = numa_node

    def __str__(self):
        return "".join(f"{k}: {v}\n" for k, v in (("bus_id", self.bus_id), ("numa_node", self.numa_node)) if v)


class DeviceAttributes:
    def __init__(self, name, device_type, memory_limit, incarnation, physical_device_desc="", xla_global_id=-1):
        self.name = name
        self.device_type = device_type
        self.memory_limit = memory_limit
        self.locality = DeviceLocality()
        self.incarnation = incarnation
        self.physical_device_desc = physical_device_desc
        self.xla_global_id = xla_global_id

    def __str__(self):
        locality = "".join("  " + line + "\n" for line in str(self.locality).splitlines())
        desc = f'physical_device_desc: "{self.physical_device_desc}"\n' if self.physical_device_desc else ""
        return (f'name: "{self.name}"\ndevice_type: "{self.device_type}"\nmemory_limit: {self.memory_limit}\n'
                f"locality {{\n{locality}}}\nincarnation: {self.incarnation}\n{desc}"
                f"xla_global_id: {self.xla_global_id}\n")

    __repr__ = __str__


_CPU_MEMORY_LIMIT = 268435456  # what TensorFlow reports for the CPU device (256 MiB)


def list_local_devices(session_config=None):
    """``[DeviceAttributes('/device:CPU:0', 'CPU', ...)]``: tinytf runs on the CPU only. The
    incarnation is a fresh random 64-bit number on each call, as TensorFlow's."""
    return [DeviceAttributes("/device:CPU:0", "CPU", _CPU_MEMORY_LIMIT,
                             random.SystemRandom().getrandbits(64))]
