"""Progress bars for long loops (layers, epochs, resamples); ``progress=False`` turns them off."""

from __future__ import annotations

from collections.abc import Iterable


def progress(iterable: Iterable, *, enabled: bool = True, desc: str | None = None,
             total: int | None = None, leave: bool = False):
    """Wrap ``iterable`` in a tqdm bar when ``enabled``; otherwise return it unchanged."""
    if not enabled:
        return iterable
    from tqdm import tqdm

    return tqdm(iterable, desc=desc, total=total, leave=leave)
