"""Pure array kernels: no Tensor, no tape, no Python loop over pixels or batch."""
