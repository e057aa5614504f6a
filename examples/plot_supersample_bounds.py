"""
Generalization bounds from a supersample experiment
===================================================

Information-theoretic generalization bounds need the information a training algorithm keeps
about its training set. The supersample construction of Steinke & Zakynthinou (2020) makes that
measurable for any black-box learner: draw :math:`2n` examples, let :math:`n` fair coins
:math:`U` choose which of each pair is trained on, train many times, and estimate how much the
model's predictions (f-CMI), losses (e-CMI) or loss differences reveal about :math:`U`. Each
bound is then compared with the gap actually measured on the held-out halves.
"""

# %%
# One experiment per training-set size
# ------------------------------------
# A fully grown decision tree on the breast-cancer data interpolates its training set, so its
# gap is its test error. :func:`~infotheory.bounds.run_supersample_experiment` clones and trains
# the model ``n_runs`` times on each of ``n_supersamples`` supersamples and returns the measured
# gap with every bound.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.tree import DecisionTreeClassifier

from infotheory.bounds import run_supersample_experiment

X, y = load_breast_cancer(return_X_y=True)
sizes = [10, 20, 40, 80]
results = [
    run_supersample_experiment(DecisionTreeClassifier(), X, y, n=n, n_runs=20,
                               n_supersamples=5, random_state=0, progress=False)
    for n in sizes
]
print(results[1])

# %%
# Bounds against the measured gap
# -------------------------------
# The bounds are ordered as the conditioning-and-processing chain of Hafez-Kolahi et al. (2020)
# says: predictions reveal at least as much about :math:`U` as losses, losses at least as much as
# loss differences. For a binary classifier the prediction on a known example determines its 0-1
# loss and back, so the f-CMI and e-CMI bounds coincide here. Because the tree interpolates, Wang
# & Mao's identity turns the loss-difference information into an estimate of the gap itself
# ("interpolating"). Each per-sample term is a plug-in estimate from ``n_runs`` training runs;
# its first-order bias is reported in ``result.bias``.
labels = {"fcmi": "f-CMI", "ecmi": "e-CMI", "loss_difference": "loss difference",
          "interpolating": "interpolating (Wang & Mao)"}
fig, ax = plt.subplots(figsize=(6.5, 4.2), layout="constrained")
for key, label in labels.items():
    if not all(key in r.bounds for r in results):
        continue
    ax.plot(sizes, [r.bounds[key].value for r in results], marker="o", label=f"{label} bound")
gap = np.array([r.gap for r in results])
se = np.array([r.gap_se for r in results])
ax.errorbar(sizes, gap, yerr=se, color="k", marker="s", capsize=3, label="measured gap")
ax.set_xscale("log")
ax.set_xticks(sizes, [str(n) for n in sizes])
ax.set_xlabel("training-set size n")
ax.set_ylabel("generalization gap (0-1 loss)")
ax.legend(fontsize="small")
