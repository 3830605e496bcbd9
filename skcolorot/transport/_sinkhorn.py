"""Entropic optimal transport (Cuturi 2013) with the smooth entropic map
(Pooladian & Niles-Weed 2021) for out-of-sample points."""

import warnings
from numbers import Integral, Real

import numpy as np
import ot
from ot import dist
from scipy.special import logsumexp
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.validation import check_is_fitted

from ._base import BaseTransport
from .._utils._compat import Interval
from ._ot_plans import (
    PLAN_CONSTRAINTS,
    PlanMixin,
    barycentric_images,
    check_plan_options,
    given_cost,
    lookup_rows,
    pairwise_cost,
    smoothed_shift,
)
from ._plan import interpolate_plan, plan_entries

__all__ = ["SinkhornTransport", "sinkhorn_potentials"]

# Target variance (RGB units) below which it is one colour: half an 8-bit level.
_FLAT_TARGET_VARIANCE = (0.5 / 255) ** 2

# Kernel entries below this are flushed to zero: they weigh nothing next to the
# O(1) entries on the plan's support, and denormal floats slow matrix products
# down by an order of magnitude (measured at reg=1e-3 on colours).
_KERNEL_FLOOR = 1e-200
# Scalings beyond e**±_ABSORB are folded into the potentials (Schmitzer 2019).
_ABSORB = 30.0
# Geometric schedule of the epsilon-scaling warm start.
_EPS_DECAY = 0.25
# Largest cost matrix fitted (entries): the solver holds a few n x m float64
# arrays, so 10^8 entries is already several GB; n_samples=None on a photograph
# would otherwise try to allocate terabytes.
_MAX_PLAN_ENTRIES = 10**8
# ... and by memory: the solver's peak is about this many float64 n x m arrays
# (cost, kernel, logsumexp temporaries): measured 8.1 at 3000 x 3000 (558 MB,
# 10 s), and 10000 x 10000 took 6.5 GB. The budget keeps the fit within 2 GiB.
_PLAN_COPIES = 8
_MAX_SOLVER_BYTES = 2 * 2**30
# Costs are resolved to float64's relative precision (1e-16 of the largest): with
# reg below this fraction of it, exp((f + g - cost) / reg) is rounding noise, and
# far below it NaN (magnitude-1e12 features at the default reg gave a 100 % NaN
# transform; at 1e-7 the solver already stops converging).
_MIN_RELATIVE_REG = 1e-12
_MAX_LEVELS = 64
# Partial OT: costs capped at this many reg (see _fit_map).
_PARTIAL_COST_CAP = 200.0
_MIN_RELATIVE_WEIGHT = 1e-12


def _log_half_steps(f, g, log_a, log_b, cost, eps, phi=1.0):
    """One exact log-domain Sinkhorn iteration (g then f): never under/overflows.

    Convention of this module: ``P_ij = exp((f_i + g_j - C_ij) / eps)``. ``phi``:
    ``reg_m / (reg_m + eps)`` for KL-relaxed marginals (unbalanced OT), 1 balanced.
    """
    g = eps * log_b - phi * eps * logsumexp((f[:, None] - cost) / eps, axis=0)
    f = eps * log_a - phi * eps * logsumexp((g[None, :] - cost) / eps, axis=1)
    return f, g


def _kernel(f, g, cost, eps):
    kernel = np.exp((f[:, None] + g[None, :] - cost) / eps)
    kernel[kernel < _KERNEL_FLOOR] = 0.0
    return kernel


def _solve_level(f, g, a, b, cost, eps, max_iter, tol, phi=1.0):
    """Sinkhorn at one epsilon from warm potentials; returns (f, g, n_iter, error).

    Works on the stabilised kernel ``exp((f + g - C) / eps)`` with scalings u, v
    folded into the potentials when they grow (then one exact log-domain step),
    so small ``eps`` gives no NaN; the last update is the row one, so row
    marginals are exact on return (balanced). With ``phi < 1`` (unbalanced) the
    updates are ``u = a (K v)^-phi exp((phi - 1) f / eps)`` (and likewise v), the
    kernel form of :func:`_log_half_steps`, and ``error`` is the L1 change of the
    row marginal over the last iteration.
    """
    log_a, log_b = np.log(a), np.log(b)
    # Warm potentials from the previous (4x larger) epsilon keep every kernel
    # row representable; an all-zero row (u = inf) takes the log-domain branch.
    kernel = _kernel(f, g, cost, eps)
    u = np.ones_like(a)
    v = np.ones_like(b)
    rows = None
    error = np.inf
    n_iter = 0
    for n_iter in range(1, max_iter + 1):
        column_mass = kernel.T @ u
        if phi == 1.0:
            error = np.abs(v * column_mass - b).sum()
            if error < tol:
                break
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            if phi == 1.0:
                v = b / column_mass
                u = a / (kernel @ v)
            else:
                v = b * column_mass ** -phi * np.exp((phi - 1.0) / eps * g)
                row_mass = kernel @ v
                u = a * row_mass ** -phi * np.exp((phi - 1.0) / eps * f)
                previous, rows = rows, u * row_mass
        if not (np.all(np.isfinite(u)) and np.all(np.isfinite(v))) or (
            np.abs(np.log(u)).max() > _ABSORB or np.abs(np.log(v)).max() > _ABSORB
        ):
            # Fold what is representable into the potentials and redo the step
            # exactly in the log domain, then rebuild the kernel around them.
            f = f + eps * np.log(np.where(np.isfinite(u) & (u > 0), u, 1.0))
            g = g + eps * np.log(np.where(np.isfinite(v) & (v > 0), v, 1.0))
            f, g = _log_half_steps(f, g, log_a, log_b, cost, eps, phi)
            kernel = _kernel(f, g, cost, eps)
            u = np.ones_like(a)
            v = np.ones_like(b)
            rows = None
            with np.errstate(divide="ignore"):
                if phi == 1.0:
                    u = a / (kernel @ v)
        elif phi != 1.0 and previous is not None:
            error = np.abs(rows - previous).sum()
            if error < tol:
                break
    return f + eps * np.log(u), g + eps * np.log(v), n_iter, error


def sinkhorn_potentials(a, b, cost, reg, *, max_iter=1000, tol=1e-5, reg_m=None):
    """Dual potentials of entropic OT, stable for small ``reg``.

    Solves ``min_P <P, C> + reg KL(P | a b^T)`` over couplings of ``a`` and ``b``
    (with ``reg_m``: plus ``reg_m`` times the KL divergences of P's marginals from
    ``a`` and ``b``, unbalanced OT, POT's ``sinkhorn_unbalanced``) with Sinkhorn
    iterations on a stabilised kernel, warm-started by epsilon scaling. We do not
    call ``ot.sinkhorn`` here: measured on 1000 x 1000 colour costs, its
    log-domain solver took 15 s at ``reg=1e-2`` and 120 s at ``1e-3`` (its plain
    solver NaNs there), while this one takes about 0.1 s / 1 s.

    Parameters
    ----------
    a : ndarray of shape (n,)
        Source weights (positive, sum 1).
    b : ndarray of shape (m,)
        Target weights (positive, sum 1).
    cost : ndarray of shape (n, m)
        Cost matrix.
    reg : float
        Entropic regularisation (epsilon), > 0.
    max_iter : int, default=1000
        Iterations at the final epsilon.
    tol : float, default=1e-5
        Stop when the L1 error of the column marginal is below ``tol``
        (unbalanced: the L1 change of the row marginal in one iteration).
    reg_m : float or None, default=None
        Weight of the marginal relaxation (unbalanced OT); None: balanced.

    Returns
    -------
    f : ndarray of shape (n,)
    g : ndarray of shape (m,)
        Potentials with ``P = exp((f_i + g_j - C_ij) / reg)``; row sums of ``P``
        equal ``a`` exactly.
    n_iter : int
        Iterations at the final epsilon.
    error : float
        Final column-marginal L1 error.

    Examples
    --------
    >>> import numpy as np
    >>> from skcolorot.transport._sinkhorn import sinkhorn_potentials
    >>> rng = np.random.default_rng(0)
    >>> x, y = rng.random((5, 2)), rng.random((4, 2))
    >>> cost = ((x[:, None] - y[None]) ** 2).sum(-1)
    >>> f, g, _, _ = sinkhorn_potentials(np.full(5, .2), np.full(4, .25), cost, 0.05)
    >>> plan = np.exp((f[:, None] + g[None] - cost) / 0.05)
    >>> bool(np.allclose(plan.sum(1), 0.2))
    True
    """
    cost_max = float(np.max(np.abs(cost)))
    if not np.isfinite(cost_max):
        raise ValueError(
            "the cost matrix is not finite: squared distances overflow float64 (features "
            "of magnitude above ~1e154); scale the features down (e.g. StandardScaler)."
        )
    if reg < _MIN_RELATIVE_REG * cost_max:
        raise ValueError(
            f"reg={reg!r} is too small for costs up to {cost_max:.3g} (features of "
            f"magnitude ~{cost_max ** 0.5:.2g}): below {_MIN_RELATIVE_REG:g} x the largest "
            "cost, float64 rounding swamps the kernel exp(-cost / reg) and the map "
            f"degenerates (NaN); raise reg to at least {_MIN_RELATIVE_REG * cost_max:.3g} "
            "or scale the features down (e.g. StandardScaler)."
        )
    f = np.zeros(len(a))
    g = np.zeros(len(b))
    eps = max(reg, cost_max * 0.1)
    levels = []
    # At most log(1 / _MIN_RELATIVE_REG) / log(4), about 23 levels; bounded anyway.
    while eps > reg and len(levels) < _MAX_LEVELS:
        levels.append(eps)
        eps *= _EPS_DECAY

    def phi(eps):
        return 1.0 if reg_m is None else reg_m / (reg_m + eps)

    for eps in levels:
        # Coarse levels only need to put the potentials in the right basin.
        f, g, _, _ = _solve_level(f, g, a, b, cost, eps, 50, max(tol, 1e-3), phi(eps))
    return _solve_level(f, g, a, b, cost, reg, max_iter, tol, phi(reg))


class SinkhornTransport(PlanMixin, BaseTransport):
    """Entropic optimal transport between sub-samples, with the entropic map.

    Fits entropic OT (Cuturi 2013) between ``n_samples`` colours drawn from the
    source and from the target. Fitted source points move to their barycentric
    image ``sum_j P_ij y_j / a_i``; any other point ``x`` moves through the smooth
    entropic map of Pooladian & Niles-Weed (2021),
    ``T(x) = sum_j y_j exp((g_j - |x - y_j|^2) / reg) / sum_j exp(...)``,
    which equals the barycentric map on the fitted points. The inverse uses the
    same formula with the source potential.

    Parameters
    ----------
    reg : float, default=3e-3
        Entropic regularisation epsilon, in units of squared distance of the
        working colour space (RGB in [0, 1]; CIELab / 100; Oklab). Smaller is
        closer to exact OT (sharper, noisier); larger blurs the map towards the
        target mean. Must be > 0, and at least 1e-12 times the largest squared
        distance between the samples (below, float64 cannot resolve the plan).
    n_samples : int, default=1000
        Number of colours drawn from the source and from the target. The solver
        holds about eight ``n x m`` float64 arrays; fits that would need more
        than 2 GiB (``n_samples`` above about 5800) are refused.
    max_iter : int, default=1000
        Sinkhorn iterations at the final ``reg``.
    tol : float, default=1e-4
        Stopping tolerance on the L1 marginal error (1e-3 already gives the same
        colour fidelity on photographs; 1e-4 leaves a margin).
    color_space : {"rgb", "lab", "oklab"}, default="rgb"
        Space in which the map is fitted and applied; input and output stay RGB.
    t : float in [0, 1], default=1.0
        Displacement interpolation ``(1 - t) x + t T(x)``.
    smoothness : float, default=0.03
        Width (standard deviation, in [0, 1] RGB units) of the kernel that
        smooths the fitted colour map into its table: the trade-off between
        regularity (no speckle, no jumps, no colour pumping when the exposure
        drifts) and colour fidelity. ``0`` tabulates the fitted map as it is.
    slope_range : tuple of two floats or None, default=None
        Bounds ``(low, high)`` on the colour grade's local slope against its
        Gaussian (affine, monotone) base: wherever the table's Jacobian relative
        to the base leaves them, its non-affine part fades towards the base. A
        grade inside them cannot fold (no contour rings, no inverted gradients),
        split one smooth region into several colours, posterise or crush
        (slope >= ``low``) or amplify noise more than ``high`` times the base.
        ``None``: the smoothed map as it is.
    debias : bool, default=True
        For colour grades: subtract the entropic map of the source onto itself,
        ``T(x) = T_st(x) - T_ss(x) + x``, so that the blur of ``reg`` does not
        contract the colours (equal distributions give the identity). Fits a
        second, source-to-source Sinkhorn (balanced plans with a named or
        callable metric only).
    metric : str or callable, default="sqeuclidean"
        Ground cost: ``"sqeuclidean"``, ``"euclidean"``, ``"cityblock"``,
        ``"cosine"``, a callable ``metric(X, Y) -> (len(X), len(Y))`` costs, or
        ``"precomputed"``: the cost between every source and target sample is
        passed as ``fit(X, target=Y, cost=C)`` (with ``n_samples=None``), and
        ``transform`` then maps the fitted source samples only. The
        out-of-sample map uses the same cost, ``exp((g_j - c(x, y_j)) / reg)``.
    reg_m : float or None, default=None
        Unbalanced OT (the problem of POT's :func:`ot.unbalanced.sinkhorn_unbalanced`,
        KL marginal penalty of this weight, solved in the log domain like the
        balanced one): mass may be created or destroyed,
        so outliers that only one side has move little. ``None``: balanced.
    mass : float in (0, 1] or None, default=None
        Partial OT (POT's :func:`ot.partial.entropic_partial_wasserstein`):
        transport only this fraction of the mass; source points left without
        mass do not move, and the out-of-sample map averages the fitted
        displacements with weights ``a_i exp(-c(x, x_i) / reg)`` (no dual
        potentials). Not together with ``reg_m``.
    lut_size : int or None, default=33
        Nodes per axis of the table that holds a colour grade (three channels
        in [0, 1]): every pixel of every image goes through its tetrahedral
        interpolation, as an exported ``.cube`` does in ffmpeg or Resolve.
        ``None``: evaluate the fitted map itself at every colour (exact,
        unsmoothed and slower on large images).
    clip : bool or "auto", default="auto"
        Clip the output to [0, 1]. ``"auto"``: for images and integer data.
    random_state : int, RandomState instance or None, default=None
        Seed of the sub-sampling.

    Attributes
    ----------
    source_support_ : ndarray of shape (n, n_features)
        Fitted source points (working colour space).
    target_support_ : ndarray of shape (m, n_features)
        Fitted target points.
    source_weights_ : ndarray of shape (n,)
    target_weights_ : ndarray of shape (m,)
    source_potential_ : ndarray of shape (n,) or None
    target_potential_ : ndarray of shape (m,) or None
        Dual potentials ``f``, ``g``: the plan is ``exp((f_i + g_j - C_ij) / reg)``
        (balanced and unbalanced plans; ``None`` for partial ones).
    potentials_ : tuple of (ndarray, ndarray) or None
        ``(source_potential_, target_potential_)``, or ``None``.
    transported_support_ : ndarray of shape (n, n_features)
        Barycentric images ``sum_j P_ij y_j / sum_j P_ij`` of the fitted source
        points (a point without mass stays where it is).
    transported_mass_ : float
        Total mass of the plan: 1 when balanced, ``mass`` when partial.
    metric_ : str or callable
        The ``metric`` the map was fitted with.
    n_iter_ : int
        Sinkhorn iterations at the final ``reg`` (``max_iter`` when partial).
    marginal_error_ : float
        L1 error of the target marginal at the end (balanced); the solver's
        last error otherwise.
    self_potential_ : ndarray of shape (n,) or None
        Potential of the source-to-source problem (``debias``; colours only).
    epsilon_ : float
        The ``reg`` the map was fitted with (the map uses it, not a later ``reg``).
    n_features_in_ : int
    lut_ : ndarray of shape (lut_size, lut_size, lut_size, 3) or None
        The grade of colours at ``t = 1`` (unclipped RGB at the nodes of
        :func:`~skcolorot.color._lut.lut_grid`); ``None`` for other data.
    inverse_lut_ : ndarray or None
        The inverse grade, fitted to undo ``lut_`` on the source's colours.
    color_space_ : str
        The ``color_space`` the map was fitted in.
    clip_ : bool or "auto"
        The ``clip`` the estimator was fitted with.

    Examples
    --------
    >>> import numpy as np
    >>> from skcolorot import SinkhornTransport
    >>> rng = np.random.default_rng(0)
    >>> source, target = rng.random((300, 3)) * 0.5, 0.5 + rng.random((200, 3)) * 0.5
    >>> model = SinkhornTransport(reg=1e-2, random_state=0).fit(source, target)
    >>> bool(model.transform(source).mean() > 0.6)
    True
    """

    _parameter_constraints: dict = {
        **BaseTransport._parameter_constraints,
        "smoothness": [Interval(Real, 0, None, closed="left")],
        "slope_range": [tuple, list, None],
        "reg": [Interval(Real, 0, None, closed="neither")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="neither")],
        "debias": ["boolean"],
        **PLAN_CONSTRAINTS,
    }

    def __init__(
        self,
        reg=3e-3,
        *,
        n_samples=1000,
        max_iter=1000,
        tol=1e-4,
        color_space="rgb",
        t=1.0,
        lut_size=33,
        smoothness=0.03,
        slope_range=None,
        debias=True,
        clip="auto",
        random_state=None,
        metric="sqeuclidean",
        reg_m=None,
        mass=None,
    ):
        self.reg = reg
        self.n_samples = n_samples
        self.max_iter = max_iter
        self.tol = tol
        self.color_space = color_space
        self.t = t
        self.lut_size = lut_size
        self.smoothness = smoothness
        self.slope_range = slope_range
        self.debias = debias
        self.clip = clip
        self.random_state = random_state
        self.metric = metric
        self.reg_m = reg_m
        self.mass = mass

    # n_samples=None on a big image hits the memory guard below instead.
    _full_fit_warning_pixels = None

    def _fit_map(self, source, target, source_weights, target_weights, rng):
        check_plan_options(self)
        n, m = len(source), len(target)
        needed = _PLAN_COPIES * 8 * n * m
        if n * m > _MAX_PLAN_ENTRIES or needed > _MAX_SOLVER_BYTES:
            largest = int((_MAX_SOLVER_BYTES / (_PLAN_COPIES * 8)) ** 0.5)
            raise ValueError(
                f"SinkhornTransport would fit a {n} x {m} plan, which needs about "
                f"{needed / 2**30:.1f} GiB of memory (and minutes); lower n_samples (now "
                f"{self.n_samples!r}) to at most {largest} for equal-size samples."
            )
        self.metric_ = self.metric
        cost = given_cost(self, n, m) if self.metric == "precomputed" else None
        a = np.full(n, 1.0 / n) if source_weights is None else source_weights
        b = np.full(m, 1.0 / m) if target_weights is None else target_weights
        # Weights below 1e-12 of the largest carry no measurable mass, but their
        # logarithms (-745 for a subnormal 1e-320) turned the kernel into NaN.
        keep_a = a > a.max() * _MIN_RELATIVE_WEIGHT
        source, a = source[keep_a], a[keep_a] / a[keep_a].sum()
        keep_b = b > b.max() * _MIN_RELATIVE_WEIGHT
        target, b = target[keep_b], b[keep_b] / b[keep_b].sum()
        cost = self._cost(source, target) if cost is None else cost[keep_a][:, keep_b]
        self.source_support_, self.target_support_ = source, target
        self.source_weights_, self.target_weights_ = a, b
        self.epsilon_ = float(self.reg)
        self._plan = None  # kept dense only where it cannot be rebuilt (partial, precomputed)
        f = g = None
        if self.mass is not None:
            # POT's solver divides by kernel row sums: a point farther than
            # sqrt(200 reg) from every partner would make them 0 (NaN plan).
            # Costs capped there keep exp(-cost / reg) >= e^-200: such
            # entries carry no mass either way.
            plan = ot.partial.entropic_partial_wasserstein(
                a, b, np.minimum(cost, _PARTIAL_COST_CAP * self.reg), self.reg,
                m=float(self.mass), numItermax=self.max_iter,
                stopThr=self.tol * 1e-3,
            )
            if not np.all(np.isfinite(plan)) or plan.sum() <= 0:
                raise ValueError(
                    f"Partial entropic OT failed at reg={self.reg!r} (exp(-cost / reg) "
                    "underflows): raise reg, or scale the costs down."
                )
            self._plan, n_iter, error = plan, self.max_iter, abs(plan.sum() - self.mass)
        elif self.reg_m is not None:
            # Our solver, not POT's: at the default reg (3e-3) on colours, POT
            # 0.9.7's stabilised unbalanced Sinkhorn stopped after 4 iterations
            # with a plan of mass 3e-9 (reg_m=1), its plain one matched ours.
            f, g, n_iter, error = sinkhorn_potentials(
                a, b, cost, self.reg, max_iter=self.max_iter, tol=self.tol,
                reg_m=float(self.reg_m),
            )
        else:
            f, g, n_iter, error = sinkhorn_potentials(
                a, b, cost, self.reg, max_iter=self.max_iter, tol=self.tol
            )
            if error > self.tol:
                warnings.warn(
                    f"Sinkhorn did not reach tol={self.tol} in max_iter={self.max_iter} "
                    f"iterations (marginal error {error:.2e}); increase max_iter or reg.",
                    ConvergenceWarning,
                    # _fit_map <- _fit_all <- fit <- _fit_context <- PlanMixin.fit <- caller
                    stacklevel=6,
                )
        self.source_potential_, self.target_potential_ = f, g
        self.potentials_ = None if f is None else (f, g)
        if self._plan is None and self.metric == "precomputed":
            self._plan = np.exp((f[:, None] + g[None, :] - cost) / self.epsilon_)
        plan = self._plan
        if plan is None:
            plan = np.exp((f[:, None] + g[None, :] - cost) / self.epsilon_)
        self.transported_mass_ = float(plan.sum())
        self.transported_support_ = barycentric_images(plan, target, source)
        self._inverse_images = barycentric_images(plan.T, source, target)
        self.n_iter_ = n_iter
        self.marginal_error_ = float(error)
        self.self_potential_ = None
        spread = b @ ((target - b @ target) ** 2).sum(axis=1)
        if (
            self._fits_colors
            and self.debias
            and spread > _FLAT_TARGET_VARIANCE
            and f is not None
            and self.reg_m is None
            and self.metric != "precomputed"
        ):
            # The entropic map of the source onto itself: what the blur alone
            # does to a colour. Taking it out makes equal distributions give the
            # identity, and the grade contracts less. (Not towards a flat target:
            # its map is constant, and the source's own spread would come back.)
            _, self.self_potential_, _, _ = sinkhorn_potentials(
                a, a, self._cost(source, source), self.reg, max_iter=self.max_iter, tol=self.tol
            )

    def _cost(self, X, Y):
        return dist(X, Y) if self.metric_ == "sqeuclidean" else pairwise_cost(self.metric_, X, Y)

    def _dense_plan(self):
        if self._plan is not None:
            return self._plan.copy()
        cost = self._cost(self.source_support_, self.target_support_)
        return np.exp(
            (self.source_potential_[:, None] + self.target_potential_[None, :] - cost)
            / self.epsilon_
        )

    @property
    def coupling_(self):
        """The entropic plan between the fitted supports, ``(n, m)`` (see :meth:`get_plan`)."""
        check_is_fitted(self)
        return self._dense_plan()

    def _entropic_map(self, Z, support, potential):
        logits = (potential[None, :] - self._cost(Z, support)) / self.epsilon_
        logits -= logits.max(axis=1, keepdims=True)
        weights = np.exp(logits)
        weights /= weights.sum(axis=1, keepdims=True)
        return weights @ support

    def _transport(self, Z):
        source = self.source_support_
        if self.metric_ == "precomputed":
            return lookup_rows(Z, source, self.transported_support_, "source")
        if self.target_potential_ is None:  # partial: no potentials
            shift = smoothed_shift(
                self._cost(Z, source), self.source_weights_,
                self.transported_support_ - source, self.epsilon_,
            )
            return Z + shift
        mapped = self._entropic_map(Z, self.target_support_, self.target_potential_)
        if self.self_potential_ is None:
            return mapped
        return mapped - self._entropic_map(Z, source, self.self_potential_) + Z

    def _inverse_transport(self, Z):
        target = self.target_support_
        if self.metric_ == "precomputed":
            return lookup_rows(Z, target, self._inverse_images, "target")
        if self.source_potential_ is None:
            shift = smoothed_shift(
                self._cost(Z, target), self.target_weights_,
                self._inverse_images - target, self.epsilon_,
            )
            return Z + shift
        return self._entropic_map(Z, self.source_support_, self.source_potential_)

    def _map_cost_per_row(self):
        return 3 * max(len(self.source_support_), len(self.target_support_))

    def interpolate_samples(self, t, *, kind="plan"):
        """Weighted particles of the fitted plan's displacement interpolation.

        As :meth:`~skcolorot.EMDTransport.interpolate_samples`, on the entropic
        plan (``kind="plan"``: a particle per entry; ``"barycentric"``: each
        source point moves to the mean of its partners). Tiny masses are
        dropped so the number of particles stays bounded: per source point its
        (at most 32) largest entries of at least 1e-3 of its largest one,
        rescaled to the point's mass.

        Returns
        -------
        points : ndarray of shape (k, n_features)
            In the working colour space.
        weights : ndarray of shape (k,)
            Masses summing to one.
        """
        check_is_fitted(self)
        rows, cols, mass = plan_entries(self.coupling_)
        return interpolate_plan(
            self.source_support_, self.target_support_, rows, cols, mass, t, kind
        )
