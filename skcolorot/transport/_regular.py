"""Regular colour maps: a transport's map, known at sample colours, smoothed into a
3D table that tetrahedral interpolation turns back into a map of every colour.

A transport fitted between two photographs is only pinned down where the source
has colours, and there it carries the noise of its solver (quantile knots a
rounding error apart, sharp entropic or GMM posteriors). Applied as it is, the map
amplifies noise, JPEG blocks and exposure drift into speckle, tiles and pumping.
The grade a user gets is therefore a *table*: the displacement ``T(x) - x`` is
split into its weighted least-squares affine part and a residual, and the residual
is smoothed by normalised convolution (splat the samples' weighted residuals and
weights on the grid, blur both with a Gaussian of width ``bandwidth``, divide).
The sliced flow (:mod:`skcolorot.transport._sliced`) smooths each of its steps the same way.
Where the source has no colours the residual fades out and the affine part
remains, so unseen colours get a sensible, regular grade.

One function, one table: every pixel of every image goes through the same
interpolation of the same table, so the result does not depend on an image's size,
crop or container, and an exported ``.cube`` gives the same colours in ffmpeg.
"""

import numpy as np
from scipy.ndimage import gaussian_filter

from ..color._lut import interpolate_tetrahedral, lut_grid, tetrahedral_weights

__all__ = ["evaluate_field", "smooth_displacement", "smooth_field", "smooth_map_table"]

# Where the blurred sample mass falls under this fraction of a uniform
# distribution's, a node keeps mostly the prior (no residual / no move).
_MASS_FLOOR = 0.05
# The Gaussian is cut at this many standard deviations.
_TRUNCATE = 3.0


def _splat(coords, values, weights, size):
    """Weighted mass and weighted sums of ``values`` on the nodes (tetrahedral weights)."""
    corners, node_weights = tetrahedral_weights(coords.T * (size - 1), size)
    index = corners.ravel()
    mass_weights = (node_weights * weights[np.newaxis]).ravel()
    mass = np.bincount(index, weights=mass_weights, minlength=size**3)
    sums = np.stack(
        [
            np.bincount(index, weights=mass_weights * np.tile(column, 4), minlength=size**3)
            for column in values.T
        ],
        axis=1,
    )
    return mass, sums


def smooth_field(coords, values, weights, size, bandwidth):
    """Normalised convolution of sample ``values`` on a ``size**3`` grid over [0, 1]^3.

    Parameters
    ----------
    coords : ndarray of shape (n, 3)
        Sample positions, clipped to [0, 1] (the grid's box).
    values : ndarray of shape (n, k)
    weights : ndarray of shape (n,)
        Non-negative, summing to one.
    size : int
        Nodes per axis.
    bandwidth : float or array-like of 3 floats
        Standard deviation of the Gaussian, in box units (per axis).

    Returns
    -------
    field : ndarray of shape (size, size, size, k)
        The locally weighted mean of ``values``, fading to zero where the
        samples' blurred mass is small.
    """
    mass, sums = _splat(np.clip(coords, 0.0, 1.0), values, weights, size)
    sigma = np.asarray(bandwidth, dtype=np.float64) * (size - 1)
    blur = lambda grid: gaussian_filter(  # noqa: E731
        grid.reshape((size,) * 3), sigma, mode="constant", truncate=_TRUNCATE
    )
    mass = blur(mass)
    field = np.stack([blur(column) for column in sums.T], axis=-1)
    field /= (mass + _MASS_FLOOR / size**3)[..., np.newaxis]
    return field


# Relative singular value below which the affine part ignores a direction.
_MIN_SPREAD = 1e-3


def _affine_fit(points, values, weights):
    """Weighted least-squares ``[x, 1] @ coef`` fit of ``values``; returns ``coef`` (d + 1, k)."""
    design = np.hstack([points, np.ones((len(points), 1))])
    root = np.sqrt(weights)[:, np.newaxis]
    # A direction in which the samples spread less than a fraction of an 8-bit
    # level (a grey ramp, colours 1e-10 apart) does not determine a slope: with
    # machine-precision cut-off the fit put slopes of 1e7 there, and the table far
    # from the samples went to 1e7.
    coef, *_ = np.linalg.lstsq(design * root, values * root, rcond=_MIN_SPREAD)
    return coef


def smooth_displacement(coords, displacement, weights, size, bandwidth):
    """A regular displacement field fitted to samples, on a grid over [0, 1]^3.

    The weighted least-squares affine part of ``displacement`` plus the
    normalised convolution of the residual (:func:`smooth_field`): affine maps
    (contractions, a collapse onto one colour) come out exactly at any
    ``bandwidth``, and away from the samples the field continues affinely.

    Returns
    -------
    field : ndarray of shape (size, size, size, 3)
        The displacement at the nodes of :func:`~skcolorot.color._lut.lut_grid`.
    """
    coef = _affine_fit(coords, displacement, weights)
    residual = displacement - np.hstack([coords, np.ones((len(coords), 1))]) @ coef
    nodes = lut_grid(size).reshape(-1, 3)
    affine = np.hstack([nodes, np.ones((len(nodes), 1))]) @ coef
    return affine.reshape((size,) * 3 + (3,)) + smooth_field(
        coords, residual, weights, size, bandwidth
    )


def smooth_map_table(points, mapped, weights, size, bandwidth):
    """The table of a regular map fitted to the pairs ``points -> mapped``.

    Parameters
    ----------
    points : ndarray of shape (n, 3)
        Colours in [0, 1] (the table's domain).
    mapped : ndarray of shape (n, 3)
        Where the map sends them (unclipped).
    weights : ndarray of shape (n,)
        How much each pair counts (its pixels' share), summing to one.
    size : int
        Nodes per axis of the table.
    bandwidth : float
        Standard deviation of the smoothing kernel, in [0, 1] colour units
        (> 0). Larger is more regular and less faithful to the samples.

    Returns
    -------
    table : ndarray of shape (size, size, size, 3)
        Unclipped outputs at the nodes of :func:`~skcolorot.color._lut.lut_grid`.
    """
    field = smooth_displacement(points, mapped - points, weights, size, bandwidth)
    return lut_grid(size) + field


def evaluate_field(field, coords):
    """A field of :func:`smooth_field` at ``coords`` (box units; clipped to the box)."""
    return interpolate_tetrahedral(np.clip(coords, 0.0, 1.0), field)
