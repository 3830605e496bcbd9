"""What :class:`~skcolorot.SinkhornTransport` and :class:`~skcolorot.EMDTransport`
share for research use: the ground cost (``metric``), unbalanced (``reg_m``) and
partial (``mass``) plans from POT, the dense plan on demand (``get_plan``) and
the maps that a plan without dual potentials gives.

Convention: a plan ``P`` couples the fitted ``source_support_`` (rows) and
``target_support_`` (columns); with ``n_samples=None`` on feature data these
are every fitted sample, in the order given, so ``P[i, j]`` pairs ``X[i]`` and
``target[j]``.
"""

from numbers import Integral, Real

import numpy as np
import ot

from .._utils._compat import Interval, StrOptions

__all__ = ["METRICS", "PlanMixin", "barycentric_images", "pairwise_cost", "smoothed_shift"]

# Costs computed by name (ot.dist, through scipy's cdist except sqeuclidean).
METRICS = ("sqeuclidean", "euclidean", "cityblock", "cosine")

# get_plan's default budget for the dense (n, m) float64 plan.
_PLAN_BYTES = 2**30

PLAN_CONSTRAINTS = {
    "metric": [StrOptions({*METRICS, "precomputed"}), callable],
    "reg_m": [Interval(Real, 0, None, closed="neither"), None],
    "mass": [Interval(Real, 0, 1, closed="right"), None],
}


def pairwise_cost(metric, X, Y):
    """The ``(len(X), len(Y))`` ground cost of ``metric`` (a name or a callable)."""
    if callable(metric):
        cost = np.asarray(metric(X, Y), dtype=np.float64)
        if cost.shape != (len(X), len(Y)):
            raise ValueError(
                f"metric(X, Y) must return the ({len(X)}, {len(Y)}) cost matrix, got "
                f"shape {cost.shape}."
            )
    elif metric == "precomputed":
        raise ValueError(
            "metric='precomputed' has a cost only between the fitted samples (fit's "
            "cost=); new points have none: transform the fitted source sample, or use "
            "a named or callable metric."
        )
    else:
        cost = ot.dist(X, Y, metric=metric)
    if not np.all(np.isfinite(cost)) or cost.min() < 0:
        raise ValueError("The cost matrix must be finite and non-negative.")
    return cost


def barycentric_images(plan, points, fallback):
    """``sum_j P_ij y_j / sum_j P_ij``; rows the plan leaves without mass stay at ``fallback``."""
    row_mass = plan.sum(axis=1)
    # An entropic partial plan leaves e^-200-size dust, not a transported point.
    carried = row_mass > 1e-9 * row_mass.max()
    images = np.array(fallback, dtype=np.float64, copy=True)
    images[carried] = (plan[carried] @ points) / row_mass[carried, None]
    return images


def smoothed_shift(cost, weights, displacement, reg):
    """Kernel average of ``displacement`` with weights ``a_i exp(-cost_i / reg)``.

    The out-of-sample map of a plan without potentials (partial OT): each
    fitted point's displacement (zero for the points left out), averaged as
    the entropic map averages the target points.
    """
    logits = -cost / reg + np.log(np.maximum(weights, 1e-300))[None, :]
    logits -= logits.max(axis=1, keepdims=True)
    kernel = np.exp(logits)
    return (kernel @ displacement) / kernel.sum(axis=1, keepdims=True)


def lookup_rows(Z, support, images, side):
    """Images of rows of ``Z`` that are fitted points (``metric='precomputed'``)."""
    if Z.shape == support.shape and np.array_equal(Z, support):
        return images.copy()
    index = {row.tobytes(): i for i, row in enumerate(np.ascontiguousarray(support))}
    found = [index.get(row.tobytes()) for row in np.ascontiguousarray(Z)]
    if any(i is None for i in found):
        raise ValueError(
            f"metric='precomputed' maps only the fitted {side} samples (the cost says "
            "nothing about other points); fit with a named or callable metric to map "
            "new points."
        )
    return images[np.asarray(found, dtype=np.intp)]


def check_plan_options(model):
    """fit-time checks of ``metric``, ``reg_m``, ``mass`` and fit's ``cost``."""
    if model.reg_m is not None and model.mass is not None:
        raise ValueError(
            "reg_m (unbalanced OT) and mass (partial OT) are two ways to relax the "
            "marginals; set one of them, not both."
        )
    cost = getattr(model, "_given_cost", None)
    if model.metric == "precomputed" and cost is None:
        raise ValueError("metric='precomputed' needs the cost matrix: fit(X, target=Y, cost=C).")
    if model.metric != "precomputed" and cost is not None:
        raise ValueError("fit's cost= is read with metric='precomputed' only.")


def given_cost(model, n, m):
    """The precomputed cost for the fitted ``(n, m)`` supports, checked."""
    cost = np.asarray(model._given_cost, dtype=np.float64)
    if cost.shape != (n, m):
        raise ValueError(
            f"metric='precomputed': the cost has shape {cost.shape}, the fitted samples "
            f"are {n} x {m}. Every sample must be fitted: pass n_samples=None (or at "
            "least the sample sizes) and a (n_source, n_target) cost."
        )
    if not np.all(np.isfinite(cost)) or cost.min() < 0:
        raise ValueError("The cost matrix must be finite and non-negative.")
    return cost


def _size(n_bytes):
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n_bytes >= scale:
            return f"{n_bytes / scale:,.1f} {unit}"
    return f"{n_bytes} bytes"


class PlanMixin:
    """``fit(..., cost=)``, ``get_plan`` and ``potentials_`` of the plan-based transports."""

    def fit(self, X, y=None, *, target=None, sample_weight=None, target_weight=None, cost=None):
        """Fit the transport from the source sample ``X`` to the target sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), (H, W, C) or (N, H, W, C)
            Source samples or image(s).
        y : array-like of shape (m_samples, n_features) or image, default=None
            The target sample (``fit(source, target)``). Ignored when ``target``
            is given, so that ``y`` can carry labels.
        target : array-like, default=None
            The target sample, when ``y`` holds labels (domain adaptation).
        sample_weight : array-like of shape (n_samples,), default=None
            Weights (or a mask) of the source samples.
        target_weight : array-like of shape (m_samples,), default=None
            Weights (or a mask) of the target samples.
        cost : array-like of shape (n_samples, m_samples), default=None
            The ground cost between every source and every target sample, with
            ``metric="precomputed"`` only (and ``n_samples=None``).

        Returns
        -------
        self : object
            The fitted transport.
        """
        self._given_cost = cost  # read by _fit_map; never kept
        try:
            return super().fit(
                X, y, target=target, sample_weight=sample_weight, target_weight=target_weight
            )
        finally:
            vars(self).pop("_given_cost", None)

    def get_plan(self, max_bytes=_PLAN_BYTES):
        """The fitted plan, dense, between ``source_support_`` and ``target_support_``.

        Masses, not densities: rows sum to ``source_weights_`` and columns to
        ``target_weights_`` for balanced OT; less for ``mass`` (partial) or
        ``reg_m`` (unbalanced). With ``n_samples=None`` on feature data the
        supports are every fitted sample in order.

        Parameters
        ----------
        max_bytes : int, default=2**30
            Refuse (``MemoryError``, naming the size) a plan larger than this.

        Returns
        -------
        plan : ndarray of shape (n, m)
        """
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self)
        if isinstance(max_bytes, bool) or not isinstance(max_bytes, Integral):
            raise ValueError(f"max_bytes must be an integer, got {max_bytes!r}.")
        n, m = len(self.source_support_), len(self.target_support_)
        needed = 8 * n * m
        if needed > max_bytes:
            raise MemoryError(
                f"The {n} x {m} plan needs {_size(needed)} of memory as float64, above "
                f"max_bytes={max_bytes:,} ({_size(max_bytes)}); raise max_bytes, or fit "
                "fewer points (n_samples)."
            )
        return self._dense_plan()
