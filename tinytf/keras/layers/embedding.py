"""Embedding: rows of a trainable ``[input_dim, output_dim]`` table picked by integer indices."""
import warnings

import numpy as np

from ...ops import array_ops as A, math_ops as M
from ...ops.core import as_tensor
from .. import initializers as I, regularizers as R
from .base import Layer
from .sequence import with_mask


class Embedding(Layer):
    """``embeddings[inputs]``: output shape ``inputs.shape + (output_dim,)``; float inputs are cast
    to int32 (as Keras). ``mask_zero=True``: the output carries the mask ``inputs != 0`` (read by
    the recurrent layers and GlobalAveragePooling1D)."""

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform", embeddings_regularizer=None,
                 embeddings_constraint=None, mask_zero=False, weights=None, lora_rank=None, **kwargs):
        input_length = kwargs.pop("input_length", None)
        if input_length is not None:
            warnings.warn("Argument `input_length` is deprecated. Just remove it.", stacklevel=2)
        super().__init__(**kwargs)
        for name, value in (("input_dim", input_dim), ("output_dim", output_dim)):
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value <= 0:
                raise ValueError(f"Both `input_dim` and `output_dim` should be positive, Received "
                                 f"{name}={value!r}")
        if embeddings_constraint is not None or lora_rank is not None:
            raise NotImplementedError("Embedding: embeddings_constraint and lora_rank are not supported")
        self.input_dim, self.output_dim = int(input_dim), int(output_dim)
        self.embeddings_initializer = I.get(embeddings_initializer)
        self.embeddings_regularizer = R.get(embeddings_regularizer)
        self.mask_zero = bool(mask_zero)
        self._initial_weights = weights

    def build(self, input_shape=None):
        self.embeddings = self.add_weight(shape=(self.input_dim, self.output_dim),
                                          initializer=self.embeddings_initializer, name="embeddings",
                                          regularizer=self.embeddings_regularizer)
        self.built = True
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)
            self._initial_weights = None

    def _convert_inputs(self, inputs):
        t = as_tensor(inputs)
        return t if np.asarray(t).dtype.kind in "iu" else M.cast(t, "int32")

    def call(self, inputs):
        out = A.gather(self.embeddings, inputs)
        return with_mask(out, M.not_equal(inputs, 0)) if self.mask_zero else out

    def compute_output_shape(self, input_shape):
        return tuple(input_shape) + (self.output_dim,)

    def get_config(self):
        return {**super().get_config(), "input_dim": self.input_dim, "output_dim": self.output_dim,
                "embeddings_initializer": I.serialize(self.embeddings_initializer),
                "embeddings_regularizer": R.serialize(self.embeddings_regularizer),
                "embeddings_constraint": None, "mask_zero": self.mask_zero}
