"""Tests for skcolorot.transport._sliced.SlicedTransport: the map it converges to, the 1-D
case, out-of-sample use, determinism, the inverse, images and d != 3 data."""

import pickle

import numpy as np
import pytest
from scipy.stats import special_ortho_group
from sklearn.base import clone

from skcolorot import AffineTransport
from skcolorot.metrics import sliced_wasserstein as _sliced_wasserstein
from skcolorot.transport._sliced import SlicedTransport


def sliced_wasserstein(X, Y):
    # POT's sliced distance costs ~1 s on 20k points here; 3000 fixed
    # sub-samples keep each call fast and deterministic.
    return _sliced_wasserstein(X, Y, max_samples=3_000)


def gaussian_pair(n_source, n_target, n_features=3, seed=0):
    """Source N(0, S) and a target that is a rotated, anisotropically scaled and
    shifted copy of it: the OT map between them is AffineTransport's."""
    rng = np.random.default_rng(seed)
    scales = np.linspace(1.0, 0.3, n_features)
    rotation = special_ortho_group.rvs(n_features, random_state=seed)
    stretch = rotation @ np.diag(np.linspace(2.0, 0.7, n_features))
    shift = np.linspace(3.0, -1.0, n_features)

    def source_sample(n):
        return rng.standard_normal((n, n_features)) * scales

    source = source_sample(n_source)
    target = source_sample(n_target) @ stretch + shift
    return source, target, source_sample


def rms(a, b):
    return float(np.sqrt(np.mean(np.sum((a - b) ** 2, axis=1))))


# ------------------------------------------------------------ what the map is
def test_drives_sliced_distance_down_and_approaches_the_gaussian_map():
    source, target, draw = gaussian_pair(10_000, 10_000)
    held_out = draw(5_000)
    model = SlicedTransport(n_iter=30, step=0.5, n_samples=None, random_state=0)
    model.fit(source, target)

    before = sliced_wasserstein(source, target)
    after = sliced_wasserstein(model.transform(source), target)
    # Two independent samples of the target itself are ~0.02 * before apart
    # with 3000-point estimates: that is the floor.
    assert after < 0.04 * before
    assert model.sliced_distances_[-1] < 0.05 * model.sliced_distances_[0]

    exact = AffineTransport(n_samples=None).fit(source, target).transform(held_out)
    spread = np.sqrt(np.mean(np.sum((target - target.mean(axis=0)) ** 2, axis=1)))
    # IDT-type iterations end at *a* transport map, not exactly the optimal one;
    # with half steps they stay within a few percent of it (sampling noise of
    # the quantiles included). Doing nothing is ~100 % off, matching only the
    # moments per axis ~30 %.
    assert rms(model.transform(held_out), exact) < 0.1 * spread
    assert rms(held_out, exact) > spread


def test_one_dimension_is_exact_quantile_matching():
    rng = np.random.default_rng(1)
    source = rng.gamma(2.0, size=(500, 1))
    target = rng.normal(5.0, 2.0, size=(700, 1))
    # Levels j / (n - 1): the source knots are exactly the sorted sample, so every
    # fitted point goes to the target quantile of its rank; further iterations
    # then see matched quantiles and do nothing.
    model = SlicedTransport(n_iter=3, n_quantiles=500, n_samples=None, random_state=0)
    mapped = model.fit(source, target).transform(source)
    ranks = np.argsort(np.argsort(source[:, 0]))
    expected = np.quantile(target[:, 0], ranks / (len(source) - 1))
    np.testing.assert_allclose(mapped[:, 0], expected, rtol=0, atol=1e-10)

    # With fewer knots: the same map up to piecewise-linear interpolation error.
    coarse = SlicedTransport(n_iter=1, random_state=0).fit(source, target)
    error = np.abs(coarse.transform(source)[:, 0] - expected)
    assert error.max() < 0.25 * target.std()
    assert np.sqrt(np.mean(error**2)) < 0.02 * target.std()
    grid = np.linspace(-2, 15, 200)[:, None]
    assert np.all(np.diff(coarse.transform(grid)[:, 0]) > 0)  # monotone, even outside


def test_several_bases_per_iteration_and_partial_bases():
    source, target, _ = gaussian_pair(4_000, 4_000, seed=2)
    before = sliced_wasserstein(source, target)
    for n_slices in (1, 2, 4, 9):
        model = SlicedTransport(n_slices, n_iter=15, random_state=0).fit(source, target)
        assert model.directions_.shape == (15, n_slices, 3)
        np.testing.assert_allclose(np.linalg.norm(model.directions_, axis=2), 1.0)
        assert sliced_wasserstein(model.transform(source), target) < 0.1 * before


def test_one_basis_directions_are_orthonormal():
    source, target, _ = gaussian_pair(500, 500, n_features=5, seed=3)
    model = SlicedTransport(n_iter=4, random_state=0).fit(source, target)
    for theta in model.directions_:
        np.testing.assert_allclose(theta @ theta.T, np.eye(5), atol=1e-12)


# -------------------------------------------------------------- out of sample
def test_unseen_points_are_mapped_like_fitted_ones():
    source, target, draw = gaussian_pair(5_000, 5_000, seed=4)
    model = SlicedTransport(n_samples=None, random_state=0).fit(source, target)
    unseen = draw(5_000)
    fitted_distance = sliced_wasserstein(model.transform(source), target)
    unseen_distance = sliced_wasserstein(model.transform(unseen), target)
    assert unseen_distance < 0.05 * sliced_wasserstein(unseen, target)
    assert unseen_distance < 2 * fitted_distance + 0.05
    # The map is continuous: a small perturbation moves the image a little.
    nudged = model.transform(source + 1e-4)
    assert np.abs(nudged - model.transform(source)).max() < 0.05


def test_zero_weight_means_left_out():
    source, target, _ = gaussian_pair(600, 500, seed=5)
    weights = np.ones(len(source))
    weights[::3] = 0
    params = {"n_iter": 5, "n_samples": None, "random_state": 0}
    weighted = SlicedTransport(**params).fit(source, target, sample_weight=weights)
    subset = SlicedTransport(**params).fit(source[weights > 0], target)
    np.testing.assert_allclose(weighted.transform(source), subset.transform(source), atol=1e-12)


def test_weights_change_the_map():
    source, target, _ = gaussian_pair(600, 500, seed=5)
    weights = np.where(source[:, 0] > 0, 4.0, 1.0)
    params = {"n_iter": 5, "n_samples": None, "random_state": 0}
    weighted = SlicedTransport(**params).fit(source, target, sample_weight=weights)
    plain = SlicedTransport(**params).fit(source, target)
    assert np.abs(weighted.transform(source) - plain.transform(source)).max() > 0.1
    # Weighted, the mapped source matches the target's mean under its weights.
    mapped_mean = np.average(weighted.transform(source), axis=0, weights=weights)
    np.testing.assert_allclose(mapped_mean, target.mean(axis=0), atol=0.1)


# ---------------------------------------------------------------- determinism
def test_deterministic_for_a_fixed_random_state(small_pair):
    source, target = small_pair
    # Features (here colours taken as plain numbers: lut_size=None): the seed
    # draws the sub-sample and the directions.
    first = SlicedTransport(n_samples=2_000, lut_size=None, random_state=7).fit(source, target)
    second = SlicedTransport(n_samples=2_000, lut_size=None, random_state=7).fit(source, target)
    other = SlicedTransport(n_samples=2_000, lut_size=None, random_state=8).fit(source, target)
    np.testing.assert_array_equal(first.directions_, second.directions_)
    np.testing.assert_array_equal(first.transform(source), second.transform(source))
    assert not np.array_equal(first.directions_, other.directions_)


def test_colour_grades_do_not_depend_on_the_seed(small_pair):
    source, target = small_pair
    first = SlicedTransport(random_state=7).fit(source, target)
    other = SlicedTransport(random_state=8).fit(source, target)
    np.testing.assert_array_equal(first.transform(source), other.transform(source))


# -------------------------------------------------------------------- inverse
@pytest.mark.parametrize("step", [1.0, 0.5])
def test_inverse_is_exact_with_one_basis_per_iteration(step):
    source, target, draw = gaussian_pair(3_000, 3_000, seed=6)
    model = SlicedTransport(n_iter=10, step=step, random_state=0).fit(source, target)
    points = draw(1_000)
    np.testing.assert_allclose(model.inverse_transform(model.transform(points)), points, atol=1e-8)
    np.testing.assert_allclose(model.transform(model.inverse_transform(target)), target, atol=1e-8)
    # Backwards, the target is carried onto the source distribution.
    assert sliced_wasserstein(model.inverse_transform(target), source) < 0.1 * (
        sliced_wasserstein(target, source)
    )


def test_inverse_with_several_bases_is_an_approximation():
    source, target, draw = gaussian_pair(3_000, 3_000, seed=6)
    model = SlicedTransport(6, n_iter=10, random_state=0).fit(source, target)
    points = draw(1_000)
    round_trip = model.inverse_transform(model.transform(points))
    spread = np.sqrt(np.mean(np.sum(points**2, axis=1)))
    error = rms(round_trip, points)
    assert 1e-6 < error < 0.1 * spread


# ----------------------------------------------------- images, shapes, estimator
def test_images_in_uint8_out(small_pair):
    source, target = small_pair
    model = SlicedTransport(n_samples=3_000, random_state=0).fit(source, target)
    out = model.transform(source)
    assert out.dtype == np.uint8 and out.shape == source.shape
    assert sliced_wasserstein(out, target) < 0.3 * sliced_wasserstein(source, target)
    rgba = np.concatenate([source, np.full(source.shape[:2] + (1,), 77, np.uint8)], axis=2)
    out_rgba = model.transform(rgba)
    assert out_rgba.shape == rgba.shape
    np.testing.assert_array_equal(out_rgba[..., 3], 77)
    np.testing.assert_array_equal(out_rgba[..., :3], out)


def test_lab_working_space(small_pair):
    source, target = small_pair
    model = SlicedTransport(color_space="lab", n_samples=3_000, random_state=0)
    out = model.fit(source, target).transform(source)
    assert out.dtype == np.uint8
    assert sliced_wasserstein(out, target) < 0.3 * sliced_wasserstein(source, target)


@pytest.mark.parametrize("n_features", [2, 5])
def test_other_dimensions(n_features):
    source, target, _ = gaussian_pair(2_000, 1_500, n_features=n_features, seed=8)
    model = SlicedTransport(random_state=0).fit(source, target)
    out = model.transform(source)
    assert out.shape == source.shape and out.dtype == np.float64
    assert sliced_wasserstein(out, target) < 0.1 * sliced_wasserstein(source, target)
    assert model.directions_.shape[1:] == (n_features, n_features)


def test_constant_source_goes_to_the_target_mean():
    rng = np.random.default_rng(9)
    target = rng.random((500, 3))
    model = SlicedTransport(random_state=0).fit(np.full((300, 3), 0.4), target)
    out = model.transform(np.full((4, 3), 0.4))
    assert np.all(np.isfinite(out))
    # Each step sends the single point to the mean of the target quantile knots
    # along each direction: the target mean up to O(1 / n_quantiles) (and, for
    # colours, a step that fades slightly where the smoothed field is thin).
    np.testing.assert_allclose(out, np.tile(target.mean(axis=0), (4, 1)), atol=5e-3)
    assert np.ptp(out, axis=0).max() == 0
    assert np.all(np.isfinite(model.transform(rng.random((50, 3)))))


def test_interpolation_parameter_moves_part_way():
    source, target, _ = gaussian_pair(1_000, 1_000, seed=10)
    model = SlicedTransport(n_iter=5, random_state=0).fit(source, target)
    full = model.transform(source)
    half = model.set_params(t=0.5).transform(source)
    np.testing.assert_allclose(half, (source + full) / 2, atol=1e-12)


def test_clone_and_pickle(small_pair):
    source, target = small_pair
    model = SlicedTransport(4, n_iter=5, n_samples=1_000, random_state=0).fit(source, target)
    copy = clone(model)
    assert copy.get_params() == model.get_params()
    assert not hasattr(copy, "directions_")
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(restored.transform(source), model.transform(source))
    np.testing.assert_array_equal(
        copy.fit(source, target).transform(source), model.transform(source)
    )


def test_rejects_bad_parameters():
    X = np.random.default_rng(0).random((20, 3))
    for params in (
        {"n_slices": 0},
        {"n_iter": 0},
        {"step": 0.0},
        {"step": 1.5},
        {"n_quantiles": 1},
    ):
        with pytest.raises(ValueError):
            SlicedTransport(**params).fit(X, X)
