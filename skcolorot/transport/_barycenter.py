"""Wasserstein barycentres of several colour distributions, as a target sample."""

from numbers import Integral

import numpy as np
import ot
from ot.gaussian import bures_wasserstein_barycenter, bures_wasserstein_mapping
from scipy import sparse
from scipy.optimize import linprog
from sklearn.mixture import GaussianMixture
from sklearn.utils import check_random_state

from .._utils._input import _SEED_BOUND, check_colors, check_unit_range, draw_indices
from ..color._spaces import COLOR_SPACES, from_color_space, to_color_space

__all__ = ["BARYCENTER_METHODS", "barycenter", "check_weights"]

BARYCENTER_METHODS = ("sliced", "gaussian", "gmm", "exact")
# Points of the returned sample when n_samples=None: "exact" solves one linear
# program per reference and iteration, O(n^2 log n) each.
_DEFAULT_SAMPLES = {"sliced": 5000, "gaussian": 5000, "gmm": 5000, "exact": 1000}
# Sliced barycentre: iterations, and random orthonormal bases per iteration
# (their steps are averaged: a sliced gradient step of step size 1). On
# china.jpg + flower.jpg the result stops improving after about 10 iterations,
# and 2 bases an iteration do as well as 4 (W2 to the exact barycentre, 1000 points).
_SLICED_ITERATIONS = 20
_SLICED_BASES = 2
# Fixed-point iterations of the free-support ("exact") barycentre; it stops
# earlier once no point moves by more than _EXACT_TOL.
_EXACT_ITERATIONS = 30
_EXACT_TOL = 1e-7
# See emd.py: POT's default pivot cap is too low for weighted thousands of points.
_EMD_MAX_ITER = 10**8
# Largest multi-marginal problem of the "gmm" method (tuples of components).
_MAX_TUPLES = 200_000
_COV_FLOOR = 1e-10


def check_weights(weights, n, name="weights"):
    """``n`` non-negative weights normalised to sum one, or a clear ``ValueError``.

    ``None`` gives uniform weights. The input is not modified.
    """
    if weights is None:
        return np.full(n, 1.0 / n)
    try:
        values = np.array(weights, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must be {n} numbers, got {weights!r}.") from error
    if values.ndim != 1 or len(values) != n:
        raise ValueError(
            f"{name} must be a 1-D sequence of {n} numbers (one per reference), got "
            f"shape {values.shape}."
        )
    if not np.all(np.isfinite(values)):
        raise ValueError(f"{name} must be finite (no NaN or infinity), got {values.tolist()}.")
    if np.any(values < 0):
        raise ValueError(f"{name} must be non-negative, got {values.tolist()}.")
    total = values.sum()
    if not total > 0:
        raise ValueError(
            f"{name} sum to zero ({values.tolist()}): at least one reference needs a "
            "positive weight."
        )
    return values / total


def _check_samples(samples):
    if isinstance(samples, np.ndarray) or not isinstance(samples, (list, tuple)):
        raise TypeError(
            "samples must be a list or tuple of images / (n, C) sample arrays (one per "
            f"reference), got {type(samples).__name__}."
        )
    if len(samples) == 0:
        raise ValueError("samples is empty: give at least one reference.")
    first = check_colors(samples[0], "samples[0]")
    data = [first]
    for k, sample in enumerate(samples[1:], start=1):
        data.append(check_colors(sample, f"samples[{k}]", n_channels=first.n_channels))
    for item in data:
        check_unit_range(item)
    return data


def _allocate(n, weights):
    """Split ``n`` points among the references in proportion to ``weights``."""
    exact = n * weights
    counts = np.floor(exact).astype(int)
    # Largest remainders get the points left over.
    counts[np.argsort(counts - exact, kind="stable")[: n - counts.sum()]] += 1
    return counts


def _draw(data, n, rng):
    """``n`` float colours (alpha-weighted for RGBA images) of a reference.

    In random order: parts of the draw seed the result.
    """
    alpha = data.alpha()
    p = None if alpha is None else np.asarray(alpha[:, 0], dtype=np.float64)
    if p is not None and p.sum() > 0:
        index = draw_indices(data.n_pixels, n, rng, replace=True, p=p / p.sum(), sort=False)
    else:
        index = draw_indices(data.n_pixels, n, rng, replace=data.n_pixels < n, sort=False)
    return data.colors(index)


def _mean_cov(points):
    mean = points.mean(axis=0)
    cov = np.atleast_2d(np.cov(points.T, bias=True)) if len(points) > 1 else 0.0
    # A flat reference (one colour, or one point) has a singular covariance,
    # whose Bures maps are undefined; a floor far below a colour level keeps
    # them finite and changes nothing visible.
    return mean, cov + _COV_FLOOR * np.eye(len(mean))


def _gaussian_push(references, weights, n):
    """The references' samples pushed by their Gaussian (Bures) maps onto the
    Gaussian barycentre, pooled ``n_k = w_k n`` points each.

    Each pushed part has the barycentre's mean and covariance exactly, so the
    pool has them too; a weight of one returns that reference unchanged.
    """
    moments = [_mean_cov(points) for points in references]
    means = np.array([m for m, _ in moments])
    covs = np.array([c for _, c in moments])
    if len(references) == 1:
        bar_mean, bar_cov = means[0], covs[0]
    else:
        bar_mean, bar_cov = bures_wasserstein_barycenter(means, covs, weights)
    parts = []
    for points, count in zip(references, _allocate(n, weights)):
        part = points[:count]
        if len(references) > 1 and count > 0:
            # The part's own moments: it then lands on the barycentre's exactly.
            mean, cov = _mean_cov(part)
            linear, _ = bures_wasserstein_mapping(mean, bar_mean, cov, bar_cov)
            part = bar_mean + (part - mean) @ ((linear + linear.T) / 2)
        parts.append(part)
    return np.concatenate(parts)


def _random_bases(n_bases, n_features, rng):
    q, r = np.linalg.qr(rng.standard_normal((n_bases, n_features, n_features)))
    # Sign fix: without it the bases are not uniformly (Haar) distributed.
    q = q * np.sign(np.diagonal(r, axis1=1, axis2=2))[:, None, :]
    return np.swapaxes(q, 1, 2).reshape(-1, n_features)


def _sorted_at(sorted_rows, n):
    """Linear quantiles of each sorted row at ``n`` levels from 0 to 1."""
    m = sorted_rows.shape[1]
    if m == n:
        return sorted_rows
    position = np.linspace(0.0, m - 1, n)
    below = np.floor(position).astype(np.intp)
    above = np.minimum(below + 1, m - 1)
    fraction = position - below
    return sorted_rows[:, below] * (1 - fraction) + sorted_rows[:, above] * fraction


def _sliced(references, weights, start, rng):
    """Sliced barycentre by sliced gradient steps (Rabin et al. 2011).

    Along each direction the 1-D barycentre is the weighted mean of the
    references' quantile functions; points move to it by rank, and the moves
    of several random bases are averaged.
    """
    points = start.copy()
    n, d = points.shape
    for _ in range(_SLICED_ITERATIONS):
        directions = _random_bases(_SLICED_BASES, d, rng)
        projected = directions @ points.T
        goal = np.zeros_like(projected)
        for w, ref in zip(weights, references):
            goal += w * _sorted_at(np.sort(directions @ ref.T, axis=1), n)
        order = np.argsort(projected, axis=1)
        moves = np.empty_like(projected)
        np.put_along_axis(moves, order, goal - np.take_along_axis(projected, order, 1), 1)
        points += (directions.T @ moves).T / _SLICED_BASES
    return points


def _exact(references, weights, start):
    """Free-support barycentre: the fixed point ``X = sum_k w_k T_k(X)`` of the
    barycentric maps of exact plans (Cuturi & Doucet 2014, Alvarez-Esteban 2016).

    The loop of ``ot.lp.free_support_barycenter``, written here because that
    function calls ``ot.emd`` with its default pivot cap, which stops short of
    optimality on the sizes used here.
    """
    points = start.copy()
    n = len(points)
    b = np.full(n, 1.0 / n)
    for _ in range(_EXACT_ITERATIONS):
        moved = np.zeros_like(points)
        for w, ref in zip(weights, references):
            c = np.full(len(ref), 1.0 / len(ref))
            plan = ot.emd(b, c, ot.dist(points, ref), numItermax=_EMD_MAX_ITER)
            moved += w * (plan @ ref) / b[:, None]
        shift = np.abs(moved - points).max()
        points = moved
        if shift < _EXACT_TOL:
            break
    return points


def _gmm_barycenter(references, weights, n, n_components, rng):
    """A sample of the MW2 barycentre of the references' Gaussian mixtures.

    Delon & Desolneux (2020): the barycentre in MW2 is a mixture whose
    components are the Gaussian barycentres of tuples ``(k_1, ..., k_J)`` of
    components, one per reference, weighted by the solution of the
    multi-marginal optimal transport between the mixtures' weights with cost
    ``sum_j w_j W2^2(N_tuple, N_{j, k_j})`` (a small linear program). Each
    reference's sample is then pushed onto it by ``T_rand``: a point of
    component ``k`` goes through the Gaussian map to one of the tuples that
    contain ``k``, drawn with the plan's conditional probabilities, so the
    pushed sample follows the barycentre mixture and keeps the reference's
    finer structure.
    """
    n_refs = len(references)
    mixtures = []
    for j, ref in enumerate(references):
        if n_components > len(ref):
            raise ValueError(
                f"n_components={n_components} is larger than the {len(ref)} colours of "
                f"reference {j}; lower n_components."
            )
        mixtures.append(
            GaussianMixture(
                n_components,
                covariance_type="full",
                reg_covar=1e-6,
                random_state=rng.randint(_SEED_BOUND),
            ).fit(ref)
        )
    n_tuples = n_components**n_refs
    if n_tuples > _MAX_TUPLES:
        raise ValueError(
            f"method='gmm' with {n_refs} references of {n_components} components has "
            f"{n_tuples} component tuples (at most {_MAX_TUPLES}); lower n_components."
        )
    tuples = np.indices((n_components,) * n_refs).reshape(n_refs, -1).T
    bar_means, bar_covs, cost = [], [], np.empty(n_tuples)
    for t, combo in enumerate(tuples):
        means = np.array([g.means_[k] for g, k in zip(mixtures, combo)])
        covs = np.array([g.covariances_[k] for g, k in zip(mixtures, combo)])
        if n_refs == 1:
            mean, cov = means[0], covs[0]
        else:
            mean, cov = bures_wasserstein_barycenter(means, covs, weights)
        bar_means.append(mean)
        bar_covs.append(cov)
        cost[t] = sum(
            w * ot.gaussian.bures_wasserstein_distance(mean, m, cov, c) ** 2
            for w, m, c in zip(weights, means, covs)
        )
    # Marginal constraints: for each reference j and component k, the mass of
    # the tuples with k in place j is that component's weight.
    rows = (np.arange(n_refs) * n_components)[None, :] + tuples
    a_eq = sparse.csr_matrix(
        (np.ones(tuples.size), (rows.ravel(), np.repeat(np.arange(n_tuples), n_refs))),
        shape=(n_refs * n_components, n_tuples),
    )
    b_eq = np.concatenate([g.weights_ / g.weights_.sum() for g in mixtures])
    plan = linprog(cost, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs").x
    plan = np.where(plan > 1e-12, plan, 0.0)
    support = np.flatnonzero(plan)

    parts = []
    for j, (ref, gmm, count) in enumerate(zip(references, mixtures, _allocate(n, weights))):
        points = ref[:count]
        if count == 0:
            continue
        posterior = gmm.predict_proba(points)
        component = tuples[support, j]
        marginal = np.bincount(component, weights=plan[support], minlength=n_components)
        share = posterior[:, component] * (plan[support] / marginal[component])
        draw = rng.random_sample(len(points))[:, None]
        cumulative = np.cumsum(share, axis=1)
        chosen = np.minimum((cumulative < draw * cumulative[:, -1:]).sum(axis=1), len(support) - 1)
        out = np.empty_like(points)
        for s, tuple_index in enumerate(support):
            rows_s = chosen == s
            if not rows_s.any():
                continue
            k = tuples[tuple_index, j]
            linear, _ = bures_wasserstein_mapping(
                gmm.means_[k], bar_means[tuple_index], gmm.covariances_[k], bar_covs[tuple_index]
            )
            out[rows_s] = bar_means[tuple_index] + (points[rows_s] - gmm.means_[k]) @ (
                (linear + linear.T) / 2
            )
        parts.append(out)
    return np.concatenate(parts)


def barycenter(
    samples,
    weights=None,
    *,
    method="sliced",
    n_samples=None,
    color_space="rgb",
    n_components=5,
    random_state=None,
):
    """A colour sample whose distribution is the Wasserstein barycentre of several.

    The barycentre of distributions ``nu_1 .. nu_J`` with weights ``w_j`` is the
    distribution ``mu`` minimising ``sum_j w_j W2^2(mu, nu_j)``: for two
    references it is the point at ``w_2`` of the displacement interpolation
    from the first to the second, so ``W2(mu, nu_1) / W2(mu, nu_2) = w_2 / w_1``.
    Use it as the target of any transport (``fit(source, barycenter(...))``,
    or :func:`skcolorot.transfer` with a list of references) to give an image a
    blend of several looks.

    Parameters
    ----------
    samples : list or tuple of array-like
        The references: images ``(H, W, C)`` (``uint8`` / ``uint16`` read as
        [0, 1]; an alpha channel weights its pixels) or ``(n, C)`` samples, all
        with the same number of channels; any sizes.
    weights : array-like of shape (n_references,), default=None
        Non-negative weights, normalised to sum one; ``None``: equal weights.
        References of weight zero are left out.
    method : {"sliced", "gaussian", "gmm", "exact"}, default="sliced"
        * ``"sliced"``: the sliced barycentre (Rabin et al. 2011), by sliced
          gradient steps from the ``"gaussian"`` sample: fast, and close to the
          Wasserstein barycentre on colour distributions.
        * ``"gaussian"``: the Bures-Wasserstein barycentre of the references'
          Gaussian approximations (``ot.gaussian``). The sample is the pool of
          the references' own samples, each pushed by its Gaussian (affine) map
          onto that barycentre (``w_j n`` points from reference ``j``): it has
          the barycentre's mean and covariance exactly, and is deterministic.
        * ``"gmm"``: the MW2 barycentre of Gaussian mixtures with
          ``n_components`` components (Delon & Desolneux 2020), the references'
          samples pushed onto it by the mixtures' ``T_rand`` maps.
        * ``"exact"``: the free-support Wasserstein barycentre of the sampled
          references (fixed point of exact ``ot.emd`` plans, as
          ``ot.lp.free_support_barycenter``), started from the ``"gaussian"``
          sample. Slowest: one linear program per reference and iteration (3-9 s
          for three references at the default 1000 points here).
    n_samples : int or None, default=None
        Points of the result, and of each reference's sub-sample. ``None``:
        5000 (1000 for ``"exact"``).
    color_space : {"rgb", "lab", "oklab"}, default="rgb"
        Space in which the barycentre is computed (3-channel data only); the
        result is returned in RGB.
    n_components : int, default=5
        Components per reference of the ``"gmm"`` method.
    random_state : int, RandomState instance or None, default=None
        Seed of the sub-sampling and of the random parts (directions, mixture
        fits, ``T_rand`` draws): a fixed seed gives the same sample.

    Returns
    -------
    sample : ndarray of shape (n_samples, C), float64
        The barycentre's sample. When every reference is an image or integer
        data, values are clipped to [0, 1] (the Gaussian maps can step a little
        outside the colour cube).

    Examples
    --------
    >>> import numpy as np
    >>> from skcolorot import barycenter
    >>> rng = np.random.default_rng(0)
    >>> dark, light = rng.random((500, 3)) * 0.4, 0.6 + rng.random((500, 3)) * 0.4
    >>> blend = barycenter([dark, light], [0.25, 0.75], n_samples=400, random_state=0)
    >>> blend.shape, round(float(blend.mean()), 2)
    ((400, 3), 0.65)
    """
    if not isinstance(method, str) or method not in BARYCENTER_METHODS:
        raise ValueError(
            f"method must be one of {', '.join(map(repr, BARYCENTER_METHODS))}; got {method!r}."
        )
    if n_samples is None:
        n_samples = _DEFAULT_SAMPLES[method]
    if isinstance(n_samples, bool) or not isinstance(n_samples, Integral) or n_samples < 2:
        raise ValueError(f"n_samples must be an integer >= 2 or None, got {n_samples!r}.")
    if isinstance(n_components, bool) or not isinstance(n_components, Integral) or (
        n_components < 1
    ):
        raise ValueError(f"n_components must be an integer >= 1, got {n_components!r}.")
    if color_space not in COLOR_SPACES:
        raise ValueError(
            f"color_space must be one of {', '.join(map(repr, COLOR_SPACES))}; got "
            f"{color_space!r}."
        )
    data = _check_samples(samples)
    weights = check_weights(weights, len(data))
    if color_space != "rgb" and data[0].n_channels != 3:
        raise ValueError(
            f"color_space={color_space!r} needs 3-channel RGB data, got "
            f"{data[0].n_channels} channels; use color_space='rgb'."
        )
    rng = check_random_state(random_state)
    used = np.flatnonzero(weights > 0)
    weights = weights[used] / weights[used].sum()
    references = []
    for j in used:
        references.append(to_color_space(_draw(data[j], n_samples, rng), color_space))
    if method == "gmm":
        result = _gmm_barycenter(references, weights, n_samples, n_components, rng)
    else:
        result = _gaussian_push(references, weights, n_samples)
        if method == "sliced" and len(references) > 1:
            result = _sliced(references, weights, result, rng)
        elif method == "exact" and len(references) > 1:
            result = _exact(references, weights, result)
    result = from_color_space(result, color_space)
    if all(d.is_image or d.is_integer for d in data):
        result = np.clip(result, 0.0, 1.0)
    return result
