"""
Diversity of representations over training: DSE and the Vendi score
====================================================================

Spectral measures summarise a whole point cloud of activations by the eigenvalues of a kernel
matrix: the diffusion spectral entropy (DSE, Liao, Liu et al. 2023) and the Vendi score
(Friedman & Dieng 2023), an effective number of distinct samples. Followed over training they
show each layer spreading or collapsing its representation, without labels.

The activations are those of the demo network (:func:`infotheory.datasets.load_demo_activations`,
``tanh`` units), at every other recorded epoch and on a fixed subset of 400 of the 1797 images, so
that each exact eigensolve is cheap.
"""

# %%
# Spectral columns of the information plane
# -----------------------------------------
# :class:`~infotheory.analysis.InformationPlane` takes extra estimators and fits them on every
# layer and epoch. DSE uses ``bandwidth="median"``: the kernel bandwidth follows the scale of each
# layer, which changes a lot during training (the reference default ``bandwidth=10`` is a length in
# activation units; on ``tanh`` activations, all within [-1, 1], every distance is far below it
# and DSE would be close to 0 whatever the layer does). The Vendi score uses an RBF kernel with
# the median bandwidth as well.
import matplotlib.pyplot as plt
import numpy as np

from infotheory import DiffusionSpectralEntropy, VendiScore
from infotheory.analysis import InformationPlane
from infotheory.datasets import load_demo_activations

demo = load_demo_activations("tanh")
rows = np.random.default_rng(0).choice(len(demo["y"]), size=400, replace=False)
activations = [{name: T[rows] for name, T in epoch.items()} for epoch in demo["activations"][::2]]

plane = InformationPlane(
    extra={
        "dse": DiffusionSpectralEntropy(bandwidth="median"),
        "vendi": VendiScore(kernel="rbf", bandwidth="median"),
    },
    progress=False,
).fit(activations, demo["X"][rows], demo["y"][rows], epochs=demo["epochs"][::2])

# %%
# Plot each column against the epoch
# ----------------------------------
fig, axes = plt.subplots(1, 3, figsize=(12, 3.6), layout="constrained")
for ax, (column, label) in zip(axes, [("dse", "DSE [nats]"), ("vendi", "Vendi score"),
                                      ("mi_ty", "binned I(T;Y) [nats]")]):
    for layer in plane.layers_:
        records = [r for r in plane.table_ if r["layer"] == layer]
        ax.plot([max(r["epoch"], 0.5) for r in records], [r[column] for r in records],
                marker=".", label=layer)
    ax.set_xscale("log")
    ax.set_xlabel("epoch (epoch 0 drawn at 0.5)")
    ax.set_ylabel(label)
axes[0].legend(fontsize="small")

# %%
# The Vendi score is an effective number of samples: between 1 (all 400 activations identical)
# and 400 (all orthogonal in the kernel's feature space). DSE is the entropy of the normalised
# spectrum of the diffusion operator, at most :math:`\log 400 \approx 6` nats. Neither has a
# ground truth to compare with; both depend on the kernel (``bandwidth``, ``kernel``,
# ``bandwidth``), so compare layers and epochs with the same settings only. The guide
# :doc:`/guide/choosing_an_estimator` shows how much the bandwidth matters.
last = [r for r in plane.table_ if r["epoch"] == plane.epochs_[-1]]
for r in last:
    print(f"{r['layer']}: DSE {r['dse']:.2f} nats, Vendi {r['vendi']:.1f}")
