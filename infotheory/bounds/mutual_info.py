r"""Input–output mutual-information bounds: Xu & Raginsky (2017), Bu, Zou & Veeravalli (2020).

For a learning algorithm :math:`P_{W|S}` trained on :math:`S = (Z_1, \dots, Z_n)` i.i.d. and a loss
that is :math:`\sigma`-sub-Gaussian, the expected generalization gap
:math:`\mathrm{gen} = E[L_\mu(W) - L_S(W)]` satisfies

.. math::
    \mathrm{gen} \le \sqrt{\frac{2\sigma^2 I(W;S)}{n}} \quad\text{(Xu \& Raginsky)}, \qquad
    \mathrm{gen} \le \frac1n \sum_{i=1}^n \sqrt{2\sigma^2 I(W;Z_i)} \quad\text{(Bu et al.)}.

The second is never larger than the first (the chain rule and Jensen's inequality give
:math:`\frac1n\sum_i \sqrt{I(W;Z_i)} \le \sqrt{I(W;S)/n}`) and stays finite for deterministic
algorithms where :math:`I(W;S) = \infty` (e.g. the empirical mean of Gaussian data).

The information terms are in nats. Either a number, an :class:`MIEstimate` returned by
:func:`estimate_information` (an estimator such as :class:`infotheory.GaussianMI` or
:class:`infotheory.KSGMI` fitted on paired draws over independent training runs), or the
estimator and its data as a tuple ``(estimator, X, y)``, which is estimated the same way. The
estimate's confidence interval is mapped through the bound (both bounds increase with the
information).
"""

from __future__ import annotations

import math

from ._checks import check_n, check_sigma, resolve_info
from ._result import BoundResult, map_ci, sqrt_terms_bound

__all__ = ["xu_raginsky_bound", "bu_zou_veeravalli_bound"]

_REF_XR = ("A. Xu and M. Raginsky, 'Information-theoretic analysis of generalization capability "
           "of learning algorithms', NeurIPS 2017, Theorem 1.")
_REF_BZV = ("Y. Bu, S. Zou and V. V. Veeravalli, 'Tightening mutual information-based bounds on "
            "generalization error', IEEE JSAIT 1(1), 2020 (individual-sample bound).")


def xu_raginsky_bound(mi, n, *, sigma=None, loss_range=None) -> BoundResult:
    r"""Xu & Raginsky's bound :math:`\sqrt{2\sigma^2 I(W;S)/n}` on the generalization gap [1]_.

    Parameters
    ----------
    mi : float or MIEstimate
        :math:`I(W;S)` in nats, >= 0.
    n : int
        Number of training samples, >= 1.
    sigma : float, optional
        Sub-Gaussian parameter of :math:`\ell(w, Z)`, :math:`Z \sim \mu`, for every :math:`w`.
    loss_range : (a, b), optional
        A loss with values in :math:`[a, b]`; gives :math:`\sigma = (b-a)/2`. Exactly one of
        ``sigma`` and ``loss_range`` is required.

    Returns
    -------
    BoundResult
        ``value`` bounds :math:`E[L_\mu(W) - L_S(W)]` (and its absolute value).

    References
    ----------
    .. [1] A. Xu and M. Raginsky, NeurIPS 2017, Theorem 1.

    Examples
    --------
    Noisy mean (``W`` = sample mean + N(0, τ²) noise, s² = 1, n = 10, τ² = 0.1):
    :math:`I(W;S) = \tfrac12\log(1 + s^2/(n\tau^2)) = \tfrac12 \log 2`.

    >>> import math
    >>> from infotheory.bounds import xu_raginsky_bound
    >>> res = xu_raginsky_bound(0.5 * math.log(2), 10, loss_range=(0, 1))
    >>> round(res.value, 6)
    0.131638
    """
    n = check_n(n)
    s, s_inputs, s_assumption = check_sigma(sigma, loss_range)
    value, ci, inputs = resolve_info(mi, "mi")

    def bound(i):
        return s * math.sqrt(2 * i / n)  # not sqrt(s * s ...): s * s overflows at 1e200

    return BoundResult(
        value=bound(value),
        name="xu_raginsky",
        inputs={**inputs, "n": n, **s_inputs},
        assumptions=(
            "training samples Z_1..Z_n i.i.d. from mu",
            s_assumption + " under mu for every hypothesis w",
            "mi = I(W;S) in nats",
        ),
        reference=_REF_XR,
        ci=None if ci is None else map_ci(bound, *ci),
    )


def bu_zou_veeravalli_bound(mi, n=None, *, sigma=None, loss_range=None) -> BoundResult:
    r"""Individual-sample bound :math:`\frac1n\sum_i\sqrt{2\sigma^2 I(W;Z_i)}` (Bu et al. [1]_).

    Parameters
    ----------
    mi : array-like of shape (n,), float or MIEstimate
        Per-sample informations :math:`I(W;Z_i)` in nats. A single number (or ``MIEstimate``)
        with ``n`` stands for :math:`I(W;Z_i)` equal for every :math:`i`, which holds for
        algorithms that treat training examples symmetrically (recorded as an assumption).
    n : int, optional
        Number of training samples; required when ``mi`` is a single number, otherwise it must
        equal ``len(mi)``.
    sigma : float, optional
        Sub-Gaussian parameter of :math:`\ell(\bar W, \bar Z)` with :math:`\bar W \sim P_W`
        independent of :math:`\bar Z \sim \mu` (only the lower tail is used for this one-sided
        bound).
    loss_range : (a, b), optional
        A loss with values in :math:`[a, b]`; gives :math:`\sigma = (b-a)/2`.

    Returns
    -------
    BoundResult

    References
    ----------
    .. [1] Y. Bu, S. Zou, V. V. Veeravalli, IEEE JSAIT 1(1), 2020.

    Examples
    --------
    Gaussian mean estimation (W = sample mean of n = 10 draws of N(μ, 1), squared loss):
    :math:`I(W;Z_i) = \tfrac12\log\frac{n}{n-1}`; the loss
    :math:`(\bar W - \bar Z)^2 \sim (1 + 1/n)\chi^2_1` has a lower tail that is
    :math:`\sigma = \sqrt2 (1 + 1/n)`-sub-Gaussian. The true gap is :math:`2/n = 0.2`.

    >>> import math
    >>> from infotheory.bounds import bu_zou_veeravalli_bound
    >>> res = bu_zou_veeravalli_bound(0.5 * math.log(10 / 9), 10, sigma=math.sqrt(2) * 1.1)
    >>> round(res.value, 4)
    0.5049
    """
    s, s_inputs, s_assumption = check_sigma(sigma, loss_range)
    return sqrt_terms_bound(
        mi, n, scale=s, name="bu_zou_veeravalli", reference=_REF_BZV,
        assumptions=["training samples Z_1..Z_n i.i.d. from mu",
                     s_assumption + " for W' ~ P_W independent of Z' ~ mu"],
        extra_inputs=s_inputs,
    )
