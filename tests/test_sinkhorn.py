import warnings

import numpy as np
import ot
import pytest

from skcolorot import SinkhornTransport
from skcolorot.transport._sinkhorn import sinkhorn_potentials


def _pair(seed=0, n=200, m=150, d=3):
    rng = np.random.default_rng(seed)
    return rng.random((n, d)), 0.5 * rng.random((m, d)) ** 2 + 0.2


@pytest.mark.parametrize("reg", [1e-1, 1e-2, 1e-3])
def test_plan_has_the_right_marginals(reg):
    X, Y = _pair()
    model = SinkhornTransport(reg=reg, max_iter=5000, tol=1e-7).fit(X, Y)
    plan = model.coupling_
    assert np.all(np.isfinite(plan))
    np.testing.assert_allclose(plan.sum(1), model.source_weights_, atol=1e-12)
    np.testing.assert_allclose(plan.sum(0), model.target_weights_, atol=1e-7)


def test_potentials_agree_with_pot_at_moderate_reg():
    X, Y = _pair(n=60, m=50)
    a, b = np.full(60, 1 / 60), np.full(50, 1 / 50)
    cost = ot.dist(X, Y)
    f, g, _, _ = sinkhorn_potentials(a, b, cost, 0.05, max_iter=5000, tol=1e-10)
    ours = np.exp((f[:, None] + g[None, :] - cost) / 0.05)
    theirs = ot.sinkhorn(a, b, cost, 0.05, stopThr=1e-12, numItermax=10000)
    np.testing.assert_allclose(ours, theirs, atol=1e-8)


def test_small_reg_gives_a_finite_map_close_to_exact_ot():
    X, Y = _pair(seed=1, n=300, m=300)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = SinkhornTransport(reg=1e-3, random_state=0).fit(X, Y)
    rng = np.random.default_rng(5)
    unseen = rng.random((2000, 3))
    out = model.transform(unseen)
    assert np.all(np.isfinite(out))
    # Approaches exact OT: the barycentric map of the exact plan is close.
    exact = ot.emd(model.source_weights_, model.target_weights_, ot.dist(X, Y))
    exact_map = exact @ Y / model.source_weights_[:, None]
    assert np.sqrt(((model.transform(X) - exact_map) ** 2).sum(1).mean()) < 0.06


def test_entropic_map_equals_barycentric_map_on_fitted_points():
    X, Y = _pair(seed=2)
    # lut_size=None: the entropic map itself, not the regular table of colours.
    model = SinkhornTransport(reg=5e-3, lut_size=None).fit(X, Y)
    plan = model.coupling_
    barycentric = plan @ model.target_support_ / plan.sum(1, keepdims=True)
    np.testing.assert_allclose(model.transform(X), barycentric, atol=1e-10)


def test_inverse_uses_the_backward_map():
    X, Y = _pair(seed=3)
    model = SinkhornTransport(reg=5e-3, tol=1e-9, max_iter=5000, lut_size=None).fit(X, Y)
    plan = model.coupling_
    backward = plan.T @ model.source_support_ / plan.sum(0)[:, None]
    np.testing.assert_allclose(model.inverse_transform(Y), backward, atol=1e-6)


def test_subsampling_is_deterministic_and_bounded():
    rng = np.random.default_rng(4)
    # Features (not colours): a seeded random sub-sample.
    X, Y = rng.random((5000, 4)), rng.random((4000, 4))
    one = SinkhornTransport(n_samples=300, random_state=7).fit(X, Y)
    two = SinkhornTransport(n_samples=300, random_state=7).fit(X, Y)
    assert one.source_support_.shape == (300, 4) and one.target_support_.shape == (300, 4)
    np.testing.assert_array_equal(one.transform(X[:100]), two.transform(X[:100]))
    other = SinkhornTransport(n_samples=300, random_state=8).fit(X, Y)
    assert not np.array_equal(one.source_support_, other.source_support_)


def test_colours_are_summarised_by_a_histogram_free_of_the_seed():
    rng = np.random.default_rng(4)
    X, Y = rng.random((5000, 3)), rng.random((4000, 3)) ** 2
    one = SinkhornTransport(n_samples=300, random_state=7).fit(X, Y)
    other = SinkhornTransport(n_samples=300, random_state=8).fit(X, Y)
    assert len(one.source_support_) <= 300 and len(one.target_support_) <= 300
    np.testing.assert_allclose(one.source_weights_.sum(), 1.0)
    np.testing.assert_array_equal(one.transform(X), other.transform(X))


def test_sample_weight_moves_mass():
    X = np.array([[0.0, 0.0], [1.0, 1.0]] * 50)
    Y = np.array([[0.0, 0.0]] * 90 + [[1.0, 1.0]] * 10)
    weights = np.where(X[:, 0] == 0, 0.9, 0.1)
    model = SinkhornTransport(reg=1e-2).fit(X, Y, sample_weight=weights)
    # With weights matching the target's proportions, every point stays put.
    np.testing.assert_allclose(model.transform(X), X, atol=1e-3)


def test_image_with_lab_colour_space(small_pair):
    from skcolorot import color_fidelity

    src, ref = small_pair
    model = SinkhornTransport(color_space="lab", random_state=0).fit(src, ref)
    out = model.transform(src)
    assert out.dtype == np.uint8 and out.shape == src.shape
    assert color_fidelity(out, ref, src) < 0.4
