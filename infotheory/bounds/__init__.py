"""Information-theoretic generalization bounds, in nats.

Each bound is a function returning a :class:`BoundResult`: the value, the inputs, the assumptions
it rests on and the reference. ``gen`` is the expected generalization gap
:math:`E[L_\\mu(W) - L_S(W)]`.

- Input–output MI: :func:`xu_raginsky_bound`, :func:`bu_zou_veeravalli_bound`.
- Supersample CMI family: :func:`cmi_bound`, :func:`fcmi_bound`, :func:`ecmi_bound`,
  :func:`loss_difference_bound`, :func:`binary_kl_cmi_bound`, :func:`interpolating_gen`
  (see :mod:`infotheory.bounds.cmi` for the conditioning-and-processing chain that orders them).
- Wasserstein: :func:`wasserstein_bound`, :func:`expected_wasserstein_1d`.
- PAC-Bayes: :func:`maurer_seeger_bound`, :func:`mcallester_bound`, :func:`catoni_bound`;
  :func:`kl_inverse`, :func:`binary_kl`.
- Supersample experiments: :func:`supersample_bounds`, :func:`run_supersample_experiment`.
- Estimator integration: :func:`estimate_information` returns an :class:`MIEstimate` (value and
  bootstrap interval) that every bound accepts in place of a number.
"""

from ._checks import MIEstimate, estimate_information
from ._result import BoundResult
from .cmi import (
    binary_kl_cmi_bound,
    cmi_bound,
    ecmi_bound,
    fcmi_bound,
    interpolating_gen,
    loss_difference_bound,
)
from .kl import binary_kl, kl_inverse
from .mutual_info import bu_zou_veeravalli_bound, xu_raginsky_bound
from .pac_bayes import catoni_bound, maurer_seeger_bound, mcallester_bound
from .supersample import SupersampleResult, run_supersample_experiment, supersample_bounds
from .wasserstein import expected_wasserstein_1d, wasserstein_bound

__all__ = [
    "BoundResult",
    "MIEstimate",
    "SupersampleResult",
    "binary_kl",
    "binary_kl_cmi_bound",
    "bu_zou_veeravalli_bound",
    "catoni_bound",
    "cmi_bound",
    "ecmi_bound",
    "estimate_information",
    "expected_wasserstein_1d",
    "fcmi_bound",
    "interpolating_gen",
    "kl_inverse",
    "loss_difference_bound",
    "maurer_seeger_bound",
    "mcallester_bound",
    "run_supersample_experiment",
    "supersample_bounds",
    "wasserstein_bound",
    "xu_raginsky_bound",
]
