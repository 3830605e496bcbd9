"""Base-and-detail regrain: the grade applied to the picture, not to its noise.

The source ``u`` is split by an edge-preserving filter (the guided filter of each
channel by itself, He et al. 2013, with a small window) into a base ``b``, which
keeps every edge and texture stronger than the noise, and the residual ``u - b``:
noise, JPEG ringing, fine grain. The base goes through the grade ``g`` at its full
slope; the residual's change ``g(u) - g(b)`` is kept in proportion to the
source's own residual, its gain clipped to ``[floor, cap]``.

Why this and not a wide filter of the colour change ``g(u) - u``:
- no halo: ``g(b)`` is the grade itself at every pixel, and ``b`` stops at edges
  within a two-pixel window, so the result departs from the global colour map
  only by the gain clip of the residual (a 10-pixel filter of the change put a
  glow round dark objects on bright skies);
- no haze: detail above the noise lives in ``b`` and is scaled by the grade's
  own slope; the change filter put it back at the source's amplitude while the
  grade stretched everything else;
- bounded noise: the residual's gain stays under ``cap`` however steep the grade,
  so a flat sky's noise and JPEG blocks stay as they were.
"""

import numpy as np

from ..._utils._filters import box_mean_filter
from ._guided import _LUMA

__all__ = ["detail_regrain", "detail_regrain_data", "edge_preserving_base", "split_base"]


def edge_preserving_base(u, radius, eps):
    """Each channel of ``u`` (float32, H x W x C) smoothed by a guided filter guided by itself.

    In a window whose variance is well above ``eps`` the filter keeps the pixel
    (an edge or texture); where the variance is below it, the window mean (noise).
    """
    box = box_mean_filter(u.shape, 2 * radius + 1)
    # Three image-sized float32 buffers, each reused once its value is spent: a
    # fresh buffer costs its page faults.
    mean = box(u)
    spare = np.multiply(u, u)
    variance = box(spare)
    variance -= np.multiply(mean, mean, out=spare)
    gain = np.divide(variance, np.add(variance, np.float32(eps), out=spare), out=variance)
    offset = np.subtract(mean, np.multiply(gain, mean, out=spare), out=mean)
    base = box(gain, out=spare)
    base *= u
    base += box(offset, out=gain)
    return base


# Window radius and noise level of the split when the caller names none
# (regrain="detail"'s).
_RADIUS = 2
_EPS = (6 / 255) ** 2


def split_base(u, radius, eps, rows=None):
    """The base that :func:`detail_regrain` grades: :func:`edge_preserving_base` of
    ``u``, only ``rows`` of it (the others are context), clipped to [0, 1]."""
    base = edge_preserving_base(u, radius, eps)
    if rows is not None:
        base = base[rows]
    return np.clip(base, 0.0, 1.0, out=base)


def detail_regrain(u, grade, *, radius=_RADIUS, eps=_EPS, cap=1.2, floor=0.5,
                   residual="color", rows=None, base=None):
    """``g(b) + clip(g(u) - g(b))`` for float images ``u`` in [0, 1] (H x W x 3).

    Parameters
    ----------
    u : ndarray of shape (H, W, 3), float32
        The source.
    grade : callable
        The colour grade ``g``: float image in, float image of the same shape out.
    radius : int
        Window radius of the edge-preserving split, in pixels.
    eps : float
        What counts as noise: windows with a variance under ``eps`` are smoothed.
    cap, floor : float
        Range of the gain of the residual ``u - b`` through the grade.
    residual : {"color", "luminance"}
        ``"color"``: the residual's change through the grade, its length clipped
        to ``[floor, cap]`` times the residual's. ``"luminance"``: only the
        residual's luminance, scaled by the grade's luminance gain clipped the
        same way, added as grey: noise stays noise of the source's kind, and the
        chroma blocks of a JPEG (16 px, a level or two apart) are not carried
        onto a grade that stretches chroma ten times (false contours on the
        heaviest-JPEG benchmark pair: 34 -> 8 per mille).
    rows : slice, default=None
        Only these rows of the result; the others are context for the base's
        box filters (a strip of a larger image).
    base : ndarray, default=None
        :func:`split_base` of ``u`` with these ``radius``, ``eps`` and ``rows``,
        where another grade of ``u`` computed it already.

    Returns
    -------
    ndarray of shape (H, W, 3), float32, unclipped
        H: the number of ``rows`` where given.
    """
    if base is None:
        base = split_base(u, radius, eps, rows)
    if rows is not None:
        u = u[rows]
    # As plain float32 arrays, whatever the grade returns (a TransportedArray, float64).
    graded_base = np.asarray(grade(base), dtype=np.float32)
    if np.shares_memory(graded_base, base):  # a grade that hands its input back:
        graded_base = graded_base.copy()  # the base may be shared, and is added to below
    graded = np.asarray(grade(u), dtype=np.float32)
    if residual == "luminance":
        # The differences of luminances rather than the luminance of the colour
        # differences: the same to float32 rounding, without two more colour images.
        change_luma = graded @ _LUMA
        change_luma -= graded_base @ _LUMA
        detail_luma = u @ _LUMA
        detail_luma -= base @ _LUMA
        gain = np.abs(change_luma, out=change_luma)
        gain /= np.maximum(np.abs(detail_luma), np.float32(1e-6))
        np.clip(gain, floor, cap, out=gain)
        gain *= detail_luma
        # Channel by channel: numpy broadcasts a plane over the channels in loops
        # of three values, 2.5x slower than three strided adds.
        for channel in range(graded_base.shape[-1]):
            graded_base[..., channel] += gain
        return graded_base
    change = graded
    change -= graded_base
    detail = u - base
    change_norm = np.sqrt(np.einsum("...c,...c->...", change, change))[..., np.newaxis]
    detail_norm = np.sqrt(np.einsum("...c,...c->...", detail, detail))[..., np.newaxis]
    wanted = np.clip(change_norm, floor * detail_norm, cap * detail_norm)
    # Where the grade flattened the residual entirely, keep it at the floor.
    flattened = change_norm < 1e-6
    scale = np.where(flattened, 0.0, wanted / np.maximum(change_norm, 1e-6))
    graded_base += change * scale
    graded_base += np.where(flattened, floor * detail, 0.0)
    return graded_base


# Rows per strip of detail_regrain_data: about a megapixel, so the filter's float32
# temporaries (about ten copies of a strip) stay near 120 MB whatever the image's
# size (whole, a 12 MP photo peaked at 1.25 GB).
_STRIP_PIXELS = 1 << 20


def detail_regrain_data(source_data, grade, params, u=None, bases=None):
    """:func:`detail_regrain` of a validated image (``check_colors``), encoded in its
    dtype with its alpha; ``u``: its colours as float32 (H, W, C), if already made;
    ``bases``: a dict that grades of the same image share, holding each strip's
    :func:`split_base` for the next grade (read first, else filled).

    The image is processed in strips of rows, each with ``2 * radius`` rows of
    context on either side (the two box filters of the base reach that far), so
    the result is the whole image's, bit for bit.
    """
    height, width = source_data.shape[:2]
    n_channels = source_data.n_channels
    out = source_data.empty_output()
    depth = 2 * params.get("radius", _RADIUS)
    rows = max(depth, _STRIP_PIXELS // max(width, 1))
    for start in range(0, height, rows):
        stop = min(start + rows, height)
        low, high = max(0, start - depth), min(height, stop + depth)
        if u is None:
            rows_of_pixels = slice(low * width, high * width)
            strip = source_data.colors(rows_of_pixels, dtype=np.float32)
            strip = strip.reshape(high - low, width, n_channels)
        else:
            strip = u[low:high]
        rows_out = slice(start - low, stop - low)
        base = None
        if bases is not None:
            radius, eps = params.get("radius", _RADIUS), params.get("eps", _EPS)
            key = (low, high, radius, eps)
            if key not in bases:
                bases[key] = split_base(strip, radius, eps, rows_out)
            base = bases[key]
        graded = detail_regrain(strip, grade, rows=rows_out, base=base, **params)
        if not source_data.is_integer:  # integers are clipped as they are rounded
            np.clip(graded, 0.0, 1.0, out=graded)
        source_data.encode_into(
            out[start:stop].reshape(-1, out.shape[-1]), graded.reshape(-1, n_channels)
        )
    return out
