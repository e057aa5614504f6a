"""The Gaussian kernel width shared by the spectral estimators (DSE, DSMI, the Vendi score).

``bandwidth`` is :math:`h` in :math:`k(x, y) = \\exp(-\\lVert x - y\\rVert^2 / (2h^2))`, a length in
the units of ``X``; ``"median"`` is the median pairwise distance (one function here, used by every
estimator). A fixed ``h`` makes the result depend on the scale of ``X``: much smaller than the
distances between points, the kernel is close to the identity (no point sees another); much
larger, it is close to the all-ones matrix (all points look alike). Both ends pin the spectral
quantities to their bounds whatever the structure of the data, so an estimate at a bound with a
bandwidth far from the data's distances is reported by :class:`BandwidthWarning`.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from ._kernels.spectral import median_middle, median_pairwise_distance, pairwise_sq_distances
from ._validation import check_memory
from ._warnings import InfotheoryWarning

__all__ = ["BandwidthWarning", "median_bandwidth", "warn_if_scale_dominated"]

# The median heuristic measures all pairs of at most this many points (a random, seeded subset of
# larger samples): its cost is bounded and its relative error is then about 1 %.
MEDIAN_POINTS = 2000
# A bandwidth this many times away from the median pairwise distance is "far" from the data.
SCALE_FACTOR = 10.0
# A result within this fraction of the width of its range from a bound is "at" the bound.
BOUND_FRACTION = 0.05


class BandwidthWarning(InfotheoryWarning):
    """A spectral estimate sits at a bound because the fixed bandwidth is far from the data's scale.

    It fires only when both hold: the estimate is within 5 % of its range from the value it takes
    for a kernel equal to the identity (or to the all-ones matrix), and the bandwidth is more than
    10 times below (above) the median pairwise distance of the points.
    """


def median_bandwidth(X: np.ndarray, rng: np.random.Generator, *, max_memory,
                     name: str = "bandwidth") -> float:
    """Median Euclidean distance :math:`\\operatorname{median}_{i<j}\\lVert x_i - x_j\\rVert`.

    Over all pairs of the rows of ``X``, or of a random subset of ``MEDIAN_POINTS`` rows drawn
    from ``rng`` when there are more (so a seeded estimator is reproducible).
    """
    n = X.shape[0]
    if n < 2:
        raise ValueError(
            f"{name}='median' needs at least 2 samples (a pairwise distance), got {n} sample; "
            f"pass a positive number as {name}"
        )
    idx = _median_rows(n, rng)
    check_memory(len(idx) ** 2 * 8.0, max_memory,
                 what=f"the {len(idx)} x {len(idx)} distance matrix of {name}='median'",
                 alternative=f"a numeric {name}")
    return _positive_median(X, idx, name)


def _median_rows(n: int, rng: np.random.Generator) -> np.ndarray:
    """The rows whose pairs the median heuristic measures."""
    return np.arange(n) if n <= MEDIAN_POINTS else rng.choice(n, MEDIAN_POINTS, replace=False)


def _positive_median(X, idx, name, d2=None) -> float:
    h = median_pairwise_distance(X, idx, d2)
    if h <= 0:
        raise ValueError(
            f"{name}='median' gives 0: at least half of the pairs of points of X coincide. "
            f"Pass a positive number as {name}."
        )
    return h


def warn_if_scale_dominated(value: float, low: float, high: float, X: np.ndarray,
                            bandwidth: float, *, what: str, name: str = "bandwidth",
                            exponent: int = 0, stacklevel: int = 3) -> None:
    """Warn when ``value`` is at ``low`` (kernel ≈ all ones) or ``high`` (≈ identity) by scale.

    ``low``/``high`` are the values of the quantity for the all-ones and the identity kernel. The
    median distance is measured (on a subset seeded with 0) only when the value is at a bound.
    ``X`` and ``bandwidth`` may be scaled by ``2**-exponent``; the message is in the units of the
    user's data.
    """
    width = high - low
    if not (width > 0 and X.shape[0] >= 2):
        return
    near_high = value >= high - BOUND_FRACTION * width
    near_low = value <= low + BOUND_FRACTION * width
    if not (near_high or near_low):
        return
    # at most MEDIAN_POINTS points: a bounded (32 MB) distance matrix
    idx = _median_rows(X.shape[0], np.random.default_rng(0))
    d2 = pairwise_sq_distances(X, idx)
    # Counting pairs (one pass) settles most cases without selecting the median: the median is
    # the mean of the two middle squared-distance order statistics' roots, so it is above r when
    # the lower middle one is, and below r when the upper one is. Margins of 1e-9 keep the
    # shortcut on the safe side of round-off; undecided cases select the median exactly.
    low_mid, high_mid = median_middle(d2.size)
    if near_low and not near_high:
        radius2 = (bandwidth / SCALE_FACTOR) ** 2 * (1.0 + 1e-9)
        if np.count_nonzero(d2 <= radius2) <= low_mid:
            return  # median > bandwidth / SCALE_FACTOR: no warning
    if near_high and not near_low:
        radius2 = (bandwidth * SCALE_FACTOR) ** 2 * (1.0 - 1e-9)
        if np.count_nonzero(d2 < radius2) > high_mid:
            return  # median < bandwidth * SCALE_FACTOR: no warning
    try:
        median = _positive_median(X, idx, name, d2)
    except ValueError:  # most pairs coincide: no scale to compare with
        return
    if near_high and bandwidth * SCALE_FACTOR <= median:
        end, kernel, ratio = "maximum", "the identity (no point sees another)", median / bandwidth
        relation = "smaller"
    elif near_low and bandwidth >= SCALE_FACTOR * median:
        end, kernel, ratio = "minimum", "all ones (all points look alike)", bandwidth / median
        relation = "larger"
    else:
        return
    warnings.warn(
        f"{what} = {value:.4g} is within {BOUND_FRACTION:.0%} of its {end} "
        f"{high if end == 'maximum' else low:.4g}, the value for a kernel equal to {kernel}: "
        f"{name}={math.ldexp(bandwidth, exponent):.4g} is {ratio:.3g} times {relation} than "
        f"the median pairwise distance {math.ldexp(median, exponent):.4g} of X, so the result "
        f"reflects the scale of X rather than its structure. Pass {name}='median' (scale-free) "
        f"or a {name} of the order of the distances between points.",
        BandwidthWarning,
        stacklevel=stacklevel,
    )
