"""Artefact measures on colour and noise: rare saturated colours crushed, noise
amplified in flat areas, edges the source did not have; and ``artefact_report``,
every measure of one result at once with the shared planes computed once.

Same conventions as ``_artefacts``: ``(source, result)`` of the same size, a
``Bunch`` with ``score`` and a ``map`` larger where worse.
"""

import numpy as np
from scipy import ndimage

from ._artefacts import false_contours, global_map, halo_width, haze, region_splits
from ._common import Bunch, blur, check_pair

__all__ = ["rare_color_collapse", "flat_noise", "new_edges", "artefact_report", "describe_artefacts"]


def rare_color_collapse(
    source, result, *, min_chroma=20.0, relative_chroma=0.6, n_hues=12, max_share=0.05,
    min_share=2e-4,
):
    """Chroma and lightness that the source's most saturated small colour clusters keep.

    Saturated pixels are those whose source chroma C*ab is at least ``min_chroma`` and
    ``relative_chroma`` times the image's 99.9th percentile chroma. They are grouped by
    hue into ``n_hues`` sectors; a sector holding between ``min_share`` and
    ``max_share`` of the image is a rare colour cluster. For each, the chroma kept is
    mean output chroma / mean source chroma over its pixels, and ΔL the mean change of
    L*. The worst cluster keeps the least chroma.

    Parameters
    ----------
    source, result : array-like of shape (H, W, 3)
        RGB images, uint8 or float in [0, 1], of the same size.
    min_chroma : float, default=20.0
        Smallest source chroma of a saturated pixel.
    relative_chroma : float, default=0.6
        Fraction of the 99.9th percentile chroma a saturated pixel reaches.
    n_hues : int, default=12
        Hue sectors.
    max_share, min_share : float, default=0.05, 2e-4
        Bounds on a cluster's share of the image.

    Returns
    -------
    report : Bunch
        ``score``: chroma kept by the worst cluster (1: kept; NaN without a cluster);
        ``relative``: that over the chroma kept by the rest of the image (pixels with
        C* > 5, not saturated): below 1, the rare colour loses more than the grade
        takes from everything else (NaN when the rest is grey);
        ``delta_lightness``: mean L* change of the worst cluster;
        ``n_clusters``: clusters found;
        ``map``: per pixel of a cluster, chroma lost ``max(0, 1 - C_out / C_src)``.

    Examples
    --------
    >>> import numpy as np
    >>> from skcolorot.metrics import rare_color_collapse
    >>> source = np.full((64, 64, 3), 0.5); source[20:30, 20:30] = [0.9, 0.1, 0.1]
    >>> result = source.copy(); result[20:30, 20:30] = [0.55, 0.45, 0.45]
    >>> round(rare_color_collapse(source, result).score, 1)
    0.1
    """
    src, out = check_pair(source, result)
    s_chroma, o_chroma = src.chroma, out.chroma
    lost = np.zeros(src.shape, dtype=np.float32)
    bound = max(min_chroma, relative_chroma * float(np.percentile(s_chroma, 99.9)))
    saturated = s_chroma >= bound
    # What the grade does to the chroma of everything else.
    rest = (s_chroma > 5) & ~saturated
    overall = float(o_chroma[rest].sum() / s_chroma[rest].sum()) if rest.any() else np.nan
    empty = Bunch(score=np.nan, relative=np.nan, delta_lightness=np.nan, n_clusters=0, map=lost)
    if not saturated.any():
        return empty
    lab_s = src.lab[saturated]
    hue = np.arctan2(lab_s[:, 2], lab_s[:, 1])
    sector = ((hue + np.pi) / (2 * np.pi) * n_hues).astype(np.intp) % n_hues
    counts = np.bincount(sector, minlength=n_hues)
    size = s_chroma.size
    clusters = np.flatnonzero((counts >= max(min_share * size, 20)) & (counts <= max_share * size))
    if not len(clusters):
        return empty
    s_c, o_c = s_chroma[saturated], o_chroma[saturated]
    d_light = out.lightness[saturated] - src.lightness[saturated]
    kept = np.array([o_c[sector == k].sum() / s_c[sector == k].sum() for k in clusters])
    worst = int(np.argmin(kept))
    in_cluster = np.isin(sector, clusters)
    values = np.where(in_cluster, np.maximum(0, 1 - o_c / s_c), 0)
    lost[saturated] = values
    return Bunch(
        score=float(kept[worst]),
        relative=float(kept[worst] / overall) if overall and np.isfinite(overall) else np.nan,
        delta_lightness=float(d_light[sector == clusters[worst]].mean()),
        n_clusters=len(clusters),
        map=lost,
    )


def flat_noise(source, result, *, sigma=2.0, window=9, flat_gradient=0.5, floor=0.5,
               n_bins=4):
    """Noise of the result in the source's flat areas, against the source's noise
    carried through a smooth version of the grade.

    Noise is the high-pass ``image - blur(image, sigma)``. The source is flat where
    the gradient of its blurred Lab stays below ``flat_gradient`` ΔE/px within 7 px.
    The expected noise is the source's RGB high-pass times the slope of a coarse
    global colour map of the source to the result (affine in each of ``n_bins``**3
    source-RGB bins, fitted on both images blurred by ``sigma``): the broad grade,
    shadows lifted or hues moved, scales noise as the eye expects; a steep map
    within a bin (posterisation, a histogram match of a narrow peak) does not, so
    the noise it amplifies counts. The local noise (RMS over ``window`` pixels) is
    compared with ``floor`` ΔE added to both, so that a clean render's invisible
    noise does not divide by 0.

    Parameters
    ----------
    source, result : array-like of shape (H, W, 3)
        RGB images, uint8 or float in [0, 1], of the same size.
    sigma : float, default=2.0
        Blur separating noise from structure (pixels).
    window : int, default=9
        Side of the local RMS (pixels).
    flat_gradient : float, default=0.5
        Largest gradient (ΔE per pixel) of the blurred source in a flat area.
    floor : float, default=0.5
        ΔE added to both noise levels.
    n_bins : int, default=4
        Bins per RGB channel of the coarse map.

    Returns
    -------
    report : Bunch
        ``score``: result noise / expected noise over the flat area (1: in
        proportion, above 1: amplified);
        ``raw``: result noise / the source's own noise (Lab), the grade's gain
        included: what the eye compares side by side;
        ``flat``: fraction of the image that is flat;
        ``map``: per pixel of a flat area, the local ratio; 0 elsewhere.

    Examples
    --------
    >>> import numpy as np
    >>> from skcolorot.metrics import flat_noise
    >>> rng = np.random.default_rng(0)
    >>> source = 0.5 + 0.01 * rng.standard_normal((64, 64, 3))
    >>> noisy = source + 0.05 * rng.standard_normal((64, 64, 3))
    >>> flat_noise(source, noisy).score > 3
    True
    """
    src, out = check_pair(source, result)
    flat = ndimage.maximum_filter(src.gradient(sigma), 15) < flat_gradient
    rgb = src.rgb.astype(np.float32) * (1 if src.rgb.dtype == np.uint8 else 255)
    s_noise = rgb - blur(rgb, sigma)
    o_noise = out.lab - out.smooth_lab(sigma)
    slope = global_map(src, out, n_bins, sigma=sigma, jacobian=True)
    mapped = np.einsum("hwi,hwij->hwj", s_noise, slope)
    # (a running mean of squares in float32 can dip a hair below 0)
    expected = np.sqrt(np.maximum(ndimage.uniform_filter((mapped**2).sum(axis=-1), window), 0))
    observed = np.sqrt(np.maximum(ndimage.uniform_filter((o_noise**2).sum(axis=-1), window), 0))
    n_flat = int(flat.sum())
    ratio_map = np.where(flat, (observed + floor) / (expected + floor), 0).astype(np.float32)
    if not n_flat:
        return Bunch(score=1.0, raw=1.0, flat=0.0, map=ratio_map)

    def rms(values):
        return np.sqrt((values[flat] ** 2).mean() + floor**2)

    # The plain ratio to the source's own noise in Lab, the grade's gain included.
    source_noise = np.sqrt(np.maximum(ndimage.uniform_filter(
        ((src.lab - src.smooth_lab(sigma)) ** 2).sum(axis=-1), window), 0))
    return Bunch(score=float(rms(observed) / rms(expected)),
                 raw=float(rms(observed) / rms(source_noise)),
                 flat=n_flat / flat.size, map=ratio_map)


def new_edges(source, result, *, sigma=1.0, edge=4.0, support=1.0, radius=3):
    """Edges in the result with no source edge nearby, per megapixel.

    A result pixel is on an edge when its Lab gradient (after a ``sigma`` blur) exceeds
    ``edge`` ΔE/px (a step of about 10 ΔE); the edge is new when no source pixel within
    ``radius`` px has a gradient above ``support`` ΔE/px (a step of 2.5 ΔE, barely
    visible).

    Parameters
    ----------
    source, result : array-like of shape (H, W, 3)
        RGB images, uint8 or float in [0, 1], of the same size.
    sigma : float, default=1.0
        Blur before the gradients (pixels).
    edge : float, default=4.0
        Gradient (ΔE per pixel) of a result edge.
    support : float, default=1.0
        Source gradient (ΔE per pixel) that explains a result edge.
    radius : int, default=3
        How near (px) the source edge must be.

    Returns
    -------
    report : Bunch
        ``score``: new edge pixels per megapixel;
        ``map``: per pixel, the result's gradient on a new edge (ΔE/px), else 0.

    Examples
    --------
    >>> import numpy as np
    >>> from skcolorot.metrics import new_edges
    >>> source = np.full((64, 64, 3), 0.5)
    >>> result = source.copy(); result[:, 32:] = 0.8
    >>> new_edges(source, result).score > 0, new_edges(source, source * 0.9).score
    (True, 0.0)
    """
    src, out = check_pair(source, result)
    o_grad = out.gradient(sigma)
    supported = ndimage.maximum_filter(src.gradient(sigma), 2 * radius + 1) > support
    new = (o_grad > edge) & ~supported
    return Bunch(
        score=float(new.sum() / new.size * 1e6),
        map=np.where(new, o_grad, 0).astype(np.float32),
    )


def artefact_report(source, result):
    """Every artefact measure of one result, the shared planes (Lab, blurs,
    gradients) computed once.

    Returns
    -------
    report : dict
        Measure name -> its ``Bunch`` (``region_splits``,
        ``halo_width``, ``haze``, ``false_contours``, ``rare_color_collapse``,
        ``flat_noise``, ``new_edges``).

    Examples
    --------
    >>> import numpy as np
    >>> from skcolorot.metrics import artefact_report
    >>> image = np.random.default_rng(0).random((48, 48, 3))
    >>> sorted(artefact_report(image, image))[:2]
    ['false_contours', 'flat_noise']
    """
    src, out = check_pair(source, result)
    measures = (region_splits, halo_width, haze, false_contours, rare_color_collapse,
                flat_noise, new_edges)
    return {measure.__name__: measure(src, out) for measure in measures}


def describe_artefacts(report):
    """One line of an :func:`artefact_report`, as ``skcolorot transfer --report``
    prints it.

    Examples
    --------
    >>> import numpy as np
    >>> from skcolorot.metrics import artefact_report, describe_artefacts
    >>> image = np.random.default_rng(0).random((48, 48, 3))
    >>> describe_artefacts(artefact_report(image, image))[:38]
    'split 0.0 % of uniform area (worst 0.0'
    """
    splits, noise = report["region_splits"], report["flat_noise"]
    rare = report["rare_color_collapse"].score
    rare = f"{rare:.2f} of their chroma" if np.isfinite(rare) else "none in the source"
    return (
        f"split {100 * splits.score:.1f} % of uniform area (worst {splits.worst:.1f} dE), "
        f"halo {report['halo_width'].score:g} px, detail {report['haze'].score:.2f} "
        f"(1 = kept), false contours {1000 * report['false_contours'].score:.1f} per mille, "
        f"rare saturated colours {rare}, "
        f"flat noise {noise.raw:.2f}x the source's, "
        f"new edges {report['new_edges'].score:.0f} px/MP"
    )
