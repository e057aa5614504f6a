"""
Larger than memory: estimating from a Zarr store with Dask
==========================================================

Saved activations outgrow memory quickly (50 000 samples x 4096 units x 30 layers x 100 epochs is
2.4 TB of float32). Estimators whose quantity decomposes over samples take a Dask array or a Zarr
array in place of a NumPy array: each chunk of rows is reduced on its own (symbol counts, sums and
cross-products, distinct values) and the partial results are merged exactly, so the value is the
in-memory one and memory holds a few chunks at a time. The information plane reads a Zarr store
too, and runs its layer x epoch jobs on Dask workers when given a ``client``.

This example writes the demo network's activations to a small Zarr store (one group per epoch,
one array per layer), estimates from it chunk by chunk, and draws the plane read from the store.
"""

# %%
# Write the activations to a Zarr store
# -------------------------------------
# ``epoch_<E>/<layer>`` arrays, chunked along the samples: the layout that
# :func:`infotheory.analysis.load_activations` and ``infotheory plane`` read.
import shutil
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import zarr

from infotheory.analysis import InformationPlane
from infotheory.datasets import load_demo_activations
from infotheory.mutual_info import BinnedMI

demo = load_demo_activations("tanh")  # the gallery's cached demo run (30 recorded epochs)
store = Path(tempfile.mkdtemp()) / "activations.zarr"
root = zarr.open_group(str(store), mode="w")
for epoch, record in zip(demo["epochs"][::3], demo["activations"][::3]):
    for layer, T in record.items():
        root.create_array(f"epoch_{epoch:04d}/{layer}", data=T, chunks=(500, T.shape[1]))

# %%
# One estimate, chunk by chunk
# ----------------------------
# The last epoch's narrowest layer (3 units, below the ceiling H(Y) = 3.32 bits that wider
# layers reach) is read as four chunks of 500 rows (the last one ragged). The entropy-based bin
# edges come from the distinct values merged over the chunks, the symbol counts from each chunk's
# distinct rows: the result is the in-memory value.
T_store = root[f"epoch_{demo['epochs'][::3][-1]:04d}/layer_5"]
est = BinnedMI(activation="tanh", base=2)
chunked = est.fit(T_store, demo["y"]).mi_ty_
in_memory = est.fit(np.asarray(T_store[...]), demo["y"]).mi_ty_
print(f"I(T;Y) from the store: {chunked:.6f} bits, in memory: {in_memory:.6f} bits")

# %%
# The information plane, read from the store
# ------------------------------------------
# With ``client=`` (a ``distributed.Client``, a scheduler address, or ``"local"``) the jobs run on
# Dask workers, which read their layer from the store themselves; here, on a laptop, threads of
# this process do the same work.
plane = InformationPlane(estimator=BinnedMI(activation="tanh"), base=2, progress=False)
plane.fit(store, y=demo["y"])
fig = plane.plot(title="tanh network, read from the Zarr store")
plt.show()
shutil.rmtree(store.parent)
