"""Teaching tools: receptive-field arithmetic and explanatory pictures.

* :mod:`tinytf.tools.receptive_field` - receptive field ``r``, jump ``j``, centre ``start`` and
  output size of each layer of a conv/pool stack; which input pixels one unit sees.
  ``python -m tinytf.tools.receptive_field conv3,pool2/2,conv3,pool2/2 --input 28``
* :mod:`tinytf.tools.explain` - PNG / GIF pictures of convolution, stride, padding, pooling,
  batch norm and receptive fields (needs ``tinytf[plot]``, and ``tinytf[image]`` for GIFs).
  ``python -m tinytf.tools.explain OUT_DIR [topic ...]``

Both use numpy only at import time; matplotlib and Pillow are imported when a picture is drawn.
"""
import importlib

_EXPORTS = {
    "receptive_field": ["LayerSpec", "LayerField", "InputWindow", "parse_stack", "from_layers",
                        "receptive_fields", "input_window", "format_table"],
    "explain": ["explain", "explain_conv", "explain_stride", "explain_padding", "explain_pool",
                "explain_bn", "explain_rf"],
}
_WHERE = {name: mod for mod, names in _EXPORTS.items() for name in names}
__all__ = [name for names in _EXPORTS.values() for name in names]


def __getattr__(name):
    # lazy, so ``python -m tinytf.tools.explain`` does not import the module twice
    if name in _WHERE:
        return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    if name in _EXPORTS:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + __all__)
