"""Plotting helpers: each returns a Figure with the expected artists; matplotlib stays lazy."""

import subprocess
import sys

import numpy as np
import pytest
from matplotlib.figure import Figure

from infotheory.plotting import plot_estimate_vs_n, plot_information_plane, plot_spectrum

TABLE = [
    {"epoch": e, "layer": layer, "mi_xt": 1.0 + e + i, "mi_ty": 0.1 * e + i}
    for e in (0, 10, 100) for i, layer in enumerate(("a", "b"))
]


def test_import_infotheory_does_not_import_matplotlib():
    code = ("import sys, infotheory, infotheory.plotting, infotheory.analysis; "
            "print('matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_information_plane_artists():
    fig = plot_information_plane(TABLE, unit="bits", cmap="magma")
    assert isinstance(fig, Figure)
    ax, cbar = fig.axes
    assert len(ax.lines) == 2 and len(ax.collections) == 2
    np.testing.assert_array_equal(ax.lines[1].get_xdata(), [2.0, 12.0, 102.0])
    np.testing.assert_array_equal(ax.collections[0].get_array(), [0, 10, 100])
    assert ax.collections[0].get_cmap().name == "magma"
    assert cbar.get_ylabel() == "epoch"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("I(X;T) [bits]", "I(T;Y) [bits]")


def test_information_plane_on_given_axes_and_other_columns():
    from matplotlib.figure import Figure as F

    fig = F()
    ax = fig.add_subplot()
    table = [dict(r, dse=r["mi_xt"] * 2) for r in TABLE]
    assert plot_information_plane(table, x="dse", ax=ax) is fig
    assert ax.get_xlabel() == "dse [nats]"


def test_information_plane_errors():
    with pytest.raises(ValueError, match="table is empty"):
        plot_information_plane([])
    with pytest.raises(KeyError, match="table has no column 'vendi'; columns: 'epoch'"):
        plot_information_plane(TABLE, y="vendi")


def test_estimate_vs_n():
    ns = [100, 1000, 10000]
    fig = plot_estimate_vs_n(ns, {"KSG": [0.4, 0.45, 0.49], "binned": [0.8, 0.6, 0.55]},
                             truth=0.5, errors={"KSG": [0.05, 0.02, 0.01]}, unit="bits")
    ax = fig.axes[0]
    assert ax.get_xscale() == "log" and ax.get_ylabel() == "estimate [bits]"
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["true value", "KSG", "binned"]
    dashed = [line for line in ax.lines if line.get_linestyle() == "--"]
    assert len(dashed) == 1 and list(dashed[0].get_ydata()) == [0.5, 0.5]
    single = plot_estimate_vs_n(ns, [1, 2, 3], logx=False).axes[0]
    assert single.get_xscale() == "linear" and single.get_legend() is None
    with pytest.raises(ValueError, match=r"estimates\['a'\] must have one value per sample size: "
                                         "expected 3, got 2"):
        plot_estimate_vs_n(ns, {"a": [1, 2]})


def test_spectrum():
    fig = plot_spectrum([0.1, 1.0, 0.0, 0.5], label="K")
    (line,) = fig.axes[0].lines
    np.testing.assert_array_equal(line.get_ydata(), [1.0, 0.5, 0.1])  # sorted, zero dropped
    np.testing.assert_array_equal(line.get_xdata(), [1, 2, 3])
    assert fig.axes[0].get_yscale() == "log"
    linear = plot_spectrum([0.1, 1.0, 0.0], logy=False)
    np.testing.assert_array_equal(linear.axes[0].lines[0].get_ydata(), [1.0, 0.1, 0.0])
    with pytest.raises(ValueError, match="eigenvalues is empty"):
        plot_spectrum([])
    with pytest.raises(ValueError, match=r"eigenvalues contains 1 NaN"):
        plot_spectrum([1.0, np.nan])
