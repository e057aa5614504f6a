"""Mutual information of high-dimensional variables through lossy compression (Butakov 2024)."""

from __future__ import annotations

import numbers

import numpy as np
from scipy import linalg
from sklearn.base import clone
from sklearn.utils.validation import check_is_fitted

from .._base import InfoEstimator
from .._kernels.linalg import cholesky_logdet
from .._params import KNN_CONSTRAINTS, Checked
from .._validation import (
    check_paired,
    check_random_state,
    check_samples,
    pow2_scale,
)

__all__ = ["CompressedMI"]

_DEFAULT_N_COMPONENTS = 4


def _default_compressor():
    from sklearn.decomposition import PCA

    return PCA(n_components=_DEFAULT_N_COMPONENTS)


def _whiten(Z: np.ndarray, what: str) -> tuple[np.ndarray, float]:
    """Return ``Z C^{-1/2}`` (Cholesky factor of the sample covariance ``C``) and ``log det C``.

    The kNN entropy of whitened data, plus ``½ log det C``, is the entropy of ``Z``: whitening
    takes the scale and the correlations out of the neighbour distances, where the
    Kozachenko–Leonenko estimator is most biased, and puts them back exactly.
    """
    C = np.atleast_2d(np.cov(Z, rowvar=False))
    L, logdet = cholesky_logdet(C, name=f"covariance of {what}")
    W = linalg.solve_triangular(L, (Z - Z.mean(axis=0)).T, lower=True, check_finite=False).T
    return np.ascontiguousarray(W), logdet


class CompressedMI(InfoEstimator):
    r"""Mutual information :math:`I(X;Y)` of high-dimensional variables, estimated on their codes.

    Each variable is compressed by a fitted transformer (PCA with 4 components by default; any
    scikit-learn transformer with ``fit`` and ``transform``, e.g. an autoencoder's encoder) and
    the MI is estimated between the codes (Butakov et al. [1]_):

    .. math:: \hat I(X;Y) = \hat I\big(E_X(X);\,E_Y(Y)\big).

    By the data-processing inequality :math:`I(E_X(X);E_Y(Y)) \le I(X;Y)`, with equality when the
    compressors are injective on the support of the data (e.g. data on a low-dimensional manifold
    that the compressor unfolds), which is what makes the low-dimensional estimate meaningful.

    With ``estimator="entropy"`` (the reference method of [1]_) the MI is built from entropies,

    .. math:: \hat I = \hat h(A) + \hat h(B) - \hat h(A, B), \qquad
              \hat h(Z) = \hat h_{\mathrm{KL}}\big(Z\,C_Z^{-1/2}\big) + \tfrac12\log\det C_Z,

    where :math:`A, B` are the codes, every block :math:`Z` (the two marginals and the joint) is
    whitened by its sample covariance :math:`C_Z` and :math:`\hat h_{\mathrm{KL}}` is the
    Kozachenko–Leonenko kNN entropy [3]_ with ``k`` neighbours, weighted as in Berrett, Samworth &
    Yuan [4]_ in dimension :math:`\ge 4` (:class:`~infotheory.KLEntropy` with
    ``weighted="auto"``). The log-determinants add up to the Gaussian MI of the codes, so the kNN
    terms estimate only the departure from Gaussianity. The estimate is invariant to invertible
    linear maps of each code (exactly, up to rounding).

    With ``estimator="ksg"`` the codes of each variable are whitened (an invertible map, which
    leaves the MI unchanged) and passed to :class:`~infotheory.KSGMI` with ``k`` neighbours; an
    MI estimator instance is cloned and used in the same way (its ``base`` is set to nats, the
    result converted to this estimator's ``base``).

    ``noise = σ > 0`` replaces the first variable by :math:`X + \sigma\varepsilon`,
    :math:`\varepsilon \sim \mathcal N(0, I)` drawn from ``random_state`` before compression:
    the stochastic-network view of Goldfeld et al. [2]_, in which the MI between a deterministic
    layer and its input is finite. In the information plane (``InformationPlane``), the first
    argument is the layer's activations :math:`T`.

    Parameters
    ----------
    compressor : transformer or None, default=None
        Compressor of ``X``, cloned and fitted in ``fit``; ``None`` means
        ``sklearn.decomposition.PCA(n_components=4)``. A clone whose ``random_state`` is ``None``
        gets a seed drawn from ``random_state``.
    y_compressor : "same", None or transformer, default="same"
        Compressor of ``y``: ``"same"`` a clone of ``compressor``, ``None`` no compression (use
        it for low-dimensional ``y``, e.g. labels or a few coordinates), or a transformer.
    estimator : {"entropy", "ksg"} or MI estimator, default="entropy"
        MI estimator of the codes (see above). An instance needs ``fit(A, B)`` and a
        ``mutual_info_`` attribute after fitting.
    k : int, default=5
        Neighbours of the kNN estimator (``"entropy"`` and ``"ksg"``).
    noise : float, default=0.0
        Standard deviation :math:`\sigma \ge 0` of the Gaussian noise added to ``X``.
    random_state : None, int, Generator or RandomState, default=None
        Seed of the noise and of the compressors' own randomness.
    base : float or None, default=None
        Logarithm base of the unit: ``None`` for nats, ``2`` for bits.
    n_jobs : int or None, default=None
        Threads for the neighbour searches (``None`` or ``-1``: all numba threads).

    Attributes
    ----------
    mutual_info_ : float
        The estimate, in the unit of ``base``.
    compressor_ : transformer
        The fitted compressor of ``X``.
    y_compressor_ : transformer or None
        The fitted compressor of ``y`` (``None``: ``y`` is used as given).
    n_components_ : tuple of int
        Dimensions of the codes of ``X`` and ``y``.
    n_features_in_ : int
        Number of features of ``X`` seen in ``fit``.
    n_features_y_in_ : int
        Number of features of ``y`` seen in ``fit``.

    Notes
    -----
    ``fit`` learns the compressors and estimates the MI on the same data; ``score(X, y)`` applies
    the fitted compressors to new data without refitting them. The compression must not be
    narrower than the intrinsic dimension of the data (information is lost, the estimate is
    biased low) and should not be much wider: codes on a lower-dimensional manifold have no
    density, and the kNN entropies degrade. Choose ``n_components`` near the intrinsic dimension
    (e.g. from :mod:`infotheory.dimension` or the PCA spectrum).

    References
    ----------
    .. [1] I. Butakov, A. Tolmachev, S. Malanchuk, A. Neopryatnaya, A. Frolov and K. Andreev,
       "Information bottleneck analysis of deep neural networks via lossy compression",
       *ICLR* 2024.
    .. [2] Z. Goldfeld, E. van den Berg, K. Greenewald, I. Melnyk, N. Nguyen, B. Kingsbury and
       Y. Polyanskiy, "Estimating information flow in deep neural networks", *ICML* 2019.
    .. [3] L. F. Kozachenko and N. N. Leonenko, "Sample estimate of the entropy of a random
       vector", *Problems Inform. Transmission* 23(2):95-101, 1987.
    .. [4] T. B. Berrett, R. J. Samworth and M. Yuan, "Efficient multivariate entropy estimation
       via k-nearest neighbour distances", *Ann. Statist.* 47(1):288-318, 2019.

    Examples
    --------
    Two variables of 64 features each that carry 2 nats through a 2-dimensional latent:

    >>> from sklearn.decomposition import PCA
    >>> from infotheory import CompressedMI
    >>> from infotheory.datasets import embedded_gaussians
    >>> X, Y, true_mi = embedded_gaussians(4000, mi=2.0, latent_dim=2, dim=64, random_state=0)
    >>> est = CompressedMI(compressor=PCA(n_components=2)).fit(X, Y)
    >>> round(est.mutual_info_, 1), true_mi
    (2.0, 2.0)
    """

    _result_attr = "mutual_info_"
    _requires_y = True
    #: Duplicated rows break kNN distances: resampling subsamples without replacement.
    _duplicate_sensitive = True
    _cli_name = "compressed"
    _parameter_constraints = {
        "compressor": [Checked("None or a scikit-learn transformer",
                               lambda v: _check_transformer(v, "compressor", allow_none=True))],
        "y_compressor": [Checked("'same', None or a transformer",
                                 lambda v: _check_y_compressor(v))],
        "estimator": [Checked("'entropy', 'ksg' or an MI estimator",
                              lambda v: _check_estimator(v))],
        **KNN_CONSTRAINTS,
    }
    del _parameter_constraints["standardize"]

    def __init__(self, *, compressor=None, y_compressor="same", estimator="entropy", k=5,
                 noise=0.0, random_state=None, base=None, n_jobs=None):
        self.compressor = compressor
        self.y_compressor = y_compressor
        self.estimator = estimator
        self.k = k
        self.noise = noise
        self.random_state = random_state
        self.base = base
        self.n_jobs = n_jobs

    @classmethod
    def _common_test_instances(cls):
        from sklearn.decomposition import PCA

        # scikit-learn's generic data have as few as 1-3 features and integer targets (ties),
        # which PCA(4) and the kNN entropy of y cannot take: compress X to 1 component and
        # estimate with KSG, which only needs distinct joint samples.
        # (KSG's label-like warning on those integer targets is tested in test_diagnostics.py)
        from .ksg import KSGMI

        return [cls(compressor=PCA(n_components=1), y_compressor=None,
                    estimator=KSGMI(warn_discrete=False))]

    # -- parameters -----------------------------------------------------------------------

    def _min_samples_required(self):
        return self.k + 1, f"k={self.k} neighbours need k + 1 samples"

    # -- fit / score ----------------------------------------------------------------------

    def fit(self, X, y=None):
        """Fit the compressors on ``X`` and ``y`` and estimate the MI of their codes.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The first variable (e.g. a layer's activations).
        y : array-like of shape (n_samples,) or (n_samples, n_features_y)
            The second variable.

        Returns
        -------
        self
        """
        Xa, Ya = self._validate(X, y, reset=True)
        self.n_features_y_in_ = Ya.shape[1]
        rng = check_random_state(self.random_state)
        # One seed per random step, so that score() replays the same noise stream.
        self._noise_seed = int(rng.integers(2**63))
        Xa = self._add_noise(Xa)
        base = _default_compressor() if self.compressor is None else self.compressor
        self.compressor_ = _fit_compressor(base, Xa, "compressor", "X", rng)
        if self.y_compressor is None:
            self.y_compressor_ = None
        else:
            y_base = base if isinstance(self.y_compressor, str) else self.y_compressor
            self.y_compressor_ = _fit_compressor(y_base, Ya, "y_compressor", "y", rng)
        A, B = self._codes(Xa, Ya)
        self.n_components_ = (A.shape[1], B.shape[1])
        self.mutual_info_ = self._in_unit(self._mi(A, B))
        return self

    def score(self, X, y=None) -> float:
        """MI of the codes of ``X`` and ``y`` under the fitted compressors (no refitting).

        The noise (``noise > 0``) is drawn from the same stream as in ``fit``, so
        ``score`` on the training data returns ``mutual_info_``.
        """
        check_is_fitted(self)
        Xa, Ya = self._validate(X, y, reset=False)
        if Ya.shape[1] != self.n_features_y_in_:
            raise ValueError(
                f"y has {Ya.shape[1]} features, but {type(self).__name__} is expecting "
                f"{self.n_features_y_in_} features as input."
            )
        A, B = self._codes(self._add_noise(Xa), Ya)
        return self._in_unit(self._mi(A, B))

    # -- internals ------------------------------------------------------------------------

    def _add_noise(self, X: np.ndarray) -> np.ndarray:
        if self.noise == 0:
            return X
        rng = np.random.default_rng(self._noise_seed)
        return X + self.noise * rng.standard_normal(X.shape)

    def _codes(self, X: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        var = "X" if self.noise == 0 else f"X with noise={self.noise!r}"
        A = _transform(self.compressor_, X, "compressor", var)
        B = (Y if self.y_compressor_ is None
             else _transform(self.y_compressor_, Y, "y_compressor", "y"))
        A, B = check_paired(A, B, names=("the codes of X", "the codes of y"))
        # Each code column scaled by a power of two (exact): the MI is invariant to invertible
        # maps of each code, and covariances of codes of magnitude 1e300 or 1e-300 can then
        # neither overflow nor underflow.
        return pow2_scale(A, axis=0)[0], pow2_scale(B, axis=0)[0]

    def _mi(self, A: np.ndarray, B: np.ndarray) -> float:
        """MI in nats between validated codes."""
        if isinstance(self.estimator, str) and self.estimator == "entropy":
            hx = self._entropy(A, "the codes of X")
            hy = self._entropy(B, "the codes of y")
            hxy = self._entropy(np.hstack([A, B]), "the joint codes of (X, y)")
            return hx + hy - hxy
        A = _whiten(A, "the codes of X")[0]
        B = _whiten(B, "the codes of y")[0]
        if isinstance(self.estimator, str):  # "ksg"
            from .ksg import KSGMI

            est = KSGMI(k=self.k, n_jobs=self.n_jobs)
        else:
            est = clone(self.estimator)
            if "base" in est.get_params(deep=False):
                est.set_params(base=None)
        est.fit(A, B)
        value = getattr(est, "mutual_info_", None)
        if value is None:
            raise TypeError(
                f"estimator {type(est).__name__} has no mutual_info_ attribute after fit: "
                "expected an MI estimator such as KSGMI or GaussianMI"
            )
        return float(value)

    def _entropy(self, Z: np.ndarray, what: str) -> float:
        from ..entropy.knn import KLEntropy

        W, logdet = _whiten(Z, what)
        kl = KLEntropy(k=self.k, weighted="auto", n_jobs=self.n_jobs).fit(W)
        return kl.entropy_ + 0.5 * logdet


def _check_y_compressor(value) -> None:
    if isinstance(value, str):
        if value != "same":
            raise ValueError(f"y_compressor must be 'same', None or a transformer, got {value!r}")
        return
    _check_transformer(value, "y_compressor", allow_none=True)


def _check_estimator(value) -> None:
    if isinstance(value, str):
        if value not in ("entropy", "ksg"):
            raise ValueError(
                f"estimator must be 'entropy', 'ksg' or an MI estimator instance, got {value!r}"
            )
    elif not (hasattr(value, "fit") and hasattr(value, "get_params")):
        raise TypeError(
            "estimator must be 'entropy', 'ksg' or an MI estimator instance with fit(X, y) "
            f"and get_params, got {value!r} ({type(value).__name__})"
        )


def _check_transformer(obj, name: str, *, allow_none: bool) -> None:
    if obj is None and allow_none:
        return
    missing = [m for m in ("fit", "transform") if not callable(getattr(obj, m, None))]
    if missing or not hasattr(obj, "get_params"):
        what = " and ".join(missing) if missing else "get_params (it cannot be cloned)"
        raise TypeError(
            f"{name} must be a scikit-learn transformer with fit, transform and get_params "
            f"(e.g. PCA(n_components=4)), got {obj!r} ({type(obj).__name__}) without {what}"
        )


def _fit_compressor(template, Z: np.ndarray, name: str, var: str, rng):
    comp = clone(template)
    params = comp.get_params(deep=False)
    n_comp = params.get("n_components")
    if isinstance(n_comp, numbers.Integral) and not isinstance(n_comp, bool) \
            and n_comp > Z.shape[1]:
        hint = " or y_compressor=None to use y uncompressed" if var == "y" else ""
        raise ValueError(
            f"{name} has n_components={n_comp} but {var} has {Z.shape[1]} feature(s) "
            f"(shape={Z.shape}): expected n_components <= n_features; lower n_components"
            f"{hint}"
        )
    if "random_state" in params and params["random_state"] is None:
        comp.set_params(random_state=int(rng.integers(2**31 - 1)))
    comp.fit(Z)
    return comp


def _transform(comp, Z: np.ndarray, name: str, var: str) -> np.ndarray:
    raw = np.asarray(comp.transform(Z))
    if raw.dtype.kind in "fc" and not np.isfinite(raw).all():
        raise ValueError(
            f"{name}.transform gave {int((~np.isfinite(raw)).sum())} non-finite code(s) for "
            f"{var} (largest |{var}| = {float(np.abs(Z).max()):.3g}): the compressor fails at "
            f"this scale; rescale the data (e.g. standardise it) or lower the noise"
        )
    codes = check_samples(raw, name=f"the output of {name}.transform")
    if codes.shape[0] != Z.shape[0]:
        raise ValueError(
            f"{name}.transform returned {codes.shape[0]} rows for {Z.shape[0]} samples: "
            "expected one code per sample"
        )
    return codes
