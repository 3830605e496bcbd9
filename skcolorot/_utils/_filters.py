"""Two of scipy.ndimage's filters in numpy, bit for bit: the Gaussian blur of the
regular tables (``mode="constant"``) and of ``method="auto"``'s split measure
(``mode="reflect"``, :func:`skcolorot.metrics.region_splits`), and the box mean of
the clean look's edge-preserving base (``mode="reflect"``).

``import scipy.ndimage`` costs ~0.45 s, a third of what a 0.3 MP ``skcolorot
transfer`` may take in all; nothing else on that path needs scipy. Each filter
repeats scipy's own arithmetic (its C loops, ``ni_filters.c``: a symmetric
kernel's pairs added from the outermost in, a running sum in float64 divided at
each output), so the results are scipy's to the last bit (``tests/test_filters.py``
compares them), not merely close. Which filter runs is decided here once, by
size (:data:`COMPILED_MIN_VALUES`): these loops for small arrays, scipy's or
OpenCV's for large ones.
"""

import numpy as np

__all__ = ["COMPILED_MIN_VALUES", "box_mean", "box_mean_filter", "gaussian_filter",
           "reflected_gaussian"]

# Float64 values per block of both filters' sums: cache-sized buffers, used again
# block after block (whole-image temporaries made the box mean 3x slower).
_BLOCK_VALUES = 1 << 16


def gaussian_filter(values, sigma, *, mode="constant", truncate=4.0):
    """``scipy.ndimage.gaussian_filter(values, sigma, mode=mode, truncate=...)`` over
    the first ``len(sigma)`` axes; later axes are batches.

    Parameters
    ----------
    values : ndarray
    sigma : array-like of floats
        Standard deviation per filtered axis, in samples (0: the axis is left alone).
    mode : {"constant", "reflect"}, default="constant"
        scipy's extension beyond the edges: zeros, or the edge samples mirrored
        (d c b a | a b c d | d c b a).
    truncate : float, default=4.0
        The kernel is cut at this many standard deviations (scipy's radius
        ``int(truncate * sigma + 0.5)``).

    Returns
    -------
    ndarray, the shape of ``values``
        float32 for float32 ``values`` (rounded after each axis, as scipy's
        output of that type is), else float64.
    """
    values = np.asarray(values)
    dtype = np.float32 if values.dtype == np.float32 else np.float64
    out = values.astype(dtype, copy=False)
    for axis, sd in enumerate(np.asarray(sigma, dtype=np.float64).ravel()):
        sd = float(sd)
        if sd <= 1e-15:  # scipy skips such axes
            continue
        radius = int(truncate * sd + 0.5)
        offsets = np.arange(-radius, radius + 1)
        kernel = np.exp(-0.5 / (sd * sd) * offsets**2)
        kernel = kernel / kernel.sum()
        lines = np.moveaxis(out, axis, 0)  # the filtered axis first: contiguous slices
        n = len(lines)
        if mode == "reflect":
            padded = lines[_reflected(n, 2 * radius + 1)].astype(np.float64, copy=False)
        else:
            padded = np.zeros((n + 2 * radius,) + lines.shape[1:])
            padded[radius : radius + n] = lines
        padded = padded.reshape(len(padded), -1)
        result = np.empty((n, padded.shape[1]))
        # A block of rows at a time, its buffers in cache (whole lines: 2x slower
        # on a 384 px thumbnail); one buffer for every pair: fresh pages cost.
        step = max(1, _BLOCK_VALUES // padded.shape[1])
        pair = np.empty((min(step, n), padded.shape[1]))
        for start in range(0, n, step):
            stop = min(start + step, n)
            total, terms = result[start:stop], pair[: stop - start]
            np.multiply(padded[radius + start : radius + stop], kernel[radius], out=total)
            for shift in range(radius, 0, -1):
                np.add(padded[radius - shift + start : radius - shift + stop],
                       padded[radius + shift + start : radius + shift + stop], out=terms)
                terms *= kernel[radius - shift]
                total += terms
        result = result.reshape(lines.shape).astype(dtype, copy=False)
        out = np.moveaxis(result, 0, axis)
    # In scipy's layout too: a caller's reductions (sums, variances) add in
    # memory order, so a strided view gives other roundings downstream.
    return np.ascontiguousarray(out)


def _reflected(n, size):
    """Indices of scipy's "reflect" extension of a line of ``n`` by the window
    ``size``: the edge sample repeated (d c b a | a b c d | d c b a), periodically
    for windows longer than the line."""
    index = np.arange(-(size // 2), n + size - size // 2 - 1) % (2 * n)
    return np.where(index >= n, 2 * n - 1 - index, index)


def _running_mean_down(values, size, out):
    """scipy's ``uniform_filter1d`` (reflect) down the rows of a 2-D ``values``:
    its float64 running sum, ``sum += new - old``, row after row in blocks."""
    n, m = values.shape
    index = _reflected(n, size)
    total = np.zeros(m)
    for k in index[:size]:
        total += values[k]
    np.divide(total, size, out=out[0], casting="unsafe")
    block = np.empty((max(1, _BLOCK_VALUES // m), m))
    for start in range(1, n, len(block)):
        stop = min(start + len(block), n)
        sums = block[: stop - start]
        np.subtract(values[index[start + size - 1 : stop + size - 1]],
                    values[index[start - 1 : stop - 1]], out=sums, dtype=np.float64)
        sums[0] += total
        for row in range(1, len(sums)):
            np.add(sums[row - 1], sums[row], out=sums[row])
        total = sums[-1].copy()
        np.divide(sums, size, out=out[start:stop], casting="unsafe")
    return out


def _running_mean_across(values, size, out):
    """The same along axis 1 of an ``(H, W, C)`` image, a block of rows at a time
    (numpy's cumulative sum is the same sequence of additions)."""
    n = values.shape[1]
    index = _reflected(n, size)
    step = max(1, _BLOCK_VALUES // (n * values.shape[2]))
    for start in range(0, len(values), step):
        padded = np.take(values[start : start + step], index, axis=1)
        sums = np.empty(padded[:, :n].shape)
        sums[:, 0] = 0.0  # as scipy starts its sum: -0.0 comes out as 0.0
        for k in range(size):
            sums[:, 0] += padded[:, k]
        np.subtract(padded[:, size:], padded[:, : n - 1], out=sums[:, 1:], dtype=np.float64)
        np.cumsum(sums, axis=1, out=sums)
        np.divide(sums, size, out=out[start : start + step], casting="unsafe")
    return out


def box_mean(values, size, out=None):
    """``scipy.ndimage.uniform_filter(values, (size, size, 1), mode="reflect",
    output=out)`` of an ``(H, W, C)`` image; the output has its dtype, or ``out``'s.
    """
    values = np.ascontiguousarray(values)
    if out is None:
        out = np.empty_like(values)
    if size <= 1:  # scipy leaves such axes alone
        out[...] = values
        return out
    down = np.empty_like(values)
    _running_mean_down(values.reshape(len(values), -1), size, down.reshape(len(values), -1))
    return _running_mean_across(down, size, out)


# The one size policy of both filters: from this many values up, a compiled
# library's filter; below it, importing one would cost more than it saves
# (scipy.ndimage 0.45 s, OpenCV 0.24 s), and the numpy filters above give the
# same numbers at about 1.5x scipy's time (0.3 MP box mean: ~15 against ~10 ms).
COMPILED_MIN_VALUES = 1 << 21


def reflected_gaussian(planes, sigmas, truncate):
    """scipy's ``gaussian_filter(planes, sigmas, mode="reflect", truncate=...)``:
    these numpy loops for small float32 arrays, scipy's for the rest."""
    if planes.dtype == np.float32 and planes.size <= COMPILED_MIN_VALUES:
        return gaussian_filter(planes, sigmas, mode="reflect", truncate=truncate)
    from scipy import ndimage

    return ndimage.gaussian_filter(planes, sigmas, mode="reflect", truncate=truncate)


def box_mean_filter(shape, side):
    """``box(x, out=None)``: the ``side`` x ``side`` window mean of each channel of
    an (H, W, C) array of ``shape``, edges reflected.

    Large arrays: OpenCV's box filter where it is installed (the ``files``
    extra), 4x scipy's on interleaved colour planes (a 1080p frame: 17 against
    72 ms) and equal within float32 rounding (6e-8); else scipy's.
    """
    if np.prod(shape) < COMPILED_MIN_VALUES:
        return lambda x, out=None: box_mean(x, side, out=out)
    if shape[-1] in (1, 3, 4):
        try:
            import cv2
        except ImportError:
            pass
        else:
            def box(x, out=None):
                filtered = cv2.boxFilter(x, -1, (side, side), dst=out,
                                         borderType=cv2.BORDER_REFLECT)
                return filtered.reshape(x.shape)

            return box
    from scipy.ndimage import uniform_filter

    return lambda x, out=None: uniform_filter(x, (side, side, 1), output=out, mode="reflect")
