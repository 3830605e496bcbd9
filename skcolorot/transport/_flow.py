"""The sliced colour flow: :class:`~skcolorot.transport._sliced.SlicedTransport`'s
map of colours, the sliced iterations as a sequence of smooth displacement fields.

Each iteration's 1-D displacements of the source samples are smoothed
(normalised convolution on a grid over the colours' box,
:func:`~skcolorot.transport._regular.smooth_displacement`) before they move
anything, so every step is a regular map and so is their composition; the
directions are a fixed sequence, so the grade depends on the two colour
distributions only. The target's side of a fit (its quantiles along those
directions) does not depend on the source: a refit to the same target, as each
of ``transfer()``'s rounds is, can reuse it.

numpy only: ``transfer()`` fits the flow without scikit-learn.
"""

from typing import NamedTuple

import numpy as np

from ._regular import evaluate_field, smooth_displacement
from ._slices import average_over_ties, displacements, quantiles, random_directions

__all__ = ["Flow", "apply_flow", "fit_flow", "flow_directions", "target_quantiles"]

# Nodes per axis of each step's displacement field, the width of its smoothing
# (working-space units; about a tenth of the RGB cube, where the fidelity
# measured on photo pairs levels off), and the fixed seed of the directions.
_GRID = 17
_BANDWIDTH = 0.1
_DIRECTIONS_SEED = 0


class Flow(NamedTuple):
    """A fitted flow: ``fields`` (n_iter, 17, 17, 17, 3) over the box ``box``
    (2, 3): low and high corners), and each iteration's sliced distance."""

    fields: np.ndarray
    box: np.ndarray
    distances: np.ndarray


def flow_directions(n_iter, n_slices):
    """The fixed direction sequence, ``(n_iter, n_slices, 3)``."""
    fixed = np.random.RandomState(_DIRECTIONS_SEED)
    return np.stack([random_directions(n_slices, 3, fixed) for _ in range(n_iter)])


def target_quantiles(target, target_weights, directions, n_quantiles):
    """The target's quantiles along each iteration's directions,
    ``(n_iter, n_slices, n_quantiles)``: where each step's 1-D maps go."""
    levels = np.linspace(0.0, 1.0, n_quantiles)
    projections = directions @ target.T  # (n_iter, n_slices, m)
    return np.stack([quantiles(rows, target_weights, levels) for rows in projections])


def fit_flow(source, target, source_weights, directions, knots, *, step=1.0):
    """The flow carrying the ``source`` colours (working space, float64) to the target.

    Parameters
    ----------
    source, target : ndarray of shape (n, 3), (m, 3)
        Colour samples (weights without zeros).
    source_weights : ndarray of shape (n,) or None
        Summing to one; ``None``: equal.
    directions : ndarray of shape (n_iter, n_slices, 3)
        :func:`flow_directions`.
    knots : ndarray of shape (n_iter, n_slices, n_quantiles)
        :func:`target_quantiles` of ``target`` along ``directions``.
    step : float, default=1.0
        Fraction of each smoothed displacement applied.

    Returns
    -------
    Flow
    """
    levels = np.linspace(0.0, 1.0, knots.shape[-1])
    low = np.minimum(source.min(axis=0), target.min(axis=0)) - 3 * _BANDWIDTH
    high = np.maximum(source.max(axis=0), target.max(axis=0)) + 3 * _BANDWIDTH
    bandwidth = _BANDWIDTH / (high - low)
    weights = np.full(len(source), 1.0 / len(source)) if source_weights is None else source_weights
    fields = np.empty((len(directions),) + (_GRID,) * 3 + (3,))
    distances = np.empty(len(directions))
    moving = source.copy()
    for i, theta in enumerate(directions):
        projections = theta @ moving.T
        knots_in = quantiles(projections, source_weights, levels)
        distances[i] = np.sqrt(np.mean((knots[i] - knots_in) ** 2))
        knots_out = average_over_ties(knots_in, knots[i])
        displacement = (np.linalg.pinv(theta) @ displacements(projections, knots_in, knots_out)).T
        box = (moving - low) / (high - low)
        fields[i] = step * smooth_displacement(box, displacement, weights, _GRID, bandwidth)
        moving += evaluate_field(fields[i], box)
    return Flow(fields, np.stack([low, high]), distances)


def apply_flow(fields, box, points):
    """``points`` (k, 3) of the working space carried through the flow's fields."""
    low, high = box
    points = np.array(points, dtype=np.float64)
    for field in fields:
        points += evaluate_field(field, (points - low) / (high - low))
    return points
