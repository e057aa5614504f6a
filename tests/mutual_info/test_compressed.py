"""CompressedMI: synthetic high-dimensional truth, a readable reference, properties, bad input.

Standard deviations quoted below were measured over 12 seeds (N = 4000, D = 64, strength = 1):
4 nats / 4 latent dims / PCA(4): SD 0.17 nats (the weighted KL terms in the 8-D joint dominate);
2 nats / 2 latent dims / PCA(2): SD 0.041; independence (2 latent dims): SD 0.033.
"""

import math
import re
import warnings

import numpy as np
import pytest
from scipy.spatial import cKDTree
from scipy.special import digamma
from sklearn.base import BaseEstimator
from sklearn.decomposition import PCA
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from infotheory import KSGMI, CompressedMI, GaussianMI
from infotheory.datasets import (
    correlated_gaussians,
    embed_pair,
    embedded_gaussians,
    gaussian_mixture,
)
from infotheory.entropy.knn import kl_weights, unit_ball_log_volume
from infotheory.mutual_info._diagnostics import InfotheoryWarning
from infotheory.mutual_info.auto import DegenerateInputWarning


def _embedded(mi, m, n=4000, seed=0, **kw):
    return embedded_gaussians(n, mi, latent_dim=m, dim=64, random_state=seed, **kw)


# -- closed forms -------------------------------------------------------------------------------


def test_recovers_2_nats_from_64_dimensions():
    X, Y, true_mi = _embedded(2.0, 2)
    est = CompressedMI(compressor=PCA(n_components=2)).fit(X, Y)
    # 3.5 SD of 0.041 (module docstring)
    assert abs(est.mutual_info_ - true_mi) < 0.15
    assert est.n_components_ == (2, 2)


def test_recovers_4_nats_where_plain_ksg_in_64_dimensions_does_not():
    """Default compressor PCA(4) on 4 latent dims; KSG on the raw 64-D data is biased low.

    Tolerance 0.6 nats = 3.5 SD (0.17) of the compressed estimate. Plain KSG (k=5) gives about
    3.2 nats here (SD below 0.05 over seeds): more than 0.6 below the truth.
    """
    X, Y, true_mi = _embedded(4.0, 4, n=5000, seed=1)
    compressed = CompressedMI().fit(X, Y).mutual_info_
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # KSGMI's own bias warning fires, as it should
        plain = KSGMI(k=5).fit(X, Y).mutual_info_
    assert abs(compressed - true_mi) < 0.6
    assert true_mi - plain > 0.6
    assert compressed > plain


def test_noise_matches_closed_form_of_the_linear_embedding():
    """strength=0, X = c Z Q L + σε with c² = D/m: the PCA codes are c Z Q + σε' and
    I = -(m/2) log(1 - ρ'²) with ρ'² = ρ² c² / (c² + σ²)."""
    m, D, sigma, mi = 2, 64, 2.0, 2.0
    X, Y, _ = embedded_gaussians(4000, mi, latent_dim=m, dim=D, strength=0.0, random_state=2)
    rho2 = -math.expm1(-2 * mi / m)
    c2 = D / m
    truth = -m / 2 * math.log1p(-rho2 * c2 / (c2 + sigma**2))
    est = CompressedMI(compressor=PCA(2), channel_noise=sigma, random_state=0).fit(X, Y)
    assert truth < mi
    assert abs(est.mutual_info_ - truth) < 0.15  # 3.5 SD of the noiseless case (0.041)


def test_independence_is_near_zero():
    X, Y, _ = _embedded(0.0, 2, seed=3)
    assert abs(CompressedMI(compressor=PCA(2)).fit(X, Y).mutual_info_) < 0.12  # 3.5 SD


def test_ksg_on_the_codes():
    X, Y, true_mi = _embedded(1.0, 2, seed=4)
    est = CompressedMI(compressor=PCA(2), estimator="ksg").fit(X, Y)
    assert abs(est.mutual_info_ - true_mi) < 0.1  # KSG SD ~0.02 at 1 nat, N=4000


def test_estimator_instance_and_base():
    """GaussianMI on linearly embedded Gaussians is the exact Gaussian MI of the codes."""
    X, Y, true_mi = embedded_gaussians(4000, 1.0, latent_dim=2, strength=0.0, random_state=5)
    nats = CompressedMI(compressor=PCA(2), estimator=GaussianMI(base=2)).fit(X, Y)
    bits = CompressedMI(compressor=PCA(2), estimator=GaussianMI(), base=2).fit(X, Y)
    codes_x = PCA(2).fit_transform(X)
    codes_y = PCA(2).fit_transform(Y)
    exact = GaussianMI().fit(codes_x, codes_y).mutual_info_
    assert nats.mutual_info_ == pytest.approx(exact, rel=1e-10)
    assert bits.mutual_info_ == pytest.approx(exact / math.log(2), rel=1e-10)
    assert abs(nats.mutual_info_ - true_mi) < 0.1


def test_any_transformer_as_compressor():
    """A pipeline ending in an invertible elementwise map (an 'encoder') leaves the MI unchanged."""
    X, Y, true_mi = _embedded(2.0, 2, seed=6)
    encoder = make_pipeline(PCA(2), FunctionTransformer(np.arcsinh))
    est = CompressedMI(compressor=encoder).fit(X, Y)
    assert abs(est.mutual_info_ - true_mi) < 0.15


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(3))
def test_recovers_4_nats_large_n(seed):
    X, Y, true_mi = _embedded(4.0, 4, n=20000, seed=10 + seed)
    # SD scales as N^-1/2: 0.17 * sqrt(4000/20000) = 0.076; 3.5 SD
    assert abs(CompressedMI().fit(X, Y).mutual_info_ - true_mi) < 0.27


# -- reference implementation -------------------------------------------------------------------


def _reference_entropy(Z, k):
    """Readable weighted KL entropy of Z, whitened by the symmetric inverse square root."""
    C = np.cov(Z, rowvar=False)
    vals, vecs = np.linalg.eigh(C)
    W = (Z - Z.mean(0)) @ vecs @ np.diag(vals**-0.5) @ vecs.T
    n, d = W.shape
    dist, _ = cKDTree(W).query(W, k=k + 1)
    w = kl_weights(k, d) if d >= 4 else np.eye(k)[-1]
    per_rank = [digamma(n) - digamma(j) + unit_ball_log_volume(d, "euclidean")
                + d * np.log(dist[:, j]).mean() for j in range(1, k + 1)]
    return float(np.dot(w, per_rank)) + 0.5 * np.sum(np.log(vals))


def test_entropy_path_matches_the_reference():
    X, Y, _ = _embedded(2.0, 3, n=1500, seed=7)
    A = PCA(3).fit_transform(X)
    B = PCA(3).fit_transform(Y)
    ref = (_reference_entropy(A, 5) + _reference_entropy(B, 5)
           - _reference_entropy(np.hstack([A, B]), 5))
    est = CompressedMI(compressor=PCA(3), estimator="entropy").fit(X, Y)
    assert est.mutual_info_ == pytest.approx(ref, abs=1e-9)


# -- properties ---------------------------------------------------------------------------------


def test_symmetry():
    X, Y, _ = _embedded(2.0, 2, n=2000, seed=8)
    for method in ("entropy", "ksg"):
        xy = CompressedMI(compressor=PCA(2), estimator=method).fit(X, Y).mutual_info_
        yx = CompressedMI(compressor=PCA(2), estimator=method).fit(Y, X).mutual_info_
        assert xy == pytest.approx(yx, abs=1e-9)


def test_invariant_to_invertible_linear_maps_of_low_dimensional_inputs():
    """PCA with all components is a rotation; whitening removes any invertible linear map
    exactly on the entropy route (the rank-based estimators of the default route see a rotation
    of the whitened codes: equal up to sampling noise)."""
    X, Y, _ = correlated_gaussians(2000, 1.0, dim=2, random_state=9)
    rng = np.random.default_rng(0)
    A, B = rng.normal(size=(2, 2)), rng.normal(size=(2, 2))
    est = CompressedMI(compressor=PCA(2), estimator="entropy")
    assert est.fit(X @ A, Y @ B).mutual_info_ == pytest.approx(
        est.fit(X, Y).mutual_info_, abs=1e-9)


def test_invariant_to_rotation_and_scaling_of_high_dimensional_inputs():
    X, Y, _ = _embedded(2.0, 2, n=2000, seed=10)
    Q = np.linalg.qr(np.random.default_rng(1).normal(size=(64, 64)))[0]
    est = CompressedMI(compressor=PCA(2), estimator="entropy")
    assert est.fit(3.0 * X @ Q, Y).mutual_info_ == pytest.approx(
        est.fit(X, Y).mutual_info_, abs=1e-9)


def test_noise_lowers_mi_monotonically():
    X, Y, _ = _embedded(2.0, 2, seed=11)
    values = [CompressedMI(compressor=PCA(2), estimator="entropy", channel_noise=s,
                           random_state=0)
              .fit(X, Y).mutual_info_ for s in (0.0, 1.0, 3.0, 10.0)]
    assert all(a > b for a, b in zip(values, values[1:]))


def test_fit_learns_score_applies_without_refitting():
    X, Y, _ = _embedded(2.0, 2, n=3000, seed=12)
    est = CompressedMI(compressor=PCA(2), channel_noise=0.5, random_state=3).fit(X[:2000], Y[:2000])
    components = est.compressor_.components_.copy()
    assert est.score(X[:2000], Y[:2000]) == pytest.approx(est.mutual_info_, abs=1e-12)
    held_out = est.score(X[2000:], Y[2000:])
    np.testing.assert_array_equal(est.compressor_.components_, components)
    assert abs(held_out - est.mutual_info_) < 0.3


def test_y_uncompressed():
    X, Y, true_mi = _embedded(2.0, 2, seed=13)
    Z = PCA(2).fit_transform(Y)
    est = CompressedMI(compressor=PCA(2), y_compressor=None).fit(X, Z)
    assert est.y_compressor_ is None
    assert abs(est.mutual_info_ - true_mi) < 0.15


def test_deterministic_given_random_state():
    X, Y, _ = _embedded(1.0, 2, n=1000, seed=14)
    a = CompressedMI(compressor=PCA(2), channel_noise=1.0, random_state=5).fit(X, Y).mutual_info_
    b = CompressedMI(compressor=PCA(2), channel_noise=1.0, random_state=5).fit(X, Y).mutual_info_
    assert a == b


# -- bad input ----------------------------------------------------------------------------------


class _NoTransform:
    def fit(self, X):
        return self

    def get_params(self, deep=True):
        return {}


_X = np.random.default_rng(0).normal(size=(50, 6))
_Y = np.random.default_rng(1).normal(size=(50, 6))


@pytest.mark.parametrize(
    ("params", "exc", "match"),
    [
        ({"compressor": _NoTransform()}, TypeError,
         "compressor must be a scikit-learn transformer.*_NoTransform.*without transform"),
        ({"y_compressor": "nope"}, ValueError, "y_compressor must be 'same', None or a"),
        ({"y_compressor": 3}, TypeError, "y_compressor must be a scikit-learn transformer"),
        ({"compressor": PCA(7)}, ValueError,
         r"compressor has n_components=7 but X has 6 feature\(s\).*n_components <= n_features"),
        ({"estimator": "kde"}, ValueError,
         "estimator must be 'auto', 'mutual_info', 'entropy', 'ksg' or an MI"),
        ({"estimator": 3}, TypeError,
         "estimator must be 'auto', 'mutual_info', 'entropy', 'ksg' or an MI estimator"),
        ({"k": 0}, ValueError, "k must be >= 1, got 0"),
        ({"k": 2.5}, TypeError, "k must be an int, got 2.5"),
        ({"channel_noise": -1.0}, ValueError, "channel_noise must be >= 0, got -1.0"),
        ({"channel_noise": float("inf")}, ValueError,
         "channel_noise must be a finite number >= 0, got inf"),
        ({"noise": -1.0}, ValueError, "noise must be >= 0, got -1.0"),
        ({"n_components": 0}, ValueError, "n_components must be >= 1, got 0"),
        ({"n_components": "mle"}, ValueError, "n_components must be 'auto' or an int >= 1"),
        ({"n_components": 7}, ValueError,
         r"n_components=7 but X has 6 feature\(s\).*n_components <= n_features"),
        ({"compressor": "ica"}, ValueError,
         "compressor must be one of 'pca', 'learned' or None or a"),
        ({"n_jobs": 0}, ValueError, "n_jobs must be a positive int"),
        ({"random_state": "x"}, TypeError, "random_state must be None, an int"),
        ({"base": 1}, ValueError, "base must be > 0 and != 1"),
    ],
)
def test_bad_parameters(params, exc, match):
    with pytest.raises(exc, match=match):
        CompressedMI(**params).fit(_X, _Y)


def test_y_narrower_than_the_compression_suggests_y_compressor_none():
    with pytest.raises(ValueError, match=r"n_components=4 but y has 1 "
                                         r"feature\(s\).*y_compressor=None"):
        CompressedMI(n_components=4).fit(_X, _Y[:, 0])


def test_bad_arrays():
    est = CompressedMI()
    with pytest.raises(ValueError, match=r"minimum of 6 is required by CompressedMI "
                                         r"\(k=5 neighbours"):
        est.fit(_X[:5], _Y[:5])
    bad = _X.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="X contains 1 NaN and 0 inf"):
        est.fit(bad, _Y)
    with pytest.raises(ValueError, match="X and y must have the same number of samples"):
        est.fit(_X, _Y[:40])
    with pytest.raises(ValueError, match="X must be 1-D or 2-D"):
        est.fit(_X.reshape(50, 2, 3), _Y)
    with pytest.raises(ValueError, match="X is empty"):
        est.fit(np.empty((0, 6)), _Y)
    with pytest.raises(TypeError, match="X must be numeric"):
        est.fit(np.full((50, 6), "a"), _Y)
    with pytest.raises(ValueError, match="CompressedMI requires y to be passed"):
        est.fit(_X)


def test_score_checks():
    with pytest.raises(NotFittedError):
        CompressedMI().score(_X, _Y)
    est = CompressedMI().fit(_X, _Y)
    with pytest.raises(ValueError, match="X has 5 features, but CompressedMI is expecting 6"):
        est.score(_X[:, :5], _Y)
    with pytest.raises(ValueError, match="y has 5 features, but CompressedMI is expecting 6"):
        est.score(_X, _Y[:, :5])


def test_compressor_output_is_validated():
    bad = FunctionTransformer(lambda Z: np.full_like(Z, np.nan))
    with pytest.raises(ValueError, match="compressor.transform gave .* non-finite code"):
        CompressedMI(compressor=bad).fit(_X, _Y)


def test_singular_codes_are_named():
    dup = FunctionTransformer(lambda Z: np.hstack([Z[:, :1], Z[:, :1]]))
    with pytest.raises(ValueError, match="covariance of the codes of X is singular"):
        CompressedMI(compressor=dup).fit(_X, _Y)


# -- n_components="auto", channel_noise, honesty warnings, learned compressor ------------------


@pytest.mark.parametrize("dim", [1, 2, 3])
def test_auto_works_below_four_features(dim):
    """Correlated Gaussians, 1 nat, N = 3000: codes as wide as the data; the t copula is
    exact for Gaussian dependence (SD about 0.02 here), rank KSG at d = 1 (SD about 0.02).
    Tolerance 0.1."""
    X, Y, true_mi = correlated_gaussians(3000, mi=1.0, dim=dim, random_state=dim)
    est = CompressedMI(random_state=0).fit(X, Y)
    assert est.n_components_ == (dim, dim)
    assert est.estimator_ == "mutual_info"
    assert est.code_method_ in ("t_copula", "ksg_ranks", "mixture_copula")
    assert abs(est.mutual_info_ - true_mi) < 0.1


@pytest.mark.parametrize(("mi", "dim"), [
    (2.0, 64), pytest.param(1.0, 256, marks=pytest.mark.slow)])
def test_auto_within_15_percent_where_the_knn_routes_missed(mi, dim):
    """4 latent dimensions, N = 5000, the data on which the kNN routes erred by 20-36 % (KSG on
    the 4 + 4 codes reads 0.88 for 1 nat, on the true latents too: the loss was the
    estimator's, not the compression's). SD of the default route over seeds: about 0.02."""
    X, Y, true_mi = embedded_gaussians(5000, mi, latent_dim=4, dim=dim, random_state=100)
    est = CompressedMI(random_state=0).fit(X, Y)
    assert est.n_components_ == (4, 4)
    assert est.estimator_ == "mutual_info"
    assert abs(est.mutual_info_ - true_mi) <= 0.15 * true_mi


def test_auto_components_take_the_spectral_gap_past_a_low_intrinsic_dimension():
    """At 8 latent dimensions Levina-Bickel reads about 7.5 (7 once rounded); the PCA spectrum
    drops 300-fold after the 8th component and the rule takes that gap."""
    from infotheory.dimension import intrinsic_dimension
    from infotheory.mutual_info.compressed import _auto_components

    X, _, _ = embedded_gaussians(3000, 2.0, latent_dim=8, dim=64, random_state=110)
    assert round(intrinsic_dimension(X, random_state=np.random.default_rng(0))) == 7
    assert _auto_components(X, np.random.default_rng(0)) == 8
    # no gap (isotropic features): the rounded intrinsic dimension, never more than the features
    Z = np.random.default_rng(1).normal(size=(3000, 3))
    assert _auto_components(Z, np.random.default_rng(0)) == 3
    assert _auto_components(Z[:, :1], np.random.default_rng(0)) == 1


def test_mutual_info_route_is_auto_and_reproducible():
    X, Y, _ = _embedded(1.0, 2, n=1500, seed=24)
    auto = CompressedMI(random_state=3).fit(X, Y)
    named = CompressedMI(estimator="mutual_info", random_state=3).fit(X, Y)
    assert auto.mutual_info_ == named.mutual_info_
    assert auto.code_method_ == named.code_method_
    assert auto.code_method_ in ("t_copula", "mixture_copula", "ksg_ranks")
    assert auto.score(X, Y) == auto.mutual_info_
    ksg = CompressedMI(compressor=PCA(2), estimator="ksg").fit(X, Y)
    assert ksg.code_method_ == "ksg"
    assert CompressedMI(compressor=PCA(2), estimator=GaussianMI()).fit(
        X, Y).code_method_ == "GaussianMI"


def test_too_wide_codes_warn_instead_of_returning_32_nats_silently():
    """PCA(8) of data on a 4-dimensional manifold: the codes have no density in 8-D."""
    X, Y, _ = embedded_gaussians(4000, 2.0, latent_dim=4, dim=128, random_state=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        est = CompressedMI(compressor=PCA(8), estimator="entropy").fit(X, Y)
    messages = " ".join(str(w.message) for w in caught)
    assert est.mutual_info_ > math.log(4000)
    assert "exceeds log(n_samples)" in messages
    # Levina-Bickel reads 4.0-4.2 for the 4-D latent manifold
    assert re.search(r"lie near a 4\.[0-2]-dimensional manifold", messages)
    assert "biased low" not in messages  # the intrinsic dimension is low, not high
    with pytest.warns(InfotheoryWarning, match=r"lie near a 4\.[0-2]-dimensional manifold"):
        CompressedMI(compressor=PCA(8), estimator="ksg").fit(X, Y)


def test_high_intrinsic_dimension_warns_lower_estimate():
    """20 isotropic informative features: no spectral gap, the Levina-Bickel estimate (about
    15) drops directions that carry information, and the warning says so."""
    X, Y, true_mi = correlated_gaussians(3000, mi=1.0, dim=20, random_state=0)
    with pytest.warns(InfotheoryWarning, match="no spectral gap shows.*lower estimate"):
        est = CompressedMI(random_state=0).fit(X, Y)
    assert 6 < est.n_components_[0] < 20
    assert 0 <= est.mutual_info_ < true_mi


def test_no_warning_on_a_good_fit():
    X, Y, _ = _embedded(1.0, 2, seed=21)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        CompressedMI(random_state=0).fit(X, Y)


def test_wide_codes_on_a_spectral_gap_do_not_warn():
    """8-wide PCA codes of data on an 8-dimensional manifold: the spectral gap confirms the
    width, the copula model is unbiased there, the value is right and nothing warns."""
    X, Y, true_mi = embedded_gaussians(2000, 2.0, latent_dim=8, dim=64, random_state=25)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        est = CompressedMI(random_state=0).fit(X, Y)
    assert est.n_components_ == (8, 8)
    assert abs(est.mutual_info_ - true_mi) <= 0.15 * true_mi


def test_identical_variables_are_named_not_estimated():
    """Identical codes: MutualInfo names the case (infinite MI) and nothing else warns."""
    X, _, _ = _embedded(1.0, 2, n=500, seed=26)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        est = CompressedMI(random_state=0).fit(X, X)
    assert est.mutual_info_ == math.inf
    assert est.code_method_ == "degenerate"
    assert [type(w.message) for w in caught] == [DegenerateInputWarning]


class _ConstantMI(BaseEstimator):
    """An 'MI estimator' returning a fixed value, to drive the plausibility checks."""

    def __init__(self, value=0.0):
        self.value = value

    def fit(self, A, B):
        self.mutual_info_ = self.value
        return self


def test_clearly_negative_estimate_warns_and_small_negative_does_not():
    X, Y, _ = _embedded(1.0, 2, n=1000, seed=23)
    with pytest.warns(InfotheoryWarning, match="clearly negative"):
        CompressedMI(estimator=_ConstantMI(-0.5), random_state=0).fit(X, Y)
    # -0.05 nats is within the kNN noise at independence (3 SD = 0.1): silent.
    assert CompressedMI(estimator=_ConstantMI(-0.05),
                        random_state=0).fit(X, Y).mutual_info_ == -0.05


def test_noise_is_a_deprecated_alias_of_channel_noise():
    X, Y, _ = _embedded(2.0, 2, n=1000, seed=22)
    new = CompressedMI(compressor=PCA(2), channel_noise=1.0, random_state=0).fit(X, Y)
    old = CompressedMI(compressor=PCA(2), noise=1.0, random_state=0)
    with pytest.warns(FutureWarning, match="use channel_noise"):
        old.fit(X, Y)
    assert old.mutual_info_ == new.mutual_info_
    with pytest.raises(ValueError, match="disagree"), pytest.warns(FutureWarning):
        CompressedMI(noise=1.0, channel_noise=2.0).fit(X, Y)


@pytest.mark.slow
def test_learned_compressor_is_a_lower_estimate():
    pytest.importorskip("optax")
    X, Y, true_mi = embedded_gaussians(2000, 1.0, latent_dim=2, dim=16, random_state=0)
    est = CompressedMI(compressor="learned", random_state=0).fit(X, Y)
    assert est.n_components_ == (2, 2)
    assert est.estimator_ == "mutual_info"
    # I(E(X); E(Y)) <= I(X; Y) up to KSG's noise (SD ~0.03); the encoders keep most of it.
    assert 0.5 < est.mutual_info_ < true_mi + 0.1
    assert est.score(X, Y) == pytest.approx(est.mutual_info_)


@pytest.mark.slow
@pytest.mark.parametrize("dim", [64, 128, 256])
@pytest.mark.parametrize("latent_dim", range(1, 9))
@pytest.mark.parametrize("mi", [1.0, 2.0, 3.0, 4.0])
def test_auto_within_15_percent_on_embedded_gaussians(mi, latent_dim, dim):
    """The issue's acceptance grid, N = 5000, on other draws than the benchmark's (which prints
    the same grid: worst relative error 1-3 %, see benchmarks/bench_compressed.py)."""
    X, Y, true_mi = embedded_gaussians(5000, mi, latent_dim=latent_dim, dim=dim,
                                       random_state=200 + latent_dim)
    est = CompressedMI(random_state=0).fit(X, Y)
    assert est.n_components_ == (latent_dim, latent_dim)
    assert abs(est.mutual_info_ - true_mi) <= 0.15 * true_mi


@pytest.mark.slow
@pytest.mark.parametrize(("latents", "strength"), [
    (lambda n: gaussian_mixture(n, 3, 3, n_components=2, rho=0.9, random_state=1), 1.0),
    (lambda n: correlated_gaussians(n, 2.0, dim=4, random_state=2), 4.0),
    (lambda n: correlated_gaussians(n, 2.0, dim=4, random_state=3), -0.9),
], ids=["mixture-3+3", "gauss-4+4-strong-bend", "gauss-4+4-flattening-bend"])
def test_auto_within_15_percent_beyond_gaussian_latents(latents, strength):
    """A mixture whose features are uncorrelated yet dependent (Monte-Carlo truth), and Gaussian
    latents under a strong (f' up to 5) or a flattening (f'(0) = 0.1) tanh bend, embedded in
    128 dimensions. Measured on other draws: -1 %, -5 %, -6 %. (Uniform noise latents are not
    listed: the codes' estimators read 14-26 % low there, on the true latents too, a limit
    documented in the class.)"""
    U, V, true_mi = latents(5000)
    X, Y = embed_pair(U, V, dim=128, strength=strength, random_state=7)
    est = CompressedMI(random_state=0).fit(X, Y)
    assert abs(est.mutual_info_ - true_mi) <= 0.15 * true_mi


@pytest.mark.parametrize("shape, m", [((500, 12), 3), ((40, 60), 5), ((300, 600), 4)])
def test_default_pca_compressor_matches_scikit_learn(shape, m):
    """The package's PCA (NumPy eigendecomposition up to 512 features when there are more
    samples than features, scikit-learn's PCA otherwise) against scikit-learn's."""
    from infotheory.mutual_info.compressed import _PCA

    rng = np.random.default_rng(0)
    X = rng.normal(size=shape) @ np.diag(np.linspace(3.0, 0.5, shape[1])) + 2.0
    ours, ref = _PCA(n_components=m, random_state=0).fit(X), PCA(m, random_state=0).fit(X)
    np.testing.assert_allclose(ours.explained_variance_, ref.explained_variance_, rtol=1e-9)
    np.testing.assert_allclose(ours.explained_variance_ratio_, ref.explained_variance_ratio_,
                               rtol=1e-9)
    assert ours.n_components_ == ref.n_components_ == m
    assert ours.noise_variance_ == pytest.approx(ref.noise_variance_, rel=1e-9)
    # the same codes up to the sign of each component
    a, b = ours.transform(X), ref.transform(X)
    np.testing.assert_allclose(np.abs(a), np.abs(b), rtol=1e-7, atol=1e-9)
