"""Binning kernels for binned activation MI: digitisation, row hashing, symbol grouping, counts.

A sample's row of bin indices is one discrete symbol. Rows are hashed to 64 bits in the same pass
that digitises them (O(N·d), one read of the activations); rows with equal hashes are then compared
element by element, so two different rows never share a symbol even if their hashes collide.

All kernels accept read-only arrays (memory maps) and never validate their input.
"""

from __future__ import annotations

import numpy as np
from numba import njit

# FNV-1a offset and prime, then the splitmix64 finaliser: cheap, and the finaliser spreads the
# low-entropy bin indices over all 64 bits so that sorting by hash groups rows well.
_SEED = np.uint64(0xCBF29CE484222325)
_PRIME = np.uint64(0x100000001B3)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)

# Up to this many values (N x d) every step of a fit takes NumPy: a few ms at that size, and no
# kernel to compile or load on a first call (compiling the kernels below took 1-7 s, loading
# them from the cache 0.2 s). Larger inputs take the kernels, whose speed repays that. Both
# give the same codes, hashes, symbols and edges (tests run both on the same data).
_NUMPY_MAX_VALUES = 1 << 18


def _hash_columns(codes, hashes):
    """NumPy form of the row hash of :func:`_digitize_hash_kernel` (uint64 arithmetic wraps)."""
    h = np.full(codes.shape[0], _SEED, dtype=np.uint64)
    for j in range(codes.shape[1]):
        h ^= codes[:, j].astype(np.uint64)  # int64 codes wrap as np.uint64(g) does
        h *= _PRIME
    h ^= h >> _S30
    h *= _M1
    h ^= h >> _S27
    h *= _M2
    h ^= h >> _S31
    hashes[:] = h


@njit(cache=True, inline="always")
def _finalise(h):
    h ^= h >> _S30
    h *= _M1
    h ^= h >> _S27
    h *= _M2
    h ^= h >> _S31
    return h


@njit(cache=True, inline="always")
def _bin_index(v, edges, table, low, inv_width):
    """``np.searchsorted(edges, v, side="right")`` (= ``np.digitize(v, edges)``), exactly.

    ``table[c]`` is the answer at the start of cell ``c`` of a uniform grid over the edges'
    range; the guess it gives is corrected against the edges themselves, so the result equals the
    binary search even where rounding puts ``v`` next to an edge or in the neighbouring cell.
    """
    ne = edges.shape[0]
    n_cells = table.shape[0]
    # min/max rather than branches: a layer that is half exact zeros (ReLU) would otherwise
    # mispredict on every other value
    c = int(min(max((v - low) * inv_width, 0.0), n_cells - 1.0))
    g = table[c]
    while g < ne and edges[g] <= v:
        g += 1
    while g > 0 and edges[g - 1] > v:
        g -= 1
    return g


def lookup_table(edges: np.ndarray, cells_per_edge: int = 64):
    """Grid for :func:`digitize_hash`: ``(table, low, inv_width)`` over the edges' range."""
    n_cells = cells_per_edge * edges.size
    low = float(edges[0])
    span = float(edges[-1]) - low
    if not span > 0:
        return np.searchsorted(edges, [low], side="right").astype(np.int64), low, 0.0
    starts = low + np.arange(n_cells) * (span / n_cells)
    return np.searchsorted(edges, starts, side="right").astype(np.int64), low, n_cells / span


def digitize_hash(T, edges, table, low, inv_width, codes, hashes):
    """Write the bin index of every value into ``codes`` and one 64-bit hash per row.

    ``codes[i, j] = searchsorted(edges, T[i, j], side="right")``: 0 means below the first edge,
    ``k`` means the bin whose left edge is ``edges[k - 1]``.
    """
    if T.size > _NUMPY_MAX_VALUES:
        _digitize_hash_kernel(T, edges, table, low, inv_width, codes, hashes)
        return
    codes[...] = np.searchsorted(edges, T, side="right")
    _hash_columns(codes, hashes)


@njit(cache=True, nogil=True)
def _digitize_hash_kernel(T, edges, table, low, inv_width, codes, hashes):
    """:func:`digitize_hash` in one pass: the bin by :func:`_bin_index`, hashed as it is found."""
    n, d = T.shape
    for i in range(n):
        h = _SEED
        for j in range(d):
            g = _bin_index(T[i, j], edges, table, low, inv_width)
            codes[i, j] = g
            h = (h ^ np.uint64(g)) * _PRIME
        hashes[i] = _finalise(h)


@njit(cache=True, nogil=True)
def _insertion_sort(a, lo, hi):
    for i in range(lo + 1, hi):
        v = a[i]
        j = i - 1
        while j >= lo and a[j] > v:
            a[j + 1] = a[j]
            j -= 1
        a[j + 1] = v


_U32_TOP = np.uint32(0x80000000)
_U32_ALL = np.uint32(0xFFFFFFFF)
_LOW16 = np.uint32(0xFFFF)
_S16 = np.uint32(16)
_NEG_ZERO_KEY = np.uint32(0x7FFFFFFF)  # the key of -0.0, merged into +0.0's


@njit(cache=True, inline="always")
def _popcount(w):
    w = w - ((w >> np.uint64(1)) & np.uint64(0x5555555555555555))
    w = (w & np.uint64(0x3333333333333333)) + ((w >> np.uint64(2)) & np.uint64(0x3333333333333333))
    w = (w + (w >> np.uint64(4))) & np.uint64(0x0F0F0F0F0F0F0F0F)
    return int((w * np.uint64(0x0101010101010101)) >> np.uint64(56))


@njit(cache=True, nogil=True)
def _mark_bucket(lows, lo, hi, bitmap):
    """Set the bit of every value of one bucket; return how many distinct values it holds."""
    distinct = 0
    for k in range(lo, hi):
        x = lows[k]
        w = x >> 6
        bit = np.uint64(1) << np.uint64(x & 63)
        # branch-free: duplicates are common in saturated layers and would mispredict
        distinct += 1 - int((bitmap[w] & bit) != np.uint64(0))
        bitmap[w] |= bit
    return distinct


@njit(cache=True, nogil=True)
def _clear_bucket(lows, lo, hi, bitmap):
    if hi - lo > bitmap.shape[0] // 4:
        bitmap[:] = 0
    else:
        for k in range(lo, hi):
            bitmap[lows[k] >> 6] = 0


def distinct_quantiles(T, low, n_bins):
    """Entropy-based edges of float32-valued ``T``: ``(True, edges)``, else ``(False, empty)``.

    See :func:`_distinct_quantiles_kernel`; small inputs take an ``np.unique`` of the same
    values, which gives the same edges.
    """
    if T.size > _NUMPY_MAX_VALUES:
        return _distinct_quantiles_kernel(T, low, n_bins)
    with np.errstate(over="ignore", invalid="ignore"):  # huge values: not float32, declined
        f = T.astype(np.float32)
    if not np.array_equal(f.astype(np.float64), T):
        return False, np.empty(0, np.float64)
    # + 0.0 turns -0.0 into 0.0: one value, as in np.unique and the kernel
    u = np.unique(f[T != low] + np.float32(0.0))
    m = u.size
    if m == 0:
        return True, np.full(1, low)
    edges = np.empty(n_bins + 2, np.float64)
    edges[0] = low
    edges[1:-1] = u[(np.arange(n_bins) * (m / n_bins)).astype(np.int64)]
    edges[-1] = u[m - 1]
    return True, edges


@njit(cache=True, nogil=True)
def _distinct_quantiles_kernel(T, low, n_bins):
    """Entropy-based edges of float32-valued ``T`` by exact selection, without sorting.

    The edges ``[low] + [u[int(k * (m / n_bins))] for k < n_bins] + [u[m - 1]]`` need only
    ``n_bins + 1`` order statistics of the ``m`` distinct values ``u`` other than ``low``. Each
    value's order-preserving 32-bit key is split into its top 16 bits (the bucket) and its low
    16 bits; one counting pass and one scatter group the low halves by bucket, and a 65 536-bit
    bitmap (8 KB, in L1 cache) counts each bucket's distinct values exactly. Prefix sums of those
    counts locate the bucket of every wanted rank, and the bucket's bitmap gives the value.
    Two passes over the data instead of a full sort.

    Returns ``(True, edges)``; ``(False, empty)`` when some value is not a float32 (the caller
    then sorts, :func:`sorted_distinct_except`).
    """
    n, d = T.shape
    vals = np.empty(n * d, np.float32)
    keys = vals.view(np.uint32)
    hist = np.zeros(65537, np.int64)
    count = 0
    # branch-free: a ReLU layer is about half exact zeros (= low) in random places
    for i in range(n):
        not_float32 = False
        for j in range(d):
            v = T[i, j]
            f = np.float32(v)
            not_float32 |= np.float64(f) != v
            vals[count] = f
            b = keys[count]
            # order-preserving map of IEEE bits: negative numbers reversed, positives above
            b = b ^ _U32_ALL if b & _U32_TOP else b | _U32_TOP
            # 0.0 and -0.0 are one value, as in np.unique
            b = _U32_TOP if b == _NEG_ZERO_KEY else b
            keys[count] = b
            keep = v != low
            hist[(b >> _S16) + 1] += keep
            count += keep
        if not_float32:
            return False, np.empty(0, np.float64)
    if count == 0:
        return True, np.full(1, low)
    for c in range(65536):
        hist[c + 1] += hist[c]
    pos = hist[:-1].copy()
    lows = np.empty(count, np.uint16)
    for k in range(count):
        b = keys[k]
        c = b >> _S16
        lows[pos[c]] = np.uint16(b & _LOW16)
        pos[c] += 1
    bitmap = np.zeros(1024, np.uint64)
    distinct = np.zeros(65537, np.int64)  # distinct[c + 1]: distinct values of bucket c
    for c in range(65536):
        lo = hist[c]
        hi = hist[c + 1]
        if hi - lo == 1:
            distinct[c + 1] = 1
        elif hi > lo:
            distinct[c + 1] = _mark_bucket(lows, lo, hi, bitmap)
            _clear_bucket(lows, lo, hi, bitmap)
    for c in range(65536):
        distinct[c + 1] += distinct[c]
    m = distinct[65536]
    edges = np.empty(n_bins + 2, np.float64)
    edges[0] = low
    # the reference code's expression, evaluated in float64 as numpy does
    step = m / n_bins
    out32 = np.empty(1, np.float32)
    out_bits = out32.view(np.uint32)
    c = 0
    marked = -1
    for e in range(n_bins + 1):
        r = int(e * step) if e < n_bins else m - 1
        while distinct[c + 1] <= r:
            c += 1
        if marked != c:
            if marked >= 0:
                _clear_bucket(lows, hist[marked], hist[marked + 1], bitmap)
            _mark_bucket(lows, hist[c], hist[c + 1], bitmap)
            marked = c
        # the (r - distinct[c])-th set bit of the bucket's bitmap
        left = r - distinct[c]
        w = 0
        while True:
            p = _popcount(bitmap[w])
            if left < p:
                break
            left -= p
            w += 1
        word = bitmap[w]
        bitpos = 0
        while True:
            if word & (np.uint64(1) << np.uint64(bitpos)):
                if left == 0:
                    break
                left -= 1
            bitpos += 1
        key = (np.uint32(c) << _S16) | np.uint32(w * 64 + bitpos)
        out_bits[0] = key ^ _U32_TOP if key & _U32_TOP else key ^ _U32_ALL
        edges[e + 1] = np.float64(out32[0])
    return True, edges


def sorted_distinct_except(T, low):
    """Sorted distinct values of ``T`` other than ``low`` (``np.unique`` then drop ``low``).

    Small inputs take ``np.unique``; large ones :func:`_sorted_distinct_except_kernel`.
    """
    if T.size > _NUMPY_MAX_VALUES:
        return _sorted_distinct_except_kernel(T, low)
    return np.unique(T[T != low]).astype(np.float64)


@njit(cache=True, nogil=True)
def _sorted_distinct_except_kernel(T, low):
    """Sorted distinct values of ``T`` other than ``low`` (``np.unique`` then drop ``low``).

    For values that are not all float32 (float32-valued layers take :func:`distinct_quantiles`).
    The values are bucket-sorted: scattered into about ``n / 4`` equal-width buckets over their
    range (the bucket index is monotone in the value, so buckets are ordered and equal values
    share one), each bucket sorted and de-duplicated in place: linear for spread-out values
    instead of the ``O(n log n)`` of a full sort.
    """
    n, d = T.shape
    count = 0
    vmin = np.inf
    vmax = -np.inf
    for i in range(n):
        for j in range(d):
            v = T[i, j]
            if v != low:
                count += 1
                vmin = min(vmin, v)
                vmax = max(vmax, v)
    out = np.empty(count, np.float64)
    if count == 0:
        return out
    n_buckets = max(1, count // 4)
    scale = n_buckets / (vmax - vmin) if vmax > vmin else 0.0
    starts = np.zeros(n_buckets + 1, np.int64)
    for i in range(n):
        for j in range(d):
            v = T[i, j]
            if v != low:
                b = min(int((v - vmin) * scale), n_buckets - 1)
                starts[b + 1] += 1
    for b in range(n_buckets):
        starts[b + 1] += starts[b]
    pos = starts[:-1].copy()
    for i in range(n):
        for j in range(d):
            v = T[i, j]
            if v != low:
                b = min(int((v - vmin) * scale), n_buckets - 1)
                out[pos[b]] = v
                pos[b] += 1
    w = 0
    for b in range(n_buckets):
        lo = starts[b]
        hi = starts[b + 1]
        if hi - lo > 48:
            out[lo:hi] = np.sort(out[lo:hi])
        else:
            _insertion_sort(out, lo, hi)
        # compact the distinct values to the front; w <= lo, so nothing unread is overwritten
        for k in range(lo, hi):
            if w == 0 or out[k] != out[w - 1]:
                out[w] = out[k]
                w += 1
    return out[:w]


def floor_hash(T, bin_size, codes, hashes):
    """Fixed bin size (Saxe et al.): ``codes = floor(T / bin_size)`` as int64, and row hashes."""
    if T.size > _NUMPY_MAX_VALUES:
        _floor_hash_kernel(T, bin_size, codes, hashes)
        return
    codes[...] = np.floor(T / bin_size).astype(np.int64)
    _hash_columns(codes, hashes)


@njit(cache=True, nogil=True)
def _floor_hash_kernel(T, bin_size, codes, hashes):
    n, d = T.shape
    for i in range(n):
        h = _SEED
        for j in range(d):
            g = np.int64(np.floor(T[i, j] / bin_size))
            codes[i, j] = g
            h = (h ^ np.uint64(g)) * _PRIME
        hashes[i] = _finalise(h)


def hash_rows(codes, hashes):
    """One 64-bit hash per row of an integer array (symbol pairs, input rows)."""
    if codes.size > _NUMPY_MAX_VALUES:
        _hash_rows_kernel(codes, hashes)
    else:
        _hash_columns(codes, hashes)


@njit(cache=True, nogil=True)
def _hash_rows_kernel(codes, hashes):
    n, d = codes.shape
    for i in range(n):
        h = _SEED
        for j in range(d):
            h = (h ^ np.uint64(codes[i, j])) * _PRIME
        hashes[i] = _finalise(h)


@njit(cache=True, inline="always")
def _rows_equal(codes, a, b):
    for j in range(codes.shape[1]):
        if codes[a, j] != codes[b, j]:
            return False
    return True


def group_sorted(order, hashes, codes, ids):
    """Give equal rows one id: ``ids[i]`` in ``0..n_groups-1``; return the representative rows.

    ``order`` sorts ``hashes``. Ids follow the runs of equal hashes in that order, and each
    run's first row is its representative. Small inputs compare every row with the one before it
    in NumPy; a run holding two different rows (a hash collision) goes to
    :func:`_group_sorted_kernel`, which tells them apart.
    """
    if codes.size <= _NUMPY_MAX_VALUES and order.size:
        h = hashes[order]
        rows = codes[order]
        starts = np.empty(order.size, dtype=bool)
        starts[0] = True
        np.not_equal(h[1:], h[:-1], out=starts[1:])
        same_row = (rows[1:] == rows[:-1]).all(axis=1)
        if np.all(starts[1:] | same_row):  # no run holds two different rows
            ids[order] = np.cumsum(starts) - 1
            return order[starts].astype(np.int64)
    return _group_sorted_kernel(order, hashes, codes, ids)


@njit(cache=True, nogil=True)
def _group_sorted_kernel(order, hashes, codes, ids):
    """:func:`group_sorted` by a scan: within a run of equal hashes each row is compared with the
    representatives already found in that run (one, unless two different rows collide), so the
    cost is O(n·d) and a hash collision cannot merge two symbols."""
    n = order.shape[0]
    reps = np.empty(n, np.int64)
    n_groups = 0
    i = 0
    while i < n:
        h = hashes[order[i]]
        j = i
        while j < n and hashes[order[j]] == h:
            j += 1
        first = n_groups
        for k in range(i, j):
            r = order[k]
            found = -1
            for g in range(first, n_groups):
                if _rows_equal(codes, r, reps[g]):
                    found = g
                    break
            if found < 0:
                reps[n_groups] = r
                found = n_groups
                n_groups += 1
            ids[r] = found
        i = j
    return reps[:n_groups].copy()


@njit(cache=True, nogil=True)
def lookup_rows(sorted_hashes, sorted_ids, table, q_hashes, q_codes, out):
    """Find each query row in a table of distinct rows: its id there, or -1.

    ``sorted_hashes`` (with ``sorted_ids``, the table row of each) is the table's hashes in
    order; candidates with an equal hash are compared element by element.
    """
    m = sorted_hashes.shape[0]
    d = q_codes.shape[1]
    for k in range(q_hashes.shape[0]):
        h = q_hashes[k]
        pos = np.searchsorted(sorted_hashes, h)
        out[k] = -1
        while pos < m and sorted_hashes[pos] == h:
            g = sorted_ids[pos]
            same = True
            for j in range(d):
                if table[g, j] != q_codes[k, j]:
                    same = False
                    break
            if same:
                out[k] = g
                break
            pos += 1


def plugin_entropy(counts):
    """Plug-in entropy in nats of a vector of counts (zeros ignored): log N − Σ c log c / N."""
    c = np.asarray(counts)
    c = c[c > 0].astype(np.float64)
    if c.size == 0:
        return 0.0
    total = float(c.sum())  # integers: exact
    return float(np.log(total) - np.sum(c * np.log(c)) / total)
