r"""Conditional-mutual-information (supersample) bounds, and the chain that orders them.

**Setting** (Steinke & Zakynthinou 2020). A supersample :math:`\tilde Z \in \mathcal Z^{n\times 2}`
of :math:`2n` i.i.d. draws and independent masks :math:`U \in \{0, 1\}^n` (fair coins): the training
set is :math:`S = (\tilde Z_{i, U_i})_i`, the other column is a test set of the same size. With a
loss in :math:`[0, 1]` and :math:`\mathrm{gen} = E[L_\mu(W) - L_S(W)]`:

- Steinke & Zakynthinou 2020 (CMI) [1]_: :math:`\mathrm{gen} \le \sqrt{2\,I(W; U \mid \tilde Z)/n}`.
- Harutyunyan et al. 2021 (f-CMI) [2]_:
  :math:`\mathrm{gen} \le \frac1n\sum_i \sqrt{2\,I(F_i; U_i \mid \tilde Z)}`, with :math:`F_i` the
  predictions of :math:`W` on both inputs of pair i.
- Hellström & Durisi 2022 (e-CMI) [3]_:
  :math:`\mathrm{gen} \le \frac1n\sum_i \sqrt{2\,I(L_i; U_i \mid \tilde Z)}`, with :math:`L_i` the
  pair of losses of :math:`W` on pair i.
- Wang & Mao 2023 (loss difference) [4]_:
  :math:`\mathrm{gen} \le \frac1n\sum_i \sqrt{2\,I(\Delta L_i; U_i)}`,
  :math:`\Delta L_i = L_{i,1} - L_{i,0}`.

All the per-sample terms are at most :math:`H(U_i) = \log 2` nats, and the CMI at most
:math:`n \log 2`. Bounds in their *disintegrated* form (conditioned on one supersample
:math:`\tilde z`, as estimated by :mod:`infotheory.bounds.supersample`) hold for the gap given that
supersample and average to the bounds above.

**Conditioning and processing** (Hafez-Kolahi, Golgooni, Kasaei & Soleymani 2020 [5]_). All four are
instances of two operations on the input–output bound of Xu & Raginsky. *Conditioning* on the
supersample replaces :math:`I(W;S)` (infinite for deterministic algorithms on continuous data) by
:math:`I(W;U\mid\tilde Z) \le n\log 2`. *Processing* replaces :math:`W` by any quantity the loss
difference still depends on: predictions :math:`F_i = (f_W(\tilde X_{i,0}), f_W(\tilde X_{i,1}))`,
then losses :math:`L_i = \ell(F_i, \tilde Y_i)`, then their difference. Each is a function of the
previous one given :math:`\tilde Z`, so by the data-processing inequality (and, for the last step,
by the independence of :math:`U` and :math:`\tilde Z`)

.. math::
    I(\Delta L_i; U_i) \le I(L_i; U_i \mid \tilde Z) \le I(F_i; U_i \mid \tilde Z)
    \le I(W; U_i \mid \tilde Z),

and :math:`\frac1n\sum_i\sqrt{2 I(W;U_i\mid\tilde Z)} \le \sqrt{2 I(W;U\mid\tilde Z)/n}` (chain
rule, independence of the :math:`U_i`, and Jensen). So the loss-difference bound is the tightest
and the CMI bound the loosest; the plug-in estimates of :mod:`~infotheory.bounds.supersample`
keep the ordering exactly (a plug-in estimate of a function of a variable is the plug-in estimate
of the pushed-forward distribution).

**Beyond square roots.** Hellström & Durisi (2022) compare training and population loss through
the binary KL divergence, :math:`\mathrm{kl}(\hat L \,\|\, (\hat L + L)/2) \le \frac1n \sum_i
I(L_i; U_i\mid\tilde Z)` (:func:`binary_kl_cmi_bound`); Wang & Mao (2023) show that for the 0–1
loss and an interpolating algorithm (zero training loss) the gap *equals*
:math:`\frac{1}{n\log 2}\sum_i I(\Delta L_i; U_i)` (:func:`interpolating_gen`).

References
----------
.. [1] T. Steinke and L. Zakynthinou, "Reasoning about generalization via conditional mutual
   information", COLT 2020.
.. [2] H. Harutyunyan, M. Raginsky, G. Ver Steeg and A. Galstyan, "Information-theoretic
   generalization bounds for black-box learning algorithms", NeurIPS 2021.
.. [3] F. Hellström and G. Durisi, "A new family of generalization bounds using samplewise
   evaluated CMI", NeurIPS 2022.
.. [4] Z. Wang and Y. Mao, "Tighter information-theoretic generalization bounds from
   supersamples", ICML 2023.
.. [5] H. Hafez-Kolahi, Z. Golgooni, S. Kasaei and M. Soleymani, "Conditioning and processing:
   techniques to improve information-theoretic generalization bounds", NeurIPS 2020.
"""

from __future__ import annotations

import math

import numpy as np

from ._checks import check_info_array, check_n, check_unit_loss, resolve_info
from ._result import BoundResult, map_ci, sqrt_terms_bound
from .kl import kl_inverse

__all__ = [
    "cmi_bound",
    "fcmi_bound",
    "ecmi_bound",
    "loss_difference_bound",
    "binary_kl_cmi_bound",
    "interpolating_gen",
]

LOG2 = math.log(2.0)
_SUPERSAMPLE = "supersample of 2n i.i.d. draws, training half chosen by n independent fair coins U"
_UNIT_LOSS = "loss takes values in [0, 1]"
_REF_SZ = ("T. Steinke and L. Zakynthinou, 'Reasoning about generalization via conditional mutual "
           "information', COLT 2020.")
_REF_FCMI = ("H. Harutyunyan, M. Raginsky, G. Ver Steeg and A. Galstyan, 'Information-theoretic "
             "generalization bounds for black-box learning algorithms', NeurIPS 2021 "
             "(sample-wise f-CMI bound).")
_REF_HD = ("F. Hellström and G. Durisi, 'A new family of generalization bounds using samplewise "
           "evaluated CMI', NeurIPS 2022")
_REF_WM = ("Z. Wang and Y. Mao, 'Tighter information-theoretic generalization bounds from "
           "supersamples', ICML 2023")
_TERM_WHY = "a per-sample term is at most H(U_i) = log 2 nats"


def cmi_bound(cmi, n) -> BoundResult:
    r"""Steinke & Zakynthinou's CMI bound :math:`\sqrt{2\, I(W;U\mid\tilde Z)/n}` [1]_.

    Parameters
    ----------
    cmi : float or MIEstimate
        :math:`I(W; U \mid \tilde Z)` in nats, in :math:`[0, n\log 2]`.
    n : int
        Number of training samples.

    Returns
    -------
    BoundResult

    References
    ----------
    .. [1] T. Steinke and L. Zakynthinou, COLT 2020.

    Examples
    --------
    >>> from infotheory.bounds import cmi_bound
    >>> round(cmi_bound(5.0, 1000).value, 6)
    0.1
    """
    n = check_n(n)
    value, ci, inputs = resolve_info(cmi, "cmi", upper=n * LOG2,
                                     upper_why=f"the CMI is at most n log 2 = {n * LOG2:.6g} nats")

    def bound(i):
        return math.sqrt(2 * i / n)

    return BoundResult(
        value=bound(value), name="steinke_zakynthinou", inputs={**inputs, "n": n},
        assumptions=(_SUPERSAMPLE, _UNIT_LOSS, "cmi = I(W; U | Z~) in nats"),
        reference=_REF_SZ, ci=None if ci is None else map_ci(bound, *ci),
    )


def _per_sample(terms, n, *, name, reference, what):
    return sqrt_terms_bound(
        terms, n, scale=1.0, name=name, reference=reference,
        assumptions=[_SUPERSAMPLE, _UNIT_LOSS, what], extra_inputs={},
        upper=LOG2, upper_why=_TERM_WHY, arg="terms",
    )


def fcmi_bound(terms, n=None) -> BoundResult:
    r"""Harutyunyan et al.'s sample-wise f-CMI bound.

    .. math:: \mathrm{gen} \le \frac1n\sum_i\sqrt{2\, I(F_i;U_i\mid\tilde Z)}

    Parameters
    ----------
    terms : array-like of shape (n,), float or MIEstimate
        Per-sample f-CMI terms in nats (each in :math:`[0, \log 2]`), e.g. from
        :func:`~infotheory.bounds.supersample_bounds`; one number with ``n`` for equal terms.
    n : int, optional
        Number of training samples (required with a single number).

    Returns
    -------
    BoundResult

    Examples
    --------
    >>> from infotheory.bounds import fcmi_bound
    >>> round(fcmi_bound([0.02, 0.08]).value, 6)
    0.3
    """
    return _per_sample(terms, n, name="fcmi", reference=_REF_FCMI,
                       what="terms[i] = I(F_i; U_i | Z~), F_i = predictions on pair i, nats")


def ecmi_bound(terms, n=None) -> BoundResult:
    r"""Hellström & Durisi's sample-wise (square-root) e-CMI bound.

    .. math:: \mathrm{gen} \le \frac1n\sum_i\sqrt{2\, I(L_i;U_i\mid\tilde Z)}

    Parameters
    ----------
    terms : array-like of shape (n,), float or MIEstimate
        Per-sample evaluated-CMI terms in nats (each in :math:`[0, \log 2]`), where
        :math:`L_i` is the pair of losses on pair i.
    n : int, optional
        Number of training samples (required with a single number).

    Returns
    -------
    BoundResult

    Examples
    --------
    >>> from infotheory.bounds import ecmi_bound
    >>> round(ecmi_bound(0.02, n=100).value, 6)
    0.2
    """
    return _per_sample(terms, n, name="ecmi", reference=_REF_HD + " (square-root e-CMI bound).",
                       what="terms[i] = I(L_i; U_i | Z~), L_i = losses on pair i, nats")


def loss_difference_bound(terms, n=None) -> BoundResult:
    r"""Wang & Mao's loss-difference bound :math:`\frac1n\sum_i\sqrt{2 I(\Delta L_i; U_i)}`.

    Parameters
    ----------
    terms : array-like of shape (n,), float or MIEstimate
        Per-sample :math:`I(\Delta L_i; U_i)` in nats (each in :math:`[0, \log 2]`) with
        :math:`\Delta L_i = \ell(W, \tilde Z_{i,1}) - \ell(W, \tilde Z_{i,0})`; conditioning on
        the supersample (disintegrated terms) is allowed and gives the conditional gap.
    n : int, optional
        Number of training samples (required with a single number).

    Returns
    -------
    BoundResult

    Examples
    --------
    >>> from infotheory.bounds import loss_difference_bound
    >>> round(loss_difference_bound([0.005, 0.02, 0.045]).value, 6)
    0.2
    """
    return _per_sample(terms, n, name="loss_difference", reference=_REF_WM + " (ld-MI bound).",
                       what="terms[i] = I(Delta L_i; U_i), Delta L_i = L_i1 - L_i0, nats")


def _mean_term(terms, name: str) -> tuple[float, tuple | None, dict]:
    """The average per-sample term (an array, or a number that is already the average)."""
    if np.ndim(terms) == 0:
        value, ci, inputs = resolve_info(terms, name, upper=LOG2, upper_why=_TERM_WHY)
        return value, ci, inputs
    arr = check_info_array(terms, name, upper=LOG2, upper_why=_TERM_WHY)
    return float(arr.mean()), None, {name: arr, "n": arr.size}


def binary_kl_cmi_bound(train_loss, terms) -> BoundResult:
    r"""Hellström & Durisi's binary-KL bound on the population loss from sample-wise e-CMI.

    .. math::
        \mathrm{kl}\Big(\hat L \,\Big\|\, \frac{\hat L + L}{2}\Big)
        \le \frac1n \sum_{i=1}^n I(L_i; U_i \mid \tilde Z)
        \quad\Longrightarrow\quad
        L \le 2\,\mathrm{kl}^{-1}\Big(\hat L, \frac1n\sum_i I(L_i;U_i\mid\tilde Z)\Big) - \hat L,

    with :math:`\hat L = E[L_S(W)]` the expected training loss and :math:`L = E[L_\mu(W)]` the
    population loss, a loss in :math:`[0, 1]`; :math:`\mathrm{kl}^{-1}` is the upper inverse
    (:func:`~infotheory.bounds.kl_inverse`) [1]_. The value is capped at 1, the largest possible
    loss.
    Larger information terms (f-CMI, CMI / n) give valid, looser bounds by data processing.
    For an interpolating algorithm (:math:`\hat L = 0`) it reads
    :math:`L \le 2(1 - e^{-\bar I})`.

    Parameters
    ----------
    train_loss : float in [0, 1]
        Expected training loss :math:`\hat L`.
    terms : array-like of shape (n,), float or MIEstimate
        Per-sample e-CMI terms in nats, or their average.

    Returns
    -------
    BoundResult
        ``bounds="population_loss"``.

    References
    ----------
    .. [1] F. Hellström and G. Durisi, NeurIPS 2022: the binary-KL (samplewise, average Seeger)
       e-CMI bound.

    Examples
    --------
    >>> from infotheory.bounds import binary_kl_cmi_bound
    >>> round(binary_kl_cmi_bound(0.0, 0.05).value, 6)
    0.097541
    """
    lhat = check_unit_loss(train_loss, "train_loss")
    mean, ci, inputs = _mean_term(terms, "terms")

    def bound(i):
        return min(1.0, 2 * kl_inverse(lhat, i) - lhat)

    value = bound(mean)
    notes = ("capped at 1, the largest value of a loss in [0, 1]",) if value == 1.0 else ()
    return BoundResult(
        value=value, name="binary_kl_ecmi", bounds="population_loss",
        inputs={"train_loss": lhat, **inputs, "mean_term": mean},
        assumptions=(_SUPERSAMPLE, _UNIT_LOSS,
                     "terms[i] = I(L_i; U_i | Z~) (or any larger term, e.g. f-CMI), nats"),
        reference=_REF_HD + " (binary-KL e-CMI bound).",
        ci=None if ci is None else map_ci(bound, *ci), notes=notes,
    )


def interpolating_gen(terms, n=None) -> BoundResult:
    r"""Wang & Mao's identity for interpolating algorithms (0–1 loss, zero training loss).

    .. math:: \mathrm{gen} = \frac{1}{n\log 2}\sum_{i=1}^n I(\Delta L_i; U_i)


    For the 0–1 loss and an algorithm whose training loss is 0 almost surely,
    :math:`\Delta L_i \in \{-1, 0, 1\}` and its sign reveals :math:`U_i` exactly when the test
    point of pair i is misclassified, so :math:`I(\Delta L_i;U_i) = \log 2 \cdot
    P(\text{test point } i \text{ misclassified})` and the expected gap (here the population loss)
    equals the average information in bits. This is an equality, not only a bound.

    Parameters
    ----------
    terms : array-like of shape (n,), float or MIEstimate
        :math:`I(\Delta L_i; U_i)` in nats (each in :math:`[0, \log 2]`).
    n : int, optional
        Number of training samples (required with a single number).

    Returns
    -------
    BoundResult
        ``value`` is the gap itself (bound and identity).

    Examples
    --------
    >>> import math
    >>> from infotheory.bounds import interpolating_gen
    >>> round(interpolating_gen([0.1 * math.log(2), 0.3 * math.log(2)]).value, 6)
    0.2
    """
    if np.ndim(terms) == 0:
        n = check_n(n) if n is not None else None
    value, ci, inputs = _mean_term(terms, "terms")
    if np.ndim(terms) == 0 and n is not None:
        inputs["n"] = n

    def gen(i):
        return i / LOG2

    return BoundResult(
        value=gen(value), name="wang_mao_interpolating", inputs=inputs,
        assumptions=(_SUPERSAMPLE, "0-1 loss",
                     "interpolating algorithm: training loss is 0 with probability 1",
                     "terms[i] = I(Delta L_i; U_i) in nats"),
        reference=_REF_WM + " (interpolating regime: the ld-MI identity).",
        ci=None if ci is None else map_ci(gen, *ci),
        notes=("an identity: the value equals the expected gap (= population 0-1 loss)",),
    )
