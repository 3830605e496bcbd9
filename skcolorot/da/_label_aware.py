"""Label-aware optimal transport for domain adaptation: class-regularised,
label-shift-aware (estimated target class proportions), unbalanced and
semi-supervised, on POT's Sinkhorn solvers.

The colour transports move a distribution onto another and never see labels.
For domain adaptation the source labels are known, and using them helps:

* **class regularisation** (Courty et al. 2016, group-lasso ``"lpl1"`` or
  ``"l1l2"``): each target point receives mass from one source class only, so
  that transported classes do not mix;
* **label shift** (Redko et al. 2019, JCPOT): when the class proportions differ
  between domains, a transport with uniform marginals must move some of a
  frequent source class onto a rarer target class. Estimating the target
  proportions and giving each source class that much mass avoids it;
* **unbalanced OT** (Chizat et al. 2018): relaxed marginals let outliers and
  unmatched mass stay behind;
* **semi-supervised**: a few labelled target samples forbid transport between
  different labels (as POT's ``ot.da`` does with ``yt``).
"""

import warnings
from numbers import Integral, Real

import numpy as np
import ot
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.metrics import pairwise_distances_argmin
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from .._utils._compat import Interval, StrOptions, _fit_context
from .._utils._input import draw_indices
from ..transport._sinkhorn import sinkhorn_potentials

__all__ = ["LabelAwareTransport", "estimate_target_proportions"]

# Exponent and smoothing of the lp-l1 majorisation (Courty et al. 2016, as POT).
_LPL1_P, _LPL1_EPS = 0.5, 1e-3
# Marginal error at which each inner Sinkhorn stops (POT's default, 1e-9, runs
# every step to max_inner_iter for no change in the map).
_INNER_TOL = 1e-6


def _median_cost(source, target, rng, n_pairs=1000):
    """Median squared distance between source and target points (sub-sampled)."""
    i = rng.randint(0, len(source), n_pairs)
    j = rng.randint(0, len(target), n_pairs)
    median = float(np.median(((source[i] - target[j]) ** 2).sum(axis=1)))
    return median if median > 0 else 1.0


def _jcpot_proportions(cost, labels, n_classes, reg, n_iter=100, tol=1e-6):
    """Target class proportions by JCPOT with one source (Redko et al. 2019).

    Bregman projections of the Gibbs kernel alternately onto the uniform
    target marginal and onto source marginals that give class ``c`` the
    proportion ``h_c`` spread evenly over its samples, ``h`` being the class
    mass the target pulls. POT's ``jcpot_barycenter`` runs the same iterations
    for several sources; with POT 0.9.7 and NumPy inputs its backend check
    fails on the single-source list, so the loop is written out here.
    """
    kernel = np.exp(-(cost - cost.min()) / reg)
    one_hot = np.eye(n_classes)[labels]  # (n, C)
    counts = one_hot.sum(axis=0)
    b = np.full(cost.shape[1], 1.0 / cost.shape[1])
    proportions = counts / counts.sum()
    for _ in range(n_iter):
        kernel *= b / np.maximum(kernel.sum(axis=0), 1e-300)  # target marginal
        pulled = one_hot.T @ kernel.sum(axis=1)  # mass per class
        new = pulled / pulled.sum()
        row_target = (new / np.maximum(counts, 1))[labels]
        kernel *= (row_target / np.maximum(kernel.sum(axis=1), 1e-300))[:, None]
        if np.abs(new - proportions).sum() < tol:
            proportions = new
            break
        proportions = new
    return proportions


def estimate_target_proportions(
    source, labels, target, random_state=None, *, reg=0.1, n_samples=1000
):
    """Target class proportions by JCPOT, on sub-samples, cost normalised by its median.

    Parameters
    ----------
    source : ndarray of shape (n, d)
    labels : ndarray of shape (n,)
        Source class indices, 0 to ``n_classes - 1``.
    target : ndarray of shape (m, d)
    random_state : int, RandomState instance or None, default=None
    reg : float, default=0.1
        Relative entropic regularisation.
    n_samples : int, default=1000
        Sub-sample size of each domain.

    Returns
    -------
    proportions : ndarray of shape (n_classes,)
    """
    rng = check_random_state(random_state)
    source, target = np.asarray(source, dtype=float), np.asarray(target, dtype=float)
    labels = np.asarray(labels)
    n_classes = int(labels.max()) + 1
    i = draw_indices(len(source), min(n_samples, len(source)), rng)
    j = draw_indices(len(target), min(n_samples, len(target)), rng)
    cost = ot.dist(source[i], target[j])
    cost /= max(float(np.median(cost)), 1e-300)
    return _jcpot_proportions(cost, labels[i], n_classes, reg)


class LabelAwareTransport(TransformerMixin, BaseEstimator):
    """Entropic OT between domains that uses the source labels.

    ``fit(X_source, y_source, target=X_target)`` solves entropic OT between (a
    sub-sample of) the labelled source and the unlabelled target with a cost
    normalised by its median (so ``reg`` is relative, whatever the feature
    scale), optionally with

    * ``reg_class > 0``: a class regulariser (group lasso, Courty et al. 2016)
      solved by majorisation-minimisation (``max_iter`` outer steps, each a
      Sinkhorn problem of POT);
    * ``class_weights="estimate"``: target class proportions estimated by
      JCPOT (the iterations of POT's ``ot.bregman.jcpot_barycenter``) and used as the source
      marginal, each class receiving its estimated target share;
    * ``reg_marginal``: unbalanced OT (KL-relaxed marginals,
      ``ot.unbalanced.sinkhorn_unbalanced``);
    * ``fit(..., target_labels=y_t)``: target labels where known (``-1``
      elsewhere) forbid mass between different labels (semi-supervised).

    Fitted source points move to their barycentric image ``sum_j P_ij y_j /
    sum_j P_ij``; any other point ``x`` moves by the displacement of its
    nearest fitted source point (Ferradans et al. 2014, as POT's ``ot.da``).
    Use it inside :class:`~skcolorot.DomainAdaptation`, which passes the
    source labels.

    Parameters
    ----------
    reg : float, default=0.1
        Entropic regularisation, relative to the median squared distance
        between source and target points.
    reg_class : float, default=1.0
        Weight of the class regulariser; 0 turns it off (plain entropic OT).
    norm : {"lpl1", "l1l2"}, default="lpl1"
        Class regulariser: lp-l1 group lasso (``p = 1/2``, POT's
        ``sinkhorn_lpl1_mm``) or l1-l2 group lasso (POT's ``sinkhorn_l1l2_gl``,
        balanced marginals only).
    class_weights : {"uniform", "estimate"} or array-like of shape (n_classes,), \
            default="uniform"
        Mass of each source class: ``"uniform"`` keeps every source sample's
        mass equal (the source proportions); ``"estimate"`` gives each class the
        target proportion estimated by JCPOT (label shift); an array gives the
        target proportions in the order of ``classes_``.
    reg_marginal : float or None, default=None
        KL relaxation of the marginals (unbalanced OT); ``None`` is balanced.
        Not with ``norm="l1l2"``.
    n_samples : int, default=1000
        Source and target samples drawn for the fit (the plan is
        ``n_samples`` x ``n_samples``; 2000 takes 4x as long); the map applies
        to every sample.
    max_iter : int, default=5
        Majorisation-minimisation steps of the class regulariser (POT's
        default is 10: on the benchmark's digits the map no longer changes
        after 5).
    max_inner_iter : int, default=50
        Sinkhorn iterations of each step, warm-started from the previous one
        (POT's default is 200 cold-started; same accuracy, 5x slower).
    t : float in [0, 1], default=1.0
        Displacement interpolation ``(1 - t) x + t T(x)``; ``t = 0`` is no
        adaptation.
    random_state : int, RandomState instance or None, default=None
        Seed of the sub-sampling.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Source classes.
    source_support_ : ndarray of shape (n, n_features)
        Fitted source points.
    source_labels_ : ndarray of shape (n,)
        Their labels.
    displacement_ : ndarray of shape (n, n_features)
        Barycentric image minus the point, per fitted source point.
    coupling_ : ndarray of shape (n, m)
        The transport plan between the fitted source and target points.
    target_proportions_ : ndarray of shape (n_classes,)
        Class proportions the source marginal was given (source proportions
        for ``class_weights="uniform"``).
    cost_scale_ : float
        The median squared distance the cost was divided by.
    n_features_in_ : int
        Number of features.

    References
    ----------
    N. Courty, R. Flamary, D. Tuia, A. Rakotomamonjy, "Optimal Transport for
    Domain Adaptation", IEEE TPAMI 2016. I. Redko, N. Courty, R. Flamary,
    D. Tuia, "Optimal transport for multi-source domain adaptation under
    target shift", AISTATS 2019.

    Examples
    --------
    >>> import numpy as np
    >>> from skcolorot import LabelAwareTransport
    >>> rng = np.random.default_rng(0)
    >>> ys = np.repeat([0, 1], 50)
    >>> Xs = rng.normal(size=(100, 2)) * 0.3 + 3 * ys[:, None]
    >>> Xt = Xs[::-1] @ [[0, 1], [1, 0]] + 5.0
    >>> model = LabelAwareTransport(random_state=0).fit(Xs, ys, target=Xt)
    >>> moved = model.transform(Xs)
    >>> bool(np.abs(moved.mean(axis=0) - Xt.mean(axis=0)).max() < 0.2)
    True
    """

    _parameter_constraints: dict = {
        "reg": [Interval(Real, 0, None, closed="neither")],
        "reg_class": [Interval(Real, 0, None, closed="left")],
        "norm": [StrOptions({"lpl1", "l1l2"})],
        "class_weights": [StrOptions({"uniform", "estimate"}), "array-like"],
        "reg_marginal": [Interval(Real, 0, None, closed="neither"), None],
        "n_samples": [Interval(Integral, 2, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "max_inner_iter": [Interval(Integral, 1, None, closed="left")],
        "t": [Interval(Real, 0, 1, closed="both")],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        reg=0.1,
        reg_class=1.0,
        *,
        norm="lpl1",
        class_weights="uniform",
        reg_marginal=None,
        n_samples=1000,
        max_iter=5,
        max_inner_iter=50,
        t=1.0,
        random_state=None,
    ):
        self.reg = reg
        self.reg_class = reg_class
        self.norm = norm
        self.class_weights = class_weights
        self.reg_marginal = reg_marginal
        self.n_samples = n_samples
        self.max_iter = max_iter
        self.max_inner_iter = max_inner_iter
        self.t = t
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None, *, target=None, target_labels=None, sample_weight=None):
        """Fit the plan from the labelled source ``(X, y)`` to the target sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Source samples.
        y : array-like of shape (n_samples,)
            Source labels.
        target : array-like of shape (m_samples, n_features)
            Target samples (unlabelled, not aligned with ``X``).
        target_labels : array-like of shape (m_samples,), default=None
            Known target labels, ``-1`` where unknown (semi-supervised).
        sample_weight : array-like of shape (n_samples,), default=None
            Source sample weights (multiply the source marginal).

        Returns
        -------
        self : LabelAwareTransport
        """
        if target is None:
            raise ValueError(
                "LabelAwareTransport.fit needs the target sample: "
                "fit(X_source, y_source, target=X_target)."
            )
        if y is None:
            raise ValueError(
                "LabelAwareTransport.fit needs the source labels y: "
                "fit(X_source, y_source, target=X_target)."
            )
        if self.norm == "l1l2" and self.reg_marginal is not None:
            raise ValueError(
                "norm='l1l2' has no unbalanced solver; use norm='lpl1' with reg_marginal."
            )
        X, y = validate_data(self, X, y, dtype=np.float64, y_numeric=False)
        target = check_array(target, dtype=np.float64, input_name="target")
        if target.shape[1] != X.shape[1]:
            raise ValueError(
                f"target has {target.shape[1]} features, X has {X.shape[1]}."
            )
        self.classes_, y_index = np.unique(y, return_inverse=True)
        n_classes = len(self.classes_)
        if target_labels is not None:
            target_labels = np.asarray(target_labels)
            if target_labels.shape != (len(target),):
                raise ValueError(
                    f"target_labels must have shape ({len(target)},), got {target_labels.shape}."
                )
        weights = None
        if sample_weight is not None:
            weights = np.asarray(sample_weight, dtype=np.float64)
            if weights.shape != (len(X),) or np.any(weights < 0):
                raise ValueError("sample_weight must be non-negative, one per row of X.")

        rng = check_random_state(self.random_state)
        source_index = self._draw(len(X), rng)
        target_index = self._draw(len(target), rng)
        source, labels = X[source_index], y_index[source_index]
        target_points = target[target_index]
        scale = _median_cost(source, target_points, rng)
        cost = ot.dist(source, target_points) / scale

        if target_labels is not None:
            known = target_labels[target_index]
            # Label -1 (skada's mask) means unknown; the others must be source classes.
            lookup = {label: k for k, label in enumerate(self.classes_)}
            known_index = np.array([lookup.get(label, -1) for label in known])
            mismatch = (known_index[None, :] >= 0) & (labels[:, None] != known_index[None, :])
            cost = np.where(mismatch, 100.0 * cost.max(), cost)

        proportions = self._target_proportions(source, labels, target_points, scale, n_classes)
        counts = np.bincount(labels, minlength=n_classes).astype(float)
        a = proportions[labels] / np.maximum(counts[labels], 1.0)
        if weights is not None:
            a = a * weights[source_index]
        a = a / a.sum()
        b = np.full(len(target_points), 1.0 / len(target_points))
        plan = self._solve(a, b, cost, labels, n_classes)

        mass = plan.sum(axis=1)
        # Points that (unbalanced) keep no mass stay where they are.
        moved = np.divide(
            plan @ target_points, mass[:, None], out=source.copy(), where=mass[:, None] > 1e-300
        )
        self.source_support_ = source
        self.source_labels_ = self.classes_[labels]
        self.displacement_ = moved - source
        self.coupling_ = plan
        self.target_proportions_ = proportions
        self.cost_scale_ = scale
        return self

    def _draw(self, n, rng):
        if n <= self.n_samples:
            return np.arange(n)
        return draw_indices(n, self.n_samples, rng)

    def _target_proportions(self, source, labels, target, scale, n_classes):
        counts = np.bincount(labels, minlength=n_classes).astype(float)
        if isinstance(self.class_weights, str) and self.class_weights == "uniform":
            return counts / counts.sum()
        if isinstance(self.class_weights, str):  # "estimate"
            if n_classes == 1:
                return np.ones(1)
            proportions = _jcpot_proportions(
                ot.dist(source, target) / scale, labels, n_classes, max(self.reg, 0.1)
            )
            proportions = np.nan_to_num(np.asarray(proportions, dtype=float), nan=0.0)
            proportions = np.clip(proportions, 0.0, None)
            if proportions.sum() <= 0:
                return counts / counts.sum()
            return proportions / proportions.sum()
        proportions = np.asarray(self.class_weights, dtype=np.float64)
        if proportions.shape != (n_classes,) or np.any(proportions < 0) or proportions.sum() <= 0:
            raise ValueError(
                f"class_weights must be 'uniform', 'estimate' or {n_classes} non-negative "
                f"proportions (one per class of y), got {self.class_weights!r}."
            )
        return proportions / proportions.sum()

    def _sinkhorn(self, a, b, cost, warmstart=None):
        """One entropic problem on POT's solvers (balanced or unbalanced).

        Balanced: returns the plan and the log scalings, to warm-start the next
        majorisation step (its cost changes little): measured 2-3x fewer
        Sinkhorn iterations than cold starts at the same marginal error.
        """
        with warnings.catch_warnings():
            # POT warns at every inner non-convergence; MM steps converge anyway.
            warnings.simplefilter("ignore")
            if self.reg_marginal is None:
                plan, log = ot.sinkhorn(
                    a, b, cost, self.reg, numItermax=self.max_inner_iter,
                    stopThr=_INNER_TOL, warmstart=warmstart, log=True,
                )
                # The kernel underflows at small reg / large penalties: rows
                # lose their mass (or turn NaN); the log-domain solver does not.
                if np.all(np.isfinite(plan)) and np.abs(plan.sum(axis=1) - a).sum() < 1e-3:
                    return plan, (np.log(log["u"]), np.log(log["v"]))
                # skcolorot's log-domain solver with epsilon scaling: POT's
                # "sinkhorn_log" took 120 s here at reg=0.01 (digits, 900 x 900).
                f, g, _, _ = sinkhorn_potentials(
                    a, b, cost, self.reg, max_iter=self.max_inner_iter, tol=_INNER_TOL
                )
                plan = np.exp((f[:, None] + g[None, :] - cost) / self.reg)
                return plan, None
            else:
                plan = ot.unbalanced.sinkhorn_unbalanced(
                    a, b, cost, self.reg, self.reg_marginal, numItermax=self.max_inner_iter
                )
                if not np.all(np.isfinite(plan)):
                    # The kernel underflowed; POT's stabilised unbalanced solver can
                    # stop early with a plan of almost no mass (3e-9 at reg=3e-3),
                    # skcolorot's log-domain one reaches the same fixed point.
                    f, g, _, _ = sinkhorn_potentials(
                        a, b, cost, self.reg, max_iter=self.max_inner_iter, tol=_INNER_TOL,
                        reg_m=self.reg_marginal,
                    )
                    plan = np.exp((f[:, None] + g[None, :] - cost) / self.reg)
        return plan, None

    def _solve(self, a, b, cost, labels, n_classes):
        if self.reg_class == 0 or n_classes == 1:
            return self._sinkhorn(a, b, cost)[0]
        if self.norm == "l1l2":
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return ot.da.sinkhorn_l1l2_gl(
                    a, labels, b, cost, self.reg, self.reg_class,
                    numItermax=self.max_iter, numInnerItermax=self.max_inner_iter,
                )
        # lp-l1 majorisation-minimisation, the loop of POT's sinkhorn_lpl1_mm,
        # written with a one-hot product: POT builds an (m, n, n_classes)
        # tensor per step (measured: 10x slower at 1000 x 1000 x 10 classes),
        # and it has no unbalanced variant.
        one_hot = np.eye(n_classes)[labels]
        penalty = np.zeros_like(cost)
        warmstart = None
        for _ in range(self.max_iter):
            plan, warmstart = self._sinkhorn(a, b, cost + self.reg_class * penalty, warmstart)
            class_mass = one_hot.T @ plan  # (n_classes, m): mass each class sends to j
            penalty = _LPL1_P * (class_mass[labels] + _LPL1_EPS) ** (_LPL1_P - 1)
        return plan

    def transform(self, X):
        """Move source-domain samples towards the target domain.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Source-domain samples.

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_features)
            ``X + t * displacement`` of each sample's nearest fitted source point.
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        if self.t == 0:
            return X.copy()
        # Chunked nearest-neighbour search, bounded memory (scikit-learn's).
        nearest = pairwise_distances_argmin(X, self.source_support_)
        return X + self.t * self.displacement_[nearest]
