r"""PAC-Bayes bounds on the population loss of a posterior :math:`Q` over hypotheses.

For a loss in :math:`[0, 1]`, a prior :math:`P` chosen before seeing the :math:`n` training
samples, and any posterior :math:`Q`, with probability at least :math:`1 - \delta` over the sample
(:math:`\hat L = E_Q[L_S(h)]`, :math:`L = E_Q[L_\mu(h)]`, :math:`\mathrm{KL} = \mathrm{KL}(Q\|P)`
in nats):

- Maurer–Seeger (kl form) [1]_ [2]_: :math:`L \le \mathrm{kl}^{-1}\big(\hat L,
  (\mathrm{KL} + \log(2\sqrt n/\delta))/n\big)`;
- McAllester [3]_ (square-root form, from the kl form by Pinsker's inequality):
  :math:`L \le \hat L + \sqrt{(\mathrm{KL} + \log(2\sqrt n/\delta))/(2n)}`;
- Catoni [4]_, for a constant :math:`C > 0` fixed before seeing the data:
  :math:`L \le \big(1 - \exp(-C\hat L - (\mathrm{KL} + \log(1/\delta))/n)\big)/(1 - e^{-C})`.

The kl form is the tightest of the three at equal confidence terms; Catoni's bound minimised over
:math:`C` equals :math:`\mathrm{kl}^{-1}(\hat L, (\mathrm{KL} + \log(1/\delta))/n)`, but choosing
:math:`C` after seeing the data needs a union bound over a grid.

References
----------
.. [1] A. Maurer, "A note on the PAC Bayesian theorem", arXiv:cs/0411099, 2004.
.. [2] M. Seeger, "PAC-Bayesian generalisation error bounds for Gaussian process
   classification", JMLR 3, 2002.
.. [3] D. McAllester, "PAC-Bayesian stochastic model selection", Machine Learning 51, 2003.
.. [4] O. Catoni, *PAC-Bayesian supervised classification: the thermodynamics of statistical
   learning*, IMS Lecture Notes 56, 2007, Theorem 1.2.6.
"""

from __future__ import annotations

import math

from ._checks import check_delta, check_n, check_positive, check_real, check_unit_loss
from ._result import BoundResult
from .kl import kl_inverse

__all__ = ["maurer_seeger_bound", "mcallester_bound", "catoni_bound"]

_ASSUME = (
    "loss takes values in [0, 1]",
    "training samples i.i.d.; prior P chosen independently of the training sample",
    "holds with probability >= 1 - delta over the training sample, for all posteriors Q",
)


def _common(train_loss, kl, n, delta):
    lhat = check_unit_loss(train_loss, "train_loss")
    kl = check_real(kl, "kl", "a KL divergence KL(Q||P) >= 0 in nats")
    if kl < 0:
        raise ValueError(f"kl must be a KL divergence KL(Q||P) >= 0 in nats, got {kl!r}")
    return lhat, kl, check_n(n), check_delta(delta)


def _confidence_term(kl, n, delta):
    return (kl + math.log(2 * math.sqrt(n) / delta)) / n


def maurer_seeger_bound(train_loss, kl, n, delta=0.05) -> BoundResult:
    r"""Maurer–Seeger PAC-Bayes-kl bound on the population loss.

    .. math:: L \le \mathrm{kl}^{-1}\big(\hat L, (\mathrm{KL} + \log(2\sqrt n/\delta))/n\big)

    Parameters
    ----------
    train_loss : float in [0, 1]
        Empirical loss of the posterior, :math:`E_Q[L_S(h)]`.
    kl : float >= 0
        :math:`\mathrm{KL}(Q\|P)` in nats.
    n : int >= 1
        Number of training samples.
    delta : float in (0, 1), default=0.05
        Failure probability.

    Returns
    -------
    BoundResult
        ``bounds="population_loss"``.

    Examples
    --------
    >>> from infotheory.bounds import maurer_seeger_bound
    >>> round(maurer_seeger_bound(0.1, 5.0, 1000, 0.05).value, 10)
    0.1531096282
    """
    lhat, kl, n, delta = _common(train_loss, kl, n, delta)
    c = _confidence_term(kl, n, delta)
    return BoundResult(
        value=kl_inverse(lhat, c), name="maurer_seeger", bounds="population_loss",
        inputs={"train_loss": lhat, "kl": kl, "n": n, "delta": delta, "complexity": c},
        assumptions=_ASSUME, reference="A. Maurer 2004; M. Seeger, JMLR 2002 (PAC-Bayes-kl).",
    )


def mcallester_bound(train_loss, kl, n, delta=0.05) -> BoundResult:
    r"""Square-root (McAllester-type) PAC-Bayes bound on the population loss.

    .. math:: L \le \hat L + \sqrt{(\mathrm{KL} + \log(2\sqrt n/\delta))/(2n)}

    Parameters
    ----------
    train_loss : float in [0, 1]
        Empirical loss of the posterior.
    kl : float >= 0
        :math:`\mathrm{KL}(Q\|P)` in nats.
    n : int >= 1
        Number of training samples.
    delta : float in (0, 1), default=0.05
        Failure probability.

    Returns
    -------
    BoundResult
        ``bounds="population_loss"``; never below :func:`maurer_seeger_bound` (Pinsker).

    Examples
    --------
    >>> from infotheory.bounds import mcallester_bound
    >>> round(mcallester_bound(0.1, 5.0, 1000, 0.05).value, 10)
    0.1779190512
    """
    lhat, kl, n, delta = _common(train_loss, kl, n, delta)
    c = _confidence_term(kl, n, delta)
    return BoundResult(
        value=lhat + math.sqrt(c / 2), name="mcallester", bounds="population_loss",
        inputs={"train_loss": lhat, "kl": kl, "n": n, "delta": delta, "complexity": c},
        assumptions=_ASSUME,
        reference="D. McAllester 2003, in the log(2 sqrt(n)/delta) form of Maurer 2004 "
                  "(Pinsker's inequality applied to the kl form).",
    )


def catoni_bound(train_loss, kl, n, delta=0.05, *, C=1.0) -> BoundResult:
    r"""Catoni's PAC-Bayes bound for a fixed constant :math:`C`.

    .. math:: L \le \frac{1 - \exp\big(-C\hat L - (\mathrm{KL} + \log(1/\delta))/n\big)}{1 - e^{-C}}

    Parameters
    ----------
    train_loss : float in [0, 1]
        Empirical loss of the posterior.
    kl : float >= 0
        :math:`\mathrm{KL}(Q\|P)` in nats.
    n : int >= 1
        Number of training samples.
    delta : float in (0, 1), default=0.05
        Failure probability.
    C : float > 0, default=1.0
        Trade-off constant; must not depend on the data (use a union bound, i.e. ``delta / k``,
        when picking the best of ``k`` values).

    Returns
    -------
    BoundResult
        ``bounds="population_loss"``.

    Examples
    --------
    >>> from infotheory.bounds import catoni_bound
    >>> round(catoni_bound(0.1, 5.0, 1000, 0.05, C=0.5).value, 6)
    0.143203
    """
    lhat, kl, n, delta = _common(train_loss, kl, n, delta)
    C = check_positive(C, "C", "a real number")
    c = (kl + math.log(1 / delta)) / n
    value = -math.expm1(-C * lhat - c) / -math.expm1(-C)
    return BoundResult(
        value=min(value, 1.0), name="catoni", bounds="population_loss",
        inputs={"train_loss": lhat, "kl": kl, "n": n, "delta": delta, "C": C},
        assumptions=(*_ASSUME, "C fixed before seeing the data"),
        reference="O. Catoni, PAC-Bayesian supervised classification, 2007, Theorem 1.2.6.",
        notes=("capped at 1",) if value > 1 else (),
    )
