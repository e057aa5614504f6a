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


@dataclass(frozen=True)
class BoundResult:
    """A generalization bound: its value, the inputs it was computed from, and its assumptions.

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
    """

    value: float
    name: str
    inputs: dict = field(default_factory=dict)
    assumptions: tuple[str, ...] = ()
    reference: str = ""
    bounds: str = "gen"
    ci: tuple[float, float] | None = None
    notes: tuple[str, ...] = ()

    def __float__(self) -> float:
        return float(self.value)

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
        }

    def __str__(self) -> str:
        what = ("E[L_mu(W) - L_S(W)]" if self.bounds == "gen"
                else "E[L_mu(W)] (population loss)")
        lines = [f"{self.name}: {what} <= {self.value:.6g}"]
        if self.ci is not None:
            lines[0] += f"  (CI {self.ci[0]:.6g} to {self.ci[1]:.6g})"
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


def sqrt_terms_bound(mi, n, *, scale2: float, name: str, reference: str,
                     assumptions: list[str], extra_inputs: dict, upper: float | None = None,
                     upper_why: str = "", arg: str = "mi") -> BoundResult:
    r"""The per-sample form :math:`\frac1n \sum_i \sqrt{2\,\mathrm{scale2}\, I_i}` shared by the
    individual-sample MI and CMI bounds.

    ``mi`` is an array of ``n`` terms, or one number / :class:`MIEstimate` standing for every term
    (then ``n`` is required and the equal-terms assumption is recorded).
    """
    from ._checks import MIEstimate, check_info_array, check_n, resolve_info

    def per_sample(i):
        return np.sqrt(2 * scale2 * np.asarray(i, dtype=float))

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
