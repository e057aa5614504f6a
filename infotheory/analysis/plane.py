"""The information plane: I(X;T) and I(T;Y) of every layer T at every epoch."""

from __future__ import annotations

import csv
import json
import math
import numbers
import os
import re
import threading
import warnings
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import NamedTuple

import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.utils import get_tags
from sklearn.utils.validation import check_is_fitted

from .._base import InfoEstimator
from .._progress import progress as _progress
from .._threads import resolve_n_jobs
from .._validation import (
    check_base,
    check_bool,
    check_labels,
    check_n_jobs,
    check_samples,
    to_unit,
    unit_name,
)
from .._warnings import InfotheoryWarning
from .loading import load_activations, open_reference, reference

__all__ = ["InformationPlane", "SaturationWarning"]


class SaturationWarning(InfotheoryWarning):
    """An information-plane estimate sits at its ceiling: I(X;T) = log n or I(T;Y) = H(Y).

    For a binned (plug-in) estimator, I(X;T) = log n means every sample falls in a bin of its
    own and I(T;Y) = H(Y) means every bin holds a single class: the binning resolves the data,
    and the point says nothing about the layer (fewer bins or another estimator are needed).
    """

_BASE_COLUMNS = ("epoch", "layer", "layer_index", "mi_xt", "mi_ty")

# Fitted attributes holding an estimator's value, for estimators outside this package.
_RESULT_ATTRS = ("mutual_info_", "entropy_", "score_", "value_")


def _result_of(est) -> float:
    if isinstance(est, InfoEstimator):
        return est.value_
    for name in _RESULT_ATTRS:
        if hasattr(est, name):
            return float(getattr(est, name))
    raise TypeError(
        f"{type(est).__name__} has no fitted result attribute (expected one of "
        f"{', '.join(_RESULT_ATTRS)}) after fit"
    )


def _default_estimator():
    from ..mutual_info import BinnedMI

    return BinnedMI(binning="entropy_based")


def _fits_inputs(est) -> bool:
    """Whether ``est.fit`` takes ``inputs=`` (binned estimators: one binning, both MIs)."""
    return "inputs" in getattr(est, "_side_inputs", ())


def _with_params(est, **params):
    est = clone(est)
    accepted = est.get_params(deep=False)
    return est.set_params(**{k: v for k, v in params.items() if k in accepted})


_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def _reemit(caught, n_fits: int, epochs, layers) -> list:
    """Emit each condition once, with the number of layer×epoch fits where it occurred.

    A condition is a warning category and its message with the numbers taken out (the values
    differ from fit to fit); the first occurrence's message is the one shown. Emitted with
    ``stacklevel=3``: the caller of :meth:`InformationPlane.fit`.
    """
    groups: dict = {}
    for category, message, task in caught:
        key = (category, _NUMBER.sub("#", message))
        entry = groups.setdefault(key, {"category": category, "message": message,
                                        "tasks": set(), "first": task})
        entry["tasks"].add(task)
    summary = []
    for entry in groups.values():
        count = len(entry["tasks"])
        where = ""
        if entry["first"] is not None:
            e, l = entry["first"]
            where = f"; first at epoch {epochs[e]}, layer {layers[l]!r}"
        warnings.warn(
            f"{entry['message']} [in {count} of {n_fits} layer×epoch fits{where}]",
            entry["category"],
            stacklevel=3,
        )
        summary.append({"category": entry["category"].__name__, "message": entry["message"],
                        "count": count})
    return summary


def _normalise_epochs(activations, epochs):
    """Return (list of {layer: array}, list of epoch numbers) from any accepted input."""
    if isinstance(activations, (str, os.PathLike)):
        loaded = load_activations(activations)
        records = loaded["activations"]
        epochs = loaded["epochs"] if epochs is None else epochs
    elif isinstance(activations, Mapping):
        records = [activations]
    elif isinstance(activations, Sequence) and not isinstance(activations, (bytes, np.ndarray)):
        records = list(activations)
    else:
        raise TypeError(
            "activations must be a {layer: array} mapping (one epoch), a sequence of them "
            "(one per epoch) or a path to saved activations, got "
            f"{type(activations).__name__}"
        )
    if not records:
        raise ValueError("activations is empty: expected at least one epoch of {layer: array}")
    for i, rec in enumerate(records):
        if not isinstance(rec, Mapping) or not rec:
            raise TypeError(
                f"activations[{i}] must be a non-empty {{layer: array}} mapping, got "
                f"{type(rec).__name__ if not isinstance(rec, Mapping) else 'an empty mapping'}"
            )
    if epochs is None:
        epochs = list(range(len(records)))
    epochs = list(np.asarray(epochs).reshape(-1).tolist())
    if len(epochs) != len(records):
        raise ValueError(
            f"epochs must have one entry per epoch of activations: expected {len(records)}, "
            f"got {len(epochs)}"
        )
    if any(not isinstance(e, numbers.Real) or isinstance(e, bool) for e in epochs):
        raise TypeError(f"epochs must be numbers, got {epochs!r}")
    if not all(math.isfinite(e) for e in epochs):
        raise ValueError(f"epochs must be finite numbers (NaN cannot be ordered), got {epochs!r}")
    return records, epochs


class InformationPlane(BaseEstimator):
    r"""I(X;T) and I(T;Y) of every layer T at every epoch: the information plane.

    For each recorded epoch and each layer T (an array of activations of shape
    ``(n_samples, width)``, one row per input), estimates the information the layer keeps about
    the inputs, :math:`I(X;T)`, and about the labels, :math:`I(T;Y)`, as in Shwartz-Ziv &
    Tishby [1]_, Saxe et al. [2]_ and Chelombiev et al. [3]_. The default estimator bins the
    activations (:class:`infotheory.mutual_info.BinnedMI` with entropy-based binning), for which

    .. math:: I(X;T) = H(T) - H(T \mid X), \qquad
              I(T;Y) = H(T) - \sum_y p(y)\, H(T \mid Y = y).

    Any mutual-information estimator of the package can be used instead, for both quantities
    (``estimator``) or separately (``estimator_xt`` for I(X;T), e.g.
    :class:`~infotheory.CompressedMI`; ``estimator_ty`` for I(T;Y), e.g.
    :class:`~infotheory.MixedMI` for class labels); each is cloned for every layer and epoch.
    Estimators whose ``fit`` accepts ``inputs=`` (binned ones) give both quantities from one
    binning, ``fit(T, y, inputs=X)`` with results ``mi_xt_`` and ``mi_ty_``; any other estimator
    is fitted ``fit(T, X)`` for I(X;T) and ``fit(T, y)`` for I(T;Y).

    **Ceilings.** For distinct inputs, :math:`I(X;T) \le \log n` and
    :math:`I(T;Y) \le H(Y)`. A binning fine enough to give every sample its own bin (wide
    layers, many bins) returns exactly these ceilings whatever the network does. When an
    estimate reaches a ceiling, one :class:`SaturationWarning` per quantity says in how many
    layer×epoch fits, and :meth:`plot` draws the ceiling as a dashed line.

    **Warnings** raised by the estimators during a fit (e.g. a kNN bias warning) are collected
    and re-emitted once per condition, with the number of layer×epoch fits where they
    occurred, pointing at the call of :meth:`fit`.

    With ``binning="adaptive_range"`` and ``max_value=None`` the plane sets
    ``max_value`` to the running maximum of the activations over all layers and all epochs so
    far, so the upper edge never decreases over training (Chelombiev et al.'s adaptive range,
    :func:`infotheory.entropy.adaptive_range_max`).

    Parameters
    ----------
    estimator : estimator, default=None
        The mutual-information estimator of both quantities; ``None`` means
        ``BinnedMI(binning="entropy_based")``.
    estimator_xt : estimator, default=None
        The estimator of I(X;T); ``None`` means ``estimator``.
    estimator_ty : estimator, default=None
        The estimator of I(T;Y); ``None`` means ``estimator``.
    extra : dict of {str: estimator}, default=None
        Additional columns: each estimator is cloned and fitted on every layer, ``fit(T)``, or
        ``fit(T, y)`` when it requires a target (e.g.
        ``{"vendi": VendiScore(), "dse": DiffusionSpectralEntropy()}``); its fitted value is the
        column.
    base : float or None, default=None
        Unit of the mutual informations, passed to every estimator that has a ``base``
        parameter: ``None`` for nats, ``2`` for bits (the unit of the papers).
    progress : bool, default=True
        Show a progress bar over layers and epochs.
    n_jobs : int or None, default=None
        Number of threads fitting (epoch, layer) jobs at once: ``None`` or 1 fits them one after
        another; ``-1`` uses every core, ``-2`` all but one, and so on. The package's binned
        estimators release the GIL, so threads scale with the cores; the table is the same, in
        the same order, whatever ``n_jobs``. Sequential by default because each job holds its
        layer's working copies (about 16 bytes per activation for the binned estimators) and
        because estimators that are parallel themselves (kNN ones) would oversubscribe the cores.
        With ``client="local"``, the number of Dask worker processes.
    client : distributed.Client, str or None, default=None
        Run the (epoch, layer) jobs on Dask workers: a ``distributed.Client``, the address of a
        scheduler (``"tcp://host:8786"``), or ``"local"`` for a ``LocalCluster`` of ``n_jobs``
        single-threaded worker processes started and closed for the call. Activations loaded
        from files (``.npy``, uncompressed ``.npz``, Zarr stores) are sent to the workers as
        references and read there from disk, so the client never ships them; in-memory arrays
        travel as data. The workers' warnings come back with the rows and are aggregated as in
        threads (Python records warnings process-wide, so give workers one thread each, as
        ``"local"`` does, for every warning to be attributed to its job). ``None`` (default)
        runs in this process, in ``n_jobs`` threads. Needs the ``dask`` extra
        (``pip install "infotheory-ml[dask]"``).

    Attributes
    ----------
    table_ : list of dict
        One record per (epoch, layer): ``epoch``, ``layer``, ``layer_index`` (position of the
        layer in the input), ``mi_xt`` (I(X;T)), ``mi_ty`` (I(T;Y)) and one entry per ``extra``
        column. See :meth:`to_pandas`.
    epochs_ : list
        The epochs, in input order.
    layers_ : list of str
        The layer names, in input order.
    unit_ : str
        ``"nats"``, ``"bits"`` or ``"log base b"``.
    upper_ : list of float or None
        For ``binning="adaptive_range"``, the upper binning edge used at each epoch
        (non-decreasing); else None.
    ceilings_ : dict
        ``{"mi_xt": H(X), "mi_ty": H(Y)}`` in the unit of ``base``: the entropies of the inputs
        (``log n`` for distinct inputs) and of the labels in the sample.
    saturated_ : dict
        ``{"mi_xt": k, "mi_ty": k}``: in how many layer×epoch fits each estimate reached its
        ceiling (within 1e-9 relative).
    warnings_ : list of dict
        The conditions warned about during the fit: ``category``, ``message`` (the first
        occurrence), ``count`` (fits where it occurred).

    References
    ----------
    .. [1] R. Shwartz-Ziv and N. Tishby, "Opening the black box of deep neural networks via
       information", arXiv:1703.00810, 2017.
    .. [2] A. M. Saxe et al., "On the information bottleneck theory of deep learning", ICLR 2018.
    .. [3] I. Chelombiev, C. Houghton and C. O'Donnell, "Adaptive estimators show information
       compression in deep neural networks", ICLR 2019.

    Examples
    --------
    >>> from infotheory.analysis import InformationPlane
    >>> from infotheory.datasets import load_demo_activations
    >>> demo = load_demo_activations("tanh", n_epochs=20, n_saved=4)
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     plane = InformationPlane(base=2, progress=False).fit(
    ...         demo["activations"], demo["X"], demo["y"], epochs=demo["epochs"])
    >>> len(plane.table_), sorted(plane.table_[0])
    (20, ['epoch', 'layer', 'layer_index', 'mi_ty', 'mi_xt'])
    >>> plane.saturated_  # 30 bins resolve all 1797 inputs (10-unit layer) or all classes
    {'mi_xt': 5, 'mi_ty': 8}
    >>> [type(w.message).__name__ for w in caught]  # once per ceiling, not once per fit
    ['SaturationWarning', 'SaturationWarning']
    >>> fig = plane.plot()  # with a dashed line at the ceiling log2 1797 = 10.81 bits
    """

    def __init__(self, *, estimator=None, estimator_xt=None, estimator_ty=None, extra=None,
                 base=None, progress=True, n_jobs=None, client=None):
        self.estimator = estimator
        self.estimator_xt = estimator_xt
        self.estimator_ty = estimator_ty
        self.extra = extra
        self.base = base
        self.progress = progress
        self.n_jobs = n_jobs
        self.client = client

    def _n_threads(self, n_tasks: int) -> int:
        """Threads for ``n_tasks`` jobs: the package's one ``n_jobs`` rule, at most one per job."""
        check_n_jobs(self.n_jobs)
        return resolve_n_jobs(self.n_jobs, limit=n_tasks)

    # -- fitting ----------------------------------------------------------------------------

    def _check_extra(self) -> dict:
        if self.extra is None:
            return {}
        if not isinstance(self.extra, Mapping):
            raise TypeError(
                "extra must be a dict of {column name: estimator}, got "
                f"{type(self.extra).__name__}"
            )
        for name, est in self.extra.items():
            if not isinstance(name, str) or name in _BASE_COLUMNS:
                raise ValueError(
                    f"extra column names must be strings other than {_BASE_COLUMNS}, got {name!r}"
                )
            if not hasattr(est, "fit") or not hasattr(est, "get_params"):
                raise TypeError(
                    f"extra[{name!r}] must be an estimator with fit and get_params, got "
                    f"{type(est).__name__}"
                )
        return dict(self.extra)

    def fit(self, activations, X=None, y=None, *, epochs=None):
        """Estimate I(X;T) and I(T;Y) for every layer at every epoch.

        Parameters
        ----------
        activations : mapping, sequence of mappings, or path
            ``{layer: array (n_samples, width)}`` for one epoch, a sequence of those (one per
            epoch, each with the same layers), or a file/folder read by
            :func:`infotheory.analysis.load_activations` (memory-mapped).
        X : array-like of shape (n_samples, n_features), optional
            The network inputs, one row per sample. Required by estimators that do not take
            ``inputs=``; for binned estimators, omitting it means every row is a distinct input of a
            deterministic network, so :math:`I(X;T) = H(T)`.
        y : array-like of shape (n_samples,)
            Class labels.
        epochs : sequence of numbers, optional
            The epoch of each entry of ``activations`` (default ``0, 1, ...``, or the numbers of
            the ``epoch_<E>`` files when ``activations`` is a path).

        Returns
        -------
        self
        """
        check_bool(self.progress, "progress")
        check_base(self.base)
        self._n_threads(1)  # validates n_jobs before any work
        extra = self._check_extra()
        est_xt, est_ty = self._estimators()
        if y is None:
            raise ValueError("y is None: expected class labels of shape (n_samples,)")
        records, epochs = _normalise_epochs(activations, epochs)
        layers = list(records[0])
        n = self._check_layers(records, epochs, layers)
        y = check_labels(y, name="y", n_samples=n)
        binned_xt, binned_ty = _fits_inputs(est_xt), _fits_inputs(est_ty)
        X_ids = None
        if X is not None:
            X = check_samples(X, name="X")
            if X.shape[0] != n:
                raise ValueError(
                    f"X must have one row per sample of the activations: expected {n}, got "
                    f"{X.shape[0]} (shape={X.shape})"
                )
            if binned_xt:
                # A binned I(X;T) depends on the inputs only through which rows are equal: code
                # them once here rather than once per layer and epoch.
                X_ids = np.unique(X, axis=0, return_inverse=True)[1].reshape(-1)
        elif not binned_xt:
            raise ValueError(
                f"X is None, but {type(est_xt).__name__} needs the inputs to estimate I(X;T): "
                "pass X, or use a binned estimator (which assumes distinct inputs)"
            )
        shared = self._shared() and binned_xt
        est_xt = _with_params(est_xt, base=self.base)
        est_ty = est_xt if self._shared() else _with_params(est_ty, base=self.base)
        upper = self._adaptive_upper(est_xt, records, layers)
        if upper is None:
            upper = self._adaptive_upper(est_ty, records, layers)
        current = threading.local()

        def at_epoch(est, e):
            if self._adaptive_upper(est, None, None, check_only=True):
                return _with_params(est, max_value=upper[e])
            return est

        def spec(e, l):
            return _JobSpec(at_epoch(est_xt, e), at_epoch(est_ty, e), shared, binned_xt,
                            binned_ty, extra, epochs[e], layers[l], l)

        def job(task):
            e, l = task
            current.task = task
            return _plane_row(spec(e, l), records[e][layers[l]], X, X_ids, y)

        tasks = [(e, l) for e in range(len(records)) for l in range(len(layers))]
        n_threads = self._n_threads(len(tasks))
        bar = dict(enabled=bool(self.progress), desc="information plane", total=len(tasks))
        caught = []

        def record(message, category, filename, lineno, file=None, line=None):
            caught.append((category, str(message), getattr(current, "task", None)))

        with warnings.catch_warnings():
            # Every warning of every job is recorded (the user's filters apply when they are
            # re-emitted, once per condition, below); the hook is process-wide, so it also
            # sees the worker threads' warnings, each tagged with its thread's current task.
            warnings.simplefilter("always")
            warnings.showwarning = record
            if self.client is not None:
                jobs = [(spec(e, l), reference(records[e][layers[l]])) for e, l in tasks]
                table, remote = _run_on_dask(self.client, jobs, X, X_ids, y, bar, n_threads)
                caught.extend((cat, msg, task) for task, found in zip(tasks, remote)
                              for cat, msg in found)
            elif n_threads == 1:
                table = [job(task) for task in _progress(tasks, **bar)]
            else:
                pool = ThreadPoolExecutor(max_workers=n_threads)
                try:
                    # map yields the rows in task order, so the bar advances as they complete
                    table = list(_progress(pool.map(job, tasks), **bar))
                finally:
                    # after an error, jobs not yet started are dropped rather than run
                    pool.shutdown(wait=True, cancel_futures=True)
        self.table_ = table
        self.epochs_ = epochs
        self.layers_ = layers
        self.unit_ = unit_name(self.base)
        self.upper_ = upper
        self.warnings_ = _reemit(caught, len(tasks), epochs, layers)
        self._check_saturation(X, n, y, est_xt, est_ty)
        return self

    def _shared(self) -> bool:
        """Whether one estimator gives both quantities (neither was set separately)."""
        return self.estimator_xt is None and self.estimator_ty is None

    def _estimators(self):
        """``(estimator of I(X;T), estimator of I(T;Y))``, validated."""
        default = _default_estimator() if self.estimator is None else self.estimator
        chosen = {"estimator": default,
                  "estimator_xt": default if self.estimator_xt is None else self.estimator_xt,
                  "estimator_ty": default if self.estimator_ty is None else self.estimator_ty}
        for name, est in chosen.items():
            if not hasattr(est, "fit") or not hasattr(est, "get_params"):
                raise TypeError(
                    f"{name} must be a mutual-information estimator with fit and get_params, "
                    f"got {type(est).__name__}"
                )
        return chosen["estimator_xt"], chosen["estimator_ty"]

    def _check_saturation(self, X, n, y, est_xt, est_ty) -> None:
        """Count the fits at the ceilings H(X) (log n for distinct inputs) and H(Y); warn once
        per quantity."""

        def plugin_entropy(counts):
            return float(np.log(n) - (counts * np.log(counts)).sum() / n)

        h_x = math.log(n) if X is None else plugin_entropy(
            np.unique(X, axis=0, return_counts=True)[1].astype(float))
        h_y = plugin_entropy(np.bincount(y)[np.bincount(y) > 0].astype(float))
        ceilings = {"mi_xt": float(to_unit(h_x, self.base)),
                    "mi_ty": float(to_unit(h_y, self.base))}
        self.ceilings_ = ceilings
        self.saturated_ = {
            key: int(sum(r[key] >= ceilings[key] * (1 - 1e-9) - 1e-12 for r in self.table_))
            for key in ceilings
        }
        total = len(self.table_)
        why = {
            "mi_xt": ("I(X;T) reaches its ceiling H(X) = {c:.4g} {u} (log n for n = {n} "
                      "distinct inputs)",
                      "every distinct input gets a bin of its own, so I(X;T) = H(X) "
                      "whatever the layer does"),
            "mi_ty": ("I(T;Y) reaches its ceiling H(Y) = {c:.4g} {u}",
                      "every bin holds a single class, so I(T;Y) = H(Y) whatever the layer "
                      "does"),
        }
        for key, est in (("mi_xt", est_xt), ("mi_ty", est_ty)):
            k = self.saturated_[key]
            if not k:
                continue
            head, binned_why = why[key]
            reason = (f"the binning resolves the data: {binned_why}" if _fits_inputs(est)
                      else f"{type(est).__name__}'s estimate is at or above a value the mutual "
                      "information cannot exceed")
            warnings.warn(
                head.format(c=ceilings[key], u=self.unit_, n=n)
                + f" in {k} of {total} layer×epoch fits: {reason}. Such points say nothing "
                "about compression; use fewer bins, or another estimator (estimator_xt=, "
                "estimator_ty=). The plot marks the ceiling.",
                SaturationWarning,
                stacklevel=3,
            )

    @staticmethod
    def _check_layers(records, epochs, layers) -> int:
        n = None
        for rec, epoch in zip(records, epochs):
            if list(rec) != layers and sorted(rec) != sorted(layers):
                raise ValueError(
                    f"every epoch must hold the same layers: epoch {epochs[0]} has {layers}, "
                    f"epoch {epoch} has {list(rec)}"
                )
            for name in layers:
                shape = np.shape(rec[name])
                if len(shape) not in (1, 2):
                    raise ValueError(
                        f"activations of layer {name!r} at epoch {epoch} must be 2-D "
                        f"(n_samples, width), got shape {shape}"
                    )
                if n is None:
                    n = shape[0]
                elif shape[0] != n:
                    raise ValueError(
                        f"every layer must have one row per sample: layer {name!r} at epoch "
                        f"{epoch} has {shape[0]} rows, expected {n}"
                    )
        return n

    @staticmethod
    def _adaptive_upper(estimator, records, layers, *, check_only=False):
        """Running maximum over all layers and epochs so far (adaptive range), else None.

        Only for an adaptive-range estimator whose ``max_value`` is left to the plane (None);
        with ``check_only``, just whether ``estimator`` is one.
        """
        params = estimator.get_params(deep=False)
        if params.get("binning") != "adaptive_range" or params.get("max_value", 0) is not None:
            return False if check_only else None
        if check_only:
            return True
        from ..entropy import adaptive_range_max

        maxima = [[float(np.max(rec[name])) for name in layers] for rec in records]
        return [float(v) for v in adaptive_range_max(maxima)]

    # -- results ----------------------------------------------------------------------------

    def to_pandas(self):
        """Return :attr:`table_` as a :class:`pandas.DataFrame` (requires pandas)."""
        check_is_fitted(self, "table_")
        try:
            import pandas as pd
        except ImportError:
            raise ImportError(
                "to_pandas requires pandas, which is not a dependency of infotheory: "
                "pip install pandas (or use the records in table_)"
            ) from None
        return pd.DataFrame.from_records(self.table_)

    def plot(self, **kwargs):
        """Plot the information plane; see :func:`infotheory.plotting.plot_information_plane`.

        The ceilings log n and H(Y) that some estimate reached (:attr:`saturated_`) are drawn
        as dashed lines; ``log_epochs=True`` colours the epochs on a logarithmic scale.

        Returns
        -------
        matplotlib.figure.Figure
        """
        check_is_fitted(self, "table_")
        from ..plotting import plot_information_plane

        kwargs.setdefault("unit", self.unit_)
        reached = {k: v for k, v in self.ceilings_.items() if self.saturated_[k]}
        kwargs.setdefault("ceilings", reached or None)
        return plot_information_plane(self.table_, **kwargs)

    def save(self, directory, *, name: str = "information_plane") -> dict:
        """Write the table as ``<name>.json`` (with the settings) and ``<name>.csv``.

        Parameters
        ----------
        directory : str or path-like
            Output folder, created if needed.
        name : str, default="information_plane"
            File stem.

        Returns
        -------
        dict
            ``{"json": path, "csv": path}``.
        """
        check_is_fitted(self, "table_")
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        paths = {"json": directory / f"{name}.json", "csv": directory / f"{name}.csv"}
        est_xt, est_ty = self._estimators()
        meta = {
            "unit": self.unit_,
            "estimator": repr(est_xt),
            "estimator_params": _plain_params(est_xt),
            "estimator_ty": repr(est_ty),
            "estimator_ty_params": _plain_params(est_ty),
            "ceilings": self.ceilings_,
            "saturated": self.saturated_,
            "warnings": self.warnings_,
            "extra": {k: repr(v) for k, v in (self.extra or {}).items()},
            "epochs": self.epochs_,
            "layers": self.layers_,
            "upper": self.upper_,
            "records": self.table_,
        }
        paths["json"].write_text(json.dumps(meta, indent=1, default=_json_default) + "\n")
        columns = list(self.table_[0])
        with open(paths["csv"], "w", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=columns)
            writer.writeheader()
            writer.writerows(self.table_)
        return paths


class _JobSpec(NamedTuple):
    """What one (epoch, layer) job estimates: small, so it travels to a Dask worker as is."""

    est_xt: object
    est_ty: object
    shared: bool
    binned_xt: bool
    binned_ty: bool
    extra: dict
    epoch: object
    layer: str
    index: int


def _plane_row(spec: _JobSpec, T, X, X_ids, y) -> dict:
    """One (epoch, layer) job: its row of the table (in a thread or on a Dask worker)."""
    T = open_reference(T)  # a reference sent to a worker is read from disk there
    name = spec.layer
    try:
        row = {"epoch": spec.epoch, "layer": name, "layer_index": spec.index}
        xt, ty = spec.est_xt, spec.est_ty
        if spec.shared:
            fitted = clone(xt).fit(T, y, inputs=X_ids)
            row.update(mi_xt=float(fitted.mi_xt_), mi_ty=float(fitted.mi_ty_))
        else:
            row["mi_xt"] = (float(clone(xt).fit(T, y, inputs=X_ids).mi_xt_) if spec.binned_xt
                            else _result_of(clone(xt).fit(T, X)))
            row["mi_ty"] = (float(clone(ty).fit(T, y).mi_ty_) if spec.binned_ty
                            else _result_of(clone(ty).fit(T, y)))
        for column, extra_est in spec.extra.items():
            fitted = clone(extra_est)
            if get_tags(fitted).target_tags.required:
                fitted.fit(T, y)
            else:
                fitted.fit(T)
            row[column] = _result_of(fitted)
    except (ValueError, TypeError) as exc:
        raise type(exc)(f"epoch {spec.epoch}, layer {name!r}: {exc}") from exc
    return row


def _plane_row_on_worker(spec: _JobSpec, T, X, X_ids, y):
    """``_plane_row`` with its warnings recorded, to be re-emitted (aggregated) by the client."""
    with warnings.catch_warnings(record=True) as found:
        warnings.simplefilter("always")
        row = _plane_row(spec, T, X, X_ids, y)
    return row, [(w.category, str(w.message)) for w in found]


def _run_on_dask(client, jobs, X, X_ids, y, bar, n_workers):
    """Run the jobs as Dask futures: ``(rows, warnings of each job)``, in job order.

    ``client`` is a ``distributed.Client``, a scheduler address, or ``"local"`` (a
    ``LocalCluster`` of ``n_workers`` single-threaded worker processes started and closed here).
    Activations travel as references (files, Zarr stores), so workers read them from disk; the
    labels and inputs are scattered once to the workers, not sent with every job.
    """
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:  # pragma: no cover - the dask extra is installed by the tests
        raise ImportError(
            "client= runs the information plane on Dask: pip install 'infotheory-ml[dask]'"
        ) from None
    owned = []
    try:
        if isinstance(client, str):
            if client == "local":
                cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1,
                                       dashboard_address=None)
                owned.append(cluster)
                client = Client(cluster)
            else:
                client = Client(client)
            owned.append(client)
        elif not isinstance(client, Client):
            raise TypeError(
                "client must be a distributed.Client, a scheduler address (str) or 'local', got "
                f"{type(client).__name__}"
            )
        shared = [None if a is None else client.scatter(a, broadcast=True, hash=False)
                  for a in (X, X_ids, y)]
        futures = [client.submit(_plane_row_on_worker, spec, ref, *shared, pure=False)
                   for spec, ref in jobs]
        index = {f.key: i for i, f in enumerate(futures)}
        results = [None] * len(futures)
        try:
            for fut in _progress(as_completed(futures), **bar):
                results[index[fut.key]] = fut.result()
        except BaseException:
            client.cancel(futures)
            raise
        return [r for r, _ in results], [w for _, w in results]
    finally:
        for obj in reversed(owned):
            obj.close()


def _plain_params(est) -> dict:
    return {k: v if isinstance(v, (bool, int, float, str, list, tuple, type(None))) else repr(v)
            for k, v in est.get_params(deep=False).items()}


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"cannot write {type(value).__name__} to JSON")


