"""The result object every bound returns: the number, what it was computed from, what it assumes."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["BoundResult"]


def _plain(value):
    """Turn numpy scalars / arrays and tuples into JSON-serialisable Python objects."""
    if isinstance(value, np.ndarray):
        return [_plain(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, np.ndarray) or isinstance(value, (list, tuple)):
        arr = np.asarray(value, dtype=float).ravel()
        if arr.size <= 4:
            return "[" + ", ".join(f"{v:.4g}" for v in arr) + "]"
        return f"array of {arr.size} values (mean {arr.mean():.4g})"
    return str(value)


_UNIT_LOSS_MARK = "values in [0, 1]"


@dataclass(frozen=True, eq=False)
class BoundResult:
    """A generalization bound: its value, the inputs it was computed from, and its assumptions.

    It behaves as its value in arithmetic comparisons and formatting: ``result < 0.2``,
    ``float(result)``, ``f"{result:.3f}"`` (an empty format spec gives the full description).

    Attributes
    ----------
    value : float
        The bound, in the unit of the loss (the information terms it uses are in nats).
    name : str
        Short name of the bound (e.g. ``"xu_raginsky"``).
    inputs : dict
        The inputs, as given or as resolved (e.g. ``sigma`` computed from ``loss_range``).
    assumptions : tuple of str
        Everything the bound needs to hold (e.g. ``"loss is sigma-sub-Gaussian ..."``).
    reference : str
        The paper (and result) the formula comes from.
    bounds : str
        What is bounded: ``"gen"`` (the expected generalization gap
        :math:`E[L_\\mu(W) - L_S(W)]`) or ``"population_loss"``.
    ci : tuple of float or None
        When the information term came from an estimator with a confidence interval, the interval
        mapped through the (monotone) bound; otherwise ``None``.
    notes : tuple of str
        Remarks on how the number was obtained (clipping of a confidence interval, plug-in bias).
    loss_range : tuple of float or None
        ``(a, b)``, the range of the loss, when known: given, or read from ``inputs``
        (``loss_range``) or from an assumption that the loss takes values in [0, 1].
    vacuous : bool or None
        Whether the bound says nothing: for the generalization gap, ``value >= b - a`` (the gap
        of a loss in [a, b] never exceeds ``b - a``); for the population loss,
        ``value >= b``. ``None`` when the loss range is unknown (e.g. a sub-Gaussian
        parameter was given instead).
    """

    value: float
    name: str
    inputs: dict = field(default_factory=dict)
    assumptions: tuple[str, ...] = ()
    reference: str = ""
    bounds: str = "gen"
    ci: tuple[float, float] | None = None
    notes: tuple[str, ...] = ()
    loss_range: tuple[float, float] | None = None

    def __post_init__(self):
        if self.loss_range is None:
            given = self.inputs.get("loss_range") if isinstance(self.inputs, dict) else None
            if given is not None:
                object.__setattr__(self, "loss_range", (float(given[0]), float(given[1])))
            elif any(_UNIT_LOSS_MARK in a for a in self.assumptions):
                object.__setattr__(self, "loss_range", (0.0, 1.0))

    @property
    def vacuous(self) -> bool | None:
        """True when the bound is at or above the trivial one (None: loss range unknown)."""
        if self.loss_range is None:
            return None
        a, b = self.loss_range
        trivial = b - a if self.bounds == "gen" else b
        return bool(float(self.value) >= trivial)

    def __float__(self) -> float:
        return float(self.value)

    # -- compares and formats like its value ------------------------------------------------

    def _other(self, other):
        if isinstance(other, BoundResult):
            return float(other)
        try:
            return float(other)
        except (TypeError, ValueError):
            return None

    def __lt__(self, other):
        o = self._other(other)
        return NotImplemented if o is None else float(self) < o

    def __le__(self, other):
        o = self._other(other)
        return NotImplemented if o is None else float(self) <= o

    def __gt__(self, other):
        o = self._other(other)
        return NotImplemented if o is None else float(self) > o

    def __ge__(self, other):
        o = self._other(other)
        return NotImplemented if o is None else float(self) >= o

    def __eq__(self, other):
        if isinstance(other, BoundResult):
            return self.to_dict() == other.to_dict()
        o = self._other(other)
        return NotImplemented if o is None else float(self) == o

    def __hash__(self):
        return hash(float(self))  # equal results (and an equal float) have equal values

    def __format__(self, spec: str) -> str:
        return str(self) if not spec else format(float(self), spec)

    def to_dict(self) -> dict:
        """Return a JSON-serialisable dictionary of every field."""
        return {
            "name": self.name,
            "value": _plain(self.value),
            "bounds": self.bounds,
            "ci": None if self.ci is None else [float(self.ci[0]), float(self.ci[1])],
            "inputs": _plain(dict(self.inputs)),
            "assumptions": list(self.assumptions),
            "reference": self.reference,
            "notes": list(self.notes),
            "loss_range": None if self.loss_range is None else list(self.loss_range),
            "vacuous": self.vacuous,
        }

    def __str__(self) -> str:
        what = ("E[L_mu(W) - L_S(W)]" if self.bounds == "gen"
                else "E[L_mu(W)] (population loss)")
        lines = [f"{self.name}: {what} <= {self.value:.6g}"]
        if self.ci is not None:
            lines[0] += f"  (CI {self.ci[0]:.6g} to {self.ci[1]:.6g})"
        if self.vacuous:
            a, b = self.loss_range
            trivial = (f"the gap of a loss in [{a:g}, {b:g}] is at most {b - a:g}"
                       if self.bounds == "gen" else f"a loss in [{a:g}, {b:g}] is at most {b:g}")
            lines[0] += f"  VACUOUS: {trivial}"
        if self.inputs:
            lines.append("  inputs: " + ", ".join(f"{k}={_fmt(v)}" for k, v in self.inputs.items()))
        lines.extend(f"  assumes: {a}" for a in self.assumptions)
        lines.extend(f"  note: {n}" for n in self.notes)
        if self.reference:
            lines.append(f"  reference: {self.reference}")
        return "\n".join(lines)


def map_ci(func, low: float, high: float) -> tuple[float, float]:
    """Map an interval of an information term through a bound that is non-decreasing in it."""
    lo, hi = func(max(low, 0.0)), func(max(high, 0.0))
    return (float(lo), float(hi))


def sqrt_terms_bound(mi, n, *, scale: float, name: str, reference: str,
                     assumptions: list[str], extra_inputs: dict, upper: float | None = None,
                     upper_why: str = "", arg: str = "mi") -> BoundResult:
    r"""The per-sample form :math:`\frac1n \sum_i \sqrt{2\,\mathrm{scale2}\, I_i}` shared by the
    individual-sample MI and CMI bounds.

    ``mi`` is an array of ``n`` terms, or one number / :class:`MIEstimate` standing for every term
    (then ``n`` is required and the equal-terms assumption is recorded).
    """
    from ._checks import MIEstimate, check_info_array, check_n, resolve_info

    def per_sample(i):
        return scale * np.sqrt(2 * np.asarray(i, dtype=float))

    if isinstance(mi, MIEstimate) or np.ndim(mi) == 0:
        if n is None:
            raise ValueError(
                f"n is required when {arg} is a single number (the same term for every "
                "training sample); got n=None"
            )
        n = check_n(n)
        value, ci, inputs = resolve_info(mi, arg, upper=upper, upper_why=upper_why)
        assumptions = [*assumptions,
                       f"every per-sample term equals {arg} (samples treated symmetrically)"]
        return BoundResult(
            value=float(per_sample(value)), name=name, inputs={**inputs, "n": n, **extra_inputs},
            assumptions=tuple(assumptions), reference=reference,
            ci=None if ci is None else map_ci(lambda i: float(per_sample(i)), *ci),
        )
    arr = check_info_array(mi, arg, n=None if n is None else check_n(n), upper=upper,
                           upper_why=upper_why)
    return BoundResult(
        value=float(per_sample(arr).mean()), name=name,
        inputs={arg: arr, "n": arr.size, **extra_inputs},
        assumptions=tuple(assumptions), reference=reference,
    )
