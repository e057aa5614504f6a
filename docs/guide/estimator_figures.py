"""Figures of the guide "Choosing an estimator", computed by every docs build.

Each public function draws one figure with pyplot (matplotlib's plot directive collects it). The
data come from the samplers of :mod:`infotheory.datasets`, whose true values are known in closed
form; the estimators come from :func:`infotheory.all_estimators`, so an estimator added to the
package appears in the figures without an edit here. The grids are small (five sample sizes, two
seeds) to keep the whole page within a few tens of seconds on two cores.
"""

import time
import warnings

import matplotlib.pyplot as plt
import numpy as np

import infotheory
from infotheory import datasets

NS = (250, 500, 1000, 2000, 4000)
SEEDS = (0, 1)

# Registered estimators that are not drawn in the continuous-pairs figure, and why. Every other
# estimator whose result is ``mutual_info_`` is drawn there with its default parameters.
NOT_FOR_CONTINUOUS_PAIRS = {
    "BinnedMI": "bins activations against class labels",
    "MixedMI": "needs class labels",
    "DiscreteMI": "needs discrete symbols",
    "ConditionalMI": "estimates I(X;Y|Z); without Z it is KSGMI",
    "DiffusionSpectralMI": "a spectral quantity, not Shannon MI",
}
# Estimators too slow for the docs build (each figure fits every estimator about 60 times), by
# name, with the reason. Any other estimator whose second fit on 250 samples of the probe below
# takes more than MAX_PROBE_SECONDS of CPU is left out too, and named on the figure.
TOO_SLOW = {}
MAX_PROBE_SECONDS = 1.0
# Entropy estimators that do not estimate the differential entropy of continuous samples.
NOT_DIFFERENTIAL_ENTROPY = {
    "BinnedEntropy": "entropy of bin symbols, at most log N",
    "DiscreteEntropy": "needs discrete symbols",
    "DiffusionSpectralEntropy": "a spectral quantity, not Shannon entropy",
}


def _estimators(result_attr, leave_out):
    return {
        name: cls
        for name, cls in infotheory.all_estimators().items()
        if getattr(cls, "_result_attr", None) == result_attr and name not in leave_out
    }


def _fast_enough(cls):
    """Whether a fit on 250 samples takes at most MAX_PROBE_SECONDS of CPU after a first one.

    The first fit is not timed: it includes the one-off compilation of numba kernels.
    """
    X, Y, _ = datasets.correlated_gaussians(250, 0.5, dim=4, random_state=0)
    if _fit(cls(), X, Y)[0] is None:
        return True  # rejects the probe; the panels say where it applies
    start = time.process_time()
    _fit(cls(), X, Y)
    return time.process_time() - start <= MAX_PROBE_SECONDS


def continuous_mi_estimators():
    """``{name: class}`` of the MI estimators drawn for pairs of continuous arrays, and the names
    of those left out because they were too slow on the probe."""
    candidates = _estimators("mutual_info_", {**NOT_FOR_CONTINUOUS_PAIRS, **TOO_SLOW})
    fast = {name: cls for name, cls in candidates.items() if _fast_enough(cls)}
    return fast, sorted(set(candidates) - set(fast))


def differential_entropy_estimators():
    """``{name: class}`` of the entropy estimators drawn for continuous samples."""
    return _estimators("entropy_", {**NOT_DIFFERENTIAL_ENTROPY, **TOO_SLOW})


def _fit(estimator, *data):
    """Fitted value and whether the estimator warned; None where it rejects the input."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            estimator.fit(*data)
        except ValueError:  # e.g. a compressor with more components than the data has features
            return None, False
    return estimator.value_, bool(caught)


def _curves(estimators, sample, ns=NS, seeds=SEEDS):
    """Mean estimate over seeds at every N, and whether any fit at that N warned."""
    curves = {}
    for name, cls in estimators.items():
        means, warned = [], []
        for n in ns:
            fits = [_fit(cls(), *sample(n, seed)) for seed in seeds]
            if any(value is None for value, _ in fits):
                break
            means.append(np.mean([value for value, _ in fits]))
            warned.append(any(w for _, w in fits))
        else:
            curves[name] = (np.array(means), np.array(warned))
    return curves


def _colors(names):
    """One colour per estimator, the same in every panel of a figure."""
    return {name: f"C{i % 10}" for i, name in enumerate(sorted(names))}


def _log_n_axis(ax, ns=NS):
    ax.set_xscale("log")
    ax.minorticks_off()
    ax.set_xticks(ns, [str(n) for n in ns])
    ax.set_xlabel("N")


def _draw(ax, curves, truth, title, colors, *, ns=NS, ylabel="estimate [nats]", leftover=()):
    for name, (means, warned) in sorted(curves.items()):
        color = colors[name]
        ax.plot(ns, means, color=color, marker="o", markersize=4, label=name)
        if warned.any():  # hollow rings: the estimator returned the value with a warning
            ax.plot(np.asarray(ns)[warned], means[warned], linestyle="none", marker="o",
                    markersize=9, markerfacecolor="none", markeredgecolor=color)
    if truth is not None:
        ax.axhline(truth, color="k", linestyle="--", linewidth=1, label="truth")
    _log_n_axis(ax, ns)
    ax.set_title(title, fontsize="medium")
    ax.set_ylabel(ylabel)
    if leftover:
        ax.text(0.02, 0.02, "rejected the input: " + ", ".join(sorted(leftover)),
                transform=ax.transAxes, fontsize="x-small", color="0.35")


def _legend(fig, axes):
    handles, labels = {}, []
    for ax in np.ravel(axes):
        for h, label in zip(*ax.get_legend_handles_labels()):
            if label not in handles:
                handles[label] = h
                labels.append(label)
    labels.sort(key=lambda label: label == "truth")  # the estimators first, the truth last
    fig.legend([handles[label] for label in labels], labels, loc="outside lower center",
               ncols=min(len(labels), 6), fontsize="small")


def continuous_mi():
    """MI of continuous pairs: estimate vs N against the truth, per estimator and dimension."""
    estimators, too_slow = continuous_mi_estimators()

    def gaussians(mi, dim, transform=None):
        def sample(n, seed):
            X, Y, _ = datasets.correlated_gaussians(n, mi, dim=dim, random_state=seed)
            if transform:
                X, Y = datasets.monotone_transform(X, transform), datasets.monotone_transform(
                    Y, transform)
            return X, Y
        return sample

    def student(df, rho, dim):
        def sample(n, seed):
            X, Y, _ = datasets.student_t(n, df, rho=rho, dim=dim, random_state=seed)
            return X, Y
        return sample

    def embedded(mi, latent_dim, dim):
        def sample(n, seed):
            X, Y, _ = datasets.embedded_gaussians(n, mi, latent_dim=latent_dim, dim=dim,
                                                  random_state=seed)
            return X, Y
        return sample

    panels = [
        ("Gaussian, d = 1 per side", gaussians(0.5, 1), 0.5),
        ("Gaussian, d = 4", gaussians(1.0, 4), 1.0),
        ("Gaussian, d = 16", gaussians(4.0, 16), 4.0),
        ("Gaussian through $x^3$, d = 4", gaussians(1.0, 4, "cube"), 1.0),
        (r"Student-t, $\nu = 3$, $\rho = 0$, d = 4", student(3.0, 0.0, 4),
         datasets.student_t_mi(3.0, 0.0, dim=4)),
        ("2-d Gaussians embedded in d = 32", embedded(2.0, 2, 32), 2.0),
    ]
    fig, axes = plt.subplots(2, 3, figsize=(12, 7.2), layout="constrained")
    for ax, (title, sample, truth) in zip(axes.ravel(), panels):
        curves = _curves(estimators, sample)
        _draw(ax, curves, truth, title, _colors(estimators),
              leftover=set(estimators) - set(curves))
    _legend(fig, axes)
    if too_slow:
        fig.suptitle("left out, too slow for the docs build: " + ", ".join(too_slow),
                     fontsize="small", color="0.35")


def labels_and_binning():
    """Discrete symbols, and binned estimates saturating at log N and H(Y)."""
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.9), layout="constrained")

    # A 16 x 16 joint pmf: X uniform, Y = X with probability 0.5, else uniform.
    k = 16
    pmf = np.full((k, k), 0.5 / k**2) + np.eye(k) * 0.5 / k
    _, _, truth = datasets.discrete_joint(10, pmf, random_state=0)
    curves = {}
    for method in ("plugin", "miller_madow"):
        means = [np.mean([infotheory.DiscreteMI(method=method).fit(*datasets.discrete_joint(
            n, pmf, random_state=s)[:2]).mutual_info_ for s in SEEDS]) for n in NS]
        curves[f"DiscreteMI({method})"] = (np.array(means), np.zeros(len(NS), bool))
    _draw(axes[0], curves, truth, "discrete symbols, 16 x 16 alphabet", _colors(curves))
    axes[0].legend(fontsize="x-small")

    # Continuous T independent of 10 balanced labels: the truth is 0. Binning T (as the
    # information plane does) gives every sample its own symbol once T has a few dimensions.
    n_classes = 10
    for i, dim in enumerate((1, 2, 4, 8)):
        color = f"C{i}"
        ty, xt, mixed = [], [], []
        for n in NS:
            rng = np.random.default_rng(n)
            T = rng.standard_normal((n, dim))
            y = np.arange(n) % n_classes
            ty.append(infotheory.BinnedMI().fit(T, y).mutual_info_)
            xt.append(infotheory.BinnedEntropy().fit(T).entropy_)
            if dim in (1, 8):
                mixed.append(infotheory.MixedMI().fit(T, y).mutual_info_)
        axes[1].plot(NS, ty, color=color, marker="o", markersize=4, label=f"BinnedMI, d = {dim}")
        if mixed:
            axes[1].plot(NS, mixed, color=color, marker="s", markersize=4, linestyle=":",
                         label=f"MixedMI, d = {dim}")
        axes[2].plot(NS, xt, color=color, marker="o", markersize=4, label=f"d = {dim}")
    axes[1].axhline(np.log(n_classes), color="0.5", linestyle="-.", linewidth=1,
                    label="H(Y) = log 10")
    axes[1].axhline(0.0, color="k", linestyle="--", linewidth=1, label="truth")
    _log_n_axis(axes[1])
    axes[1].set_ylabel("estimate [nats]")
    axes[1].set_title("I(T;Y), T independent of 10 labels", fontsize="medium")
    axes[1].set_ylim(-0.2, 3.6)
    axes[1].legend(fontsize="xx-small", ncols=3, loc="upper center")
    axes[2].plot(NS, np.log(NS), color="k", linestyle="-.", linewidth=1, label="log N")
    _log_n_axis(axes[2])
    axes[2].set_ylabel("H(T) of the bins [nats]")
    axes[2].set_title("binned I(X;T) = H(T) of a Gaussian T", fontsize="medium")
    axes[2].legend(fontsize="x-small")


def differential_entropy():
    """Differential entropy: estimate vs N against the truth, per estimator and dimension."""
    estimators = differential_entropy_estimators()

    def gaussian(dim):
        cov = 0.5 * np.eye(dim) + 0.5  # unit variances, correlation 0.5
        return (lambda n, seed: (datasets.gaussian(n, cov, random_state=seed)[0],),
                datasets.gaussian(2, cov, random_state=0)[1])

    def uniform(dim):
        return (lambda n, seed: (datasets.uniform(n, dim=dim, random_state=seed)[0],),
                datasets.uniform(2, dim=dim, random_state=0)[1])

    panels = [("Gaussian, d = 1", *gaussian(1)), ("Gaussian, d = 4", *gaussian(4)),
              ("Gaussian, d = 16", *gaussian(16)), ("uniform cube, d = 4", *uniform(4))]
    fig, axes = plt.subplots(1, 4, figsize=(12, 3.6), layout="constrained")
    for ax, (title, sample, truth) in zip(axes, panels):
        curves = _curves(estimators, sample)
        _draw(ax, curves, truth, title, _colors(estimators),
              leftover=set(estimators) - set(curves))
    _legend(fig, axes)


def spectral():
    """DSE's bandwidth against the scale of the data; the Vendi score's kernel on clusters."""
    dse, vendi = infotheory.DiffusionSpectralEntropy, infotheory.VendiScore
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.9), layout="constrained")

    # Ten Gaussian clusters in 8 dimensions, then the same points rescaled.
    rng = np.random.default_rng(0)
    centres = rng.standard_normal((10, 8)) * 3.0
    Z = centres[np.arange(400) % 10] + rng.standard_normal((400, 8))
    scales = np.logspace(-2, 2, 9)
    for bandwidth, style in ((10.0, "o-"), ("median", "s--")):
        with warnings.catch_warnings():  # the scale artefact shown here is what the warning says
            warnings.simplefilter("ignore", infotheory.BandwidthWarning)
            values = [dse(bandwidth=bandwidth).fit(c * Z).entropy_ for c in scales]
        axes[0].plot(scales, values, style, markersize=4, label=f"bandwidth={bandwidth!r}")
    axes[0].axhline(np.log(len(Z)), color="0.5", linestyle="-.", linewidth=1, label="log N")
    axes[0].set(xscale="log", xlabel="scale c of the data (c * X)", ylabel="DSE [nats]")
    axes[0].set_title("DSE of the same clusters at another scale", fontsize="medium")
    axes[0].legend(fontsize="x-small")

    # k tight, well separated clusters of equal size: k distinct items, the Vendi score's truth
    # for a kernel that is ~1 within a cluster (distances ~0.8) and ~0 between clusters (~24),
    # as the RBF kernel of bandwidth 5 is.
    ks = (1, 2, 4, 8, 16)
    kernels = {"cosine (default)": {}, "rbf, median bandwidth": {"kernel": "rbf"},
               "rbf, bandwidth 5": {"kernel": "rbf", "bandwidth": 5.0}}
    rng = np.random.default_rng(1)
    clouds = []
    for k in ks:
        # Centres away from the origin: all points then point in similar directions, which is
        # what the cosine kernel compares, while their distances separate the clusters.
        centres = rng.standard_normal((k, 32)) * 3.0 + 5.0
        clouds.append(centres[np.arange(400) % k] + 0.1 * rng.standard_normal((400, 32)))
    for label, params in kernels.items():
        axes[1].plot(ks, [vendi(**params).fit(Z_k).score_ for Z_k in clouds], "o-",
                     markersize=4, label=label)
    axes[1].plot(ks, ks, color="k", linestyle="--", linewidth=1, label="truth: k clusters")
    axes[1].set(xscale="log", yscale="log", xlabel="number of clusters k",
                ylabel="Vendi score")
    axes[1].minorticks_off()
    axes[1].set_xticks(ks, [str(k) for k in ks])
    axes[1].set_yticks(ks, [str(k) for k in ks])
    axes[1].set_title("Vendi score of k clusters, by kernel", fontsize="medium")
    axes[1].legend(fontsize="x-small")
