"""Mutual information of high-dimensional variables through lossy compression (Butakov 2024)."""

from __future__ import annotations

import math
import numbers
import warnings

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, clone

from .._base import Estimate, InfoEstimator
from .._kernels.linalg import cholesky_logdet, whiten_rows
from .._params import KNN_CONSTRAINTS, Checked, Interval, StrOptions
from .._validation import (
    check_paired,
    check_random_state,
    check_samples,
    pow2_scale,
)
from ._diagnostics import InfotheoryWarning

__all__ = ["CompressedMI"]

#: Neighbours of the intrinsic-dimension estimate behind n_components="auto".
_ID_NEIGHBOURS = 10
#: Eigenvalue ratio that counts as a spectral gap: the components past it carry less than a
#: tenth of the variance of the last one kept.
_GAP_RATIO = 10.0
#: Samples of the PCA spectrum behind n_components="auto" (those of the intrinsic dimension).
_SPECTRUM_SAMPLES = 2000
#: Samples below which the codes' manifold and width checks are too noisy to be worth a
#: warning (the estimate's own noise is then larger than the biases they describe).
_MIN_SAMPLES_MANIFOLD_CHECK = 200
#: Code width above which kNN estimates on the codes are biased low and a copula model sees
#: only part of a non-elliptical dependence (warned unless a spectral gap confirms the width).
_MAX_RELIABLE_WIDTH = 6


def _whiten(Z: np.ndarray, what: str) -> tuple[np.ndarray, float]:
    """Return ``Z C^{-1/2}`` (Cholesky factor of the sample covariance ``C``) and ``log det C``.

    The kNN entropy of whitened data, plus ``½ log det C``, is the entropy of ``Z``: whitening
    takes the scale and the correlations out of the neighbour distances, where the
    Kozachenko–Leonenko estimator is most biased, and puts them back exactly.
    """
    C = np.atleast_2d(np.cov(Z, rowvar=False))
    L, logdet = cholesky_logdet(C, name=f"covariance of {what}")
    W = whiten_rows(Z - Z.mean(axis=0), L)
    return np.ascontiguousarray(W), logdet


#: Features up to which the principal components are those of the covariance matrix's
#: eigendecomposition, in NumPy; beyond, scikit-learn's PCA (randomized where it pays).
_EIGH_MAX_FEATURES = 512


class _PCA(TransformerMixin, BaseEstimator):
    """Principal components: scikit-learn's ``PCA(n_components)`` model and fitted attributes.

    With at most ``_EIGH_MAX_FEATURES`` features and more samples than features (scikit-learn's
    own ``"covariance_eigh"`` case), the eigendecomposition of the ``d x d`` sample covariance
    in NumPy: importing ``sklearn.decomposition`` (it imports ``linear_model``,
    ``model_selection`` and ``metrics``) cost a first ``CompressedMI`` call 0.13 s of CPU, more
    than the whole fit. Otherwise scikit-learn's ``PCA`` (``random_state`` is its seed).

    Attributes: ``mean_``, ``components_`` ``(n_components, d)``, ``explained_variance_``
    (eigenvalues, descending), ``explained_variance_ratio_`` (their shares of the total
    variance), ``noise_variance_`` (mean of the dropped eigenvalues) and ``n_components_``: those
    of scikit-learn's ``PCA`` that a user inspecting ``compressor_`` reads.
    """

    def __init__(self, n_components=1, random_state=None):
        self.n_components = n_components
        self.random_state = random_state

    def fit(self, X, y=None):
        X = np.asarray(X, dtype=np.float64)
        n, d = X.shape
        m = int(self.n_components)
        if d > _EIGH_MAX_FEATURES or n <= d:
            from sklearn.decomposition import PCA

            pca = PCA(n_components=m, random_state=self.random_state).fit(X)
            self.mean_, self.components_ = pca.mean_, pca.components_
            self.explained_variance_ = pca.explained_variance_
            self.explained_variance_ratio_ = pca.explained_variance_ratio_
            self.noise_variance_ = float(pca.noise_variance_)
            self.n_components_ = int(pca.n_components_)
            return self
        self.mean_ = X.mean(axis=0)
        centred = X - self.mean_
        lam, vectors = np.linalg.eigh(centred.T @ centred / (n - 1))
        lam, vectors = np.maximum(lam[::-1], 0.0), vectors[:, ::-1]
        self.components_ = np.ascontiguousarray(vectors[:, :m].T)
        self.explained_variance_ = lam[:m]
        total = lam.sum()
        self.explained_variance_ratio_ = lam[:m] / total if total > 0 else np.zeros(m)
        self.noise_variance_ = float(lam[m:].mean()) if m < d else 0.0
        self.n_components_ = m
        return self

    def transform(self, X):
        return (np.asarray(X, dtype=np.float64) - self.mean_) @ self.components_.T


def _auto_components(Z: np.ndarray, rng) -> int:
    """Code width of ``Z``: a spectral gap near its intrinsic dimension, else the rounded estimate.

    The Levina-Bickel estimate ``m`` reads low as the dimension grows (7.5 for 8), so it only
    sets a window, ``[0.8 m - 0.5, 1.25 m + 0.5]``; the largest ratio of consecutive PCA
    eigenvalues in that window, if at least ``_GAP_RATIO``, marks the width of the data's linear
    span (where the variance drops to the curvature of the manifold or to noise). Without such
    a gap (curved manifolds, isotropic data) the width is ``round(m)``. Never more than the
    number of features.
    """
    from ..dimension.intrinsic import intrinsic_dimension

    n, d = Z.shape
    if d == 1 or n <= 3:
        return 1
    m = intrinsic_dimension(Z, k=min(_ID_NEIGHBOURS, n - 1), random_state=rng)
    fallback = int(min(d, max(1, round(m))))
    # The spectrum on as many samples as the intrinsic dimension: a tenfold drop needs no more.
    if n > _SPECTRUM_SAMPLES:
        Z = Z[np.sort(rng.choice(n, _SPECTRUM_SAMPLES, replace=False))]
    lo = max(1, math.floor(0.8 * m - 0.5))
    hi = min(d - 1, Z.shape[0] - 2, math.ceil(1.25 * m + 0.5))
    if hi < lo:
        return fallback
    lam = _PCA(n_components=hi + 1,
               random_state=int(rng.integers(2**31 - 1))).fit(Z).explained_variance_
    # ratio lam[c-1] / lam[c] for c = lo..hi components; an exactly low-rank tail is a gap too
    kept, dropped = lam[lo - 1:hi], lam[lo:hi + 1]
    floor = lam[0] * 1e-12
    ratio = np.where(dropped > floor, kept / np.maximum(dropped, floor), np.inf)
    best = int(np.argmax(ratio))
    return lo + best if ratio[best] >= _GAP_RATIO else fallback


def _gap_after(comp) -> bool:
    """Whether a fitted PCA's dropped components average under 1/_GAP_RATIO of its last kept one."""
    lam = getattr(comp, "explained_variance_", None)
    noise = getattr(comp, "noise_variance_", None)
    if lam is None or noise is None or len(lam) == 0:
        return False
    return bool(noise * _GAP_RATIO <= lam[-1])


class CompressedMI(InfoEstimator):
    r"""Mutual information :math:`I(X;Y)` of high-dimensional variables, estimated on their codes.

    Each variable is compressed to a few dimensions and the MI is estimated between the codes
    (Butakov et al. [1]_):

    .. math:: \hat I(X;Y) = \hat I\big(E_X(X);\,E_Y(Y)\big) \;\le\; I(X;Y).

    The value is an estimate of :math:`I(E_X(X);E_Y(Y))`, which by the data-processing
    inequality is at most :math:`I(X;Y)`, with equality when the compressors are injective on
    the support of the data (data on a low-dimensional manifold that the compressor unfolds).

    Compressors (``compressor``):

    * ``"pca"`` (default): principal components, ``n_components`` of them per variable.
    * ``"learned"``: an encoder pair trained in JAX to keep the dependence between the codes
      (the two halves :math:`g, h` of a separable InfoNCE critic of :class:`NeuralMI`, trained
      on one split with early stopping on the other; Gowri et al. [5]_ describe this
      latent-MI approach); the codes :math:`g(X), h(Y)` have ``n_components`` dimensions (the
      larger of the two variables' when ``"auto"``). Needs the ``jax`` extra.
    * any scikit-learn transformer (``fit``/``transform``), e.g. an autoencoder's encoder; it
      keeps its own number of components.

    ``n_components="auto"`` takes each variable's width from its intrinsic dimension: the
    Levina–Bickel estimate :math:`\hat m` (:func:`~infotheory.dimension.intrinsic_dimension`,
    on at most 2000 samples) sets a window :math:`[0.8\hat m - 0.5,\ 1.25\hat m + 0.5]`, and
    the width is the largest drop of the PCA spectrum in it, :math:`\lambda_c/\lambda_{c+1}
    \ge 10` (the linear span of the data, past which only the curvature of the manifold or noise
    is left), else :math:`\operatorname{round}(\hat m)`; never more than the number of
    features. The estimate alone reads low as the dimension grows (7.5 on an 8-dimensional
    manifold, rounded to 7 on some draws). Codes narrower than the data's manifold lose
    information, codes wider than it lie on a lower-dimensional manifold and have no density,
    which breaks the kNN estimators (the 8-component PCA of data on a 4-dimensional manifold
    can return tens of nats).

    ``estimator="auto"`` (default) is ``"mutual_info"``: the codes of each variable are whitened
    and passed to :class:`~infotheory.MutualInfo` (its rule for continuous variables: the
    larger of KSG on the normal scores of the ranks and of the copula model, Student-t or
    Gaussian mixture, of larger held-out likelihood; labels and other discrete codes go to the
    discrete estimators). ``code_method_`` says which candidate gave the value. On the codes of
    the embedded Gaussians (4 + 4 dimensions) KSG reads 12 % low, and as low on the true
    latents, while the t copula is unbiased; the weighted kNN entropies of the reference
    method err both ways by up to 0.4 nats at 4 + 4 and diverge beyond.

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

    ``channel_noise = σ > 0`` replaces the first variable by :math:`X + \sigma\varepsilon`,
    :math:`\varepsilon \sim \mathcal N(0, I)` drawn from ``random_state`` before compression:
    the stochastic-network view of Goldfeld et al. [2]_, in which the MI between a deterministic
    layer and its input is finite. In the information plane (``InformationPlane``), the first
    argument is the layer's activations :math:`T`.

    An estimate that cannot be right warns (``InfotheoryWarning``) and says what to change: below
    :math:`-\max(0.1, 3/\sqrt n)` nats (beyond the noise of the estimators at independence),
    above :math:`\log n` (more than :math:`n` samples resolve without a parametric model;
    degenerate codes give such values), codes whose intrinsic dimension is clearly below their
    width, or codes wider than 6 dimensions per variable that no spectral gap confirms (after
    the last kept principal component the dropped ones average under a tenth of its variance):
    the data's intrinsic dimension is then high, kNN estimates are biased low and a copula
    model sees only elliptical dependence (read the value as a lower estimate, or use
    :class:`NeuralMI`).

    Parameters
    ----------
    compressor : {"pca", "learned"}, transformer or None, default=None
        Compressor of ``X``; ``None`` means ``"pca"``. A transformer is cloned and fitted in
        ``fit``; a clone whose ``random_state`` is ``None`` gets a seed drawn from
        ``random_state``.
    n_components : "auto" or int, default="auto"
        Width of the codes of ``"pca"`` and ``"learned"`` (see above); an int must not exceed a
        compressed variable's number of features.
    y_compressor : "same", None or transformer, default="same"
        Compressor of ``y``: ``"same"`` the same kind as ``compressor``, ``None`` no compression
        (use it for low-dimensional ``y``, e.g. labels or a few coordinates), or a transformer.
    estimator : {"auto", "mutual_info", "entropy", "ksg"} or MI estimator, default="auto"
        MI estimator of the codes (see above; ``"auto"`` is ``"mutual_info"``). An instance
        needs ``fit(A, B)`` and a ``mutual_info_`` attribute after fitting.
    k : int, default=5
        Neighbours of the kNN estimator (``"entropy"`` and ``"ksg"``).
    channel_noise : float, default=0.0
        Standard deviation :math:`\sigma \ge 0` of the Gaussian channel noise added to ``X``.
    noise : float or None, default=None
        Deprecated name of ``channel_noise`` (a ``FutureWarning``; removed in the next
        release). Elsewhere in the package ``noise`` is a relative jitter that breaks ties.
    random_state : None, int, Generator or RandomState, default=None
        Seed of the noise, of the intrinsic-dimension subsets, of the compressors' own
        randomness and of ``MutualInfo``'s held-out split.
    base : float or None, default=None
        Logarithm base of the unit: ``None`` for nats, ``2`` for bits.
    n_jobs : int or None, default=None
        Threads for the neighbour searches (``None`` or ``-1``: all numba threads).

    Attributes
    ----------
    mutual_info_ : float
        The estimate of :math:`I(E_X(X);E_Y(Y))`, in the unit of ``base``.
    compressor_ : transformer
        The fitted compressor of ``X``.
    y_compressor_ : transformer or None
        The fitted compressor of ``y`` (``None``: ``y`` is used as given).
    n_components_ : tuple of int
        Dimensions of the codes of ``X`` and ``y``.
    estimator_ : str or estimator
        The MI estimator of the codes that ran (``"mutual_info"``, ``"entropy"``, ``"ksg"`` or
        the instance).
    code_method_ : str
        What gave the value on the codes: ``MutualInfo``'s ``method_`` (e.g. ``"t_copula"``,
        ``"mixture_copula"``, ``"ksg_ranks"``), ``"entropy"``, ``"ksg"`` or the class name of
        an estimator instance.
    n_features_in_ : int
        Number of features of ``X`` seen in ``fit``.
    n_features_y_in_ : int
        Number of features of ``y`` seen in ``fit``.

    Notes
    -----
    ``fit`` learns the compressors and estimates the MI on the same data; ``score(X, y)`` applies
    the fitted compressors to new data without refitting them. The codes' estimators need codes
    of low intrinsic dimension (up to about 10 per variable at a few thousand samples); data
    whose intrinsic dimension is higher have no short faithful code, and :class:`NeuralMI` is
    the estimator to use there.

    Measured (``benchmarks/bench_compressed.py``, N = 5000) on
    :func:`~infotheory.datasets.embedded_gaussians` with true MI 1-4 nats, 1-8 latent
    dimensions and ambient dimension 64-256 (96 settings): worst relative error 4.1 % (1 nat,
    7 latent dimensions; 65 of the 96 values came from the t copula, 21 from rank KSG, 10 from
    the mixture copula), where the previous defaults (the entropy route, ``n_components`` the
    rounded Levina-Bickel estimate) erred by up to 46 % (8 latent dimensions) and 37 % at 4.
    Beyond Gaussian latents (:func:`~infotheory.datasets.embed_pair`, 128 dimensions): a
    Gaussian mixture whose features are uncorrelated yet dependent (3 + 3) within 1 %; Gaussian
    latents under a strong or a flattening tanh bend within 7 %; uniform signal plus uniform
    noise 14-26 % low (the low-dimensional estimators' weak case, on the true latents too).
    The learned encoders (``compressor="learned"``) do no better than PCA on any of these (the
    mixture: 35 % low where PCA is within 1 %; the others 1-8 % below PCA) and take 4-15 s.
    Nor do they unfold a manifold that PCA cannot at the same width: on 2 + 2 Gaussian latents
    each rolled into a Swiss roll (intrinsic dimension 2, linear span 4, 2 nats) both read
    about 1 nat with 2-wide codes and 1.8 with 4-wide ones (``n_components=4``). Where the
    data's linear span exceeds its intrinsic dimension, pass the span as ``n_components``.

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
    .. [5] G. Gowri, X.-K. Lun, A. M. Klein and P. Yin, "Approximating mutual information of
       high-dimensional variables using learned representations", *NeurIPS* 2024.

    Examples
    --------
    Two variables of 64 features each that carry 2 nats through a 2-dimensional latent:

    >>> from infotheory import CompressedMI
    >>> from infotheory.datasets import embedded_gaussians
    >>> X, Y, true_mi = embedded_gaussians(4000, mi=2.0, latent_dim=2, dim=64, random_state=0)
    >>> est = CompressedMI(random_state=0).fit(X, Y)
    >>> est.n_components_, round(est.mutual_info_, 1), true_mi
    ((2, 2), 2.0, 2.0)
    """

    _result_attr = "mutual_info_"
    _requires_y = True
    #: Duplicated rows break kNN distances: resampling subsamples without replacement.
    _duplicate_sensitive = True
    _cli_name = "compressed"
    _parameter_constraints = {
        "compressor": [StrOptions(("pca", "learned")),
                       Checked("None or a scikit-learn transformer",
                               lambda v: _check_transformer(v, "compressor", allow_none=True))],
        "n_components": [StrOptions({"auto"}), Interval(numbers.Integral, 1, None, closed="left")],
        "y_compressor": [Checked("'same', None or a transformer",
                                 lambda v: _check_y_compressor(v))],
        "estimator": [Checked("'auto', 'mutual_info', 'entropy', 'ksg' or an MI estimator",
                              lambda v: _check_estimator(v))],
        "channel_noise": [Interval(numbers.Real, 0, None, closed="left")],
        # deprecated spelling of channel_noise (None: not given)
        "noise": [Interval(numbers.Real, 0, None, closed="left"), None],
        **{name: KNN_CONSTRAINTS[name] for name in ("k", "random_state", "base", "n_jobs")},
    }

    def __init__(self, *, compressor=None, n_components="auto", y_compressor="same",
                 estimator="auto", k=5, channel_noise=0.0, noise=None, random_state=None,
                 base=None, n_jobs=None):
        self.compressor = compressor
        self.n_components = n_components
        self.y_compressor = y_compressor
        self.estimator = estimator
        self.k = k
        self.channel_noise = channel_noise
        self.noise = noise
        self.random_state = random_state
        self.base = base
        self.n_jobs = n_jobs

    @classmethod
    def _common_test_instances(cls):
        from .ksg import KSGMI

        # Default parameters (PCA with n_components="auto"; the codes of scikit-learn's integer
        # targets repeat, so "auto" would pick KSG anyway), with KSG's label-like-input warning
        # off: the generic checks fit on class targets, which the package rightly warns about
        # (tested in test_diagnostics.py).
        return [cls(estimator=KSGMI(warn_discrete=False))]

    # -- parameters -----------------------------------------------------------------------

    def _min_samples_required(self):
        return self.k + 1, f"k={self.k} neighbours need k + 1 samples"

    def _sigma(self) -> float:
        """The channel noise, read from the deprecated ``noise`` when that is set."""
        if self.noise is None:
            return float(self.channel_noise)
        warnings.warn(
            "CompressedMI(noise=...) is deprecated and will be removed in the next release: "
            "use channel_noise=... (the standard deviation of the Gaussian channel noise added "
            "to X)", FutureWarning, stacklevel=4,
        )
        if self.channel_noise != 0 and self.channel_noise != self.noise:
            raise ValueError(
                f"noise={self.noise!r} and channel_noise={self.channel_noise!r} disagree: "
                "set only channel_noise"
            )
        return float(self.noise)

    # -- fit / score ----------------------------------------------------------------------

    def _learn(self, X, y):
        rng = check_random_state(self.random_state)
        sigma = self._sigma()
        # One seed per random step, so that score() replays the same noise stream.
        noise_seed = int(rng.integers(2**63))
        code_seed = int(rng.integers(2**31 - 1))
        Xn = _add_noise(X, sigma, noise_seed)
        kind = "pca" if self.compressor is None else self.compressor
        y_kind = kind if isinstance(self.y_compressor, str) else self.y_compressor
        if isinstance(kind, str) and kind == "learned":
            if y_kind is not kind:
                raise ValueError(
                    "compressor='learned' trains the two encoders together: leave "
                    f"y_compressor='same' (got {self.y_compressor!r})"
                )
            comp_x, comp_y = _fit_learned(Xn, y, self._resolve(Xn, y, rng), rng)
        else:
            comp_x = self._fit_one(kind, Xn, "compressor", "X", rng)
            comp_y = None if y_kind is None else self._fit_one(y_kind, y, "y_compressor", "y",
                                                               rng)
        return {"compressor_": comp_x, "y_compressor_": comp_y, "_noise_seed": noise_seed,
                "_code_seed": code_seed, "_channel_sigma": sigma,
                "n_features_y_in_": y.shape[1]}

    def _resolve(self, X, Y, rng) -> int:
        """Code width of the learned encoders: n_components, or the larger intrinsic dim."""
        if isinstance(self.n_components, str):
            return max(_auto_components(X, rng), _auto_components(Y, rng))
        for Z, var in ((X, "X"), (Y, "y")):
            if self.n_components > Z.shape[1]:
                raise ValueError(
                    f"n_components={self.n_components} but {var} has {Z.shape[1]} feature(s) "
                    f"(shape={Z.shape}): expected n_components <= n_features"
                )
        return int(self.n_components)

    def _fit_one(self, kind, Z, name, var, rng):
        if isinstance(kind, str):  # "pca"
            if isinstance(self.n_components, str):
                m = _auto_components(Z, rng)
            else:
                m = int(self.n_components)
                if m > Z.shape[1]:
                    hint = " or y_compressor=None to use y uncompressed" if var == "y" else ""
                    raise ValueError(
                        f"n_components={m} but {var} has {Z.shape[1]} feature(s) "
                        f"(shape={Z.shape}): expected n_components <= n_features; lower "
                        f"n_components{hint}"
                    )
            kind = _PCA(n_components=m)
        return _fit_compressor(kind, Z, name, var, rng)

    def _estimate(self, X, y):
        if y.shape[1] != self.n_features_y_in_:
            raise ValueError(
                f"y has {y.shape[1]} features, but {type(self).__name__} is expecting "
                f"{self.n_features_y_in_} features as input."
            )
        A, B = self._codes(_add_noise(X, self._channel_sigma, self._noise_seed), y)
        method = self._method()
        value, code_method = self._mi(A, B, method)
        self._warn_if_implausible(value, A, B, code_method)
        return Estimate(value, attributes={"n_components_": (A.shape[1], B.shape[1]),
                                           "estimator_": method, "code_method_": code_method})

    # -- internals ------------------------------------------------------------------------

    def _method(self):
        if isinstance(self.estimator, str) and self.estimator == "auto":
            return "mutual_info"
        return self.estimator

    def _codes(self, X: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        # the parameter the user set (noise is channel_noise's deprecated spelling)
        name, sigma = (("channel_noise", self.channel_noise) if self.noise is None
                       else ("noise", self.noise))
        var = "X" if sigma == 0 else f"X with {name}={sigma!r}"
        A = _transform(self.compressor_, X, "compressor", var)
        B = (Y if self.y_compressor_ is None
             else _transform(self.y_compressor_, Y, "y_compressor", "y"))
        A, B = check_paired(A, B, names=("the codes of X", "the codes of y"))
        # Each code column scaled by a power of two (exact): the MI is invariant to invertible
        # maps of each code, and covariances of codes of magnitude 1e300 or 1e-300 can then
        # neither overflow nor underflow.
        return pow2_scale(A, axis=0)[0], pow2_scale(B, axis=0)[0]

    def _mi(self, A: np.ndarray, B: np.ndarray, method) -> tuple[float, str]:
        """MI in nats between validated codes, and what estimated it."""
        if isinstance(method, str) and method == "entropy":
            hx = self._entropy(A, "the codes of X")
            hy = self._entropy(B, "the codes of y")
            hxy = self._entropy(np.hstack([A, B]), "the joint codes of (X, y)")
            return hx + hy - hxy, "entropy"
        A = _whiten(A, "the codes of X")[0]
        B = _whiten(B, "the codes of y")[0]
        if isinstance(method, str) and method == "mutual_info":
            from .auto import MutualInfo

            est = MutualInfo(random_state=self._code_seed).fit(A, B)
            return float(est.mutual_info_), est.method_
        if isinstance(method, str):  # "ksg"
            from .ksg import KSGMI

            est = KSGMI(k=self.k, n_jobs=self.n_jobs, warn_bias=False)
        else:
            est = clone(method)
            if "base" in est.get_params(deep=False):
                est.set_params(base=None)
        est.fit(A, B)
        value = getattr(est, "mutual_info_", None)
        if value is None:
            raise TypeError(
                "estimator {type(est).__name__} has no mutual_info_ attribute after fit: "
                "expected an MI estimator such as KSGMI or GaussianMI"
            )
        return float(value), (method if isinstance(method, str) else type(est).__name__)

    def _entropy(self, Z: np.ndarray, what: str) -> float:
        from ..entropy.knn import KLEntropy

        W, logdet = _whiten(Z, what)
        kl = KLEntropy(k=self.k, weighted="auto", n_jobs=self.n_jobs).fit(W)
        return kl.entropy_ + 0.5 * logdet

    def _warn_if_implausible(self, value: float, A: np.ndarray, B: np.ndarray,
                             code_method: str) -> None:
        if code_method == "degenerate":  # MutualInfo has named the case (identical codes, ...)
            return
        n = A.shape[0]
        widths = (A.shape[1], B.shape[1])
        if value < -max(0.1, 3.0 / math.sqrt(n)):
            warnings.warn(
                f"CompressedMI estimate {value:.3g} nats is clearly negative (codes of widths "
                f"{widths}, {n} samples, estimated by {code_method!r}): the estimator of the "
                "codes is biased at this width; use estimator='auto', lower n_components (or "
                "use 'auto'), or use NeuralMI for data of high intrinsic dimension.",
                InfotheoryWarning, stacklevel=4,
            )
            return
        if value > math.log(n):
            warnings.warn(
                f"CompressedMI estimate {value:.3g} nats exceeds log(n_samples) = "
                f"{math.log(n):.3g}, more than {n} samples resolve without a parametric model "
                f"(estimated by {code_method!r}): codes (widths {widths}) wider than the data's "
                "intrinsic dimension are degenerate and give such values. Use "
                "n_components='auto' or fewer components.",
                InfotheoryWarning, stacklevel=4,
            )
        if self._warn_if_on_manifold(A, B):
            return
        if n < _MIN_SAMPLES_MANIFOLD_CHECK:
            return
        # A wide code is trusted only when a spectral gap shows it keeps the variance.
        unconfirmed = [(var, w) for var, w, comp in (("X", widths[0], self.compressor_),
                                                     ("y", widths[1], self.y_compressor_))
                       if w > _MAX_RELIABLE_WIDTH and not _gap_after(comp)]
        if unconfirmed:
            var, w = unconfirmed[0]
            warnings.warn(
                f"CompressedMI codes of widths {widths}: no spectral gap shows that the {w} "
                f"components of {var} keep its information (its intrinsic dimension is high), "
                f"and in more than {_MAX_RELIABLE_WIDTH} dimensions per variable kNN estimates "
                "are biased low and a copula model sees only elliptical dependence. Use "
                "NeuralMI, or read the value as a lower estimate.",
                InfotheoryWarning, stacklevel=4,
            )

    @staticmethod
    def _warn_if_on_manifold(A: np.ndarray, B: np.ndarray) -> bool:
        """Warn about codes clearly wider than their intrinsic dimension; True if it did."""
        if A.shape[0] < _MIN_SAMPLES_MANIFOLD_CHECK:
            return False
        from ..dimension.intrinsic import intrinsic_dimension

        warned = False
        for Z, var in ((A, "X"), (B, "y")):
            if Z.shape[1] < 2:
                continue
            m = intrinsic_dimension(Z, random_state=0, max_samples=1000)
            # Relative margin too: the estimate runs low by a quarter at ~15 dimensions.
            if m < min(Z.shape[1] - 1.5, 0.75 * Z.shape[1]):
                warnings.warn(
                    f"The codes of {var} have {Z.shape[1]} components but lie near a "
                    f"{m:.1f}-dimensional manifold (Levina-Bickel estimate): they have no "
                    "density in their own space and the kNN MI estimate is unreliable. Use "
                    "n_components='auto' or a compressor with fewer components.",
                    InfotheoryWarning, stacklevel=5,
                )
                warned = True
        return warned


def _add_noise(X: np.ndarray, sigma: float, seed: int) -> np.ndarray:
    if sigma == 0:
        return X
    return X + sigma * np.random.default_rng(seed).standard_normal(X.shape)


class _LearnedEncoder:
    """One side of a trained separable InfoNCE critic, used as a fitted transformer."""

    def __init__(self, marginal_map, layers):
        self.marginal_map, self.layers = marginal_map, layers

    def get_params(self, deep=True):
        return {}

    def transform(self, Z):
        from .neural import _kernels, _padded_rows

        nj = _kernels()
        dtype = nj.jax.tree_util.tree_leaves(self.layers)[0].dtype
        # rows padded as in training, so that similar sample counts share one stored program
        codes = nj.call(nj.encode, self.layers, _padded_rows(self.marginal_map(Z), dtype))
        return np.asarray(codes, dtype=np.float64)[: Z.shape[0]]


def _fit_learned(X, Y, width: int, rng):
    """Encoders of X and Y: the two networks of an InfoNCE critic with ``width`` outputs."""
    from .neural import NeuralMI

    seed = int(rng.integers(2**31 - 1))
    critic = NeuralMI(bound="infonce", critic="separable", embed_dim=width,
                      random_state=seed).fit(X, Y)
    params = critic.critic_params_
    return (_LearnedEncoder(critic._x_map, params["g"]),
            _LearnedEncoder(critic._y_map, params["h"]))


def _check_y_compressor(value) -> None:
    if isinstance(value, str):
        if value != "same":
            raise ValueError(f"y_compressor must be 'same', None or a transformer, got {value!r}")
        return
    _check_transformer(value, "y_compressor", allow_none=True)


def _check_estimator(value) -> None:
    if isinstance(value, str):
        if value not in ("auto", "mutual_info", "entropy", "ksg"):
            raise ValueError(
                "estimator must be 'auto', 'mutual_info', 'entropy', 'ksg' or an MI estimator "
                f"instance, got {value!r}"
            )
    elif not (hasattr(value, "fit") and hasattr(value, "get_params")):
        raise TypeError(
            "estimator must be 'auto', 'mutual_info', 'entropy', 'ksg' or an MI estimator "
            "instance with "
            f"fit(X, y) and get_params, got {value!r} ({type(value).__name__})"
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
            f"this scale; rescale the data (e.g. standardise it) or lower the channel noise"
        )
    codes = check_samples(raw, name=f"the output of {name}.transform")
    if codes.shape[0] != Z.shape[0]:
        raise ValueError(
            f"{name}.transform returned {codes.shape[0]} rows for {Z.shape[0]} samples: "
            "expected one code per sample"
        )
    return codes
