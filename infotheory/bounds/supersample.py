r"""Supersample (CMI) experiments: per-sample information terms from repeated training runs.

Draw a supersample [1]_ :math:`\tilde z` of :math:`n \times 2` examples, then train the algorithm
``m`` times, each time on the examples selected by fresh masks :math:`U \in \{0,1\}^n` (column
:math:`U_i` of pair i is the training example, the other column a test example). From the masks
and the losses (or the predictions) of each trained model on all :math:`2n` examples,
:func:`supersample_bounds` estimates, for each pair i, the disintegrated terms

- :math:`I^{\tilde z}(F_i; U_i)` with :math:`F_i` the pair of predictions (f-CMI [2]_),
- :math:`I^{\tilde z}(L_i; U_i)` with :math:`L_i` the pair of losses (e-CMI [3]_),
- :math:`I^{\tilde z}(\Delta L_i; U_i)` with :math:`\Delta L_i = L_{i,1} - L_{i,0}`
  (loss difference), and the unconditional :math:`I(\Delta L_i; U_i)` from the runs of all
  supersamples pooled (Wang & Mao's ld-MI bound [4]_, and their interpolating identity, which holds
  for the unconditional terms only: given one supersample the value is an upper bound on the gap),

by the plug-in estimator on the observed discrete values (the empirical joint distribution of the
``m`` pairs (value, :math:`U_i`)), and returns the f-CMI, e-CMI, loss-difference and binary-KL
bounds of :mod:`infotheory.bounds.cmi` next to the measured gap (mean test loss minus mean training
loss over the runs). With several supersamples the bounds and gaps are averaged over them, which
estimates the unconditional quantities.

**Plug-in bias.** The plug-in MI is biased upward: for a variable with :math:`|A|` observed values
and :math:`U_i` (:math:`|B| = 2`), its expectation exceeds the true value by about
:math:`(|A|-1)(|B|-1)/(2m)` nats (Miller [5]_) for ``m`` runs. With 0–1 losses :math:`|A| \le 4`
for loss pairs and :math:`\le 3` for loss differences, so ``m`` of a few hundred keeps the bias
below 0.01 nats per term; predictions of a ``K``-class classifier have up to :math:`K^2` pair
values, and need more runs. The bias makes the estimated bounds conservative on average (the square
root is concave, so this is not a guarantee for a single experiment); :attr:`SupersampleResult.bias`
reports the first-order value of each term. The ordering
:math:`\hat I(\Delta L_i;U_i) \le \hat I(L_i;U_i) \le \hat I(F_i;U_i)` holds exactly for the plug-in
estimates (each is the plug-in estimate of a function of the previous variable).

Losses must take few distinct values (0–1 loss, or a loss rounded to a grid); plug-in estimates of
continuous losses are meaningless (every value distinct gives :math:`\hat I = \log 2`).

References
----------
.. [1] T. Steinke and L. Zakynthinou, COLT 2020 (the supersample setting).
.. [2] H. Harutyunyan et al., NeurIPS 2021 (f-CMI and its plug-in estimate from repeated runs).
.. [3] F. Hellström and G. Durisi, NeurIPS 2022 (e-CMI, binary-KL bound).
.. [4] Z. Wang and Y. Mao, ICML 2023 (loss differences, interpolating algorithms).
.. [5] G. A. Miller, "Note on the bias of information estimates", 1955.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from dataclasses import dataclass, field

import numpy as np

from .._progress import progress as _progress
from .._validation import (
    check_param,
    check_random_state,
    check_samples,
    check_values,
    plain_array,
)
from ._result import BoundResult
from .cmi import (
    binary_kl_cmi_bound,
    ecmi_bound,
    fcmi_bound,
    interpolating_gen,
    loss_difference_bound,
)

__all__ = ["SupersampleResult", "supersample_bounds", "run_supersample_experiment",
           "plugin_mi_terms"]


@dataclass(frozen=True)
class SupersampleResult:
    """Outcome of a supersample experiment: the measured gap and the estimated bounds.

    Attributes
    ----------
    gap : float
        Measured generalization gap: mean over runs (and supersamples) of test loss minus
        training loss.
    gap_se : float
        Standard error of ``gap`` over the runs.
    train_loss, test_loss : float
        Mean training and test losses.
    bounds : dict of str to BoundResult
        ``"fcmi"`` (when predictions were given), ``"ecmi"``, ``"loss_difference"`` (all three
        disintegrated: per supersample, averaged), ``"loss_difference_mi"`` (unconditional terms,
        pooled over supersamples), ``"binary_kl_ecmi"`` (a bound on the test loss) and, when every
        training loss is 0 and the losses are 0–1, ``"interpolating"`` (Wang & Mao's identity).
    terms : dict of str to ndarray
        The per-sample plug-in estimates in nats: ``"fcmi"``, ``"ecmi"``, ``"loss_difference"``
        of shape (n_supersamples, n), ``"loss_difference_mi"`` of shape (1, n).
    bias : dict of str to ndarray (shapes as ``terms``)
        First-order plug-in bias of each term, :math:`(|A|-1)/(2m)` nats.
    n, n_runs, n_supersamples : int
        Pairs per supersample, training runs per supersample, supersamples.
    """

    gap: float
    gap_se: float
    train_loss: float
    test_loss: float
    bounds: dict = field(default_factory=dict)
    terms: dict = field(default_factory=dict)
    bias: dict = field(default_factory=dict)
    n: int = 0
    n_runs: int = 0
    n_supersamples: int = 1

    def to_dict(self) -> dict:
        """JSON-serialisable summary (bounds as dictionaries, terms as lists)."""
        return {
            "gap": self.gap, "gap_se": self.gap_se, "train_loss": self.train_loss,
            "test_loss": self.test_loss, "n": self.n, "n_runs": self.n_runs,
            "n_supersamples": self.n_supersamples,
            "bounds": {k: v.to_dict() for k, v in self.bounds.items()},
            "terms": {k: v.tolist() for k, v in self.terms.items()},
            "bias": {k: v.tolist() for k, v in self.bias.items()},
        }

    def __str__(self) -> str:
        lines = [
            f"supersample experiment: n={self.n}, {self.n_runs} runs x {self.n_supersamples} "
            "supersample(s)",
            f"  train loss {self.train_loss:.4f}, test loss {self.test_loss:.4f}, "
            f"gap {self.gap:.4f} +/- {self.gap_se:.4f}",
        ]
        for key, res in self.bounds.items():
            what = "test loss" if res.bounds == "population_loss" else "gap"
            lines.append(f"  {key:<20s} {what} <= {res.value:.4f}")
        return "\n".join(lines)


# -- plug-in information ---------------------------------------------------------------------


def _codes(values: np.ndarray) -> np.ndarray:
    """Integer codes of the rows of ``values`` (..., p): equal rows get equal codes."""
    flat = values.reshape(-1, values.shape[-1])
    _, inv = np.unique(flat, axis=0, return_inverse=True)
    return inv.reshape(values.shape[:-1])


def plugin_mi_terms(codes, masks) -> tuple[np.ndarray, np.ndarray]:
    r"""Plug-in :math:`\hat I(A_i; U_i)` in nats for every (supersample, pair), with its bias.

    Parameters
    ----------
    codes : ndarray of int, shape (k, m, n)
        Discrete codes of the variable :math:`A_i` in each of ``m`` runs.
    masks : ndarray of {0, 1}, shape (k, m, n)
        The masks :math:`U_i`.

    Returns
    -------
    mi : ndarray of shape (k, n)
        The plug-in estimate (from the empirical joint distribution over the ``m`` runs).
    bias : ndarray of shape (k, n)
        First-order bias :math:`(|A|-1)(|B|-1)/(2m)`, with :math:`|A|` and :math:`|B|` the
        numbers of observed values.
    """
    k, m, n = codes.shape
    n_values = int(codes.max()) + 1
    counts = np.zeros((k, n, 2, n_values))
    kk = np.broadcast_to(np.arange(k)[:, None, None], codes.shape)
    ii = np.broadcast_to(np.arange(n)[None, None, :], codes.shape)
    np.add.at(counts, (kk, ii, masks, codes), 1.0)
    p = counts / m
    pu = p.sum(axis=3, keepdims=True)
    pa = p.sum(axis=2, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, p * np.log(p / (pu * pa)), 0.0)
    mi = np.maximum(terms.sum(axis=(2, 3)), 0.0)  # rounding can give -1e-17
    n_a = (pa[:, :, 0, :] > 0).sum(axis=-1)
    n_b = (pu[:, :, :, 0] > 0).sum(axis=-1)
    return mi, (n_a - 1) * (n_b - 1) / (2.0 * m)


# -- validation ------------------------------------------------------------------------------


def _as_batch(arr, name: str, trailing: tuple, dtype=float) -> np.ndarray:
    """Validate and add the leading supersample axis: (m, n, *trailing) -> (1, m, n, *trailing)."""
    if arr is None:
        return None
    a = np.asarray(plain_array(arr, name))
    if a.dtype.kind == "O":
        a = check_values(a, name, allow_empty=True)
    if a.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be numeric, got dtype {a.dtype}")
    base_ndim = 2 + len(trailing)
    if a.ndim == base_ndim:
        a = a[None]
    if a.ndim != base_ndim + 1 or (trailing and a.shape[3:] != trailing):
        shape = ", ".join(["n_runs", "n", *map(str, trailing)])
        raise ValueError(
            f"{name} must have shape ({shape}) or (n_supersamples, {shape}), got {np.shape(arr)}"
        )
    if a.size == 0:
        raise ValueError(f"{name} is empty (shape {np.shape(arr)}); expected at least 2 runs")
    a = a.astype(dtype)
    if dtype is float and not np.isfinite(a).all():
        raise ValueError(
            f"{name} contains {int(np.isnan(a).sum())} NaN and {int(np.isinf(a).sum())} inf "
            "value(s); expected finite values"
        )
    return a


def _check_masks(masks) -> np.ndarray:
    u = _as_batch(masks, "masks", ())
    if not np.isin(u, (0.0, 1.0)).all():
        bad = float(u[~np.isin(u, (0.0, 1.0))][0])
        raise ValueError(
            f"masks must contain only 0 and 1 (which column is trained on), got {bad!r}"
        )
    if u.shape[1] < 2:
        raise ValueError(
            f"masks must have at least 2 training runs (rows) to estimate an information, "
            f"got {u.shape[1]}"
        )
    return u.astype(np.int64)


def _same_shape(a: np.ndarray, u: np.ndarray, name: str) -> None:
    if a.shape[:3] != u.shape:
        raise ValueError(
            f"{name} and masks must describe the same runs and pairs: {name} has shape "
            f"{a.shape[:3]} (n_supersamples, n_runs, n), masks has shape {u.shape}"
        )


# -- the estimator -----------------------------------------------------------------------------


def _averaged(results: list[BoundResult], extra: dict) -> BoundResult:
    """One BoundResult for several supersamples: the mean of their values."""
    if len(results) == 1:
        return results[0]
    first = results[0]
    return dataclasses.replace(
        first, value=float(np.mean([r.value for r in results])),
        inputs={**{k: v for k, v in first.inputs.items() if k != "terms"}, **extra},
        notes=(*first.notes, f"mean over {len(results)} supersamples of the disintegrated bound"),
    )


def supersample_bounds(masks, *, losses=None, predictions=None, labels=None) -> SupersampleResult:
    r"""Estimate the per-sample CMI terms of a supersample experiment and the bounds they give.

    Parameters
    ----------
    masks : array-like of {0, 1}, shape (n_runs, n) or (n_supersamples, n_runs, n)
        :math:`U`: in run r, pair i was trained on column ``masks[r, i]`` and tested on the other.
    losses : array-like of shape (n_runs, n, 2) or (n_supersamples, n_runs, n, 2), optional
        Loss in :math:`[0, 1]` of the model of run r on both examples of pair i (few distinct
        values, e.g. the 0–1 loss).
    predictions : array-like of shape (n_runs, n, 2) or (n_supersamples, n_runs, n, 2), optional
        Discrete predictions (class labels) of the model of run r on both examples of pair i;
        gives the f-CMI terms.
    labels : array-like of shape (n, 2) or (n_supersamples, n, 2), optional
        True labels of the supersample; with ``predictions`` and no ``losses``, the 0–1 losses
        are computed from them.

    Returns
    -------
    SupersampleResult

    Examples
    --------
    A model whose loss on a pair does not depend on which example it trained on (all terms 0,
    gap 0):

    >>> import numpy as np
    >>> from infotheory.bounds import supersample_bounds
    >>> rng = np.random.default_rng(0)
    >>> masks = rng.integers(0, 2, size=(200, 5))
    >>> losses = np.broadcast_to(rng.integers(0, 2, size=(1, 5, 1)), (200, 5, 2))
    >>> res = supersample_bounds(masks, losses=losses)
    >>> round(res.bounds["ecmi"].value, 3), round(res.gap, 3)
    (0.0, 0.0)
    """
    u = _check_masks(masks)
    k, m, n = u.shape
    preds = _as_batch(predictions, "predictions", (2,))
    if preds is not None:
        _same_shape(preds, u, "predictions")
    if losses is None:
        if preds is None or labels is None:
            raise ValueError(
                "give losses (n_runs, n, 2), or predictions together with labels (n, 2) to "
                "compute 0-1 losses; got losses=None, "
                f"predictions={'None' if preds is None else 'array'}, "
                f"labels={'None' if labels is None else 'array'}"
            )
        lab = np.asarray(labels)
        if lab.ndim == 2:
            lab = lab[None]
        if lab.shape != (k, n, 2):
            raise ValueError(
                f"labels must have shape (n, 2) = ({n}, 2) or ({k}, {n}, 2), got {np.shape(labels)}"
            )
        loss = (preds != lab[:, None, :, :].astype(float)).astype(float)
    else:
        loss = _as_batch(losses, "losses", (2,))
        _same_shape(loss, u, "losses")
        if (loss < 0).any() or (loss > 1).any():
            raise ValueError(
                f"losses must be in [0, 1] (the CMI bounds need a loss in [0, 1]), got values in "
                f"[{loss.min():.4g}, {loss.max():.4g}]; rescale a bounded loss by its range"
            )

    train = np.take_along_axis(loss, u[..., None], axis=3)[..., 0]
    test = np.take_along_axis(loss, 1 - u[..., None], axis=3)[..., 0]
    per_run_gap = (test - train).mean(axis=2)  # (k, m)

    terms, bias = {}, {}
    if preds is not None:
        terms["fcmi"], bias["fcmi"] = plugin_mi_terms(_codes(preds), u)
    terms["ecmi"], bias["ecmi"] = plugin_mi_terms(_codes(loss), u)
    ld_codes = _codes((loss[..., 1] - loss[..., 0])[..., None])
    terms["loss_difference"], bias["loss_difference"] = plugin_mi_terms(ld_codes, u)
    # Wang & Mao's unconditional I(dL_i; U_i): pool pair i over all supersamples and runs
    terms["loss_difference_mi"], bias["loss_difference_mi"] = plugin_mi_terms(
        ld_codes.reshape(1, k * m, n), u.reshape(1, k * m, n))

    extra = {"n": n, "n_runs": m, "n_supersamples": k}
    bounds = {}
    makers = {"fcmi": fcmi_bound, "ecmi": ecmi_bound, "loss_difference": loss_difference_bound}
    for key, make in makers.items():
        if key in terms:
            bounds[key] = _averaged([make(t) for t in terms[key]], extra)
    train_by_sample = train.mean(axis=(1, 2))
    bounds["binary_kl_ecmi"] = _averaged(
        [binary_kl_cmi_bound(float(lh), t) for lh, t in zip(train_by_sample, terms["ecmi"])],
        extra)
    if not train.any() and np.isin(loss, (0.0, 1.0)).all():
        res = interpolating_gen(terms["loss_difference_mi"][0])
        note = ("terms pooled over all supersamples estimate the unconditional I(dL_i; U_i), for "
                "which the value equals the expected gap; from few supersamples it is conditional "
                "on them and only an upper bound (the masks reveal themselves unevenly)")
        bounds["interpolating"] = dataclasses.replace(
            res, inputs={**extra, "terms": res.inputs["terms"]}, notes=(*res.notes, note))
    bounds["loss_difference_mi"] = dataclasses.replace(
        loss_difference_bound(terms["loss_difference_mi"][0]),
        name="loss_difference_mi", inputs={**extra, "terms": terms["loss_difference_mi"][0]},
        notes=("unconditional terms I(dL_i; U_i), pooled over supersamples and runs",))

    gaps = per_run_gap.ravel()
    se = float(gaps.std(ddof=1) / math.sqrt(gaps.size)) if gaps.size > 1 else math.nan
    return SupersampleResult(
        gap=float(gaps.mean()), gap_se=se, train_loss=float(train.mean()),
        test_loss=float(test.mean()), bounds=bounds, terms=terms, bias=bias,
        n=n, n_runs=m, n_supersamples=k,
    )


def run_supersample_experiment(model, X, y, *, n, n_runs, n_supersamples=1, random_state=0,
                               progress=True) -> SupersampleResult:
    r"""Train a scikit-learn classifier on random supersample splits and bound its generalization.

    For each of ``n_supersamples`` supersamples of ``2n`` examples drawn without replacement from
    ``(X, y)``, the model is cloned and trained ``n_runs`` times on the ``n`` examples chosen by
    fresh fair-coin masks, and its predictions on all ``2n`` examples are recorded; then
    :func:`supersample_bounds` gives the f-CMI, e-CMI, loss-difference and binary-KL bounds with
    the 0–1 loss, and the measured gap. A model with a ``random_state`` parameter gets a new seed
    in every run (the algorithm's own randomness is part of :math:`P_{W|S}`).

    Parameters
    ----------
    model : sklearn classifier
        Any estimator with ``fit`` and ``predict`` (it is cloned; the original is not modified).
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
        Class labels.
    n : int
        Training-set size (pairs per supersample); needs ``2 n <= n_samples``.
    n_runs : int >= 2
        Training runs per supersample (the ``m`` of the plug-in estimates).
    n_supersamples : int, default=1
        Independent supersamples; bounds and gap are averaged over them.
    random_state : None, int or Generator, default=0
    progress : bool, default=True
        Show a progress bar over the training runs.

    Returns
    -------
    SupersampleResult

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from infotheory.bounds import run_supersample_experiment
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> res = run_supersample_experiment(DecisionTreeClassifier(), X, y, n=20, n_runs=50,
    ...                                  progress=False)
    >>> res.bounds["ecmi"].value >= res.bounds["loss_difference"].value
    True
    """
    from sklearn.base import clone

    from .._validation import check_labels

    Xa = check_samples(X, name="X")
    ya = np.asarray(y)
    check_labels(ya, name="y", n_samples=Xa.shape[0])
    n = check_param(n, "n", numbers.Integral, low=1)
    n_runs = check_param(n_runs, "n_runs", numbers.Integral, low=2)
    n_supersamples = check_param(n_supersamples, "n_supersamples", numbers.Integral, low=1)
    if 2 * n > Xa.shape[0]:
        raise ValueError(
            f"n must be at most n_samples / 2 = {Xa.shape[0] // 2} (a supersample has 2n distinct "
            f"examples), got n={n}"
        )
    rng = check_random_state(random_state)
    takes_seed = "random_state" in clone(model).get_params()
    masks = np.empty((n_supersamples, n_runs, n), dtype=np.int64)
    preds = np.empty((n_supersamples, n_runs, n, 2), dtype=np.int64)
    labels = np.empty((n_supersamples, n, 2), dtype=np.int64)
    classes, y_codes = np.unique(ya, return_inverse=True)
    y_codes = y_codes.reshape(-1)
    rows = np.arange(n)
    jobs = [(s, r) for s in range(n_supersamples) for r in range(n_runs)]
    idx = None
    for s, r in _progress(jobs, enabled=progress, desc="supersample runs", total=len(jobs)):
        if r == 0:
            idx = rng.choice(Xa.shape[0], size=2 * n, replace=False).reshape(n, 2)
            labels[s] = y_codes[idx]
        u = rng.integers(0, 2, size=n)
        train = idx[rows, u]
        est = clone(model)
        if takes_seed:
            est.set_params(random_state=int(rng.integers(2**31 - 1)))
        est.fit(Xa[train], ya[train])
        pred = est.predict(Xa[idx.ravel()]).reshape(n, 2)
        masks[s, r] = u
        preds[s, r] = np.searchsorted(classes, pred)
    return supersample_bounds(masks, predictions=preds, labels=labels)
