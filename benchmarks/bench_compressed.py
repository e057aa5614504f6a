"""CompressedMI on high-dimensional embeddings of latents with known MI.

Two tables, same samples for every estimator in a row:

1. Compressed MI vs plain KSG on 64-D :func:`infotheory.datasets.embedded_gaussians` (latent
   Gaussians of known MI mapped smoothly and injectively into 64 dimensions): estimate, error
   against the truth and best-of-3 wall time.
2. The accuracy grid: ``CompressedMI()`` with its defaults (``n_components="auto"``, the codes'
   MI by ``MutualInfo``'s rule) on ``embedded_gaussians`` at N = 5000, true MI 1-4 nats, latent
   dimension 1-8, ambient dimension 64-256, beside the entropy route of Butakov et al. on the
   same codes (``estimator="entropy"``, the reference method). Relative error, code widths,
   what estimated the codes' MI and the time per estimate; the worst relative error last.
3. Non-Gaussian latents (a Gaussian mixture whose features are uncorrelated yet dependent,
   uniform signal plus uniform noise) and Gaussian latents under a strong or a flattening tanh
   bend, embedded by :func:`infotheory.datasets.embed_pair` into 128 dimensions: PCA codes
   beside the learned encoders (``compressor="learned"``, when JAX is installed).

Run: ``python -m benchmarks compressed [--quick]`` (quick: N = 2000, dims 64, latent 1/4/8, no
learned encoders).
"""

from __future__ import annotations

import importlib.util
import warnings

from sklearn.decomposition import PCA

from benchmarks._timing import row, timed
from infotheory import KSGMI, CompressedMI
from infotheory.datasets import (
    correlated_gaussians,
    embed_pair,
    embedded_gaussians,
    gaussian_mixture,
    uniform_additive_noise,
)

_WIDTHS = (22, 7, 6, 10, 9, 9, 9, 9, 8)
_GRID_WIDTHS = (4, 3, 4, 6, 7, 7, 8, 7, 8, 14, 7)


def _plain_ksg(X, Y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the bias warning is the point of the comparison
        return KSGMI(k=5).fit(X, Y).mutual_info_


def _compressed(X, Y, m):
    return CompressedMI(compressor=PCA(n_components=m)).fit(X, Y).mutual_info_


def _fit(X, Y, **params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the table shows the values the warnings are about
        return CompressedMI(random_state=0, **params).fit(X, Y)


def _versus_plain_ksg(quick):
    sizes = [2000, 5000] if quick else [2000, 5000, 20000]
    print(row(("case", "N", "true", "compr.", "err", "KSG 64D", "err", "t compr", "t KSG"),
              _WIDTHS))
    for mi, m in ((2.0, 2), (4.0, 4)):
        for n in sizes:
            X, Y, true_mi = embedded_gaussians(n, mi, latent_dim=m, dim=64, random_state=0)
            ours, t_ours = timed(_compressed, X, Y, m, repeat=3)
            ksg, t_ksg = timed(_plain_ksg, X, Y, repeat=1 if n > 5000 else 3)
            print(row((f"{m}-D latent, PCA({m})", n, f"{true_mi:.2f}", f"{ours:.3f}",
                       f"{ours - true_mi:+.3f}", f"{ksg:.3f}", f"{ksg - true_mi:+.3f}",
                       f"{t_ours:.2f}s", f"{t_ksg:.2f}s"), _WIDTHS))


def _grid(quick):
    n = 2000 if quick else 5000
    mis = (1.0, 4.0) if quick else (1.0, 2.0, 3.0, 4.0)
    latents = (1, 4, 8) if quick else range(1, 9)
    dims = (64,) if quick else (64, 128, 256)
    print(f"\nembedded_gaussians, N = {n}, seed 100: CompressedMI() vs the entropy route")
    print(row(("mi", "m", "dim", "ours", "err %", "entropy", "err %", "widths", "t ours",
               "code method", "t entr"), _GRID_WIDTHS))
    worst = {"ours": (0.0, None), "entropy": (0.0, None)}
    times = []
    for mi in mis:
        for m in latents:
            for dim in dims:
                X, Y, true_mi = embedded_gaussians(n, mi, latent_dim=m, dim=dim,
                                                   random_state=100)
                ours, t_ours = timed(_fit, X, Y)
                ref, t_ref = timed(_fit, X, Y, estimator="entropy")
                times.append(t_ours)
                errs = {}
                for name, est in (("ours", ours), ("entropy", ref)):
                    errs[name] = 100.0 * (est.mutual_info_ - true_mi) / true_mi
                    if abs(errs[name]) > abs(worst[name][0]):
                        worst[name] = (errs[name], (mi, m, dim))
                print(row((f"{mi:g}", m, dim, f"{ours.mutual_info_:.3f}",
                           f"{errs['ours']:+.1f}", f"{ref.mutual_info_:.3f}",
                           f"{errs['entropy']:+.1f}",
                           "x".join(map(str, ours.n_components_)), f"{t_ours:.2f}s",
                           ours.code_method_, f"{t_ref:.2f}s"), _GRID_WIDTHS), flush=True)
    for name, (err, case) in worst.items():
        print(f"worst relative error, {name}: {err:+.1f} % at (mi, latent_dim, dim) = {case}")
    times.sort()
    print(f"time per CompressedMI() estimate: median {times[len(times) // 2]:.2f}s, "
          f"max {times[-1]:.2f}s")


def _latents(quick):
    n = 2000 if quick else 5000
    mixture = gaussian_mixture(n, 3, 3, n_components=2, rho=0.9, random_state=1)
    cases = [
        ("mixture 3+3, tanh s=1", mixture, 1.0),
        ("uniform noise 2+2, s=1", uniform_additive_noise(n, dim=2, epsilon=0.5,
                                                          random_state=2), 1.0),
        ("uniform noise 3+3, s=1", uniform_additive_noise(n, dim=3, epsilon=0.5,
                                                          random_state=3), 1.0),
        ("Gaussian 4+4, tanh s=4", correlated_gaussians(n, 2.0, dim=4, random_state=4), 4.0),
        ("Gaussian 2+2, s=-0.9", correlated_gaussians(n, 2.0, dim=2, random_state=5), -0.9),
        ("Gaussian 4+4, s=-0.9", correlated_gaussians(n, 2.0, dim=4, random_state=6), -0.9),
    ]
    learned = not quick and importlib.util.find_spec("optax") is not None
    print(f"\nnon-Gaussian latents and strong bends, embed_pair into 128-D, N = {n}")
    widths = (24, 6, 7, 7, 7, 7, 7, 7)
    print(row(("latents, embedding", "true", "PCA", "err %", "t PCA", "learned", "err %",
               "t lrn"), widths))
    for name, (U, V, true_mi), strength in cases:
        X, Y = embed_pair(U, V, dim=128, strength=strength, random_state=7)
        pca, t_pca = timed(_fit, X, Y)
        cells = [name, f"{true_mi:.3f}", f"{pca.mutual_info_:.3f}",
                 f"{100 * (pca.mutual_info_ / true_mi - 1):+.1f}", f"{t_pca:.1f}s"]
        if learned:
            lrn, t_lrn = timed(_fit, X, Y, compressor="learned")
            cells += [f"{lrn.mutual_info_:.3f}", f"{100 * (lrn.mutual_info_ / true_mi - 1):+.1f}",
                      f"{t_lrn:.1f}s"]
        else:
            cells += ["-", "-", "-"]
        print(row(cells, widths), flush=True)


def main(quick: bool = False) -> None:
    _versus_plain_ksg(quick)
    _grid(quick)
    _latents(quick)


if __name__ == "__main__":
    main()
