"""``tf.config``: the devices tinytf runs on (one CPU, said truthfully) and its process settings.

TensorFlow programs often start by asking for GPUs::

    gpus = tf.config.list_physical_devices('GPU')      # [] with tinytf, as TF on a CPU-only machine
    for gpu in gpus:
        tf.config.experimental.set_memory_growth(gpu, True)

tinytf-only: ``set_malloc_tuning`` / ``malloc_tuning`` (process-wide glibc malloc thresholds that
``import tinytf`` sets; see ``backend.set_malloc_tuning`` for the measured reason).
"""
import collections
import types

from .backend import malloc_tuning, set_malloc_tuning  # noqa: F401 - tinytf.config API
from .kernels import parallel

PhysicalDevice = collections.namedtuple("PhysicalDevice", ["name", "device_type"])
LogicalDevice = collections.namedtuple("LogicalDevice", ["name", "device_type"])

_CPU = PhysicalDevice("/physical_device:CPU:0", "CPU")
_CPU_LOGICAL = LogicalDevice("/device:CPU:0", "CPU")
_threads = {"inter": 0, "intra": 0}


def _check_type(device_type, fn):
    if device_type is not None and not isinstance(device_type, str):
        raise TypeError(f"{fn}: device_type must be a string such as 'CPU' or 'GPU', got {device_type!r}")
    return device_type is None or device_type.upper() == "CPU"


def list_physical_devices(device_type=None):
    """The physical devices of ``device_type`` ('CPU', 'GPU', ...; None for all): one CPU."""
    return [_CPU] if _check_type(device_type, "list_physical_devices") else []


def list_logical_devices(device_type=None):
    return [_CPU_LOGICAL] if _check_type(device_type, "list_logical_devices") else []


def get_visible_devices(device_type=None):
    return list_physical_devices(device_type)


def set_visible_devices(devices, device_type=None):
    """Accepts the CPU (or an empty list of GPUs); tinytf always runs on the CPU."""
    devices = [devices] if isinstance(devices, PhysicalDevice) else list(devices)
    for d in devices:
        if d != _CPU:
            raise ValueError(f"set_visible_devices: {d!r} is not a device of this machine; "
                             f"tinytf has one device, {_CPU.name}")


def _no_memory_growth(device, fn):
    if not isinstance(device, PhysicalDevice):
        raise TypeError(f"{fn}: device must be a PhysicalDevice from list_physical_devices, got {device!r}")
    raise ValueError(f"{fn}: cannot set memory growth on non-GPU devices (got {device.name})")


def set_memory_growth(device, enable):
    """As TensorFlow: a ``ValueError`` for the CPU, the only device tinytf has."""
    _no_memory_growth(device, "set_memory_growth")


def get_memory_growth(device):
    _no_memory_growth(device, "get_memory_growth")


def _thread_setter(key, fn):
    def setter(num_threads):
        if not isinstance(num_threads, int) or isinstance(num_threads, bool) or num_threads < 0:
            raise ValueError(f"{fn}: num_threads must be a non-negative int, got {num_threads!r}")
        _threads[key] = num_threads
        if key == "intra":
            parallel.set_threads(num_threads)
    setter.__doc__ = ("Recorded and returned by the getter (0 = the default). The intra-op count is how many "
                      "threads tinytf's kernels use (kernels/parallel.py; by default NumPy's BLAS's count, "
                      "OPENBLAS_NUM_THREADS / OMP_NUM_THREADS); tinytf has no inter-op pool.")
    return setter


threading = types.SimpleNamespace(
    set_inter_op_parallelism_threads=_thread_setter("inter", "set_inter_op_parallelism_threads"),
    set_intra_op_parallelism_threads=_thread_setter("intra", "set_intra_op_parallelism_threads"),
    get_inter_op_parallelism_threads=lambda: _threads["inter"],
    get_intra_op_parallelism_threads=lambda: _threads["intra"])

class LogicalDeviceConfiguration(collections.namedtuple(
        "LogicalDeviceConfiguration", ["memory_limit", "experimental_priority", "experimental_device_ordinal"],
        defaults=(None, None, None))):
    """TensorFlow's logical (virtual) device settings, e.g. a GPU memory limit in MB; tinytf has only
    the CPU, so programs make these and, guarded by ``if gpus:``, never apply them."""


experimental = types.SimpleNamespace(
    VirtualDeviceConfiguration=LogicalDeviceConfiguration,
    list_physical_devices=list_physical_devices, list_logical_devices=list_logical_devices,
    get_visible_devices=get_visible_devices, set_visible_devices=set_visible_devices,
    set_memory_growth=set_memory_growth, get_memory_growth=get_memory_growth)


def run_functions_eagerly(run_eagerly):
    """No-op: tinytf always runs eagerly."""


def functions_run_eagerly():
    return True
