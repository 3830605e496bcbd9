"""Research options of the plan-based transports (metric, precomputed cost, reg_m,
mass, get_plan, potentials) and the bootstrap agreement rule of ``"auto"``."""

import pickle

import numpy as np
import ot
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.svm import SVC

from skcolorot import AffineTransport, DomainAdaptation, EMDTransport, SinkhornTransport


def _pair(seed=0, n=60, m=50, d=3):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)), rng.normal(size=(m, d)) + 1.0


@pytest.mark.parametrize(
    "cls, params", [(SinkhornTransport, {"reg": 0.5}), (EMDTransport, {})]
)
def test_precomputed_and_callable_costs_equal_sqeuclidean(cls, params):
    X, Y = _pair()
    plain = cls(n_samples=None, **params).fit(X, Y)
    given = cls(n_samples=None, metric="precomputed", **params).fit(X, Y, cost=ot.dist(X, Y))
    called = cls(n_samples=None, metric=ot.dist, **params).fit(X, Y)
    np.testing.assert_allclose(given.get_plan(), plain.get_plan(), atol=1e-12)
    np.testing.assert_allclose(called.get_plan(), plain.get_plan(), atol=1e-12)
    np.testing.assert_allclose(given.transform(X), plain.transform(X), atol=1e-10)
    np.testing.assert_allclose(called.transform(X[:7] + 0.1), plain.transform(X[:7] + 0.1))
    # Other named costs give another plan, still a coupling.
    for metric in ("euclidean", "cityblock", "cosine"):
        other = cls(n_samples=None, metric=metric, **params).fit(X, Y).get_plan()
        np.testing.assert_allclose(other.sum(1), 1 / len(X), atol=1e-4)
    with pytest.raises(ValueError, match="cost"):
        cls(metric="precomputed", **params).fit(X, Y)
    with pytest.raises(ValueError, match="shape"):
        cls(n_samples=None, metric="precomputed", **params).fit(X, Y, cost=ot.dist(X, Y[:-1]))


def test_precomputed_sinkhorn_maps_only_the_fitted_points():
    X, Y = _pair()
    model = SinkhornTransport(0.5, n_samples=None, metric="precomputed")
    model.fit(X, Y, cost=ot.dist(X, Y))
    np.testing.assert_allclose(model.transform(X[::-1]), model.transform(X)[::-1])
    with pytest.raises(ValueError, match="fitted source"):
        model.transform(X[:3] + 0.01)


@pytest.mark.parametrize("cls, params", [(SinkhornTransport, {"reg": 0.3}), (EMDTransport, {})])
def test_plan_shape_marginals_and_potentials(cls, params):
    X, Y = _pair(n=40, m=30)
    model = cls(n_samples=None, **params).fit(X, Y)
    plan = model.get_plan()
    assert plan.shape == (40, 30)
    np.testing.assert_allclose(plan.sum(1), 1 / 40, atol=1e-10)
    np.testing.assert_allclose(plan.sum(0), 1 / 30, atol=1e-3)
    f, g = model.potentials_
    cost = ot.dist(X, Y)
    if cls is SinkhornTransport:  # P = exp((f + g - C) / reg)
        np.testing.assert_allclose(np.exp((f[:, None] + g[None] - cost) / 0.3), plan, atol=1e-14)
    else:  # complementary slackness: u_i + v_j = C_ij on the support, <= elsewhere
        slack = cost - f[:, None] - g[None]
        assert slack.min() > -1e-9 and np.abs(slack[plan > 0]).max() < 1e-9
        dual = f @ model.source_weights_ + g @ model.target_weights_
        assert model.wasserstein_ == pytest.approx(dual)


def test_get_plan_names_the_memory_it_needs():
    X, Y = _pair(n=40, m=30)
    model = EMDTransport(n_samples=None).fit(X, Y)
    with pytest.raises(MemoryError, match=r"40 x 30 plan needs 9.4 KiB"):
        model.get_plan(max_bytes=1000)


@pytest.mark.parametrize("cls, params", [(SinkhornTransport, {"reg": 0.3}), (EMDTransport, {})])
def test_partial_moves_less_mass_and_leaves_outliers(cls, params):
    X, Y = _pair(n=40, m=40)
    X[:4] += 8.0  # outliers of the source only
    full = cls(n_samples=None, **params).fit(X, Y)
    partial = cls(n_samples=None, mass=0.8, **params).fit(X, Y)
    assert partial.transported_mass_ == pytest.approx(0.8, abs=1e-3)
    assert partial.get_plan().sum() == pytest.approx(0.8, abs=1e-3)
    assert partial.potentials_ is None
    # The outliers are left out: they keep (almost) no mass and do not move.
    assert partial.get_plan()[:4].sum() < 1e-3
    assert full.get_plan()[:4].sum() == pytest.approx(0.1)
    np.testing.assert_allclose(partial.transported_support_[:4], X[:4], atol=1e-6)
    assert np.all(np.isfinite(partial.transform(X + 0.05)))
    with pytest.raises(ValueError, match="not both"):
        cls(mass=0.5, reg_m=1.0, **params).fit(X, Y)


@pytest.mark.parametrize("cls, params", [(SinkhornTransport, {"reg": 0.3}), (EMDTransport, {})])
def test_unbalanced_moves_less_mass_from_outliers(cls, params):
    X, Y = _pair(n=40, m=40)
    X[:4] += 6.0
    full = cls(n_samples=None, **params).fit(X, Y).get_plan()
    relaxed = cls(n_samples=None, reg_m=0.5, **params).fit(X, Y).get_plan()
    # Share of each row's mass that the outliers keep, against the others'.
    share = relaxed.sum(1) / full.sum(1)
    assert share[:4].max() < 0.2 * share[4:].mean()
    if cls is SinkhornTransport:
        model = cls(n_samples=None, reg_m=0.5, **params).fit(X, Y)
        f, g = model.potentials_
        np.testing.assert_allclose(
            np.exp((f[:, None] + g[None] - ot.dist(X, Y)) / 0.3), model.get_plan(), atol=1e-14
        )


def test_unbalanced_sinkhorn_at_the_default_reg_matches_pots_plain_solver():
    # At reg=3e-3 on colours POT's stabilised unbalanced solver stopped after a few
    # iterations with a plan of mass ~1e-9; the plan must be POT's fixed point.
    rng = np.random.default_rng(0)
    X, Y = rng.uniform(0, 0.5, (120, 3)), rng.uniform(0.4, 1.0, (100, 3)) ** 2
    for reg_m in (0.1, 1.0):
        model = SinkhornTransport(n_samples=None, reg_m=reg_m, tol=1e-9, max_iter=10_000)
        plan = model.fit(X, Y).get_plan()
        expected = ot.unbalanced.sinkhorn_unbalanced(
            np.full(120, 1 / 120), np.full(100, 1 / 100), ot.dist(X, Y), 3e-3, reg_m,
            method="sinkhorn", numItermax=100_000, stopThr=1e-13,
        )
        np.testing.assert_allclose(plan, expected, atol=1e-8)
        assert 0.3 < model.transported_mass_ < 1.0
    # A weak relaxation is nearly balanced: the map reaches the target.
    near = SinkhornTransport(n_samples=None, reg_m=100.0).fit(X, Y)
    assert abs(near.transported_mass_ - 1) < 0.05
    assert np.abs(near.transform(X).mean(0) - Y.mean(0)).max() < 0.02


def test_new_parameters_clone_pickle_and_validate():
    X, Y = _pair()
    model = SinkhornTransport(0.5, metric="cityblock", mass=0.9).fit(X, Y)
    again = pickle.loads(pickle.dumps(model))
    np.testing.assert_allclose(again.transform(X), model.transform(X))
    assert clone(model).get_params()["metric"] == "cityblock"
    with pytest.raises(ValueError, match="metric"):
        EMDTransport(metric="hamming-ish").fit(X, Y)
    with pytest.raises(ValueError, match="mass"):
        EMDTransport(mass=1.5).fit(X, Y)


# ------------------------------------------------------------ selection
def _blobs(n, centres, seed, scale=0.5, proportions=None):
    rng = np.random.default_rng(seed)
    y = rng.choice(len(centres), size=n, p=proportions)
    return np.asarray(centres, float)[y] + scale * rng.normal(size=(n, 2)), y


def _candidates():
    # A short list keeps the test fast; the rule is the same as the default's.
    return ["passthrough", AffineTransport(), SinkhornTransport(reg=0.1)]


def test_auto_adapts_on_a_clear_shift_and_reports_why():
    centres = [[0, 0], [3, 0], [0, 3]]
    Xs, ys = _blobs(150, centres, 0)
    Xt, yt = _blobs(120, centres, 1)
    theta = np.deg2rad(40)
    rotation = np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
    Xt = 1.5 * ((Xt - 1) @ rotation.T + [2.0, 1.0]) + [6.0, 4.0]
    model = DomainAdaptation(
        "auto", LogisticRegression(), candidates=_candidates(), random_state=0
    ).fit(Xs, ys, target=Xt)
    report = model.selection_
    assert report.decision != "passthrough"
    assert model.score(Xt, yt) > 0.9 > LogisticRegression().fit(Xs, ys).score(Xt, yt) + 0.2
    text = str(report)
    assert "decision:" in text and "circular" in text and "consistency" in text
    assert set(report.scores) == {"circular", "consistency"}
    assert all(report.lower_bounds[s][report.chosen] >= 0 for s in report.scores)


@pytest.mark.parametrize("shift", ["none", "target"])
def test_auto_stays_put_without_shift_and_under_target_shift(shift):
    centres = [[0, 0], [2.5, 0]]
    Xs, ys = _blobs(150, centres, 2, proportions=[0.5, 0.5])
    proportions = [0.5, 0.5] if shift == "none" else [0.15, 0.85]
    Xt, yt = _blobs(120, centres, 3, proportions=proportions)
    none = SVC().fit(Xs, ys).score(Xt, yt)
    model = DomainAdaptation("auto", SVC(), candidates=_candidates(), random_state=0)
    model.fit(Xs, ys, target=Xt)
    assert model.selection_.decision == "passthrough"
    assert model.score(Xt, yt) == none
