"""Artefact measures of a colour transfer that look at the result at 1:1 against
its own source: colour splits in uniform regions, halos along edges, haze (lost
detail) and false contours in smooth gradients. The colour and noise measures
(rare colours, flat-area noise, new edges) are in ``_artefacts_color``.

Every measure takes ``(source, result)``, two RGB images of the same size (uint8,
or float in [0, 1]), and returns a ``Bunch`` (:mod:`skcolorot.metrics._common`: a
dict whose keys read as attributes, as scikit-learn's) whose ``score``
is the headline number and whose ``map`` (H, W) is larger where the artefact is
worse, so that a benchmark can crop the worst place. ΔE is CIE76 in CIELab (D65).
"""

import numpy as np

# scipy.ndimage loads in the measures that need it: region_splits, which
# transfer()'s method="auto" runs on every call, does without it (~0.45 s).
from ._common import Bunch, blur, block_view, check_pair, grid_repeat

__all__ = ["region_splits", "halo_width", "haze", "false_contours", "global_map"]



# ------------------------------------------------------------------ splits
def _two_means(points, n_iter=8):
    """Split every block's points in two along their principal axis (1-D 2-means).

    points: (n_blocks, n_pixels, 3), centred. Returns the boolean side of each point.
    """
    cov = np.einsum("npi,npj->nij", points, points) / points.shape[1]
    axis = np.linalg.eigh(cov)[1][..., -1]
    projected = np.einsum("npi,ni->np", points, axis)
    threshold = np.zeros(len(points), dtype=projected.dtype)
    for _ in range(n_iter):
        side = projected > threshold[:, None]
        n_high = side.sum(axis=1)
        n_low = side.shape[1] - n_high
        high = np.where(side, projected, 0).sum(axis=1) / np.maximum(n_high, 1)
        low = np.where(side, 0, projected).sum(axis=1) / np.maximum(n_low, 1)
        threshold = (high + low) / 2
    return projected > threshold[:, None]


def _side_gap(values, side):
    """Difference between the mean colours of the two sides of every block, and the
    share of the smaller side."""
    n_high = side.sum(axis=1, keepdims=True)
    n_low = side.shape[1] - n_high
    high = np.einsum("np,npc->nc", side, values) / np.maximum(n_high, 1)
    low = np.einsum("np,npc->nc", ~side, values) / np.maximum(n_low, 1)
    minority = np.minimum(n_high, n_low)
    # A block whose points all fall on one side (a constant block) has no second
    # colour: its gap is zero, not the distance of its one mean from zero.
    return (high - low) * (minority > 0), minority[:, 0] / side.shape[1]


def _global_slope(src_lab, out_lab, step=7):
    """The linear part (3 x 3, Lab in, Lab out) of the one affine map of the whole
    image that fits the result best (least squares on every ``step``-th pixel)."""
    x = src_lab.reshape(-1, 3)[::step].astype(np.float64)
    y = out_lab.reshape(-1, 3)[::step].astype(np.float64)
    x -= x.mean(axis=0)
    y -= y.mean(axis=0)
    return np.linalg.solve(x.T @ x + 1e-3 * len(x) * np.eye(3), x.T @ y)


def region_splits(
    source, result, *, block=16, scales=(1, 3), max_spread=2.5, threshold=8.0, sigma=1.5
):
    """Uniform regions of the source that come out as two distinct colours.

    The source (and result), lightly blurred so that grain is no split, are cut into
    square blocks of ``block * s`` pixels for every ``s`` in ``scales`` (small
    blocks see hard splits, large ones a sky that drifts into two hues). A block is
    uniform when the source's Lab spread (root of the summed channel variances) is
    below ``max_spread``. The result's pixels of each uniform block are split in two
    along their principal colour axis (2-means). The block's *split gap* is the
    colour difference between the two halves' mean output colours that neither the
    source nor the grade's global contrast explains: the smaller of (the output
    halves' ΔE minus the source halves' ΔE) and (the ΔE between the output halves'
    difference and the source halves' difference sent through the linear part of
    the one affine Lab map that fits the whole result best). So a global contrast
    stretch, which only makes a faint gradation in fog or a sky stronger, is no
    split; one blue turning teal here and salmon there is. A block is split when
    that gap exceeds ``threshold`` ΔE and the smaller half holds at least 5 % of it.

    Parameters
    ----------
    source, result : array-like of shape (H, W, 3)
        RGB images, uint8 or float in [0, 1], of the same size.
    block : int, default=16
        Side of the smallest blocks, in pixels.
    scales : tuple of int, default=(1, 3)
        Block sides as multiples of ``block``.
    max_spread : float, default=2.5
        Largest source spread (ΔE) of a uniform block.
    threshold : float, default=8.0
        Smallest new gap (ΔE) that makes a split.
    sigma : float, default=1.5
        Gaussian blur (pixels) applied to both images first.

    Returns
    -------
    report : Bunch
        ``score``: fraction of the uniform area that is split (0 to 1);
        ``worst``: the largest new gap over uniform blocks (ΔE);
        ``uniform``: fraction of the image that is uniform;
        ``map``: per pixel, the largest new gap of a uniform block holding it (ΔE).

    Examples
    --------
    >>> import numpy as np
    >>> from skcolorot.metrics import region_splits
    >>> source = np.full((64, 64, 3), 0.5)
    >>> result = source.copy(); result[:, 32:] = [0.7, 0.4, 0.3]
    >>> report = region_splits(source, result)
    >>> report.score > 0.5, round(report.worst) > 8
    (True, True)
    """
    src, out = check_pair(source, result)
    src_lab, out_lab = src.smooth_lab(sigma), out.smooth_lab(sigma)
    shape = src.shape
    slope = _global_slope(src_lab, out_lab)
    gap_map = np.zeros(shape, dtype=np.float32)
    uniform_map = np.zeros(shape, dtype=bool)
    split_map = np.zeros(shape, dtype=bool)
    worst = 0.0
    for scale in scales:
        side_px = block * scale
        if min(shape) < side_px:
            continue
        # Every (2 scale)-th pixel: 64 per block at every scale, enough for two means.
        s_tiles = block_view(src_lab, side_px, step=2 * scale)
        o_tiles = block_view(out_lab, side_px, step=2 * scale)
        grid = s_tiles.shape[:2]
        s_flat = s_tiles.reshape(-1, *s_tiles.shape[2:])
        o_flat = o_tiles.reshape(-1, *o_tiles.shape[2:])
        spread = np.sqrt(s_flat.var(axis=1).sum(axis=-1))
        uniform = spread < max_spread
        gaps = np.zeros(len(s_flat), dtype=np.float32)
        split = np.zeros(len(s_flat), dtype=bool)
        if uniform.any():
            o_sel = o_flat[uniform]
            side = _two_means(o_sel - o_sel.mean(axis=1, keepdims=True))
            out_diff, minority = _side_gap(o_sel, side)
            src_diff, _ = _side_gap(s_flat[uniform], side)
            beyond_source = np.linalg.norm(out_diff, axis=1) - np.linalg.norm(src_diff, axis=1)
            beyond_grade = np.linalg.norm(out_diff - src_diff @ slope, axis=1)
            new_gap = np.maximum(np.minimum(beyond_source, beyond_grade), 0)
            gaps[uniform] = new_gap
            split[uniform] = (new_gap > threshold) & (minority >= 0.05)
            worst = max(worst, float(new_gap.max()))
        gap_map = np.maximum(gap_map, grid_repeat(gaps.reshape(grid), side_px, shape))
        uniform_map |= grid_repeat(uniform.reshape(grid), side_px, shape) > 0
        split_map |= grid_repeat(split.reshape(grid), side_px, shape) > 0
    n_uniform = int(uniform_map.sum())
    score = float((split_map & uniform_map).sum() / n_uniform) if n_uniform else 0.0
    return Bunch(score=score, worst=worst, uniform=n_uniform / gap_map.size, map=gap_map)


# ------------------------------------------------------------------ halos
def _rgb255(rgb):
    return rgb.astype(np.float32) * (1 if rgb.dtype == np.uint8 else 255)


def global_map(src, out, n_bins=16, ridge=4.0, sigma=0.0, prior=20, jacobian=False):
    """The result as the best global map of the source's colours would make it (Lab).

    The map is affine within every source-RGB bin (least squares, ridge ``ridge`` in
    8-bit levels squared so that a bin of few or equal colours falls back to its
    mean; a bin of ``count`` pixels is blended with the whole image's affine map
    by ``count / (count + prior)``): any global grade, steep or not, is followed to
    well under a level, so what is left is spatial (local) behaviour. With
    ``sigma`` > 0 the map is fitted on both images blurred by ``sigma`` px (the
    grade as the low frequencies show it, where a local softening leaves no trace)
    and applied to the sharp source.
    With ``jacobian`` the per-pixel slope of the map, (H, W, 3 RGB in, 3 Lab out),
    is returned instead.
    """
    x_all = _rgb255(src.rgb).reshape(-1, 3)
    if sigma > 0:
        x = blur(_rgb255(src.rgb), sigma).reshape(-1, 3)[::3]
        y = out.smooth_lab(sigma).reshape(-1, 3)[::3]
    else:
        # Fitted on every 3rd pixel (a bin's affine map needs few), applied to all.
        x, y = x_all[::3], out.lab.reshape(-1, 3)[::3]
    size = n_bins**3

    def bins(values):
        index = (values * np.float32(n_bins / 256)).astype(np.intp)
        np.clip(index, 0, n_bins - 1, out=index)
        return (index[:, 0] * n_bins + index[:, 1]) * n_bins + index[:, 2]

    flat, flat_all = bins(x), bins(x_all)
    count = np.bincount(flat, minlength=size).astype(np.float64)
    n = np.maximum(count, 1)[:, None]
    x_mean = np.stack([np.bincount(flat, x[:, i], minlength=size) for i in range(3)], 1) / n
    y_mean = np.stack([np.bincount(flat, y[:, i], minlength=size) for i in range(3)], 1) / n
    xx = np.empty((size, 3, 3))
    xy = np.empty((size, 3, 3))
    for i in range(3):
        for j in range(3):
            if j >= i:
                xx[:, i, j] = xx[:, j, i] = np.bincount(flat, x[:, i] * x[:, j], minlength=size)
            xy[:, i, j] = np.bincount(flat, x[:, i] * y[:, j], minlength=size)
    cxx = xx / n[..., None] - x_mean[:, :, None] * x_mean[:, None, :]
    cxy = xy / n[..., None] - x_mean[:, :, None] * y_mean[:, None, :]
    # ridge / n: a bin of a handful of pixels is mostly its mean
    cxx += (ridge / n)[..., None] * np.eye(3)
    slope = np.linalg.solve(cxx, cxy)  # (bins, 3 in, 3 out)
    # Predicted = (y_mean - x_mean @ slope) + x @ slope, per bin: 12 numbers a bin.
    table = np.concatenate([y_mean - np.einsum("bi,bij->bj", x_mean, slope),
                            slope.reshape(size, 9)], axis=1)
    # Bins of few pixels (or none: the sharp source reaches colours its blur does
    # not) lean on the one affine map of the whole image.
    # (normal equations from the bins' sums: no pass over the pixels)
    total = count.sum()
    xm, ym = x_mean.T @ count / total, y_mean.T @ count / total
    sxx = xx.sum(axis=0) / total - np.outer(xm, xm) + 1e-6 * np.eye(3)
    sxy = xy.sum(axis=0) / total - np.outer(xm, ym)
    whole = np.linalg.solve(sxx, sxy)
    whole = np.concatenate([ym - xm @ whole, whole.ravel()])
    weight = (count / (count + prior))[:, None]
    table = (weight * table + (1 - weight) * whole).astype(np.float32)[flat_all]
    slopes = table[:, 3:].reshape(-1, 3, 3)
    if jacobian:  # d Lab_out / d RGB_src (8-bit levels), per pixel
        return slopes.reshape(*src.shape, 3, 3)
    predicted = table[:, :3] + np.einsum("pi,pij->pj", x_all, slopes)
    return predicted.reshape(*src.shape, 3)


def _global_map(src, out, n_bins, sigma=0.0):
    """:func:`global_map`, computed once per (source, result) pair of Prepared images."""
    cache = out.__dict__.setdefault("_cache", {})
    key = ("global_map", id(src), n_bins, sigma)
    if key not in cache:
        cache[key] = (src, global_map(src, out, n_bins, sigma=sigma))  # src kept: id unique
    return cache[key][1]


def halo_width(
    source, result, *, edge_threshold=10.0, max_distance=48, tolerance=1.0, n_bins=16,
    min_edges=5e-4,
):
    """How far from strong source edges the result departs from a global colour map.

    A global grade (any function of the source colour, however steep) gives every
    pixel of a colour the same output colour, edge or not. The best such map is fitted
    as an affine map of the source RGB within every bin (``n_bins`` per channel); its
    residual ΔE is averaged at every distance (px) from the source's strong edges
    (Lab gradient above ``edge_threshold`` ΔE/px after a 1 px blur). The far-field
    level is the mean residual of the pixels at least ``max_distance / 2`` from an
    edge; the excess over it is the halo. The width is the first distance at which
    the excess falls below ``tolerance`` ΔE (``max_distance``: it never does).

    Parameters
    ----------
    source, result : array-like of shape (H, W, 3)
        RGB images, uint8 or float in [0, 1], of the same size.
    edge_threshold : float, default=10.0
        Source gradient (ΔE per pixel) of a strong edge.
    max_distance : int, default=48
        Largest distance (px) profiled.
    tolerance : float, default=1.0
        Excess residual (ΔE) below which the halo has ended.
    n_bins : int, default=16
        Bins per RGB channel of the fitted (piecewise affine) global map.
    min_edges : float, default=5e-4
        Fewest edge pixels, as a fraction of the image, for a profile (else 0).

    Returns
    -------
    report : Bunch
        ``score``: the halo width (px, 0 when there is no excess at the edges);
        ``peak``: the largest excess (ΔE) within the width;
        ``profile``: excess residual (ΔE) at distances 0 .. max_distance;
        ``map``: per pixel, the excess residual (ΔE) within ``max_distance`` of an
        edge, 0 elsewhere.

    Examples
    --------
    >>> import numpy as np
    >>> from skcolorot.metrics import halo_width
    >>> source = np.full((96, 96, 3), 0.8); source[:, 48:] = 0.2
    >>> halo_width(source, source * 0.9).score
    0
    """
    from scipy import ndimage

    src, out = check_pair(source, result)
    residual = np.linalg.norm(out.lab - _global_map(src, out, n_bins), axis=-1)
    edges = src.gradient(1.0) > edge_threshold
    profile = np.zeros(max_distance + 1)
    if edges.sum() < min_edges * edges.size:  # a few stray pixels make no profile
        return Bunch(score=0, peak=0.0, profile=profile, map=np.zeros(src.shape, np.float32))
    distance = ndimage.distance_transform_edt(~edges)
    ring = np.minimum(distance, max_distance + 1).astype(np.intp).ravel()
    counts = np.bincount(ring, minlength=max_distance + 2)[: max_distance + 1]
    sums = np.bincount(ring, residual.ravel(), minlength=max_distance + 2)[: max_distance + 1]
    means = sums / np.maximum(counts, 1)
    far = distance >= max_distance // 2
    if far.sum() < 0.01 * residual.size:  # everything is near an edge
        far = distance >= np.quantile(distance, 0.9)
    level = float(residual[far].mean())
    profile = np.where(counts > 0, means - level, 0.0)
    above = profile[1:] > tolerance
    width = int(np.argmin(above)) + 1 if above.any() and above[0] else 0
    if above.all():
        width = max_distance
    peak = float(profile[: width + 1].max()) if width else 0.0
    excess = np.where(distance <= max_distance, residual - level, 0).astype(np.float32)
    return Bunch(score=width, peak=peak, profile=profile, map=np.maximum(excess, 0))


# ------------------------------------------------------------------ haze
def haze(source, result, *, sigmas=(1.0, 4.0), block=32, min_detail=0.75, n_bins=16,
         fit_sigma=4.0):
    """Band-pass detail of the result's lightness against what the grade's own global
    colour map would give it.

    The detail is a difference of Gaussians (``sigmas``) of CIE L*. What the grade
    should show is the detail of the source carried through the best global colour
    map of the source to the result (piecewise affine in RGB, as in
    :func:`halo_width`, fitted on both images blurred by ``fit_sigma`` so that a
    local softening does not pass for the grade): a strong brightening scales
    detail up, a map that turns a
    green-on-blue edge into orange-on-blue changes it as the eye expects, and any
    global map scores 1. Haze is what is lost on top of that, locally (a veil, a
    smoothing regrain). Per block of ``block`` pixels whose expected detail (RMS)
    exceeds ``min_detail`` L*, the ratio is RMS(result detail) / RMS(expected detail).

    Parameters
    ----------
    source, result : array-like of shape (H, W, 3)
        RGB images, uint8 or float in [0, 1], of the same size.
    sigmas : (float, float), default=(1.0, 4.0)
        Inner and outer Gaussian of the band-pass, in pixels.
    block : int, default=32
        Side of the blocks, in pixels.
    min_detail : float, default=0.75
        Smallest expected detail (RMS, L*) of a block that counts.
    n_bins : int, default=16
        Bins per RGB channel of the fitted global map.
    fit_sigma : float, default=4.0
        Blur (px) of both images for the fit of the global map.

    Returns
    -------
    report : Bunch
        ``score``: the detail ratio over all counted blocks (1: detail kept in
        proportion, below 1: haze, above 1: sharpened);
        ``worst``: the 2nd percentile of the block ratios (the haziest places);
        ``map``: per pixel, the block's detail lost, ``max(0, 1 - ratio)``.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy.ndimage import gaussian_filter
    >>> from skcolorot.metrics import haze
    >>> rng = np.random.default_rng(0)
    >>> source = gaussian_filter(rng.random((96, 96)), 1.5)[..., None].repeat(3, -1)
    >>> source = (source - source.min()) / np.ptp(source)
    >>> round(haze(source, 0.2 + 0.6 * source).score, 2)
    1.0
    >>> haze(source, gaussian_filter(source, (2, 2, 0))).score < 0.7
    True
    """
    from scipy import ndimage

    src, out = check_pair(source, result)
    inner, outer = sigmas

    def band(lightness):
        return ndimage.gaussian_filter(lightness, inner) - ndimage.gaussian_filter(lightness,
                                                                                   outer)

    expected = band(np.ascontiguousarray(_global_map(src, out, n_bins, fit_sigma)[..., 0]))
    o_detail = band(out.lightness)
    block = min(block, *src.shape)
    e_energy = (block_view(expected, block) ** 2).mean(axis=-1)
    o_energy = (block_view(o_detail, block) ** 2).mean(axis=-1)
    counted = e_energy > min_detail**2
    loss = np.zeros(e_energy.shape, dtype=np.float32)
    if not counted.any():
        return Bunch(score=1.0, worst=1.0, map=grid_repeat(loss, block, src.shape))
    ratios = np.sqrt(o_energy[counted] / e_energy[counted])
    loss[counted] = np.maximum(0, 1 - ratios)
    score = float(np.sqrt(o_energy[counted].sum() / e_energy[counted].sum()))
    return Bunch(
        score=score,
        worst=float(np.percentile(ratios, 2)),
        map=grid_repeat(loss, block, src.shape),
    )


# ------------------------------------------------------------------ false contours
def false_contours(
    source, result, *, sigma=1.0, window=15, smooth_mean=1.0, smooth_max=2.0, step=2.0,
    spike=2.5,
):
    """New steps (contour lines, posterisation) in the source's smooth gradients.

    Both images are blurred by ``sigma`` and their Lab gradient magnitude (ΔE/px)
    taken. The source is smooth where its mean gradient over ``window`` pixels is below
    ``smooth_mean`` and no pixel within 3 px exceeds ``smooth_max`` (gentle ramps and
    flat areas, no edge). A result pixel there is a false contour when its gradient is
    a spike: at least ``spike`` times the result's own mean gradient over ``window``
    pixels (a staircase concentrates a ramp's change in its risers) and high enough
    for a step of ``step`` ΔE (a step of height h blurred by sigma peaks at
    h / (sigma sqrt(2 pi)) per pixel).

    Parameters
    ----------
    source, result : array-like of shape (H, W, 3)
        RGB images, uint8 or float in [0, 1], of the same size.
    sigma : float, default=1.0
        Blur before the gradients (pixels).
    window : int, default=15
        Side of the local means (pixels).
    smooth_mean, smooth_max : float, default=1.0, 2.0
        Source gradient bounds (ΔE per pixel) of a smooth area.
    step : float, default=2.0
        Smallest step (ΔE) counted.
    spike : float, default=2.5
        Ratio of a riser's gradient to its neighbourhood mean.

    Returns
    -------
    report : Bunch
        ``score``: fraction of the smooth area on a false contour (0 to 1);
        ``contours``: number of contour pieces (connected, at least 10 px);
        ``smooth``: fraction of the image that is smooth;
        ``map``: per pixel, the riser's gradient (ΔE/px) on a false contour, else 0.

    Examples
    --------
    >>> import numpy as np
    >>> from skcolorot.metrics import false_contours
    >>> ramp = np.linspace(0.3, 0.6, 128)[None, :, None].repeat(64, 0).repeat(3, 2)
    >>> posterised = np.round(ramp * 16) / 16
    >>> false_contours(ramp, posterised).score > 0, false_contours(ramp, ramp).score
    (True, 0.0)
    """
    from scipy import ndimage

    src, out = check_pair(source, result)
    s_grad, o_grad = src.gradient(sigma), out.gradient(sigma)
    smooth = (ndimage.uniform_filter(s_grad, window) < smooth_mean) & (
        ndimage.maximum_filter(s_grad, 7) < smooth_max
    )
    local = ndimage.uniform_filter(o_grad, window)
    riser = step / (sigma * np.sqrt(2 * np.pi))
    contour = smooth & (o_grad > spike * local) & (o_grad > riser)
    n_smooth = int(smooth.sum())
    labels, n_pieces = ndimage.label(contour, structure=np.ones((3, 3)))
    sizes = np.bincount(labels.ravel())[1:] if n_pieces else np.zeros(0)
    return Bunch(
        score=float(contour.sum() / n_smooth) if n_smooth else 0.0,
        contours=int((sizes >= 10).sum()),
        smooth=n_smooth / s_grad.size,
        map=np.where(contour, o_grad, 0).astype(np.float32),
    )
