r"""Wasserstein-distance bounds for Lipschitz losses (Rodríguez-Gálvez et al. 2021 [1]_).

If :math:`w \mapsto \ell(w, z)` is :math:`L`-Lipschitz for every :math:`z` (with respect to the
metric used for the Wasserstein distance), then

.. math::
    |\mathrm{gen}| \le \frac{L}{n} \sum_{i=1}^n E_{Z_i}\big[\mathbb W_1(P_{W\mid Z_i}, P_W)\big],

which needs neither a bounded nor a sub-Gaussian loss, and stays finite for deterministic
algorithms. The distances can be given directly, or estimated for a one-dimensional parameter
from samples with :func:`scipy.stats.wasserstein_distance` (:func:`expected_wasserstein_1d`).

References
----------
.. [1] B. Rodríguez-Gálvez, G. Bassi, R. Thobaben and M. Skoglund, "Tighter expected
   generalization error bounds via Wasserstein distance", NeurIPS 2021.
"""

from __future__ import annotations

import numpy as np

from .._validation import check_samples, check_values
from ._checks import check_n, check_positive, check_real
from ._result import BoundResult

__all__ = ["wasserstein_bound", "expected_wasserstein_1d"]

_REF = ("B. Rodríguez-Gálvez, G. Bassi, R. Thobaben and M. Skoglund, 'Tighter expected "
        "generalization error bounds via Wasserstein distance', NeurIPS 2021 "
        "(individual-sample bound).")


def expected_wasserstein_1d(conditional_samples, marginal_samples) -> float:
    r"""Estimate :math:`E_{Z}[\mathbb W_1(P_{W\mid Z}, P_W)]` for a scalar parameter from samples.

    Parameters
    ----------
    conditional_samples : array-like of shape (n_z, m)
        Row j holds ``m`` draws of :math:`W` given the j-th draw :math:`z_j` of the training
        example (e.g. retraining with :math:`Z_i = z_j` fixed and the rest of the data and the
        algorithm's randomness redrawn).
    marginal_samples : array-like of shape (m_marginal,)
        Draws of :math:`W` from its marginal.

    Returns
    -------
    float
        The mean over rows of the empirical 1-Wasserstein distance. Empirical distances are biased
        upward (by :math:`O(m^{-1/2})` in 1-D), which keeps the resulting bound conservative.

    Examples
    --------
    >>> import numpy as np
    >>> from infotheory.bounds import expected_wasserstein_1d
    >>> cond = np.array([[0.0, 1.0], [2.0, 3.0]])
    >>> expected_wasserstein_1d(cond, np.array([1.0, 2.0]))
    1.0
    """
    from scipy.stats import wasserstein_distance

    cond = check_samples(conditional_samples, name="conditional_samples", min_features=1)
    marg = check_samples(marginal_samples, name="marginal_samples")
    if marg.shape[1] != 1:
        raise ValueError(
            "marginal_samples must be 1-D draws of a scalar parameter, got shape "
            f"{np.shape(marginal_samples)}"
        )
    return float(np.mean([wasserstein_distance(row, marg[:, 0]) for row in cond]))


def wasserstein_bound(distances, *, lipschitz, n=None) -> BoundResult:
    r"""Individual-sample Wasserstein bound for an :math:`L`-Lipschitz loss.

    .. math:: |\mathrm{gen}| \le \frac{L}{n}\sum_i E_{Z_i}\,\mathbb W_1(P_{W|Z_i}, P_W)

    Parameters
    ----------
    distances : array-like of shape (n,) or float
        :math:`E_{Z_i}[\mathbb W_1(P_{W\mid Z_i}, P_W)]` for each training example (e.g. from
        :func:`expected_wasserstein_1d`); one number with ``n`` when it is the same for all i.
    lipschitz : float > 0
        Lipschitz constant of :math:`w \mapsto \ell(w, z)`, for every :math:`z`.
    n : int, optional
        Number of training samples (required with a single number).

    Returns
    -------
    BoundResult
        Bounds :math:`|E[L_\mu(W) - L_S(W)]|`.

    Examples
    --------
    >>> from infotheory.bounds import wasserstein_bound
    >>> wasserstein_bound([0.1, 0.3], lipschitz=2.0).value
    0.4
    """
    L = check_positive(lipschitz, "lipschitz", "a Lipschitz constant")
    if np.ndim(distances) == 0:
        if n is None:
            raise ValueError(
                "n is required when distances is a single number (the same distance for every "
                "training sample); got n=None"
            )
        n = check_n(n)
        d = check_real(distances, "distances", "a Wasserstein distance >= 0")
        if d < 0:
            raise ValueError(f"distances must be a Wasserstein distance >= 0, got {d!r}")
        arr = np.full(n, d)
        symmetric = ("the distance is the same for every training example",)
    else:
        arr = check_values(distances, "distances", allow_empty=True)
        if arr.ndim != 1 or arr.size == 0:
            raise ValueError(
                f"distances must be a non-empty 1-D array (one per training sample), got shape "
                f"{arr.shape}"
            )
        if n is not None and arr.size != check_n(n):
            raise ValueError(
                f"distances must have one value per training sample: expected n={n}, "
                f"got {arr.size}"
            )
        if not np.isfinite(arr).all() or (arr < 0).any():
            raise ValueError(
                "distances must be finite Wasserstein distances >= 0, got min "
                f"{float(np.nanmin(arr))!r} with {int((~np.isfinite(arr)).sum())} "
                "non-finite value(s)"
            )
        symmetric = ()
    return BoundResult(
        value=float(L * arr.mean()), name="wasserstein",
        inputs={"distances": arr if not symmetric else float(arr[0]), "n": arr.size,
                "lipschitz": L},
        assumptions=("training samples Z_1..Z_n i.i.d.",
                     f"w -> loss(w, z) is {L:.6g}-Lipschitz for every z (in the metric of W1)",
                     *symmetric),
        reference=_REF,
    )
