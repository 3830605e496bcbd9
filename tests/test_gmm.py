"""Tests for skcolorot.transport._gmm.GMMTransport: the one-component case, the discrete plan
between components, T_mean / T_rand, the MW2 geodesic, the inverse, degenerate
data, images and d != 3 data."""

import pickle
import warnings

import numpy as np
import pytest
from ot.gmm import gmm_pdf
from scipy.optimize import linear_sum_assignment
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

from skcolorot import AffineTransport
from skcolorot.transport._gmm import GMMTransport
from skcolorot.metrics import sliced_wasserstein


def clusters(means, weights, n, scale, seed):
    """A well-separated mixture sample: ``n * weights[k]`` points around ``means[k]``."""
    rng = np.random.default_rng(seed)
    counts = np.round(np.asarray(weights) * n).astype(int)
    labels = np.repeat(np.arange(len(means)), counts)
    points = np.asarray(means, dtype=float)[labels]
    return points + scale * rng.standard_normal(points.shape), labels


def all_pair_maps(model, X):
    """T_kl(X) for every pair of the plan, shape (n_pairs, n, d)."""
    return np.einsum("nd,pde->pne", X, model.linear_maps_) + model.offsets_[:, None, :]


# ------------------------------------------------------------ one component
@pytest.mark.parametrize(("covariance_type", "covariance"), [("full", "full"), ("diag", "diag")])
def test_one_component_is_the_gaussian_map(covariance_type, covariance):
    rng = np.random.default_rng(0)
    source = rng.random((800, 3)) @ np.array([[1.0, 0.3, 0.0], [0.0, 0.8, 0.2], [0.1, 0.0, 0.5]])
    target = 0.3 + 0.5 * rng.gamma(2.0, size=(600, 3)) / 4
    held_out = rng.random((200, 3))
    # Same sample (n_samples=None) and the same ridge: AffineTransport's reg and
    # GaussianMixture's reg_covar are both 1e-6.
    gmm = GMMTransport(1, covariance_type=covariance_type, n_samples=None, random_state=0)
    affine = AffineTransport(covariance, reg=1e-6, n_samples=None)
    gmm.fit(source, target)
    affine.fit(source, target)
    np.testing.assert_allclose(gmm.transform(held_out), affine.transform(held_out), atol=1e-9)
    np.testing.assert_allclose(
        gmm.inverse_transform(held_out), affine.inverse_transform(held_out), atol=1e-8
    )
    np.testing.assert_allclose(gmm.plan_, [[1.0]])


# ------------------------------------------------------------ the discrete plan
SOURCE_MEANS = [[0.1, 0.1, 0.1], [0.5, 0.5, 0.5], [0.9, 0.9, 0.9]]
TARGET_MEANS = [[0.95, 0.1, 0.15], [0.15, 0.5, 0.1], [0.6, 0.95, 0.9]]


def separated_model(weights_source, weights_target, **params):
    source, source_labels = clusters(SOURCE_MEANS, weights_source, 3000, 0.02, seed=1)
    target, _ = clusters(TARGET_MEANS, weights_target, 3000, 0.02, seed=2)
    model = GMMTransport(3, n_samples=None, random_state=0, **params).fit(source, target)
    return model, source, source_labels


def component_of(gmm, means):
    """Index of the fitted component closest to each of ``means``."""
    distance = ((gmm.means_[None] - np.asarray(means)[:, None]) ** 2).sum(-1)
    return distance.argmin(axis=1)


def test_components_go_to_the_partners_the_plan_assigns():
    # Equal weights and equal covariances: the plan is the permutation that
    # minimises the summed squared distances between the means.
    model, source, labels = separated_model([1 / 3] * 3, [1 / 3] * 3)
    cost = ((np.asarray(SOURCE_MEANS)[:, None] - np.asarray(TARGET_MEANS)[None]) ** 2).sum(-1)
    _, partner = linear_sum_assignment(cost)
    assert not np.array_equal(partner, np.arange(3))  # not the trivial pairing
    s = component_of(model.gmm_source_, SOURCE_MEANS)
    t = component_of(model.gmm_target_, TARGET_MEANS)
    plan = model.plan_[np.ix_(s, t)]
    np.testing.assert_allclose(plan, np.eye(3)[partner] / 3, atol=1e-3)
    mapped = model.transform(source)
    nearest = ((mapped[:, None] - np.asarray(TARGET_MEANS)[None]) ** 2).sum(-1).argmin(1)
    assert np.mean(nearest == partner[labels]) > 0.999
    # The inverse goes back through the reverse plan.
    np.testing.assert_allclose(model.inverse_transform(mapped), source, atol=1e-6)


def test_plan_is_sparse_and_has_the_mixture_marginals():
    rng = np.random.default_rng(3)
    source, target = rng.random((1500, 3)), rng.random((1200, 3)) ** 2
    model = GMMTransport(4, n_components_target=3, n_samples=None, random_state=0)
    model.fit(source, target)
    assert model.plan_.shape == (4, 3)
    assert np.count_nonzero(model.plan_) <= 4 + 3 - 1
    assert len(model.pairs_) == np.count_nonzero(model.plan_)
    np.testing.assert_allclose(model.plan_.sum(axis=1), model.gmm_source_.weights_, atol=1e-9)
    np.testing.assert_allclose(model.plan_.sum(axis=0), model.gmm_target_.weights_, atol=1e-9)
    assert model.mw2_ > 0


def test_mean_map_is_the_posterior_weighted_sum_of_pair_maps():
    rng = np.random.default_rng(4)
    source, target = rng.random((1000, 3)), rng.normal(0.5, 0.1, (900, 3))
    # lut_size=None: the mixture map itself, not its regular table.
    model = GMMTransport(
        3, n_components_target=2, n_samples=None, lut_size=None, random_state=0
    )
    model.fit(source, target)
    X = rng.random((50, 3))
    posterior = model.gmm_source_.predict_proba(X)
    k, l = model.pairs_.T
    weights = posterior[:, k] * model.plan_[k, l] / model.gmm_source_.weights_[k]
    np.testing.assert_allclose(weights.sum(axis=1), 1.0, atol=1e-9)
    maps = all_pair_maps(model, X)
    t = 0.3
    expected = np.einsum("np,pnd->nd", weights, (1 - t) * X[None] + t * maps)
    np.testing.assert_allclose(model.set_params(t=t).transform(X), expected, atol=1e-9)


# -------------------------------------------------------------------- T_rand
def test_rand_picks_one_pair_map_per_point_deterministically():
    model, source, _ = separated_model([0.5, 0.3, 0.2], [0.2, 0.3, 0.5], map="rand")
    X = source[::7] + 0.05  # also points between the clusters
    out = model.transform(X)
    candidates = all_pair_maps(model, X)
    assert np.abs(candidates - out[None]).sum(-1).min(axis=0).max() < 1e-12
    # Reproducible, order-independent, and the same for a refit with the same seed.
    np.testing.assert_array_equal(model.transform(X), out)
    order = np.random.default_rng(0).permutation(len(X))
    np.testing.assert_array_equal(model.transform(X[order]), out[order])
    again, _, _ = separated_model([0.5, 0.3, 0.2], [0.2, 0.3, 0.5], map="rand")
    np.testing.assert_array_equal(again.transform(X), out)


def test_rand_splits_a_component_in_the_plan_proportions():
    # Source cluster 0 (weight 0.5) must split between two target clusters.
    model, source, labels = separated_model([0.5, 0.3, 0.2], [0.2, 0.3, 0.5], map="rand")
    s = component_of(model.gmm_source_, SOURCE_MEANS)
    t = component_of(model.gmm_target_, TARGET_MEANS)
    plan = model.plan_[np.ix_(s, t)]
    split = plan[0] / plan[0].sum()
    assert np.count_nonzero(split > 1e-6) == 2
    mapped = model.transform(source[labels == 0])
    nearest = ((mapped[:, None] - np.asarray(TARGET_MEANS)[None]) ** 2).sum(-1).argmin(1)
    shares = np.bincount(nearest, minlength=3) / len(mapped)
    np.testing.assert_allclose(shares, split, atol=0.05)
    # T_mean sends the same points between the partners instead.
    mean_map = (
        clone(model).set_params(map="mean").fit(*_refit_data([0.5, 0.3, 0.2], [0.2, 0.3, 0.5]))
    )
    assert mean_map.transform(source[labels == 0]).std(axis=0).max() < 0.1


def _refit_data(weights_source, weights_target):
    source, _ = clusters(SOURCE_MEANS, weights_source, 3000, 0.02, seed=1)
    target, _ = clusters(TARGET_MEANS, weights_target, 3000, 0.02, seed=2)
    return source, target


# -------------------------------------------------------------- the geodesic
def test_interpolated_gmm_ends_are_the_fitted_mixtures():
    rng = np.random.default_rng(5)
    source, target = rng.random((1200, 3)), rng.normal(0.4, 0.15, (1000, 3))
    model = GMMTransport(3, n_components_target=4, n_samples=None, random_state=0)
    model.fit(source, target)
    points = rng.random((300, 3))
    for t, gmm in ((0.0, model.gmm_source_), (1.0, model.gmm_target_)):
        weights, means, covariances = model.interpolated_gmm(t)
        assert len(weights) <= 3 + 4 - 1
        np.testing.assert_allclose(weights.sum(), 1.0)
        density = gmm_pdf(points, means, covariances, weights)
        np.testing.assert_allclose(density, np.exp(gmm.score_samples(points)), rtol=1e-7)
    with pytest.raises(ValueError, match="t must be"):
        model.interpolated_gmm(1.5)


def test_rand_map_pushes_the_source_mixture_along_the_geodesic():
    rng = np.random.default_rng(6)
    source = np.vstack([rng.normal(0.2, 0.05, (1500, 3)), rng.normal(0.7, 0.08, (1000, 3))])
    target = np.vstack(
        [rng.normal(0.4, 0.1, (1000, 3)), rng.normal([0.9, 0.1, 0.5], 0.03, (1500, 3))]
    )
    model = GMMTransport(2, map="rand", n_samples=None, random_state=0).fit(source, target)
    # Exact samples of the source mixture: T_rand at t carries them to the
    # interpolated mixture, whose mean and covariance are known in closed form.
    samples, _ = model.gmm_source_.sample(40_000)
    for t in (0.5, 1.0):
        weights, means, covariances = model.interpolated_gmm(t)
        mean = weights @ means
        centred = means - mean
        covariance = np.einsum("p,pij->ij", weights, covariances) + (centred.T * weights) @ centred
        moved = model.set_params(t=t).transform(samples)
        np.testing.assert_allclose(moved.mean(axis=0), mean, atol=0.01)
        np.testing.assert_allclose(np.cov(moved.T), covariance, atol=0.005)


# ----------------------------------------------------------------- degenerate
def test_constant_and_few_colours_give_finite_maps():
    rng = np.random.default_rng(7)
    target = rng.random((400, 3))
    constant = np.full((300, 3), 0.3)
    few = np.repeat(rng.random((2, 3)), 150, axis=0)
    with warnings.catch_warnings():
        # KMeans (GaussianMixture's initialisation) warns about duplicate points.
        warnings.simplefilter("ignore", ConvergenceWarning)
        for source in (constant, few):
            for map_ in ("mean", "rand"):
                model = GMMTransport(4, map=map_, random_state=0).fit(source, target)
                for out in (
                    model.transform(source),
                    model.transform(rng.random((100, 3))),
                    model.inverse_transform(target),
                ):
                    assert np.all(np.isfinite(out))
        model = GMMTransport(4, random_state=0).fit(target, constant)
        # The target's components have the reg_covar spread (std 1e-3).
        np.testing.assert_allclose(model.transform(target), 0.3, atol=0.01)


def test_more_components_than_samples_is_a_clear_error():
    rng = np.random.default_rng(8)
    with pytest.raises(ValueError, match=r"n_components=6 .*source samples \(5\)"):
        GMMTransport(6).fit(rng.random((5, 3)), rng.random((50, 3)))
    with pytest.raises(ValueError, match=r"n_components_target=9 .*target samples \(8\)"):
        GMMTransport(2, n_components_target=9).fit(rng.random((50, 3)), rng.random((8, 3)))
    with pytest.raises(ValueError, match=r"n_components=3 .*target samples \(2\)"):
        GMMTransport(3).fit(rng.random((50, 3)), rng.random((2, 3)))


# ----------------------------------------------------- images, shapes, estimator
@pytest.mark.parametrize("map_", ["mean", "rand"])
def test_images_in_uint8_out(small_pair, map_):
    source, target = small_pair
    model = GMMTransport(3, map=map_, n_samples=2_000, random_state=0).fit(source, target)
    out = model.transform(source)
    assert out.dtype == np.uint8 and out.shape == source.shape
    before = sliced_wasserstein(source, target, max_samples=3_000)
    assert sliced_wasserstein(out, target, max_samples=3_000) < 0.7 * before


def test_rand_images_skip_the_lut(china, flower):
    # Through a LUT every output would be a blend of several pair maps.
    model = GMMTransport(3, map="rand", n_samples=2_000, random_state=0).fit(china, flower)
    crop = np.ascontiguousarray(china[:200, :200])  # 40 000 pixels > 33**3
    out = model.transform(crop).astype(float)
    X = crop.reshape(-1, 3) / 255.0
    candidates = np.clip(all_pair_maps(model, X), 0, 1) * 255
    assert np.abs(candidates - out.reshape(-1, 3)[None]).max(-1).min(0).max() <= 0.5 + 1e-9


@pytest.mark.parametrize("n_features", [2, 5])
@pytest.mark.parametrize("map_", ["mean", "rand"])
def test_other_dimensions(n_features, map_):
    rng = np.random.default_rng(9)
    source = np.vstack(
        [rng.normal(0, 0.3, (800, n_features)), rng.normal(1, 0.2, (700, n_features))]
    )
    target = np.vstack(
        [rng.normal(-2, 0.5, (700, n_features)), rng.normal(3, 1.0, (800, n_features))]
    )
    model = GMMTransport(2, map=map_, random_state=0).fit(source, target)
    out = model.transform(source)
    assert out.shape == source.shape and np.all(np.isfinite(out))
    assert sliced_wasserstein(out, target) < 0.5 * sliced_wasserstein(source, target)
    assert model.linear_maps_.shape[1:] == (n_features, n_features)


@pytest.mark.parametrize("covariance_type", ["tied", "spherical"])
def test_other_covariance_types(covariance_type):
    source, target = _refit_data([1 / 3] * 3, [1 / 3] * 3)
    model = GMMTransport(3, covariance_type=covariance_type, random_state=0).fit(source, target)
    out = model.transform(source)
    assert np.all(np.isfinite(out))
    assert sliced_wasserstein(out, target) < 0.3 * sliced_wasserstein(source, target)


def test_sample_weight_selects_the_source_colours():
    source, labels = clusters(SOURCE_MEANS, [1 / 3] * 3, 1500, 0.02, seed=1)
    target, _ = clusters(TARGET_MEANS, [1 / 3] * 3, 1500, 0.02, seed=2)
    weights = (labels == 2).astype(float)
    model = GMMTransport(2, random_state=0).fit(source, target, sample_weight=weights)
    np.testing.assert_allclose(model.gmm_source_.means_, [SOURCE_MEANS[2]] * 2, atol=0.05)


def test_clone_pickle_and_determinism(small_pair):
    source, target = small_pair
    model = GMMTransport(3, n_samples=2_000, random_state=0).fit(source, target)
    copy = clone(model)
    assert copy.get_params() == model.get_params() and not hasattr(copy, "plan_")
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(restored.transform(source), model.transform(source))
    np.testing.assert_array_equal(
        copy.fit(source, target).transform(source), model.transform(source)
    )
    assert model.n_iter_ >= 1


def test_rejects_bad_parameters():
    X = np.random.default_rng(0).random((20, 3))
    for params in (
        {"n_components": 0},
        {"map": "bary"},
        {"covariance_type": "full2"},
        {"reg_covar": -1.0},
        {"n_components_target": 0},
    ):
        with pytest.raises(ValueError):
            GMMTransport(**params).fit(X, X)
