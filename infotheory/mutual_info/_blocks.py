r"""Independent blocks of coordinates, found by pairwise independence tests on binned ranks.

If the coordinates of :math:`(X, Y)` split into groups that are mutually independent, the joint
density factorizes over the groups and

.. math:: I(X;Y) = \sum_b I(X_b; Y_b),

where :math:`X_b, Y_b` are the coordinates of ``X`` and ``Y`` in block ``b`` (a block with
coordinates of one side only contributes 0). Each block is of lower dimension than the pair, so
an estimator accurate in low dimension stays accurate on it.

The blocks are the connected components of the graph whose edges are the pairs of coordinates
(both sides together) found dependent. Each pair gets two tests, the smaller p-value doubled
(Bonferroni over the two), and the edges are the pairs with a p-value below
:math:`\alpha / m` (Bonferroni over all :math:`m = d(d-1)/2` pairs) or rejected by the
Benjamini-Hochberg procedure at level :math:`\alpha / 10`. Under complete independence the
chance of any false edge is at most :math:`1.1\,\alpha`. Where many pairs are dependent, the
Benjamini-Hochberg part finds weak ones that Bonferroni misses (uniform noise on 50 + 50
features of 0.025 nats per pair at N = 5000, three seeds: 34-37 of the 50 pairs instead of
29-33; at level :math:`\alpha` 39-43), while keeping false edges rare. A false edge leaves
the sum exact but merges two blocks, and a merged block may get a less suitable estimator:
the t copula of a uniform-noise pair merged with a Gaussian block misses the uniform part
(Benjamini-Hochberg at level :math:`\alpha` merged them in one of the checks, hence
:math:`\alpha / 10`). The two tests:

* a G-test, for any form of dependence: each coordinate is cut into ``B`` equiprobable bins of
  its ranks, the plug-in mutual information :math:`\hat I_{ij}` of every pair comes from one
  matrix product of the one-hot codes, and :math:`G = 2N\hat I_{ij}` is compared with its
  :math:`\chi^2_{(B_i-1)(B_j-1)}` law;
* a correlation test of the normal scores :math:`z` of the ranks (van der Waerden), much more
  powerful for weak monotone dependence: :math:`N r_{ij}^2` against :math:`\chi^2_1`. A pair of
  0.05 nats of uniform additive noise gives :math:`N r^2 \approx 50` at N = 5000, the G-test
  about its threshold.

Pairwise tests cannot see dependence that exists only jointly (a shared
scale, parity): a split found here is a hypothesis, which is why :class:`MutualInfo` keeps the
estimates of the whole pair beside the sum over blocks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import sparse, special, stats
from scipy.sparse import csgraph

__all__ = ["DependenceBlocks", "block_bins", "dependence_blocks"]

#: Largest number of equiprobable bins per coordinate of the pairwise tests.
MAX_BINS = 8
#: Expected count per cell of a pair's table that the chi-squared law of G needs (about).
_MIN_CELL = 20
#: Most samples the tests use (evenly spaced rows beyond): their cost is about n (8 d)^2 flops,
#: and at this size they already find pairs of 0.01 nats.
MAX_SAMPLES = 20_000
#: Level of the Benjamini-Hochberg procedure as a fraction of ``alpha``.
_BH_FRACTION = 0.1
#: Rows per block of the one-hot product (float32 sums of 0/1 stay exact below 2^24).
_ROWS = 8192


def block_bins(n_samples: int) -> int:
    """Bins per coordinate: ``MAX_BINS``, fewer below ``_MIN_CELL * MAX_BINS**2`` samples so that
    every cell of a pair's table expects about ``_MIN_CELL`` samples (at least 2 bins)."""
    return int(min(MAX_BINS, max(2, math.isqrt(n_samples // _MIN_CELL))))


@dataclass(frozen=True)
class DependenceBlocks:
    """The blocks of mutually independent coordinates found in ``(X, y)``.

    Attributes
    ----------
    blocks : tuple of (tuple of int, tuple of int)
        ``(x_columns, y_columns)`` of every block that has coordinates on both sides, largest
        first (blocks of one side only carry no information and are left out).
    n_components : int
        Connected components of the dependence graph over all ``d_x + d_y`` coordinates
        (one-sided ones included): 1 means no split.
    n_bins : int
        Equiprobable bins per coordinate of the tests.
    threshold : float
        ``alpha``: Bonferroni level over the pairs (Benjamini-Hochberg at a tenth of it).
    n_edges : int
        Pairs of coordinates found dependent.
    """

    blocks: tuple
    n_components: int
    n_bins: int
    threshold: float
    n_edges: int


def _bin_codes(ranks: np.ndarray, n_bins: int) -> np.ndarray:
    """Bin of each entry among ``n_bins`` equiprobable bins of its column's (average) ranks.

    Tied values share a rank, hence a bin: a column with many zeros (ReLU) gets fewer occupied
    bins, which the degrees of freedom of the tests account for.
    """
    n = ranks.shape[0]
    codes = np.floor((ranks - 0.5) * (n_bins / n)).astype(np.intp)
    return np.clip(codes, 0, n_bins - 1)


def _benjamini_hochberg(p: np.ndarray, alpha: float) -> np.ndarray:
    """Rejections of the Benjamini-Hochberg step-up procedure at level ``alpha``."""
    m = p.size
    if m == 0:
        return np.zeros(0, dtype=bool)
    order = np.argsort(p, kind="stable")
    below = np.flatnonzero(p[order] <= alpha * np.arange(1, m + 1) / m)
    out = np.zeros(m, dtype=bool)
    if below.size:
        out[order[:below[-1] + 1]] = True
    return out


def pairwise_plugin_mi(codes: np.ndarray, n_bins: int) -> tuple[np.ndarray, np.ndarray]:
    """Plug-in MI (nats) of every pair of columns of bin codes, and the occupied bins per column.

    All ``d x d`` contingency tables come from the product :math:`O^TO` of the one-hot matrix
    ``O`` (``n x dB``), accumulated over blocks of ``_ROWS`` rows so that memory stays at
    :math:`O((dB)^2)` (float32 products of 0/1 entries over at most ``_ROWS`` rows are exact).
    """
    n, d = codes.shape
    offsets = n_bins * np.arange(d)
    counts = np.zeros((d * n_bins, d * n_bins))
    for start in range(0, n, _ROWS):
        rows = codes[start:start + _ROWS]
        onehot = np.zeros((rows.shape[0], d * n_bins), dtype=np.float32)
        onehot[np.arange(rows.shape[0])[:, None], rows + offsets] = 1.0
        counts += onehot.T @ onehot
    p = counts / n
    cell = special.xlogy(p, p).reshape(d, n_bins, d, n_bins).sum(axis=(1, 3))
    marginal = np.diag(cell).copy()  # sum_a p_i(a) log p_i(a): the diagonal tables are diagonal
    mi = np.maximum(cell - marginal[:, None] - marginal[None, :], 0.0)
    np.fill_diagonal(mi, 0.0)
    occupied = np.count_nonzero(p.diagonal().reshape(d, n_bins), axis=1)
    return mi, occupied


def dependence_blocks(ranks: np.ndarray, dim_x: int, *, alpha: float = 0.01,
                      n_bins: int | None = None) -> DependenceBlocks:
    """Blocks of mutually independent coordinates of ``(X, y)`` from their column ranks.

    Parameters
    ----------
    ranks : ndarray of shape (n_samples, d_x + d_y)
        Ranks of the columns of ``X`` then ``y`` (average ranks for ties); no constant column.
        Beyond ``MAX_SAMPLES`` rows, evenly spaced rows are tested.
    dim_x : int
        Number of columns of ``X``.
    alpha : float, default=0.01
        Family-wise level of the Bonferroni part over the pairs (the Benjamini-Hochberg part
        runs at ``alpha / 10``): under complete independence, one or more false edges happen
        with probability at most ``1.1 * alpha``.
    n_bins : int or None, default=None
        Bins per coordinate; ``None``: :func:`block_bins`.

    Returns
    -------
    DependenceBlocks

    Examples
    --------
    >>> import numpy as np
    >>> from scipy.stats import rankdata
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((2000, 3))
    >>> Y = X[:, [2, 0]] + rng.standard_normal((2000, 2))
    >>> found = dependence_blocks(rankdata(np.hstack([X, Y]), axis=0), 3)
    >>> found.blocks, found.n_components  # X_1 is independent of everything
    ((((0,), (1,)), ((2,), (0,))), 3)
    """
    if ranks.shape[0] > MAX_SAMPLES:
        keep = np.linspace(0, ranks.shape[0] - 1, MAX_SAMPLES).round().astype(np.intp)
        ranks = stats.rankdata(ranks[keep], axis=0)
    n, d = ranks.shape
    bins = block_bins(n) if n_bins is None else int(n_bins)
    mi, occupied = pairwise_plugin_mi(_bin_codes(ranks, bins), bins)
    iu = np.triu_indices(d, 1)
    dof = (occupied - 1)[iu[0]] * (occupied - 1)[iu[1]]
    # chi2 tail per distinct number of degrees of freedom (usually one: (B-1)^2)
    p_g = np.ones(iu[0].size)
    for k in np.unique(dof[dof > 0]):
        rows = dof == k
        p_g[rows] = stats.chi2.sf(2.0 * n * mi[iu][rows], k)
    Z = special.ndtri(ranks / (n + 1.0))
    Z -= Z.mean(axis=0)
    scale = np.sqrt(np.einsum("ij,ij->j", Z, Z))
    r = ((Z.T @ Z) / np.outer(scale, scale))[iu]
    p_r = stats.chi2.sf(n * r * r, 1)
    p = np.minimum(1.0, 2.0 * np.minimum(p_g, p_r))  # Bonferroni over the two tests
    edges = np.zeros((d, d), dtype=bool)
    found = (p <= alpha / max(p.size, 1)) | _benjamini_hochberg(p, alpha * _BH_FRACTION)
    edges[iu[0][found], iu[1][found]] = True
    edges |= edges.T
    np.fill_diagonal(edges, False)
    n_comp, labels = csgraph.connected_components(sparse.csr_matrix(edges), directed=False)
    blocks = []
    for c in range(n_comp):
        cols = np.flatnonzero(labels == c)
        xs = tuple(int(i) for i in cols[cols < dim_x])
        ys = tuple(int(i) - dim_x for i in cols[cols >= dim_x])
        if xs and ys:
            blocks.append((xs, ys))
    blocks.sort(key=lambda b: (-(len(b[0]) + len(b[1])), b))
    return DependenceBlocks(blocks=tuple(blocks), n_components=int(n_comp), n_bins=bins,
                            threshold=float(alpha), n_edges=int(edges.sum() // 2))
