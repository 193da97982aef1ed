"""``tf.test``: what a program asks about accelerators. tinytf runs on the CPU, as TensorFlow does on
a machine without a GPU, and answers as that TensorFlow does."""
import warnings


def gpu_device_name():
    """The name of a GPU device, ``''`` when there is none (tinytf has none)."""
    return ""


def is_gpu_available(cuda_only=False, min_cuda_compute_capability=None):
    warnings.warn("tf.test.is_gpu_available is deprecated: use tf.config.list_physical_devices('GPU')",
                  DeprecationWarning, stacklevel=2)
    return False


def is_built_with_cuda():
    return False


def is_built_with_gpu_support():
    return False


__all__ = ["gpu_device_name", "is_built_with_cuda", "is_built_with_gpu_support", "is_gpu_available"]
