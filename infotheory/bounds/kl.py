r"""The binary KL divergence and its inverse, used by the kl-form PAC-Bayes and e-CMI bounds.

.. math:: \mathrm{kl}(q \,\|\, p) = q \log\frac{q}{p} + (1-q)\log\frac{1-q}{1-p}

in nats. :func:`kl_inverse` solves :math:`\mathrm{kl}(q\|p) = c` for :math:`p` on either side of
:math:`q` by bisection (the divergence is monotone there) down to adjacent doubles; the edge cases
:math:`q \in \{0, 1\}` have closed forms and are computed with ``expm1`` so that they stay accurate
for tiny and for huge :math:`c`.
"""

from __future__ import annotations

import math

from ._checks import check_real

__all__ = ["binary_kl", "kl_inverse"]


def _x_minus_log1p(x: float) -> float:
    """x - log(1 + x) >= 0 for |x| < 1/4, accurate to the last bits also for tiny |x|.

    Near 0 the difference is about x²/2 while x and log1p(x) are each about x, so subtracting
    them loses every digit once |x| < 1e-8; the alternating series has no cancellation there.
    """
    # x²/2 - x³/3 + x⁴/4 - ...: 40 terms reach 2**-80 relative at |x| = 1/4
    total = 0.0
    for k in range(41, 1, -1):
        total = 1.0 / k - x * total
    return x * x * total


def _kl(q: float, p: float) -> float:
    """kl(q || p) for q in [0, 1], p in [0, 1]; inf where p is 0 or 1 and q is not.

    Written as q·g(d/q) + (1-q)·g(-d/(1-q)) with d = p - q and g(x) = x - log(1 + x): the linear
    terms of the two logarithms cancel exactly on paper, so both summands are non-negative and
    nothing cancels numerically, even when p is within a few ulps of q. Away from q (|x| >= 1/4)
    the logarithm is taken of p and q separately, which stays finite for p far below q.
    """
    if q == 0:
        return math.inf if p >= 1 else -math.log1p(-p)
    if q == 1:
        return math.inf if p <= 0 else -math.log(p)
    if p <= 0 or p >= 1:
        return math.inf
    d = p - q
    r, s = d / q, -d / (1 - q)
    a = _x_minus_log1p(r) if abs(r) < 0.25 else r - (math.log(p) - math.log(q))
    b = _x_minus_log1p(s) if abs(s) < 0.25 else s - (math.log1p(-p) - math.log1p(-q))
    return max(q * a + (1 - q) * b, 0.0)


def _check_prob(value, name: str) -> float:
    value = check_real(value, name, "a probability in [0, 1]")
    if not 0 <= value <= 1:
        raise ValueError(f"{name} must be a probability in [0, 1], got {value!r}")
    return value


def binary_kl(q, p) -> float:
    r"""Binary KL divergence :math:`\mathrm{kl}(q\|p)` between Bernoulli(q) and Bernoulli(p), nats.

    Parameters
    ----------
    q, p : float in [0, 1]

    Returns
    -------
    float
        The divergence in nats; ``inf`` when ``p`` is 0 or 1 and ``q`` differs from it.

    Examples
    --------
    >>> from infotheory.bounds import binary_kl
    >>> round(binary_kl(0.1, 0.2), 6)
    0.03669
    """
    return _kl(_check_prob(q, "q"), _check_prob(p, "p"))


def kl_inverse(q, c, direction: str = "upper") -> float:
    r"""Invert the binary KL divergence: the extreme :math:`p` with :math:`\mathrm{kl}(q\|p) \le c`.

    .. math::
        \mathrm{kl}^{-1}_{+}(q, c) = \max\{p \in [q, 1] : \mathrm{kl}(q\|p) \le c\}, \qquad
        \mathrm{kl}^{-1}_{-}(q, c) = \min\{p \in [0, q] : \mathrm{kl}(q\|p) \le c\}.

    Used by the kl form of PAC-Bayes bounds [1]_. Exact to :math:`10^{-12}` (absolute) on the
    whole range: closed forms
    :math:`1 - e^{-c}` (``q = 0``, upper) and :math:`e^{-c}` (``q = 1``, lower), and otherwise
    bisection on the monotone branch down to adjacent doubles.

    Parameters
    ----------
    q : float in [0, 1]
        The empirical value (e.g. a training loss).
    c : float >= 0
        The divergence budget, in nats (e.g. ``(KL + log(2 sqrt(n)/delta)) / n``); ``inf`` is
        allowed and gives 1 (upper) or 0 (lower).
    direction : {"upper", "lower"}, default="upper"

    Returns
    -------
    float

    References
    ----------
    .. [1] M. Seeger, "PAC-Bayesian generalisation error bounds for Gaussian process
       classification", JMLR 3 (2002).

    Examples
    --------
    >>> from infotheory.bounds import kl_inverse
    >>> round(kl_inverse(0.1, 0.0121428), 6)
    0.15311
    >>> kl_inverse(0.0, 1.0) == -__import__("math").expm1(-1.0)
    True
    """
    q = _check_prob(q, "q")
    if isinstance(c, bool) or not isinstance(c, (int, float)) and not hasattr(c, "__float__"):
        raise TypeError(f"c must be a real number >= 0 (nats), got {c!r} ({type(c).__name__})")
    c = float(c)
    if math.isnan(c) or c < 0:
        raise ValueError(f"c must be a real number >= 0 (nats), got {c!r}")
    if direction not in ("upper", "lower"):
        raise ValueError(f"direction must be one of 'upper', 'lower', got {direction!r}")
    if c == 0.0:
        return q
    if direction == "lower":
        if q == 0.0:
            return 0.0
        if q == 1.0:
            return math.exp(-c)  # kl(1 || p) = -log p
        return 0.0 if math.isinf(c) else _solve(q, c, 0.0, q, upper=False)
    if q == 1.0:
        return 1.0
    if math.isinf(c):
        return 1.0
    if q == 0.0:
        return -math.expm1(-c)  # kl(0 || p) = -log(1 - p)
    return _solve(q, c, q, 1.0, upper=True)


def _solve(q: float, c: float, lo: float, hi: float, *, upper: bool) -> float:
    """Bisection on the monotone branch of kl(q || .) between lo and hi.

    Bisection runs until the bracket holds adjacent doubles (at most ~1100 halvings when the
    root is subnormal), so the result is exact to the last bit.
    """
    for _ in range(1200):
        mid = 0.5 * (lo + hi)
        if mid <= lo or mid >= hi:
            break
        inside = _kl(q, mid) <= c
        if inside == upper:
            lo = mid
        else:
            hi = mid
    # Adjacent doubles bracket the root: the feasible end is the answer to the last bit (a
    # Newton step could only move it onto the infeasible end).
    return lo if upper else hi
