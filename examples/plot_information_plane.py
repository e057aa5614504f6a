"""
Information plane from saved activations
========================================

The information plane (Shwartz-Ziv & Tishby 2017) follows every hidden layer :math:`T` of a
network during training through two numbers: how much it keeps about the input,
:math:`I(X;T)`, and about the label, :math:`I(T;Y)`.

The demo data are the activations of a small MLP (``64-10-7-5-4-3-10``) trained on the 1797
images of the digits, recorded at 30 log-spaced epochs, for ``tanh`` and ``ReLU`` hidden units
(:func:`infotheory.datasets.load_demo_activations`; computed once, then read from a cache). Your own
activations go in the same way: a list with one ``{layer: array}`` per epoch, or a folder of
``.npz`` files read by :func:`infotheory.analysis.load_activations`.
"""

# %%
# Estimate the plane
# ------------------
# The default estimator bins each layer with entropy-based binning (Chelombiev et al. 2019, 30
# bins) and computes both quantities from the same binning. ``base=2`` gives bits, the unit of
# the papers.
import matplotlib.pyplot as plt

from infotheory.analysis import InformationPlane
from infotheory.datasets import load_demo_activations

fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), layout="constrained")
for ax, activation in zip(axes, ["tanh", "relu"]):
    demo = load_demo_activations(activation)
    plane = InformationPlane(base=2, progress=False).fit(
        demo["activations"], demo["X"], demo["y"], epochs=demo["epochs"]
    )
    plane.plot(ax=ax, title=f"{activation}, final accuracy {demo['accuracy'][-1]:.2f}")

# %%
# Reading the plane
# -----------------
# Two ceilings bound every point. Each image is a distinct input, so the network is a
# deterministic function of :math:`X` and :math:`I(X;T) = H(T) \le \log_2 1797 \approx 10.8`
# bits; and :math:`I(T;Y) \le H(Y) \approx \log_2 10 \approx 3.3` bits. A layer whose binned
# activations give every image its own symbol sits at both ceilings whatever it has learned:
# that is the saturation of binning estimators, not compression or its absence.
# Layers narrow enough to merge images (the last ones) move inside the box, and that movement is
# what the plane can show. The guide :doc:`/guide/choosing_an_estimator` shows the saturation
# on data with a known answer.
#
# The numbers are also a table, one record per epoch and layer (``plane.to_pandas()`` turns it
# into a DataFrame when pandas is installed). The last epoch of the ReLU network:
for row in plane.table_[-5:]:
    print(f"epoch {row['epoch']:3d}  {row['layer']}  I(X;T) = {row['mi_xt']:5.2f} bits"
          f"  I(T;Y) = {row['mi_ty']:4.2f} bits")
