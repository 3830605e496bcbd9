"""The two displacement interpolations of a discrete transport plan.

A plan ``P`` between points ``x_i`` (weights ``a_i``) and ``y_j`` can be moved
along in two ways:

* ``"plan"`` (McCann's interpolation of the coupling, "moving the Diracs"):
  every entry ``(i, j)`` is a particle of mass ``P_ij`` at
  ``(1 - t) x_i + t y_j``. At ``t = 1`` this is the target measure exactly, a
  point ``x_i`` split by the plan splits into several particles;
* ``"barycentric"``: every ``x_i`` keeps its mass ``a_i`` and moves to
  ``(1 - t) x_i + t T(x_i)`` with the barycentric map
  ``T(x_i) = sum_j P_ij y_j / a_i``. It never splits a point, so at ``t = 1``
  it is the target only when the plan is a map (no splitting): for an entropic
  plan it is a blurred, contracted version of the target.
"""

from numbers import Real

import numpy as np

__all__ = ["interpolate_plan", "plan_entries"]

_KINDS = ("plan", "barycentric")


def plan_entries(plan, *, min_mass=1e-3, max_per_row=32):
    """``(rows, cols, mass)`` of the entries of a dense plan worth keeping.

    An exact (EMD) plan has at most ``n + m - 1`` non-zeros, an entropic one
    ``n * m`` positive entries, most of them negligible. Keeping, per row, at
    most the ``max_per_row`` largest entries, and of those only the ones of at
    least ``min_mass`` times the row's largest, bounds the number of particles
    by ``max_per_row * n``; each kept row is rescaled to its full mass, so the
    source marginal stays exact.
    """
    plan = np.asarray(plan, dtype=np.float64)
    n, m = plan.shape
    k = min(max_per_row, m)
    cols = np.argpartition(-plan, k - 1, axis=1)[:, :k] if k < m else np.tile(np.arange(m), (n, 1))
    mass = np.take_along_axis(plan, cols, axis=1)
    row_max = mass.max(axis=1, keepdims=True)
    keep = (mass >= min_mass * row_max) & (mass > 0)
    rows = np.broadcast_to(np.arange(n)[:, None], cols.shape)[keep]
    kept = np.where(keep, mass, 0.0)
    scale = np.divide(
        plan.sum(axis=1), kept.sum(axis=1), out=np.zeros(n), where=kept.sum(axis=1) > 0
    )
    return rows, cols[keep], (kept * scale[:, None])[keep]


def interpolate_plan(source, target, rows, cols, mass, t, kind="plan"):
    """Weighted particles at time ``t`` of a discrete plan's interpolation.

    Parameters
    ----------
    source : ndarray of shape (n, d)
    target : ndarray of shape (m, d)
    rows, cols : ndarray of shape (k,)
        Indices of the plan's entries.
    mass : ndarray of shape (k,)
        Their masses.
    t : float in [0, 1]
    kind : {"plan", "barycentric"}
        See the module docstring.

    Returns
    -------
    points : ndarray of shape (k, d) ("plan") or (n', d) ("barycentric")
    weights : ndarray
        Masses of the points, summing to one. ``"barycentric"`` returns the
        ``n'`` source points that carry mass, in order.
    """
    if isinstance(t, bool) or not isinstance(t, Real) or not 0 <= t <= 1:
        raise ValueError(f"t must be a number in [0, 1], got {t!r}.")
    if kind not in _KINDS:
        raise ValueError(f"kind must be one of {', '.join(map(repr, _KINDS))}; got {kind!r}.")
    mass = mass / mass.sum()
    if kind == "plan":
        return (1 - t) * source[rows] + t * target[cols], mass
    n, d = source.shape
    row_mass = np.bincount(rows, weights=mass, minlength=n)
    moved = np.stack(
        [np.bincount(rows, weights=mass * target[cols, c], minlength=n) for c in range(d)],
        axis=1,
    )
    carried = row_mass > 0
    image = moved[carried] / row_mass[carried, None]
    return (1 - t) * source[carried] + t * image, row_mass[carried]
