"""Matplotlib figures for the package's results; matplotlib is imported only when plotting.

Every function returns a :class:`matplotlib.figure.Figure`. Figures are created without pyplot
(so scripts, tests and the command line keep no global figure state) unless an ``ax`` is given,
in which case the function draws on it and returns its figure. In a notebook, a returned figure
displays as the cell's value.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ._validation import check_values

__all__ = ["plot_information_plane", "plot_estimate_vs_n", "plot_spectrum"]


def _figure_and_axes(ax, figsize):
    if ax is not None:
        return ax.figure, ax
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.add_subplot()


def _records(table) -> list:
    if hasattr(table, "to_dict") and not isinstance(table, Mapping):  # a pandas DataFrame
        table = table.to_dict("records")
    records = list(table)
    if not records:
        raise ValueError("table is empty: expected records with epoch, layer, mi_xt, mi_ty")
    return records


def plot_information_plane(table, *, x: str = "mi_xt", y: str = "mi_ty", unit: str = "nats",
                           cmap: str = "viridis", log_epochs: bool = False, ceilings=None,
                           ax=None, title: str | None = None, figsize=(6.0, 4.5)):
    """Plot I(T;Y) against I(X;T): one line per layer, points coloured by epoch.

    Each layer's line has its own colour (matplotlib's ``tab10`` cycle) and marker; the points
    are coloured by epoch (colorbar).

    Parameters
    ----------
    table : list of dict or pandas.DataFrame
        Records with ``epoch``, ``layer`` and the ``x`` and ``y`` columns, e.g.
        :attr:`infotheory.analysis.InformationPlane.table_`.
    x, y : str, default="mi_xt", "mi_ty"
        Columns on the horizontal and vertical axes.
    unit : str, default="nats"
        Unit written in the axis labels.
    cmap : str, default="viridis"
        Colormap of the epochs (shown in a colorbar).
    log_epochs : bool, default=False
        Colour the epochs on a logarithmic scale (symmetric-log, linear below epoch 1, so that
        epoch 0 is drawn): training changes most in the first epochs, which a linear scale
        crowds into one colour.
    ceilings : dict, optional
        ``{column: value}`` of upper limits to mark, e.g. ``{"mi_xt": log n, "mi_ty": H(Y)}``
        (:attr:`~infotheory.analysis.InformationPlane.ceilings_`): a dashed line at each, a
        vertical one for the ``x`` column and a horizontal one for the ``y`` column.
    ax : matplotlib.axes.Axes, optional
        Draw on these axes instead of a new figure.
    title : str, optional
        Axes title.
    figsize : tuple, default=(6.0, 4.5)
        Size of a new figure, in inches.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib import colormaps
    from matplotlib.colors import Normalize, SymLogNorm

    records = _records(table)
    for column in ("epoch", "layer", x, y):
        if column not in records[0]:
            raise KeyError(
                f"table has no column {column!r}; columns: {', '.join(map(repr, records[0]))}"
            )
    for column in ("epoch", x, y):
        check_values([r[column] for r in records], column)
    fig, ax = _figure_and_axes(ax, figsize)
    epochs = np.array([r["epoch"] for r in records], dtype=float)
    vmin, vmax = epochs.min(), max(epochs.max(), epochs.min() + 1)
    if log_epochs:
        if vmin < 0:
            raise ValueError(f"log_epochs needs epochs >= 0, got a minimum of {vmin:g}")
        norm = SymLogNorm(linthresh=1.0, vmin=vmin, vmax=vmax, base=10)
    else:
        norm = Normalize(vmin=vmin, vmax=vmax)
    colormap = colormaps[cmap]
    layer_colors = colormaps["tab10"]
    layers = list(dict.fromkeys(r["layer"] for r in records))
    markers = "osD^v<>ph*"
    handles = []
    for i, layer in enumerate(layers):
        rows = sorted((r for r in records if r["layer"] == layer), key=lambda r: r["epoch"])
        xs = [r[x] for r in rows]
        ys = [r[y] for r in rows]
        color = layer_colors(i % layer_colors.N)
        (line,) = ax.plot(xs, ys, color=color, linewidth=1.0, zorder=1)
        ax.scatter(xs, ys, c=[r["epoch"] for r in rows], cmap=colormap, norm=norm, s=22,
                   marker=markers[i % len(markers)], edgecolors=color, linewidths=0.6,
                   zorder=2)
        handles.append((line, markers[i % len(markers)], color, str(layer)))
    from matplotlib.cm import ScalarMappable
    from matplotlib.lines import Line2D

    fig.colorbar(ScalarMappable(norm=norm, cmap=colormap), ax=ax,
                 label="epoch (log scale)" if log_epochs else "epoch")
    names = {"mi_xt": "I(X;T)", "mi_ty": "I(T;Y)"}
    ceiling_names = {"mi_xt": "H(X) = log n ceiling", "mi_ty": "H(Y) ceiling"}
    legend = [Line2D([], [], color=c, marker=m, markersize=5, label=label)
              for _, m, c, label in handles]
    for column, value in (ceilings or {}).items():
        if column not in (x, y):
            continue
        draw = ax.axvline if column == x else ax.axhline
        line = draw(float(value), color="0.25", linestyle="--", linewidth=1.0, zorder=0)
        legend.append(Line2D([], [], color="0.25", linestyle="--",
                             label=ceiling_names.get(column, f"{column} ceiling")))
        line.set_gid(f"ceiling:{column}")
    ax.set_xlabel(f"{names.get(x, x)} [{unit}]")
    ax.set_ylabel(f"{names.get(y, y)} [{unit}]")
    ax.legend(handles=legend, title="layer", fontsize="small", markerscale=0.9)
    if title:
        ax.set_title(title)
    return fig


def plot_estimate_vs_n(ns, estimates, truth=None, *, errors=None, unit: str = "nats",
                       ax=None, title: str | None = None, logx: bool = True,
                       ylabel: str = "estimate", figsize=(5.5, 4.0)):
    """Plot estimates against the sample size, with the true value as a dashed line.

    Parameters
    ----------
    ns : array-like of shape (n_sizes,)
        Sample sizes.
    estimates : array-like of shape (n_sizes,) or dict of {label: array-like}
        One curve, or one curve per estimator.
    truth : float, optional
        True value, drawn as a horizontal dashed line.
    errors : array-like or dict of {label: array-like}, optional
        Half-widths of error bars (e.g. standard errors), matching ``estimates``.
    unit : str, default="nats"
        Unit written in the y-axis label.
    ax : matplotlib.axes.Axes, optional
        Draw on these axes instead of a new figure.
    title : str, optional
        Axes title.
    logx : bool, default=True
        Logarithmic sample-size axis.
    ylabel : str, default="estimate"
        Quantity name in the y-axis label.
    figsize : tuple, default=(5.5, 4.0)
        Size of a new figure, in inches.

    Returns
    -------
    matplotlib.figure.Figure
    """
    ns = check_values(ns, "ns", ndim=1)
    curves = dict(estimates) if isinstance(estimates, Mapping) else {None: estimates}
    if errors is not None and not isinstance(errors, Mapping):
        errors = {None: errors} if None in curves else None
    if truth is not None:
        check_values(truth, "truth", ndim=0)
    checked = {}
    for label, values in curves.items():
        name = f"estimates{'' if label is None else f'[{label!r}]'}"
        values = check_values(values, name, ndim=1)
        if values.shape != ns.shape:
            raise ValueError(
                f"{name} must have one value per sample size: expected {ns.shape[0]}, got "
                f"{values.shape[0]} (ns has {ns.shape[0]} sample sizes)"
            )
        err = None if errors is None else errors.get(label)
        if err is not None:
            err = check_values(err, f"errors{'' if label is None else f'[{label!r}]'}",
                               ndim=(0, 1))
            if err.ndim and err.shape != ns.shape or (err < 0).any():
                raise ValueError(
                    f"errors must be half-widths >= 0, one per sample size: expected "
                    f"{ns.shape[0]} values, got shape {err.shape}"
                )
        checked[label] = (values, err)
    fig, ax = _figure_and_axes(ax, figsize)
    for label, (values, err) in checked.items():
        ax.errorbar(ns, values, yerr=err, marker="o", markersize=4, capsize=2, label=label)
    if truth is not None:
        ax.axhline(float(truth), color="k", linestyle="--", linewidth=1, label="true value")
    if logx:
        ax.set_xscale("log")
    ax.set_xlabel("number of samples N")
    ax.set_ylabel(f"{ylabel} [{unit}]")
    if truth is not None or None not in curves:
        ax.legend(fontsize="small")
    if title:
        ax.set_title(title)
    return fig


def plot_spectrum(eigenvalues, *, ax=None, logy: bool = True, label: str | None = None,
                  title: str | None = None, figsize=(5.5, 4.0)):
    """Plot eigenvalues sorted in decreasing order against their rank.

    Parameters
    ----------
    eigenvalues : array-like of shape (n,)
        Eigenvalues (e.g. of a diffusion operator or a kernel matrix). Non-positive values are
        left out of a logarithmic plot.
    ax : matplotlib.axes.Axes, optional
        Draw on these axes (e.g. to overlay several spectra) instead of a new figure.
    logy : bool, default=True
        Logarithmic eigenvalue axis.
    label : str, optional
        Legend entry of this spectrum.
    title : str, optional
        Axes title.
    figsize : tuple, default=(5.5, 4.0)
        Size of a new figure, in inches.

    Returns
    -------
    matplotlib.figure.Figure
    """
    values = check_values(eigenvalues, "eigenvalues", ndim=1)
    values = np.sort(values)[::-1]
    rank = np.arange(1, values.size + 1)
    if logy:
        keep = values > 0
        rank, values = rank[keep], values[keep]
    fig, ax = _figure_and_axes(ax, figsize)
    ax.plot(rank, values, marker=".", linewidth=1, label=label)
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel("rank")
    ax.set_ylabel("eigenvalue")
    if label is not None:
        ax.legend(fontsize="small")
    if title:
        ax.set_title(title)
    return fig
