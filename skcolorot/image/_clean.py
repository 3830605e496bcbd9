"""The clean look: the rounds' colours distilled into one table, applied to the
picture and not to its noise.

``transfer()``'s rounds (transport, regrain, refit) reach the reference's colours
closely, but their wide guided filter paints: a glow round dark objects on bright
skies (halos 15-40 px from strong edges), colours that drift within a uniform
region (a grey or foggy source became red and yellow blobs that follow no edge of
the source), detail put back at the source's amplitude under a steep grade (haze).
The clean look keeps the rounds' *colours* and drops their *spatial* behaviour:

1. the rounds run as before (:func:`~skcolorot.image._transfer.regrain_rounds`);
2. one global table is fitted to the pairs (source colour -> colour the rounds
   gave that pixel) by the transports' own regular fitter
   (:func:`~skcolorot.transport._regular.regular_table`): a smooth conditional
   mean, so one source colour gets one output colour, everywhere;
3. that table is applied by the base-and-detail regrain
   (:func:`~skcolorot.image._regrain._detail.detail_regrain`): the table at its
   full slope on an edge-preserving base of the source, the finer residual (noise,
   JPEG ringing, grain) going back as luminance, its gain kept near one.

Measured on the 39 pairs of ``benchmarks/bench_quality.py`` (means, against the
rounds' own result): halo 18.9 -> 1.7 px from strong edges (a global map's
level on these pairs), uniform area split 7.8 % -> 3.5 % (worst gap 18.0 -> 13.0
dE), detail kept 0.87 -> 0.89, false contours 1.4 -> 0.3 per mille, flat-area
noise 1.06x -> 0.98x the source's, colour fidelity 0.076 -> 0.133 (the rounds'
fidelity on grey and foggy sources was bought by painting colours that follow no
edge: fog 0.077 -> 0.189), luminance SSIM 0.764 -> 0.746.

Tried and dropped (18 of those pairs): a smoother table (bandwidth 0.05 / 0.08:
split area 4.8 % -> 2.5 % / 1.5 %, fidelity 0.133 -> 0.162 / 0.177); bounding the
table's slopes against its Gaussian base (the rounds' colours fold in colour
space at a tenth of the nodes, so any bound fades most of the table: fidelity
0.33 on china -> flower); a sliced refit of the distilled result (fidelity back
to 0.068, splits back to 15 %: a global map reaches such colours only by
splitting); wider windows for the base (radius 10-20: SSIM +0.01, more false
contours on heavy JPEG); the residual's full colour change instead of its
luminance (18 pairs: false contours 4.4 against 0.5 per mille, flat noise 1.13x
against 1.00x: a heavy JPEG's chroma blocks, stretched by the grade's chroma slope);
only an upper bound on those slopes, no lower one (singular values <= 3 / 5:
fidelity 0.134 -> 0.184 / 0.163, split 3.9 % -> 1.5 % / 2.3 %, nine pairs); the
table's lightness and chroma re-matched to the reference's by slope-bounded
quantile curves (fidelity 0.134 -> 0.129, worst split 13.6 -> 15.0, nine pairs);
fewer rounds (one: fidelity 0.175, split 2.5 %; two: 0.136, 4.7 %); the
smoothing chosen per image from the splits on a 384 px thumbnail (0.03, else
0.05, else 0.08 when the worst split tops 15 dE: fidelity 0.144, split 2.6 %,
worst 11.3 - a sky graded toward a sand-and-sky reference still splits orange
and blue, only softer); relaxed marginals (the look from unbalanced Sinkhorn,
``reg_m`` 0.1 / 0.3 / 1, two pairs the default splits): a storm sky toward dune
still split 10-12 % of its uniform area (fidelity 0.18 / 0.16 / 0.13), an aqua
splash toward a yellow flower split 0 / 0.1 / 7.9 % at fidelity 0.43 / 0.35 /
0.17, where the affine map splits nothing at 0.25: a large uniform source mode
is not split for want of mass to send elsewhere. Fidelity and splits trade along one curve for every
global table measured; the default sits where halos and painting are gone and
fidelity stays near IDT + regrain's.

Not global either (39 pairs): the look's colour shift (result minus source, in
Lab) smoothed by an edge-stopping filter guided by the source's edge-preserving
base (Gastal & Oliveira's domain transform, spatial sigma 8 % of the long side,
range sigma 8 Lab units; after Rabin, Delon & Gousseau's removal of transfer
artefacts). Worst split 10.8 -> 7.1 dE, split area 3.5 % -> 1.2 %, SSIM 0.746
-> 0.771, but fidelity 0.133 -> 0.152, halo 1.7 -> 2.8 px (7 pairs over 5 px)
and false contours 0.3 -> 1.9 per mille: on heavy JPEG the filter stops at the
8 x 8 blocks' edges and the shift takes their steps (24.8 per mille on one
pair; visible banding at 1:1). With ``auto`` on top: worst split 8.7 -> 6.7,
fidelity 0.161 -> 0.173, halo 2.0 -> 2.6 px. Steps under 1 Lab unit ignored
(against the blocks): splits gone on ten hard pairs, but the shift then
crosses soft edges (halos up to 48 px) and fidelity falls to 0.15-0.19 where
the look had 0.06. Colour only (a, b), the source itself as guide: worst split
8.4, halo 4.7 px.
"""

import numpy as np

from .._utils._input import draw_indices

__all__ = ["CLEAN_DETAIL", "distil_table", "clean_regrain", "clean_grade"]

# Pairs drawn to fit the table: a 33^3 table smoothed at 0.03 is pinned down by far
# fewer; more only costs time.
_MAX_PAIRS = 200_000
# The table's size and smoothing: the transports' defaults (lut_size, smoothness).
_TABLE_SIZE = 33
_BANDWIDTH = 0.03
# The base-and-detail split of the clean look: a 6 px window and eps of 12 levels
# put texture up to ~12 levels of local spread in the residual (kept near the
# source's amplitude: SSIM), and every stronger edge in the base (graded at full
# slope: no halo). Radius 2 / 6 levels (regrain="detail"'s) kept less structure:
# SSIM 0.683 against 0.694, flat noise 1.28x against 1.17x the source's.
CLEAN_DETAIL = {"radius": 6, "eps": (12 / 255) ** 2, "residual": "luminance"}


def distil_table(source_colors, look_colors, *, size=_TABLE_SIZE, bandwidth=_BANDWIDTH):
    """One regular table sending each source colour where a look sent it on average.

    Parameters
    ----------
    source_colors, look_colors : ndarray of shape (n_pixels, 3)
        The source's colours and the look's colours at the same pixels, in [0, 1]
        (a sub-sample of an image's pixels: a few hundred thousand pin a table down).
    size, bandwidth : int, float
        Nodes per axis and smoothing, as the transports' ``lut_size`` and
        ``smoothness``.

    Returns
    -------
    table : ndarray of shape (size, size, size, 3)
    """
    from ..transport._regular import regular_table

    points = np.asarray(source_colors, dtype=np.float64)
    mapped = np.asarray(look_colors, dtype=np.float64)
    weights = np.full(len(points), 1.0 / len(points))
    return regular_table(points, mapped, weights, size, bandwidth)


def clean_regrain(source_data, look, *, random_state=0, bases=None):
    """The clean look of ``source_data`` (a validated RGB image) from a look's result.

    ``bases``: the source's edge-preserving bases, shared with its other grades
    (:func:`~skcolorot.image._regrain._detail.detail_regrain_data`).
    Returns an array of the source's shape and dtype.
    """
    from .._utils._input import check_colors
    from ..color._lut import apply_lut
    from ._regrain._detail import detail_regrain_data

    u = source_data.colors(dtype=np.float32)
    n_pixels = len(u)
    index = draw_indices(n_pixels, min(n_pixels, _MAX_PAIRS), random_state)
    # Only the drawn pairs of the look are converted: a 12 MP look is not copied.
    look_colors = check_colors(look, "look").colors(index, dtype=np.float32)
    table = distil_table(u[index], look_colors)

    def grade(image):  # float32 in, float32 out: the compiled pass where it is built
        return apply_lut(image, table)

    return detail_regrain_data(source_data, grade, CLEAN_DETAIL,
                               u=u.reshape(*source_data.shape[:2], 3), bases=bases)


def clean_grade(image, grade):
    """One fitted grade applied to ``image`` as the clean look applies its table.

    The grade at its full slope on the image's edge-preserving base, the finer
    residual put back as luminance near its own amplitude (``CLEAN_DETAIL``): no
    halo and no haze, whatever the grade. What ``batch`` and ``video`` do when
    they regrain: on 18 benchmark pairs, against a single grade plus the guided
    regrain (radius 4) they used before, halo 12.4 -> 0.8 px, false contours
    1.7 -> 0.3 per mille, colour fidelity 0.132 -> 0.114, detail kept 0.76 ->
    0.82, luminance SSIM 0.72 -> 0.68 (the grade's own contrast, now kept).

    Parameters
    ----------
    image : ndarray of shape (H, W, 3) or (H, W, 4)
        uint8, uint16 or float in [0, 1]; an alpha channel passes through.
    grade : callable
        The grade: a float32 image in [0, 1] in, an image of the same shape out
        (a transport's ``transform``, or :func:`~skcolorot.color._lut.apply_lut`
        with its table).

    Returns
    -------
    ndarray of the image's shape and dtype
    """
    from .._utils._input import check_colors
    from ._regrain._detail import detail_regrain_data

    return detail_regrain_data(check_colors(image, "image"), grade, CLEAN_DETAIL)
