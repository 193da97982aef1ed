"""The kernel table: the one place where the implementation of each kernel is chosen.

The ops (``tinytf/ops/``), the tape (bias gradients) and the optimizers call kernels only through
this module (``K.conv2d_forward(...)``). Most entries are the NumPy references of ``conv.py``,
``pool.py``, ``norm.py``, ``activation.py`` and ``optim.py``, the same on every path. The
memory-bound ones named in ``SWITCHED`` also have a compiled version of the same name and
signature in ``fast.py`` (Numba); ``use`` installs one set or the other as this module's
attributes, so a call costs one attribute lookup and no branch. A GPU backend would plug in here
too: a module with the same function names (e.g. ``kernels/cupy.py``) and one more entry in
``_IMPLEMENTATIONS``.

The choice: ``TINYTF_KERNELS`` = ``numpy`` (the reference), ``numba`` (fails at import if Numba
is missing) or ``auto`` (default: Numba when installed), read once at import; ``use(name)``
switches at run time (tests use it to compare both paths).
"""
import importlib.util
import os

from . import activation, conv, depthwise, fast, norm, optim, pool, tail, winograd

MODES = ("auto", "numpy", "numba")
SWITCHED = ("im2col", "col2im", "max_pool_forward", "max_pool_forward_argmax", "max_pool_backward_argmax",
            "channel_sum", "channel_moments", "normalize", "batch_norm_train_backward", "channel_add", "bias_relu",
            "relu_backward", "adam_update_many", "conv_tail", "winograd_input", "winograd_output")

_IMPLEMENTATIONS = {
    "numpy": {"im2col": conv.im2col, "col2im": conv.col2im, "max_pool_forward": pool.max_pool_forward,
              "max_pool_forward_argmax": pool.max_pool_forward_argmax,
              "max_pool_backward_argmax": pool.max_pool_backward_argmax,
              "channel_sum": norm.channel_sum, "channel_moments": norm.channel_moments,
              "normalize": norm.normalize, "batch_norm_train_backward": norm.batch_norm_train_backward,
              "channel_add": norm.channel_add, "bias_relu": activation.bias_relu,
              "relu_backward": activation.relu_backward, "adam_update_many": optim.adam_update_many,
              "conv_tail": tail.conv_tail, "winograd_input": winograd.winograd_input,
              "winograd_output": winograd.winograd_output},
    "numba": {name: getattr(fast, name) for name in SWITCHED},
}

# Set by use() below (declared here for readers and linters).
im2col = col2im = max_pool_forward = max_pool_forward_argmax = max_pool_backward_argmax = channel_sum = None
channel_moments = normalize = batch_norm_train_backward = channel_add = bias_relu = None
relu_backward = adam_update_many = conv_tail = winograd_input = winograd_output = None

# The same on every path.
geometry = conv.geometry
depthwise_forward = depthwise.depthwise_forward
depthwise_backward_input = depthwise.depthwise_backward_input
depthwise_backward_filter = depthwise.depthwise_backward_filter
max_pool_backward = pool.max_pool_backward  # from x and out; the ops keep the argmax instead
avg_pool_forward = pool.avg_pool_forward
avg_pool_backward = pool.avg_pool_backward
sigmoid = activation.sigmoid
relu = activation.relu


def conv2d_forward(x, w, geo, keep=True):
    """``conv.conv2d_forward`` with the active kernels."""
    return conv.conv2d_forward(x, w, geo, _IMPLEMENTATIONS[_active], keep)


def conv2d_forward_tail(x, w, geo, steps, out):
    """``conv.conv2d_forward_tail`` with the active kernels."""
    return conv.conv2d_forward_tail(x, w, geo, steps, out, _IMPLEMENTATIONS[_active])


def conv2d_backward_filter(g, cols, w_shape, x=None, geo=None):
    """``conv.conv2d_backward_filter`` with the active kernels."""
    return conv.conv2d_backward_filter(g, cols, w_shape, x, geo, _IMPLEMENTATIONS[_active])


def conv2d_backward_input(g, w, x_shape, geo):
    """``conv.conv2d_backward_input`` with the active kernels."""
    return conv.conv2d_backward_input(g, w, x_shape, geo, _IMPLEMENTATIONS[_active])


def resolve(name):
    """'numpy' or 'numba' for a mode name (the one parser of ``TINYTF_KERNELS`` and ``use``)."""
    mode = (name or "auto").strip().lower()
    if mode not in MODES:
        raise ValueError(f"kernels (TINYTF_KERNELS) must be 'auto', 'numpy' or 'numba', got {name!r}")
    has_numba = importlib.util.find_spec("numba") is not None
    if mode == "auto":
        return "numba" if has_numba else "numpy"
    if mode == "numba" and not has_numba:
        raise ImportError("kernels 'numba' need Numba: pip install 'tinytf[fast]'")
    return mode


_active = None


def use(name):
    """Select the kernels: 'numpy', 'numba' or 'auto'. Returns the previous choice."""
    global _active
    mode = resolve(name)
    globals().update(_IMPLEMENTATIONS[mode])
    prev, _active = _active, mode
    return prev


def active():
    """'numpy' or 'numba': the kernels in use."""
    return _active


use(os.environ.get("TINYTF_KERNELS", "auto"))
