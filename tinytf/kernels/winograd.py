"""Winograd's minimal filtering F(2x2, 3x3) for 3x3 stride-1 convolutions (Lavin and Gray, "Fast
Algorithms for Convolutional Neural Networks", 2016): each 2x2 block of outputs from a 4x4 tile
of the input with 16 products per channel pair instead of 36.

With ``d`` a 4x4 input tile and ``g`` a 3x3 filter, the 2x2 outputs are ``A^T [(G g G^T) * (B^T
d B)] A``, where ``*`` is the element-wise product, summed over the input channels, so the
convolution becomes 16 matrix products [tiles, C] x [C, O] (one per element of the 4x4 transform),
2.25x fewer multiply-adds than the direct product:

    B^T = [[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]]
    G   = [[1, 0, 0], [1/2, 1/2, 1/2], [1/2, -1/2, 1/2], [0, 0, 1]]
    A^T = [[1, 1, 1, 0], [0, 1, -1, -1]]

Rounding: the transforms are additions and halvings, so the error stays that of a dot product of
the same terms. Measured against float64, in units of eps * sum|x||w| (the bound the tests use is
kh*kw*C of those): VGG's [32,32,64]x[3,3,64,64] max 1.07 against 1.90 for the direct product,
[16,16,128]x[3,3,128,128] 1.10 against 1.11, [8,8,256]x[3,3,256,256] 1.10 against 0.74
(docs/PERFORMANCE.md). Tiles run over the padded input in steps of 2 from the top left; a last
odd output row or column comes from a tile that reaches one cell past the padding, read as 0.

The transforms here are the NumPy references (a fixed order of float operations, vectorised over
tiles and channels); ``fast.py`` has compiled twins with the same operations in the same order,
so both give the same bits. ``conv.py`` decides where Winograd is used (``conv.winograd_applies``).
Inputs holding inf may give NaN where the direct product gives inf (a transform subtracts two
cells of a tile).
"""
import numpy as np


def tiles(geo):
    """(tile rows, tile columns) covering the [OH, OW] output."""
    return -(-geo.oh // 2), -(-geo.ow // 2)


def filter_transform(w):
    """U [16, C, O] = G g G^T for each (input, output) channel pair of w [3, 3, C, O]; element
    (r, s) of the 4x4 transform at index 4 * r + s."""
    half = w.dtype.type(0.5)

    def rows(g0, g1, g2):
        return g0, (g0 + g1 + g2) * half, (g0 - g1 + g2) * half, g2
    h = [rows(w[0, q], w[1, q], w[2, q]) for q in range(3)]  # h[q][r]: along the kernel's rows
    u = [rows(h[0][r], h[1][r], h[2][r]) for r in range(4)]  # then along its columns: u[r][s]
    return np.stack([u[r][s] for r in range(4) for s in range(4)])


def _row_b(d0, d1, d2, d3):
    """B^T applied to four values (any arrays)."""
    return d0 - d2, d1 + d2, d2 - d1, d1 - d3


def winograd_input(x, geo):
    """V [16, N*TH*TW, C] = B^T d B for every 4x4 tile d of x [N, H, W, C] zero-padded by geo's
    top and left pads (tiles in row-major order, image by image)."""
    n, h, w, c = x.shape
    th, tw = tiles(geo)
    (pt, _), (pl, _) = geo.pads
    xp = np.zeros((n, 2 * th + 2, 2 * tw + 2, c), dtype=x.dtype)
    rows, cols = min(h, 2 * th + 2 - pt), min(w, 2 * tw + 2 - pl)
    xp[:, pt:pt + rows, pl:pl + cols] = x[:, :rows, :cols]
    d = [[xp[:, r:r + 2 * th:2, s:s + 2 * tw:2] for s in range(4)] for r in range(4)]
    e = [_row_b(d[0][s], d[1][s], d[2][s], d[3][s]) for s in range(4)]  # e[s][r]: down the columns
    v = [_row_b(e[0][r], e[1][r], e[2][r], e[3][r]) for r in range(4)]  # then along the rows: v[r][s]
    return np.stack([v[r][s].reshape(-1, c) for r in range(4) for s in range(4)])


def winograd_output(m, geo, y):
    """y [N, OH, OW, O] = A^T m A from the 16 products m [16, N*TH*TW, O] (y is written)."""
    n, oh, ow, o = y.shape
    th, tw = tiles(geo)
    mm = m.reshape(4, 4, n, th, tw, o)
    f = [((mm[0, s] + mm[1, s]) + mm[2, s], (mm[1, s] - mm[2, s]) - mm[3, s]) for s in range(4)]
    full = np.empty((n, th, 2, tw, 2, o), dtype=y.dtype)
    for a in range(2):
        full[:, :, a, :, 0] = (f[0][a] + f[1][a]) + f[2][a]
        full[:, :, a, :, 1] = (f[1][a] - f[2][a]) - f[3][a]
    y[...] = full.reshape(n, 2 * th, 2 * tw, o)[:, :oh, :ow]
    return y
