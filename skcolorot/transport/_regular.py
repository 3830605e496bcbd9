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

from functools import lru_cache

import numpy as np

from .._utils._filters import gaussian_filter
from ..color._lut import interpolate_tetrahedral, lut_grid, tetrahedral_weights

__all__ = [
    "INVERSE_BANDWIDTH",
    "SMOOTHING_POINTS",
    "bound_slopes",
    "check_slope_range",
    "evaluate_field",
    "grade_table",
    "monotone_affine",
    "regular_table",
    "smooth_displacement",
    "smooth_field",
    "smooth_map_table",
]

# The smoothing of a colour map is fitted on a colour histogram with at most
# this many bins (a 6-bit one for most photographs): finer than any transport's
# own sample, so the grade follows every colour the source has.
SMOOTHING_POINTS = 1 << 14
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
    by_corner = mass_weights.reshape(len(corners), -1)  # each column broadcast, not tiled
    sums = np.stack(
        [
            np.bincount(index, weights=(by_corner * column).ravel(), minlength=size**3)
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
    sigma = np.broadcast_to(np.asarray(bandwidth, dtype=np.float64) * (size - 1), 3)
    # The mass and the sums blurred as one batch (scipy's gaussian_filter, zero
    # outside the grid, each grid alone: the same numbers).
    blurred = gaussian_filter(
        np.column_stack([mass, sums]).reshape((size,) * 3 + (-1,)), sigma, truncate=_TRUNCATE
    )
    return blurred[..., 1:] / (blurred[..., 0] + _MASS_FLOOR / size**3)[..., np.newaxis]


# Relative singular value below which the affine part ignores a direction.
_MIN_SPREAD = 1e-3


def _with_ones(points):
    """``[x, 1]``: the design of an affine fit at ``points``."""
    return np.hstack([points, np.ones((len(points), 1))])


@lru_cache(maxsize=4)
def _node_design(size):
    """:func:`_with_ones` of the nodes of a ``size**3`` grid (read-only: shared)."""
    design = _with_ones(lut_grid(size).reshape(-1, 3))
    design.flags.writeable = False
    return design


def _affine_fit(design, values, weights):
    """Weighted least-squares ``design @ coef`` fit of ``values`` (``design``:
    :func:`_with_ones` of the points); returns ``coef`` (d + 1, k)."""
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
    design = _with_ones(coords)
    coef = _affine_fit(design, displacement, weights)
    residual = displacement - design @ coef
    affine = _node_design(size) @ coef
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


# ------------------------------------------------------------ bounded slopes
# A grade whose slope against a monotone affine base M stays within [low, high]
# (M^-1 J with a positive definite symmetric part >= low and singular values
# <= high) cannot fold (no contour rings, no inverted gradients), posterise or
# crush (slope >= low), nor stretch one region into several colours more than
# ``high`` times the affine stretch. The fitted table is brought inside those
# bounds by fading its non-affine part towards the base where (and only where)
# it leaves them.
#
# Why no bound by default (SlicedTransport's .cube, 18 benchmark pairs): its flat
# noise (2.56x the source's), luminance SSIM (0.62) and exposure amplification
# (5.0x: a 5 % exposure change of the input) come from the grade's *global*
# contrast stretch of foggy and grey sources, not from the table's roughness.
# Smoother tables (smoothness 0.05 / 0.08) halve the split area (10 % -> 7 / 3 %)
# but leave noise at 2.43 / 2.35x and SSIM at 0.63 / 0.64 (fidelity 0.109 ->
# 0.125 / 0.147). Fading the non-affine part wherever an exposure step is
# amplified more than 2.5x: exposure 5.0 -> 3.95x, fidelity -> 0.188 (the base
# itself stretches). Capping the slope of the lightness response at 2-3: exposure
# 4.4-4.5x, fidelity 0.23-0.25. Neither is a default; slope_range is the option.
# A stronger prior where samples are sparse (_MASS_FLOOR x100 / x1000, so rare
# colours follow the affine part): split area 10 -> 7.7 / 7.0 %, fidelity 0.109 ->
# 0.117 / 0.136, false contours up; a small saturated object graded toward a grey
# reference is crushed either way (the affine part itself takes its chroma).

# Candidate strengths of the non-affine part, tried from full to none.
_FADE_LEVELS = np.linspace(1.0, 0.0, 6)


def table_jacobian(table):
    """Jacobians ``d table[c] / d x[a]`` at every node, shape ``(n, n, n, 3, 3)``."""
    size = table.shape[0]
    spacing = 1.0 / (size - 1)
    return np.stack(
        [np.stack(np.gradient(table[..., c], spacing), axis=-1) for c in range(3)], axis=-2
    )


def slope_extremes(jacobian):
    """Largest singular value and smallest eigenvalue of the symmetric part, per node."""
    top = np.sqrt(np.linalg.eigvalsh(np.swapaxes(jacobian, -1, -2) @ jacobian)[..., -1])
    bottom = np.linalg.eigvalsh(0.5 * (jacobian + np.swapaxes(jacobian, -1, -2)))[..., 0]
    return top, bottom


def monotone_affine(points, mapped, weights, low, high):
    """A monotone affine map with slopes in [low, high] between ``points`` and ``mapped``.

    The Gaussian (Monge-Kantorovich, Bures) map from the distribution of
    ``points`` to that of ``mapped``: symmetric positive definite, so the
    gradient of a convex quadratic, whatever the map was (a least-squares
    fit of a folded map is not); its eigenvalues are clipped to the bounds. The
    means map exactly. Returns ``(M, b)`` with ``x -> x @ M.T + b``.
    """
    # POT loads here, not at import: most grades never bound their slopes.
    from ot.gaussian import bures_wasserstein_mapping

    mean_in, mean_out = weights @ points, weights @ mapped
    spread_in = ((points - mean_in).T * weights) @ (points - mean_in)
    spread_out = ((mapped - mean_out).T * weights) @ (mapped - mean_out)
    # Regularised like a source spread of an 8-bit level: a grey source has no
    # chroma spread to scale from, and its chroma keeps its own (slope <= high).
    spread_in = spread_in + _LEVEL_VARIANCE * np.eye(3)
    linear, _ = bures_wasserstein_mapping(mean_in, mean_out, spread_in, spread_out)
    values, vectors = np.linalg.eigh(0.5 * (linear + linear.T))
    matrix = (vectors * np.clip(values, low, high)) @ vectors.T
    return matrix, mean_out - matrix @ mean_in


# Variance of a uniform 8-bit level, on a [0, 1] scale.
_LEVEL_VARIANCE = (1 / 255) ** 2 / 12


def bound_slopes(table, matrix, offset, low, high, passes=2):
    """``table`` with its non-affine part faded where its slope against the base
    leaves [low, high].

    ``matrix``, ``offset``: a monotone affine base (see :func:`monotone_affine`);
    the bounds apply to ``M^-1 J``, the table's Jacobian against the base's, which
    the base itself meets (the identity). The fade ``w`` per node is the largest of
    :data:`_FADE_LEVELS` that keeps the node inside the bounds, spread to the
    neighbours (a minimum over 3 nodes) and smoothed, so that the fade itself
    adds no steep slope; a second pass catches what the smoothing let through.
    """
    # scipy's filters load here, not at import: most grades never bound their slopes.
    from scipy import ndimage

    size = table.shape[0]
    base = (lut_grid(size).reshape(-1, 3) @ matrix.T + offset).reshape(table.shape)
    lift = np.linalg.inv(matrix)
    residual = table - base
    fade = np.ones(table.shape[:3])
    for _ in range(passes):
        residual_jacobian = table_jacobian(fade[..., np.newaxis] * residual)
        allowed = np.zeros_like(fade)
        pending = np.flatnonzero(np.ones(fade.size, dtype=bool))
        flat_jacobian = lift @ residual_jacobian.reshape(-1, 3, 3)
        for level in _FADE_LEVELS:
            top, bottom = slope_extremes(np.eye(3) + level * flat_jacobian[pending])
            fits = (top <= high) & (bottom >= low)
            allowed.flat[pending[fits]] = level
            pending = pending[~fits]
            if not len(pending):
                break
        if allowed.min() == 1.0:
            break
        allowed = ndimage.minimum_filter(allowed, 3, mode="nearest")
        allowed = ndimage.gaussian_filter(allowed, 1.0, mode="nearest")
        fade *= allowed
    return base + fade[..., np.newaxis] * residual


# Slopes of the affine base (the Gaussian map between the colours and where the
# transport sends them): wide, because a faithful grade may stretch a dull
# source's chroma many times (an affine stretch keeps one region one colour);
# the cap keeps a grey source's chroma noise from being blown into blotches.
_BASE_SLOPES = (1 / 16, 16.0)


def check_slope_range(slope_range):
    """``slope_range`` as ``(low, high)`` floats with ``0 < low < high``, or None."""
    if slope_range is None:
        return None
    message = (
        f"slope_range must be None or two numbers (low, high) with 0 < low < high, "
        f"got {slope_range!r}."
    )
    try:
        low, high = (float(value) for value in slope_range)
    except (TypeError, ValueError):
        raise ValueError(message) from None
    if not (np.isfinite([low, high]).all() and 0 < low < high):
        raise ValueError(message)
    return low, high


def regular_table(points, mapped, weights, size, bandwidth, slope_range=None):
    """The table of :func:`smooth_map_table`, its slopes brought into ``slope_range``.

    ``slope_range=(low, high)``: against the map's monotone affine base
    (:func:`monotone_affine`, slopes within ``_BASE_SLOPES``), every node's
    relative Jacobian ``M^-1 J`` keeps a symmetric part with eigenvalues
    >= ``low`` and singular values <= ``high`` (:func:`bound_slopes`). ``None``:
    the smoothed map as it is.
    """
    table = smooth_map_table(points, mapped, weights, size, bandwidth)
    if slope_range is None:
        return table
    low, high = slope_range
    matrix, offset = monotone_affine(points, mapped, weights, *_BASE_SLOPES)
    return bound_slopes(table, matrix, offset, low, high)


# Variance (in [0, 1] units) under which a source direction counts as flat: half
# an 8-bit level of standard deviation.
_FLAT_VARIANCE = (0.5 / 255) ** 2
# Smallest smoothing of a regression of a grade (in [0, 1] colour units): a flat
# source's table, and every inverse table.
INVERSE_BANDWIDTH = 0.02


def _is_flat(points, weights):
    """Whether the colours have (almost) no spread in some direction."""
    if len(points) < 4:
        return True
    covariance = np.atleast_2d(np.cov(points.T, aweights=weights))
    if not np.isfinite(covariance).all():
        return True
    return bool(np.linalg.eigvalsh(covariance).min() <= _FLAT_VARIANCE)


def grade_table(map_colors, points, weights, size, smoothness=None, slope_range=None, *,
                tabulate=None):
    """The table of a colour grade: every transport's ``lut_``.

    Parameters
    ----------
    map_colors : callable
        The fitted map: float64 RGB colours ``(k, 3)`` in, mapped RGB out.
    points : ndarray of shape (n, 3)
        The source's colours (its colour summary), with their ``weights`` summing
        to one.
    size : int
        Nodes per axis.
    smoothness : float or None
        Bandwidth of the regression of the map on ``points``
        (:func:`regular_table`). ``None``, for maps regular by construction
        (affine; EMD's kernel-smoothed map): the map tabulated as it is, unless
        the source is flat (a grey or one-colour image pins the map on its
        support only), where a regression at :data:`INVERSE_BANDWIDTH` gives a
        sensible map.
    slope_range : (float, float) or None
        For the regression: :func:`regular_table`'s bounds (checked by
        :func:`check_slope_range`).
    tabulate : callable, default=None
        ``tabulate(size)``: the map at the table's nodes, where the transport has a
        quicker form on a grid than ``map_colors`` of the nodes (EMD's).

    Returns
    -------
    table : ndarray of shape (size, size, size, 3)
    smoothness : float
        The bandwidth used: ``0`` where the map was tabulated as it is.
    """
    if smoothness is None:
        smoothness = INVERSE_BANDWIDTH if _is_flat(points, weights) else 0.0
    if smoothness == 0:
        if tabulate is not None:
            return tabulate(size), smoothness
        nodes = lut_grid(size).reshape(-1, 3)
        return map_colors(nodes).reshape(size, size, size, 3), smoothness
    slope_range = check_slope_range(slope_range)
    mapped = map_colors(points)
    return regular_table(points, mapped, weights, size, smoothness, slope_range), smoothness
