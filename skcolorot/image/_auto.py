"""``method="auto"``: the sliced look, or the affine map where the look splits what
the affine map keeps whole.

No single method wins every kind of photo (README, "Quality"): the sliced look
reaches the reference's colours closely, but on some pairs it paints one uniform
region of the source in two colours (a storm sky turned orange here and blue
there, a grey gradient turned pink and pale blue); the affine map is a colour
*transform* of the whole picture (one matrix) and cannot split a region that way,
but it reaches the reference's colours less closely. ``auto`` grades with both
(:func:`~skcolorot.image._transfer.grade_auto`) and measures their uniform-area
splits
(:func:`skcolorot.metrics.region_splits`) on thumbnails of the results: it keeps
the sliced look unless that splits at least 2 % of the uniform area and the affine
map at most half as much. The affine map is applied like the look (on an
edge-preserving base, the fine detail back as luminance:
:func:`~skcolorot.image._clean.clean_grade`), so its noise stays the source's.

Measured on the 39 pairs of ``benchmarks/bench_quality.py`` (means, against the
sliced look; auto took the affine map on 10 pairs, and on thumbnails of the
inputs the thresholds picked the same pairs from 1 to 3 % and ratios of 0.2 to
0.5): split area 3.5 % -> 0.9 % (the least of every method measured, MKL and
Reinhard included), worst split 10.8 -> 8.0 dE (Reinhard's 7.3, at fidelity
0.29), luminance SSIM 0.746 -> 0.758, colour fidelity 0.133 -> 0.161 (the price:
the affine map reaches the reference less closely; MKL 0.195), halo 1.7 -> 1.9
px (a logo's soft glow that the halo measure reads as a departure from a global
map), false contours 0.30 -> 0.42 per mille, about 0.6 s more per pair. At 1:1
the switched pairs lose an orange blotch in a storm sky, a pink and pale blue
band across a grey gradient, teal rims round a logo and red streaks painted into
grey wood; on two of them the look's colours were closer to the reference and
its split was a dark smudge, where the affine result is cleaner but duller
(olive-yellow for a yellow flower).

Tried and not kept: on the 10 switched pairs, mixing a share of the look back
into the affine result (the largest of 75 / 50 / 25 % whose thumbnail split
area stays under the 2 % trigger and half the look's): 25 % on six pairs, 50 %
on three, and colour fidelity over the 39 pairs 0.161 -> 0.155 (a storm sky
toward dune 0.308 -> 0.252, grey storm toward a yellow flower 0.311 -> 0.222),
but 0.146 -> 0.167 and 0.463 -> 0.473 on two (fidelity is not monotone in the
share), and at 1:1 a 25 % mix looks much like the affine result. Not worth a
third kind of exported grade (a mixed table). Nor the affine map taken wherever
it is at least as clean and its thumbnail fidelity is under half the look's
(two pairs, fidelity 0.161 -> 0.158: a dark night reference made nearly black).
"""

import numpy as np

from .._utils._dtypes import unit_scale

__all__ = [
    "CANDIDATES",
    "AutoChoice",
    "choose_from_splits",
    "choose_method",
    "source_thumbnail",
    "split_measure",
    "thumbnail",
]

# The candidates, the default first: it is kept unless the rule below says otherwise.
CANDIDATES = ("sliced", "affine")
# Splits are measured on thumbnails: their 16 px blocks then see a sky as a few
# large regions, and two measures cost ~50 ms whatever the photo's size.
_THUMBNAIL_SIDE = 384
# The sliced look is replaced when it splits at least this share of the uniform
# area and the affine map at most this fraction of what the look split.
_SPLIT_AREA = 0.02
_SPLIT_RATIO = 0.5


class AutoChoice:
    """What ``method="auto"`` chose, and why.

    Attributes
    ----------
    method : str
        The method whose result was kept: ``"sliced"`` or ``"affine"``.
    splits : dict of str to (float, float)
        Per candidate, the share of the uniform area split (0 to 1) and the
        worst split gap (ΔE), measured on thumbnails.
    """

    def __init__(self, method, splits):
        self.method = method
        self.splits = splits

    @property
    def reason(self):
        """One sentence: the splits that decided."""
        if not self.splits:
            return "an image without colour channels has no colour to split"
        (area, worst), (alt_area, _) = self.splits["sliced"], self.splits["affine"]
        look = (f"the sliced look split {100 * area:.1f} % of the uniform area "
                f"(worst {worst:.0f} ΔE)")
        if self.method == "affine":
            return f"{look}, the affine map {100 * alt_area:.1f} %"
        if area < _SPLIT_AREA:
            return f"{look}: under {100 * _SPLIT_AREA:.0f} %"
        return f"{look}, the affine map as much or more ({100 * alt_area:.1f} %)"

    def __str__(self):
        return f"auto chose {self.method}: {self.reason}"

    def __repr__(self):
        return f"AutoChoice(method={self.method!r}, splits={self.splits!r})"


def thumbnail(image, side=_THUMBNAIL_SIDE):
    """``image`` (H, W, C) reduced by an integer factor to at most ``side`` pixels
    a side, each pixel the mean of its block; float32 in [0, 1], alpha dropped."""
    array = np.asarray(image)
    factor = max(1, -(-max(array.shape[:2]) // side))
    h, w = (array.shape[0] // factor) * factor, (array.shape[1] // factor) * factor
    blocks = array[:h, :w, :3].reshape(h // factor, factor, w // factor, factor, 3)
    if array.dtype.kind == "u" and factor * factor * np.iinfo(array.dtype).max < 1 << 24:
        # Integer sums under 2**24 are exact in float32 whatever the order: the
        # blocks' rows, then their columns, added as views (the strided mean
        # takes 6x as long), then one correctly rounded division, as the mean's.
        rows = blocks[:, 0].astype(np.float32)
        for k in range(1, factor):
            rows += blocks[:, k]
        means = rows[:, :, 0].copy()
        for k in range(1, factor):
            means += rows[:, :, k]
        means /= factor * factor
    else:
        means = blocks.mean(axis=(1, 3), dtype=np.float32)
    return (means / np.float32(unit_scale(array.dtype))).clip(0, 1)


def choose_method(source, results):
    """The candidate to keep, from the splits of their results.

    Parameters
    ----------
    source : ndarray of shape (H, W, 3) or (H, W, 4)
        The source image.
    results : dict of str to ndarray
        The result of each of :data:`CANDIDATES` on ``source`` (same shape).

    Returns
    -------
    AutoChoice

    Examples
    --------
    >>> import numpy as np
    >>> from skcolorot.image._auto import choose_method
    >>> sky = np.full((96, 96, 3), 0.5, dtype=np.float32)
    >>> split = sky.copy(); split[:, 48:] = [0.8, 0.5, 0.3]; split[:, :48] = [0.2, 0.5, 0.6]
    >>> choice = choose_method(sky, {"sliced": split, "affine": sky * 1.2})
    >>> choice.method, choice.splits["affine"][0]
    ('affine', 0.0)
    """
    small = source_thumbnail(source)
    return choose_from_splits({method: split_measure(small, results[method])
                               for method in CANDIDATES})


def source_thumbnail(source):
    """The source's thumbnail as the split measure reads it: its blurred Lab is
    computed once for every candidate (safely from two threads: at worst twice)."""
    from ..metrics._common import prepare

    return prepare(thumbnail(source), "source")


def split_measure(small_source, result):
    """A candidate's ``(area, worst)`` split (:func:`skcolorot.metrics.region_splits`)
    on thumbnails; ``small_source``: :func:`source_thumbnail`."""
    from ..metrics import region_splits

    report = region_splits(small_source, thumbnail(result))
    return report.score, report.worst


def choose_from_splits(splits):
    """The :class:`AutoChoice` from each candidate's :func:`split_measure`."""
    area, alt_area = splits["sliced"][0], splits["affine"][0]
    keep = "affine" if area >= _SPLIT_AREA and alt_area <= _SPLIT_RATIO * area else "sliced"
    return AutoChoice(keep, splits)
