r"""Closed forms shared by the estimators and the ground-truth generators.

The entropy of a :math:`d`-variate Student-t :math:`t_\nu(0, \Sigma)` is
:math:`\tfrac12\log\det\Sigma + \tfrac d2\log(\nu\pi) + c_\nu(d)` with
:math:`c_\nu(d) = \log\Gamma(\tfrac\nu2) - \log\Gamma(\tfrac{\nu+d}2) + \tfrac{\nu+d}2
[\psi(\tfrac{\nu+d}2) - \psi(\tfrac\nu2)]` (Arellano-Valle, Contreras-Reyes & Genton 2013), so
the mutual information between the first :math:`d_x` and the last :math:`d_y` coordinates is the
Gaussian term of :math:`\Sigma` plus :math:`c_\nu(d_x) + c_\nu(d_y) - c_\nu(d_x + d_y)`: the
dependence through the shared scale, positive even when :math:`\Sigma` is diagonal.
"""

from __future__ import annotations

from scipy import special

__all__ = ["t_entropy_excess", "t_mi_excess"]


def t_entropy_excess(df: float, d: int) -> float:
    r""":math:`c_\nu(d)`: entropy of a d-variate t (identity scale) less its log-volume terms."""
    a, b = df / 2.0, (df + d) / 2.0
    return float(special.gammaln(a) - special.gammaln(b)
                 + b * (special.digamma(b) - special.digamma(a)))


def t_mi_excess(df: float, dx: int, dy: int) -> float:
    r""":math:`c_\nu(d_x) + c_\nu(d_y) - c_\nu(d_x + d_y)`, in nats: what the shared scale of a
    t distribution adds to the Gaussian mutual information of its scale matrix."""
    return t_entropy_excess(df, dx) + t_entropy_excess(df, dy) - t_entropy_excess(df, dx + dy)
