"""The 1-D pieces of sliced optimal transport: random directions, quantiles of the
projections along them, and the monotone piecewise-linear maps between quantiles.

Shared by :class:`~skcolorot.transport._sliced.SlicedTransport`'s map of features
and its colour flow (:mod:`skcolorot.transport._flow`). numpy only.
"""

import numpy as np

__all__ = [
    "average_over_ties",
    "displacements",
    "quantiles",
    "random_directions",
    "sliced_step",
]


def random_directions(n_directions, n_features, rng):
    """``n_directions`` unit rows taken from independent Haar-random orthonormal bases."""
    n_bases = -(-n_directions // n_features)
    gaussian = rng.standard_normal((n_bases, n_features, n_features))
    q, r = np.linalg.qr(gaussian)
    # Sign fix of the QR factors: without it the bases are not uniformly distributed.
    q = q * np.sign(np.diagonal(r, axis1=1, axis2=2))[:, None, :]
    return np.swapaxes(q, 1, 2).reshape(-1, n_features)[:n_directions]


def quantiles(projections, weights, levels):
    """Quantiles of each row of ``projections`` at ``levels`` in [0, 1].

    Unweighted, this is numpy's default ("linear") quantile: level 0 is the
    minimum, level 1 the maximum. Weighted, sample ``i`` sits at the middle of its
    mass on the CDF, rescaled so that the extremes still sit at 0 and 1.
    """
    n = projections.shape[1]
    if weights is None:
        ordered = np.sort(projections, axis=1)
        position = levels * (n - 1)
        below = np.minimum(np.floor(position).astype(np.intp), n - 1)
        above = np.minimum(below + 1, n - 1)
        fraction = position - below
        return ordered[:, below] * (1 - fraction) + ordered[:, above] * fraction
    order = np.argsort(projections, axis=1)
    ordered = np.take_along_axis(projections, order, axis=1)
    result = np.empty((len(projections), len(levels)))
    for row, (values, index) in enumerate(zip(ordered, order)):
        mass = weights[index]
        middle = np.cumsum(mass) - mass / 2
        span = middle[-1] - middle[0]
        position = (middle - middle[0]) / span if span > 0 else np.linspace(0, 1, n)
        result[row] = np.interp(levels, position, values)
    return result


# Knots closer than this fraction of a map's range count as one (a tie).
_KNOT_TOLERANCE = 1e-9


def average_over_ties(keys, values):
    """Replace ``values`` by their mean over runs of (nearly) equal ``keys`` (rows sorted).

    A run of equal knots is an atom of the 1-D distribution; OT spreads it over
    the matching quantiles, whose mean is where the atom goes. It also makes the
    piecewise-linear map single-valued at that knot. Knots a rounding error
    apart count as equal too: with different targets they would make a jump
    (a slope of range / rounding error), which is no map of colours.
    """
    values = values.copy()
    scale = np.maximum(np.ptp(keys, axis=1), np.ptp(values, axis=1))
    close = np.diff(keys, axis=1) <= (_KNOT_TOLERANCE * scale)[:, np.newaxis]
    for row in np.flatnonzero(close.any(axis=1)):
        group = np.concatenate([[0], np.cumsum(~close[row])])
        counts = np.bincount(group)
        values[row] = (np.bincount(group, weights=values[row]) / counts)[group]
    return values


def displacements(projections, knots_in, knots_out):
    """``f_j(p) - p`` for the piecewise-linear maps ``f_j: knots_in[j] -> knots_out[j]``.

    ``projections`` is ``(n_directions, n)``, one row per map. Beyond the end
    knots each map continues with slope 1 (a constant shift): it stays monotone
    and invertible and does not amplify the noise of the extreme quantiles, as
    extrapolating with the end slopes would; clamping (``np.interp``'s default)
    would collapse every colour outside the fitted range onto one value.
    """
    out = np.empty_like(projections)
    for j, (row, xp, fp) in enumerate(zip(projections, knots_in, knots_out)):
        # f(p) - p = interp(p) + (p - clip(p)) - p.
        out[j] = np.interp(row, xp, fp) - np.clip(row, xp[0], xp[-1])
    return out


def sliced_step(points, directions, combination, knots_in, knots_out):
    """One step on ``points`` given as ``(n_features, n)`` (rows contiguous, for speed).

    The 1-D maps act along ``directions``; ``combination``, the pseudo-inverse
    of ``directions``, turns their displacements into the least-squares
    displacement whose projections best agree with them.
    """
    projections = directions @ points
    return points + combination @ displacements(projections, knots_in, knots_out)

