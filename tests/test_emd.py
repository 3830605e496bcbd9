"""EMDTransport: the exact plan, its in-sample and out-of-sample maps, and the
plan interpolations of EMDTransport and SinkhornTransport."""

import pickle

import numpy as np
import ot
import pytest
from sklearn.base import clone
from sklearn.datasets import make_moons
from sklearn.model_selection import GridSearchCV
from sklearn.svm import SVC
from sklearn.utils._param_validation import InvalidParameterError

from skcolorot import EMDTransport, SinkhornTransport, make_transport, sample_pixels
from skcolorot.da._domain import DomainAdaptation


def _pair(seed=0, n=200, m=150, d=3):
    rng = np.random.default_rng(seed)
    return rng.random((n, d)), 0.5 * rng.random((m, d)) ** 2 + 0.2


def test_plan_is_optimal_with_the_right_marginals():
    X, Y = _pair()
    weights = np.random.default_rng(1).random(len(X))
    model = EMDTransport().fit(X, Y, sample_weight=weights)
    plan = model.coupling_
    np.testing.assert_allclose(model.source_weights_, weights / weights.sum())
    np.testing.assert_allclose(plan.sum(1), model.source_weights_, atol=1e-12)
    np.testing.assert_allclose(plan.sum(0), model.target_weights_, atol=1e-12)
    # An exact plan: at most n + m - 1 non-zeros, and POT's optimal cost.
    assert len(model.plan_weights_) <= len(X) + len(Y) - 1
    cost = ot.emd2(model.source_weights_, model.target_weights_, ot.dist(X, Y))
    assert model.wasserstein_ == pytest.approx(cost, rel=1e-9)


def test_in_sample_map_is_the_barycentric_map():
    # Equal uniform samples: the optimal plan is a permutation, and the
    # barycentric images are exactly the target points.
    X, Y = _pair(seed=2, n=120, m=120)
    model = EMDTransport(n_samples=None, lut_size=None).fit(X, Y)
    plan = model.coupling_
    np.testing.assert_allclose(model.transported_support_, plan @ Y / plan.sum(1, keepdims=True))
    np.testing.assert_allclose(np.sort(model.transported_support_, 0), np.sort(Y, 0), atol=1e-12)
    points, weights = model.interpolate_samples(1.0, kind="barycentric")
    np.testing.assert_allclose(points, model.transported_support_)
    # The smooth map tends to the in-sample map as the bandwidth shrinks.
    sharp = clone(model).set_params(bandwidth=1e-3).fit(X, Y)
    np.testing.assert_allclose(sharp.transform(X), sharp.transported_support_, atol=1e-9)


def test_out_of_sample_map_is_regular_on_a_photo(small_pair):
    source, reference = small_pair
    model = EMDTransport(n_samples=500, random_state=0).fit(source, reference)
    rng = np.random.default_rng(0)
    pixels = source.reshape(-1, 3)[rng.choice(source.shape[0] * source.shape[1], 1000)] / 255.0
    step = rng.standard_normal(pixels.shape)
    step *= (2 / 255) / np.linalg.norm(step, axis=1, keepdims=True)
    change = np.linalg.norm(model.transform(pixels + step) - model.transform(pixels), axis=1)
    amplification = change / (2 / 255)
    # Smooth, no nearest-neighbour jumps (a jump would be ~100x at this step);
    # the default bandwidth gives p99 of about 4-5 on photographs.
    assert np.percentile(amplification, 99) < 8
    assert amplification.max() < 12
    # Continuity at a finer scale too.
    tiny = np.linalg.norm(model.transform(pixels + step * 1e-3) - model.transform(pixels), axis=1)
    assert tiny.max() < 12 * 2e-3 / 255


def test_t_interpolates_and_zero_is_the_identity():
    X, Y = _pair(seed=3)
    model = EMDTransport(random_state=0).fit(X, Y)
    full = model.transform(X)
    np.testing.assert_array_equal(model.set_params(t=0.0).transform(X), X)
    np.testing.assert_allclose(model.set_params(t=0.25).transform(X), X + 0.25 * (full - X))


def test_inverse_maps_the_target_back_towards_the_source():
    X, Y = _pair(seed=4)
    model = EMDTransport(random_state=0).fit(X, Y)
    back = model.inverse_transform(Y)
    assert np.abs(back.mean(0) - X.mean(0)).max() < 0.03
    assert np.abs(model.transform(X).mean(0) - Y.mean(0)).max() < 0.03


def test_the_grade_table_is_close_to_the_exact_map(small_pair):
    source, reference = small_pair
    model = EMDTransport(n_samples=500, random_state=0, lut_size=17).fit(source, reference)
    lut = model.transform(source).astype(float)
    exact = EMDTransport(n_samples=500, random_state=0, lut_size=None).fit(source, reference)
    assert np.abs(lut - exact.transform(source)).mean() < 1.0  # 8-bit levels
    assert model.score(source.reshape(-1, 3)[::20], reference.reshape(-1, 3)[::20]) < 0


@pytest.mark.parametrize("seed", [0, 1])
def test_multiscale_plan_is_the_dense_optimum(seed, monkeypatch):
    # Large enough for the sparse multiscale route: the same optimal cost and
    # plan as dense ot.emd, and potentials feasible on every arc.
    from skcolorot.transport import _exact

    def no_dense(*args):
        raise AssertionError("the multiscale route fell back to the dense solver")

    monkeypatch.setattr(_exact, "_dense", no_dense)
    exact_plan = _exact.exact_plan

    rng = np.random.default_rng(seed)
    X = rng.random((700, 3))
    Y = 0.6 * rng.random((500, 3)) ** 2 + 0.2
    a, b = rng.random(700) ** 3 + 1e-3, rng.random(500) ** 3 + 1e-3
    a, b = a / a.sum(), b / b.sum()
    cost = ot.dist(X, Y)
    rows, cols, mass, u, v = exact_plan(a, b, cost, X, Y)
    plan = np.zeros(cost.shape)
    plan[rows, cols] = mass
    dense = ot.emd(a, b, cost, numItermax=10**8)
    assert (plan * cost).sum() == pytest.approx((dense * cost).sum(), rel=1e-12)
    np.testing.assert_allclose(plan, dense, atol=1e-12)
    np.testing.assert_allclose(plan.sum(1), a, atol=1e-12)
    assert (cost - u[:, None] - v[None, :]).min() > -1e-10
    np.testing.assert_allclose(u[rows] + v[cols], cost[rows, cols], atol=1e-10)
    assert len(mass) <= 700 + 500 - 1 and (np.diff(rows) >= 0).all()


def test_multiscale_plan_falls_back_to_dense_when_it_does_not_apply(monkeypatch):
    from skcolorot.transport import _exact

    rng = np.random.default_rng(3)
    X, Y = rng.random((600, 5)), rng.random((400, 5)) + 0.3  # d > 3: no coarse grid
    a, b = np.full(600, 1 / 600), np.full(400, 1 / 400)
    cost = ot.dist(X, Y)
    for points in ((X, Y), ()):
        rows, cols, mass, _, _ = _exact.exact_plan(a, b, cost, *points)
        assert mass @ cost[rows, cols] == pytest.approx(ot.emd2(a, b, cost), rel=1e-12)
    # Too many violated arcs after a round: the dense solver, warm-started.
    monkeypatch.setattr(_exact, "_MAX_GROWTH", 0)
    X, Y = X[:, :3], Y[:, :3]
    cost = ot.dist(X, Y)
    rows, cols, mass, u, v = _exact.exact_plan(a, b, cost, X, Y)
    assert mass @ cost[rows, cols] == pytest.approx(ot.emd2(a, b, cost), rel=1e-12)
    assert (cost - u[:, None] - v[None, :]).min() > -1e-10


def test_grid_tables_match_the_smoothed_map_at_the_nodes():
    # The separable (per-axis) evaluation of the kernel map on a table's nodes
    # is the point-by-point one, also where a narrow kernel underflows.
    from skcolorot.color._lut import lut_grid
    from skcolorot.transport._emd import _smoothed_displacement, _smoothed_displacement_grid

    rng = np.random.default_rng(0)
    support = 0.2 + 0.6 * rng.random((300, 3))
    weights = rng.random(300) ** 4
    weights /= weights.sum()
    displacement = 0.1 * rng.standard_normal((300, 3))
    for size, bandwidth in ((9, 0.06), (17, 0.004)):
        nodes = lut_grid(size).reshape(-1, 3)
        expected = _smoothed_displacement(nodes, support, weights, displacement, bandwidth)
        got = _smoothed_displacement_grid(size, support, weights, displacement, bandwidth)
        assert np.isfinite(got).all()
        np.testing.assert_allclose(got.reshape(-1, 3), expected, atol=1e-9)


@pytest.mark.parametrize("color_space", ["rgb", "lab"])
def test_tables_are_the_kernel_map_in_every_space(small_pair, color_space):
    source, reference = small_pair
    model = EMDTransport(n_samples=300, color_space=color_space, lut_size=9).fit(source, reference)
    from skcolorot.color._lut import lut_grid

    nodes = lut_grid(9).reshape(-1, 3)
    for table, inverse in ((model.lut_, False), (model.inverse_lut_, True)):
        exact = model._map_colors(nodes, 1.0, inverse, False)
        np.testing.assert_allclose(table.reshape(-1, 3), exact, atol=1e-9)


def test_histogram_fit_summarises_every_pixel(small_pair):
    source, reference = small_pair
    model = EMDTransport(n_samples=512).fit(source, reference)
    assert len(model.source_support_) <= 512
    np.testing.assert_allclose(model.source_weights_.sum(), 1.0)
    # The histogram points are cell means, weighted by their share of pixels.
    mean = source.reshape(-1, 3).mean(0) / 255
    np.testing.assert_allclose(model.source_weights_ @ model.source_support_, mean, atol=1e-9)
    out = model.transform(source)
    assert out.shape == source.shape and out.dtype == np.uint8


def test_grid_search_and_domain_adaptation(small_pair):
    xs, xt = sample_pixels(*small_pair, n_samples=600, random_state=0)
    search = GridSearchCV(
        EMDTransport(n_samples=200, random_state=0), {"bandwidth": [0.05, 10.0]}, cv=2
    ).fit(xs, xt)
    # A huge bandwidth is a plain shift of the means: a worse fit of the target.
    assert search.best_params_["bandwidth"] == 0.05

    # Two moons; the target domain is the same problem stretched and shifted.
    Xs, ys = make_moons(200, noise=0.1, random_state=0)
    Xt, yt = make_moons(150, noise=0.1, random_state=1)
    Xt = Xt * [1.5, 1.0] + [1.0, 1.5]
    assert SVC(gamma=2).fit(Xs, ys).score(Xt, yt) < 0.8
    model = DomainAdaptation(EMDTransport(random_state=0), SVC(gamma=2))
    assert model.fit(Xs, ys, target=Xt).score(Xt, yt) > 0.9
    assert make_transport("emd", bandwidth=0.3).bandwidth == 0.3


def test_clone_pickle_and_parameter_errors():
    X, Y = _pair(seed=5, n=60, m=50)
    model = EMDTransport(random_state=0).fit(X, Y)
    again = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(again.transform(X), model.transform(X))
    for params in ({"bandwidth": 0.0}, {"bandwidth": -1.0}, {"n_samples": 1}):
        with pytest.raises(InvalidParameterError, match=next(iter(params))):
            EMDTransport(**params).fit(X, Y)
    big = np.random.default_rng(0).random((6000, 3))
    with pytest.raises(ValueError, match="lower n_samples"):
        EMDTransport(n_samples=None).fit(big, big)


@pytest.mark.parametrize(
    "make",
    [lambda: EMDTransport(random_state=0), lambda: SinkhornTransport(reg=1e-2, random_state=0)],
    ids=["emd", "sinkhorn"],
)
def test_interpolate_samples_moves_diracs_or_barycentres(make):
    X, Y = _pair(seed=6, n=80, m=60, d=2)
    model = make().fit(X, Y)
    start, w0 = model.interpolate_samples(0.0)
    end, w1 = model.interpolate_samples(1.0)
    half, _ = model.interpolate_samples(0.5)
    np.testing.assert_allclose(w0.sum(), 1.0)
    np.testing.assert_allclose(half, (start + end) / 2)
    # Bounded: at most n + m - 1 (EMD) or 32 n (Sinkhorn) particles.
    assert len(w0) <= 32 * len(X)
    # The source marginal is exact at t = 0; the target's (nearly) at t = 1.
    for points, support, weights in ((start, X, model.source_weights_), (end, Y, None)):
        index = np.argmin(ot.dist(points, support), axis=1)
        mass = np.bincount(index, weights=w0, minlength=len(support))
        expected = np.full(len(support), 1 / len(support)) if weights is None else weights
        np.testing.assert_allclose(mass, expected, atol=1e-12 if weights is not None else 2e-3)
    # Barycentric: one particle per source point; the mean moves on a line.
    bary, wb = model.interpolate_samples(1.0, kind="barycentric")
    assert len(bary) == len(X)
    np.testing.assert_allclose(wb @ bary, Y.mean(0), atol=2e-3)
    for t in (-0.1, 1.5, "1"):
        with pytest.raises(ValueError, match="t must be"):
            model.interpolate_samples(t)
    with pytest.raises(ValueError, match="kind must be"):
        model.interpolate_samples(0.5, kind="dirac")
