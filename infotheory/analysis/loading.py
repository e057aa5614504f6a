"""Reading saved activations (``.npy``, ``.npz``, folders of them) as memory-mapped arrays.

Naming scheme of a folder of activations, one epoch per entry (the epoch is the integer after
``epoch``; zero padding is optional and ordering is numeric)::

    run/epoch_0000.npz          one .npz per epoch, one array per layer (key = layer name)
    run/epoch_0001.npz
    ...
or::
    run/epoch_0000/layer_1.npy  one folder per epoch, one .npy per layer (stem = layer name)
    run/epoch_0000/layer_2.npy
    ...
A folder of plain ``<layer>.npy`` files (no ``epoch_`` entries) is a single epoch.

A Zarr store (a folder holding ``zarr.json``, or ``.zgroup`` for Zarr v2) follows the same scheme
with groups for folders: ``run.zarr/epoch_0000/<layer>`` arrays, or ``<layer>`` arrays at its
root for a single epoch. Its arrays are returned as lazy ``zarr.Array`` objects (read chunk by
chunk when consumed; ``pip install "infotheory-ml[dask]"``).

Arrays sent to Dask workers travel as references (:func:`reference`): the file, offset, shape and
dtype of a memory map, or the store and path of a Zarr array, so workers read the data from disk
rather than receiving it from the client.
"""

from __future__ import annotations

import mmap
import os
import re
import zipfile
from pathlib import Path

import numpy as np

__all__ = ["load_activations", "open_npz", "reference", "open_reference"]

_EPOCH = re.compile(r"^epoch[_-]?(\d+)$")


def _epoch_of(name: str) -> int | None:
    match = _EPOCH.match(name)
    return int(match.group(1)) if match else None


def _npz_member_memmap(path: Path, info: zipfile.ZipInfo, mmap_mode: str):
    """Memory-map one uncompressed member of an ``.npz`` archive (``numpy.savez`` output).

    ``numpy.load`` ignores ``mmap_mode`` for ``.npz`` files; an uncompressed (stored) member is
    however a plain ``.npy`` file at a fixed offset in the archive, so it can be mapped directly.
    """
    with open(path, "rb") as fh:
        fh.seek(info.header_offset)
        local = fh.read(30)
        if local[:4] != b"PK\x03\x04":
            return None
        name_len = int.from_bytes(local[26:28], "little")
        extra_len = int.from_bytes(local[28:30], "little")
        fh.seek(info.header_offset + 30 + name_len + extra_len)
        version = np.lib.format.read_magic(fh)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(fh)
        else:
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(fh)
        if dtype.hasobject:
            return None
        offset = fh.tell()
    if int(np.prod(shape)) == 0:
        return np.empty(shape, dtype=dtype)
    return np.memmap(path, dtype=dtype, mode=mmap_mode, offset=offset, shape=shape,
                     order="F" if fortran else "C")


def _npz_members(path: Path) -> dict:
    if not path.is_file():
        raise FileNotFoundError(f"activation file not found: {path}")
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise ValueError(f"{path} is not a valid .npz file (not a zip archive)") from None
    with archive:
        return {
            info.filename[:-4]: info for info in archive.infolist()
            if info.filename.endswith(".npy")
        }


def _open_epoch_npz(path: Path, layers, mmap_mode) -> dict:
    """One epoch's ``.npz``: like :func:`open_npz`, with errors worded in terms of layers."""
    chosen = _select(_npz_members(path), layers, path)
    return open_npz(path, keys=list(chosen), mmap_mode=mmap_mode)


def open_npz(path, *, keys=None, mmap_mode: str | None = "r") -> dict:
    """Return ``{key: array}`` for the arrays of an ``.npz`` file, memory-mapped when possible.

    Members written uncompressed (``numpy.savez``) are memory-mapped with ``mmap_mode``; members
    of a compressed archive (``numpy.savez_compressed``) cannot be and are read into memory.

    Parameters
    ----------
    path : str or path-like
        The ``.npz`` file.
    keys : sequence of str, optional
        Arrays to return (default: all, in file order). A missing key raises ``KeyError`` listing
        the available ones.
    mmap_mode : {"r", "r+", "c"} or None, default="r"
        Memory-map mode; ``None`` reads every array into memory.
    """
    path = Path(path)
    infos = _npz_members(path)
    names = list(infos) if keys is None else list(keys)
    missing = [k for k in names if k not in infos]
    if missing:
        raise KeyError(
            f"key(s) {', '.join(map(repr, missing))} not found in {path}; available keys: "
            f"{', '.join(map(repr, infos)) or 'none'}"
        )
    out = {}
    lazy = None
    for name in names:
        info = infos[name]
        arr = None
        if mmap_mode is not None and info.compress_type == zipfile.ZIP_STORED:
            arr = _npz_member_memmap(path, info, mmap_mode)
        if arr is None:
            if lazy is None:
                lazy = np.load(path, allow_pickle=False)
            arr = lazy[name]
        out[name] = arr
    if lazy is not None:
        lazy.close()
    return out


def _load_npy(path: Path, mmap_mode):
    try:
        return np.load(path, mmap_mode=mmap_mode, allow_pickle=False)
    except ValueError as exc:
        raise ValueError(f"could not read {path} as a .npy array: {exc}") from None


def _select(layers: dict, wanted, where: Path) -> dict:
    if wanted is None:
        return layers
    missing = [k for k in wanted if k not in layers]
    if missing:
        raise KeyError(
            f"layer(s) {', '.join(map(repr, missing))} not found in {where}; available layers: "
            f"{', '.join(map(repr, layers)) or 'none'}"
        )
    return {k: layers[k] for k in wanted}


def _load_epoch_folder(folder: Path, layers, mmap_mode) -> dict:
    files = sorted(p for p in folder.iterdir() if p.suffix == ".npy")
    if not files:
        raise ValueError(f"epoch folder {folder} holds no <layer>.npy files")
    available = {p.stem: p for p in files}
    chosen = _select(available, layers, folder)
    return {name: _load_npy(p, mmap_mode) for name, p in chosen.items()}


def load_activations(path, *, layers=None, mmap_mode: str | None = "r") -> dict:
    """Load saved activations, memory-mapped, as ``{"activations": [...], "epochs": [...]}``.

    Accepted layouts (see the module documentation for the naming scheme):

    - a folder of ``epoch_<E>.npz`` files, one per epoch, one array per layer;
    - a folder of ``epoch_<E>/`` folders, each holding one ``<layer>.npy`` per layer;
    - a folder of ``<layer>.npy`` files, or a single ``.npz`` file: one epoch (its number is taken
      from an ``epoch_<E>`` name, else 0);
    - a single ``.npy`` file: one epoch with one layer named after the file.

    Arrays are opened with ``mmap_mode`` so that activations larger than memory are only read
    when an estimator consumes them (members of ``numpy.savez_compressed`` archives cannot be
    mapped and are read into memory).

    Parameters
    ----------
    path : str or path-like
        File or folder.
    layers : sequence of str, optional
        Layers to load (default: all). Every epoch must hold every requested layer.
    mmap_mode : {"r", "r+", "c"} or None, default="r"
        Passed to :func:`numpy.load`; ``None`` reads everything into memory.

    Returns
    -------
    dict
        ``activations``: list of ``{layer: array}``, one per epoch, in epoch order; ``epochs``:
        list of the epoch numbers.

    Raises
    ------
    FileNotFoundError
        ``path`` does not exist.
    KeyError
        A requested layer is missing (the message lists the available ones).
    ValueError
        The folder holds no activations in a known layout, or epochs disagree on their layers.

    Examples
    --------
    >>> import numpy as np, tempfile, pathlib
    >>> from infotheory.analysis import load_activations
    >>> run = pathlib.Path(tempfile.mkdtemp())
    >>> for epoch in range(3):
    ...     np.savez(run / f"epoch_{epoch:04d}.npz", h1=np.zeros((100, 8)), h2=np.ones((100, 4)))
    >>> loaded = load_activations(run)
    >>> loaded["epochs"], sorted(loaded["activations"][0])
    ([0, 1, 2], ['h1', 'h2'])
    >>> type(loaded["activations"][2]["h2"]).__name__
    'memmap'
    """
    if mmap_mode not in (None, "r", "r+", "c"):
        raise ValueError(f"mmap_mode must be one of None, 'r', 'r+', 'c', got {mmap_mode!r}")
    if isinstance(layers, str):
        layers = [layers]
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or path-like, got {type(path).__name__}")
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"activation path not found: {path}")
    if _is_zarr(path):
        return _load_zarr(path, layers)
    if path.is_file():
        if path.suffix == ".npz":
            epoch = _epoch_of(path.stem)
            return {"activations": [_open_epoch_npz(path, layers, mmap_mode)],
                    "epochs": [0 if epoch is None else epoch]}
        if path.suffix == ".npy":
            arrays = _select({path.stem: path}, layers, path)
            return {"activations": [{k: _load_npy(p, mmap_mode) for k, p in arrays.items()}],
                    "epochs": [0]}
        raise ValueError(f"unsupported activation file {path}: expected a .npy or .npz file")

    entries = []
    for child in path.iterdir():
        stem = child.stem if child.is_file() else child.name
        epoch = _epoch_of(stem)
        if epoch is not None and (child.is_dir() or child.suffix == ".npz"):
            entries.append((epoch, child))
    if entries:
        entries.sort()
        epochs = [e for e, _ in entries]
        duplicated = sorted({e for e in epochs if epochs.count(e) > 1})
        if duplicated:
            raise ValueError(f"epoch(s) {duplicated} appear more than once in {path}")
        records = []
        for _, child in entries:
            if child.is_dir():
                records.append(_load_epoch_folder(child, layers, mmap_mode))
            else:
                records.append(_open_epoch_npz(child, layers, mmap_mode))
        first = list(records[0])
        for (_, child), rec in zip(entries, records):
            if sorted(rec) != sorted(first):
                raise ValueError(
                    f"epochs hold different layers: {entries[0][1].name} has {sorted(first)}, "
                    f"{child.name} has {sorted(rec)}; pass layers=[...] to choose common ones"
                )
        return {"activations": records, "epochs": epochs}
    if any(p.suffix == ".npy" for p in path.iterdir()):
        return {"activations": [_load_epoch_folder(path, layers, mmap_mode)], "epochs": [0]}
    raise ValueError(
        f"no activations found in {path}: expected epoch_<E>.npz files, epoch_<E>/ folders of "
        "<layer>.npy files, or <layer>.npy files"
    )


def _is_zarr(path: Path) -> bool:
    return path.is_dir() and any((path / f).is_file() for f in ("zarr.json", ".zgroup"))


def _load_zarr(path: Path, layers) -> dict:
    """A Zarr store in the folder scheme: ``epoch_<E>`` groups of layer arrays, or layer arrays."""
    try:
        import zarr
    except ImportError:  # pragma: no cover - the dask extra is installed by the tests
        raise ImportError(
            f"{path} is a Zarr store: reading it needs zarr (pip install 'infotheory-ml[dask]')"
        ) from None
    root = zarr.open_group(str(path), mode="r")
    epochs = sorted((_epoch_of(name), name) for name, _ in root.groups()
                    if _epoch_of(name) is not None)
    if epochs:
        records = [_select(dict(sorted(root[name].arrays())), layers, path / name)
                   for _, name in epochs]
        first = sorted(records[0])
        for (_, name), rec in zip(epochs, records):
            if sorted(rec) != first:
                raise ValueError(
                    f"epochs hold different layers: {epochs[0][1]} has {first}, {name} has "
                    f"{sorted(rec)}; pass layers=[...] to choose common ones"
                )
        return {"activations": records, "epochs": [e for e, _ in epochs]}
    arrays = dict(sorted(root.arrays()))  # layers in name order, as .npy files
    if not arrays:
        raise ValueError(
            f"no activations found in the Zarr store {path}: expected epoch_<E> groups of "
            "<layer> arrays, or <layer> arrays"
        )
    return {"activations": [_select(arrays, layers, path)], "epochs": [0]}


class _MemmapRef:
    """Where a memory-mapped array lives on disk: enough to map it again in another process."""

    def __init__(self, arr: np.memmap):
        self.filename = str(arr.filename)
        self.offset = int(arr.offset)
        self.shape = tuple(arr.shape)
        self.dtype = arr.dtype
        self.order = "F" if (arr.flags.f_contiguous and not arr.flags.c_contiguous) else "C"

    def open(self) -> np.ndarray:
        return np.memmap(self.filename, dtype=self.dtype, mode="r", offset=self.offset,
                         shape=self.shape, order=self.order)


def reference(arr):
    """A small picklable stand-in for ``arr`` that :func:`open_reference` opens where it runs.

    A memory map (``.npy``, uncompressed ``.npz`` member) becomes its file, offset, shape and
    dtype; a Zarr array is already a reference (its store and path). Other arrays are returned
    unchanged (they are in memory and travel as data).
    """
    # only a map itself (its base is the mmap), not a view of one: a view's offset and shape
    # do not say which bytes it covers
    if isinstance(arr, np.memmap) and arr.filename and isinstance(arr.base, mmap.mmap):
        return _MemmapRef(arr)
    return arr


def open_reference(ref) -> np.ndarray | object:
    """The array behind a :func:`reference`: a memory map, a Zarr array read whole, or ``ref``."""
    if isinstance(ref, _MemmapRef):
        return ref.open()
    if type(ref).__module__.split(".", 1)[0] == "zarr":
        return np.asarray(ref[...])
    return ref
