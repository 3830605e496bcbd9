"""Exact optimal transport plans through POT's network simplex, on a sparse
multiscale route where the dense problem is large.

``ot.emd`` on the dense ``n x m`` problem costs far more than linear in ``n m``
(1000 x 800 colour bins: 1-2 s here). The optimal plan has at most ``n + m - 1``
entries, and between colour histograms they lie near where a coarse plan puts
them. So, as in multiscale transport solvers (Schmitzer 2016; Gerber &
Maggioni 2017):

1. group each side's points into the cells of a coarse grid and solve
   ``ot.emd`` between the cells (a few hundred: milliseconds);
2. solve ``ot.emd`` (its sparse form) on the arcs between points whose cells
   the coarse plan couples - a feasible problem, since splitting each coarse
   entry in proportion to the points' masses meets both marginals;
3. check the solution's dual potentials on *every* arc: where a reduced cost
   ``C_ij - u_i - v_j`` is negative the restricted plan is not optimal, so
   those arcs join and step 2 runs again (warm-started from the potentials);
   where they are many, the dense problem is solved, warm-started.

When no reduced cost is negative the potentials are feasible for the dense
problem, and the plan is optimal for it: the same plan (and cost) as dense
``ot.emd``, found 4-20x faster on colour histograms (measured: 985 x 781 bins
1.07 s -> 0.16 s, 599 x 1384 3.3 s -> 0.17 s, in 3-5 rounds).
"""

import numpy as np
import ot

__all__ = ["exact_plan"]

# Network-simplex pivots: POT's default (1e5) is reached before optimality on
# 3000 x 3000 weighted samples (measured); a higher cap costs nothing when the
# solver is optimal sooner.
EMD_MAX_ITER = 10**8
# Below this many plan entries the dense solver is as quick (tens of ms).
_SPARSE_MIN_ENTRIES = 200_000
# Cells per axis of the coarse grid (over each side's bounding box): 100-300
# occupied cells for photographs, which was the quickest in total (tried 4, 6, 8).
_COARSE_CELLS = 8
# Rounds of step 2-3 before the dense solver takes over (3-5 are typical).
_MAX_ROUNDS = 12
# A round whose violated arcs outnumber the restricted ones this many times
# hands over to the dense solver (colour histograms: 0.4-1.2 times in the first
# round; uniform random points in a cube: 5-10 times, where growing the arcs
# was 1.5x slower than dense, and the warm-started dense solver 1.4x quicker).
_MAX_GROWTH = 3


def _cells(points):
    """Index of the coarse cell of every point, cells numbered from 0."""
    low = points.min(axis=0)
    span = points.max(axis=0) - low
    span[span <= 0] = 1.0
    level = np.minimum((points - low) / span * _COARSE_CELLS, _COARSE_CELLS - 1).astype(np.intp)
    key = np.ravel_multi_index(tuple(level.T), (_COARSE_CELLS,) * points.shape[1])
    return np.unique(key, return_inverse=True)[1].ravel()


def _coarse(points, weights, cells):
    """Mass and mean of every cell."""
    mass = np.bincount(cells, weights=weights)
    sums = np.stack(
        [np.bincount(cells, weights=weights * points[:, c]) for c in range(points.shape[1])],
        axis=1,
    )
    return sums / mass[:, np.newaxis], mass


def _dense(a, b, cost, warm=None):
    plan, log = ot.emd(a, b, cost, numItermax=EMD_MAX_ITER, log=True, potentials_init=warm)
    rows, cols = np.nonzero(plan)
    return rows, cols, plan[rows, cols], log["u"], log["v"]


def exact_plan(a, b, cost, source=None, target=None):
    """The optimal plan between weights ``a`` and ``b`` for the dense ``cost``.

    Parameters
    ----------
    a, b : ndarray of shape (n,), (m,)
        Positive masses, summing to the same total.
    cost : ndarray of shape (n, m)
    source, target : ndarray of shape (n, d), (m, d), default=None
        The points, for the coarse grid of the multiscale route (``d <= 3``,
        and ``cost`` a cost between them that grows with distance); without
        them, or on a small problem, the dense ``ot.emd``.

    Returns
    -------
    rows, cols : ndarray of int
        Entries of the plan with positive mass.
    mass : ndarray of float
    u, v : ndarray of shape (n,), (m,)
        Dual potentials: ``u_i + v_j <= C_ij``, with equality on the plan.
    """
    n, m = cost.shape
    if source is None or target is None or n * m < _SPARSE_MIN_ENTRIES or source.shape[1] > 3:
        return _dense(a, b, cost)
    from scipy import sparse

    source_cells, target_cells = _cells(source), _cells(target)
    coarse_source, coarse_a = _coarse(source, a, source_cells)
    coarse_target, coarse_b = _coarse(target, b, target_cells)
    coarse_plan = ot.emd(
        coarse_a, coarse_b, ot.dist(coarse_source, coarse_target), numItermax=EMD_MAX_ITER
    )
    coupled = coarse_plan > 0
    allowed = coupled[source_cells][:, target_cells]
    # Rounding in the potentials leaves reduced costs of about -1e-16 * cost.
    tolerance = 1e-10 * max(float(np.abs(cost).max()), 1e-300)
    warm = None
    for _ in range(_MAX_ROUNDS):
        rows, cols = np.nonzero(allowed)
        restricted = sparse.coo_matrix((cost[rows, cols], (rows, cols)), shape=(n, m))
        plan, log = ot.emd(
            a, b, restricted, numItermax=EMD_MAX_ITER, log=True, potentials_init=warm
        )
        u, v = log["u"], log["v"]
        if log.get("result_code", 1) != 1:
            break  # not solved to optimality: the dense solver decides
        reduced = cost - u[:, np.newaxis]
        reduced -= v
        violated = reduced < -tolerance
        n_violated = np.count_nonzero(violated)
        if n_violated > _MAX_GROWTH * len(rows):
            # The coarse plan was a poor guess (points spread evenly, with no
            # structure for the grid to catch): the dense solver, started from
            # these potentials, is then quicker than growing the arcs.
            return _dense(a, b, cost, warm=(u, v))
        if not n_violated:
            plan = sparse.coo_matrix(plan)
            keep = plan.data > 0
            order = np.lexsort((plan.col[keep], plan.row[keep]))  # row-major, as dense
            rows, cols = plan.row[keep][order], plan.col[keep][order]
            return rows.astype(np.intp), cols.astype(np.intp), plan.data[keep][order], u, v
        allowed |= violated
        warm = (u, v)
    return _dense(a, b, cost)
