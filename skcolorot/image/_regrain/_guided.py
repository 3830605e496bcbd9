"""The fast guided filter (He et al. 2013; He & Sun 2015) of a difference map.

The filter fits, in every window, a linear model of the difference map on the
guide (the source's luminance or its colours) and averages the models'
coefficients over the windows that cover a pixel. It runs on a grid ``factor``
times coarser than the image, with a box radius scaled to match
(:func:`coarse_grid`, the one place that arithmetic is written: the halo of a
dask block depends on it); the caller upsamples the coefficients and applies
them at full resolution.
"""

import numpy as np

# Rec. 709 weights, as skimage.color.rgb2gray. Luminance is the default guide: on
# china -> flower it reaches the same (colour fidelity, SSIM) trade-off as the
# full-colour guide (whose eps acts on a sum of three variances, so ~3x larger),
# at less than half the cost on 12 MP.
_LUMA = np.array([0.2125, 0.7154, 0.0721], dtype=np.float32)
# Smallest eps: the filter runs in float32, where an eps of 1e-20 turned flat
# regions black and 1e-38 gave NaN. Below this nothing changes any more (eps under
# a 16-bit level squared).
MIN_EPS = 1e-10


def coarse_grid(radius, subsample):
    """The coarse grid of the fast filter: ``(factor, coarse_radius)``.

    ``factor`` is ``subsample``, or for ``"auto"`` ``max(1, radius // 2)``: He &
    Sun (2015): the coefficients are smooth at the scale of the window, so a
    coarse grid with ~2 pixels per window radius loses nothing visible. The box
    radius on that grid is ``max(1, round(radius / factor))``.
    """
    factor = max(1, radius // 2) if subsample == "auto" else int(subsample)
    return factor, max(1, int(round(radius / factor)))


def _box_sum_axis(x, radius, axis):
    """Window sum along ``axis`` by shifted adds of a reflect-padded copy.

    For the small coarse-grid radii the fast filter uses, 2r + 1 contiguous adds
    beat scipy's running mean, whose strided walk down the rows is slow.
    """
    n = x.shape[axis]

    def part(start, stop, step=1):
        index = [slice(None)] * x.ndim
        index[axis] = slice(start, stop, step)
        return x[tuple(index)]

    if radius <= n:
        # scipy's "reflect": the edge sample is repeated (d c b a | a b c d | d c b a).
        left = part(radius - 1, None, -1) if radius > 0 else part(0, 0)
        right = part(n - 1, n - radius - 1 if n > radius else None, -1)
        padded = np.concatenate([left, x, right], axis=axis)
    else:
        index = np.arange(-radius, n + radius) % (2 * n)
        padded = np.take(x, np.where(index >= n, 2 * n - 1 - index, index), axis=axis)
    windows = []
    for i in range(2 * radius + 1):
        window = [slice(None)] * x.ndim
        window[axis] = slice(i, i + n)
        windows.append(padded[tuple(window)])
    out = windows[0] + windows[1] if radius else windows[0].copy()
    for window in windows[2:]:
        out += window
    return out


def _box(x, radius):
    """Mean over a (2r+1)^2 window of each plane of x (..., h, w), reflected edges."""
    if radius <= 3:
        out = _box_sum_axis(_box_sum_axis(x, radius, x.ndim - 1), radius, x.ndim - 2)
        out *= np.float32(1 / (2 * radius + 1) ** 2)
        return out
    # Only larger radii than the defaults' load scipy.ndimage (0.45 s).
    from scipy.ndimage import uniform_filter

    size = (1,) * (x.ndim - 2) + (2 * radius + 1, 2 * radius + 1)
    return uniform_filter(x, size=size, mode="reflect")


def guide_planes(planes, guide):
    """The guide (k, ...) from colour planes (C, ...)."""
    if guide == "luminance" and planes.shape[0] > 1:
        if planes.shape[0] == 3:
            luma = planes[0] * _LUMA[0]
            luma += planes[1] * _LUMA[1]
            luma += planes[2] * _LUMA[2]
            return luma[None]
        return planes.mean(axis=0, keepdims=True)
    return planes


def _inverse(sigma):
    """Inverse of the symmetric positive definite (k, k, h, w) field ``sigma``."""
    k = sigma.shape[0]
    if k == 1:
        return 1.0 / sigma
    if k == 3:
        (s00, s01, s02), (_, s11, s12), (_, _, s22) = sigma
        c00 = s11 * s22 - s12 * s12
        c01 = s02 * s12 - s01 * s22
        c02 = s01 * s12 - s02 * s11
        c11 = s00 * s22 - s02 * s02
        c12 = s01 * s02 - s00 * s12
        c22 = s00 * s11 - s01 * s01
        inv_det = 1.0 / (s00 * c00 + s01 * c01 + s02 * c02)
        return np.stack(
            [np.stack([c00, c01, c02]), np.stack([c01, c11, c12]), np.stack([c02, c12, c22])]
        ) * inv_det
    moved = np.linalg.inv(np.moveaxis(sigma, (0, 1), (-2, -1)))
    return np.ascontiguousarray(np.moveaxis(moved, (-2, -1), (0, 1)))


def guided_coefficients(guide, diff, radius, eps, n_iter):
    """Window-averaged linear model ``diff ~ A^T guide + b`` (He et al. 2013).

    guide (k, h, w), diff (C, h, w) -> coefficients (k + 1, C, h, w): ``A`` rows,
    then ``b``.
    """
    k = guide.shape[0]
    mean_guide = _box(guide, radius)
    upper = np.triu_indices(k)
    sigma = np.empty((k, k) + guide.shape[1:], dtype=np.float32)
    sigma[upper] = _box(guide[upper[0]] * guide[upper[1]], radius)
    sigma[upper[::-1]] = sigma[upper]
    sigma -= mean_guide[:, None] * mean_guide[None, :]
    for i in range(k):
        # Rounding can make a flat window's variance slightly negative.
        np.maximum(sigma[i, i], 0, out=sigma[i, i])
        sigma[i, i] += np.float32(eps)
    inverse = _inverse(sigma)
    for _ in range(n_iter):
        mean_diff = _box(diff, radius)
        cov = _box(guide[:, None] * diff[None, :], radius)
        cov -= mean_guide[:, None] * mean_diff[None, :]
        a = np.einsum("ij...,jc...->ic...", inverse, cov) if k > 1 else inverse[0] * cov
        b = mean_diff - np.einsum("i...,ic...->c...", mean_guide, a)
        coef = np.concatenate([a, b[None]]).reshape(-1, *diff.shape[1:])
        coef = _box(coef, radius).reshape((k + 1,) + diff.shape)
        # Iterating filters the previous output again (Rabin et al. 2011); at the
        # coarse scale, so the fast filter stays fast.
        diff = np.einsum("i...,ic...->c...", guide, coef[:k]) + coef[k]
    return coef
