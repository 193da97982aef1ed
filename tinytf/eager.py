"""``tf.py_function`` and ``tf.init_scope``: what TensorFlow provides to step out of a traced graph.
tinytf always runs eagerly, so ``py_function`` calls ``func`` on the input tensors directly (the
tinytf ops inside it are recorded on the active tapes, so gradients flow through it as TensorFlow's
do through an eager py_function), and ``init_scope`` is an empty context."""
import contextlib
import functools

from .dtypes import as_dtype
from .errors import InvalidArgumentError
from .tensor import Tensor, convert_to_tensor


def py_function(func=None, inp=None, Tout=None, name=None):
    """``tf.py_function(func, inp, Tout)``: ``func(*inp)``'s results as tensors of the ``Tout`` dtypes
    (a list of dtypes gives a list of tensors, one dtype one tensor). As TensorFlow, results beyond
    the number of dtypes are dropped, and fewer results than dtypes are an error."""
    if Tout is None:
        raise TypeError("Missing required argument: 'Tout'\n  If using tf.py_function as a decorator, set `Tout`\n"
                        "  **by name** above the function:\n  `@tf.py_function(Tout=tout)`")
    if func is None:  # @tf.py_function(Tout=...) over a function: calls run it through py_function
        if inp is not None:
            raise TypeError("Don't set the `inp` argument when using tf.py_function as a decorator (`func=None`).")
        return lambda f: functools.wraps(f)(lambda *args: py_function(f, args, Tout))
    if inp is None:
        raise TypeError("Missing required argument: 'inp'")
    if not callable(func):
        raise ValueError(f"Expected func to be callable. Received func={func!r} of type {type(func)}.")
    args = [x if isinstance(x, Tensor) else convert_to_tensor(x) for x in inp]
    single = not isinstance(Tout, (list, tuple))
    dtypes = [as_dtype(t) for t in ([Tout] if single else Tout)]
    result = func(*args)
    values = list(result) if isinstance(result, (list, tuple)) else [] if result is None else [result]
    outs = [_convert(v, dtype) for v, dtype in zip(values, dtypes)]
    if len(outs) != len(dtypes):
        raise InvalidArgumentError(f"py_function returns {len(outs)} values, but expects to see {len(dtypes)} values.")
    return outs[0] if single else outs


def _convert(value, dtype):
    if isinstance(value, Tensor):
        if value.dtype != dtype:
            raise InvalidArgumentError(f"ValueError: Tensor conversion requested dtype {dtype.name} for Tensor "
                                       f"with dtype {value.dtype.name}: {value!r}")
        return value
    try:
        return convert_to_tensor(value, dtype=dtype)
    except (TypeError, ValueError) as e:
        raise InvalidArgumentError(f"TypeError: Cannot convert {value!r} to EagerTensor of dtype {dtype.name} "
                                   f"({e})") from None


@contextlib.contextmanager
def init_scope():
    """``with tf.init_scope():`` lifts code out of a ``tf.function`` graph in TensorFlow; tinytf has no
    graphs, so the block runs as written (and ``as`` binds None, as TensorFlow's)."""
    yield
