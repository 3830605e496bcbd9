"""DomainAdaptation: transport the source, train there, predict target samples as is."""

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
import sklearn
from sklearn.base import clone, is_classifier, is_regressor
from sklearn.datasets import make_moons
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.svm import SVC
from sklearn.utils._param_validation import InvalidParameterError

from skcolorot import AffineTransport, SinkhornTransport, sliced_wasserstein
from skcolorot.da._domain import DomainAdaptation
from skcolorot.da._scoring import transported_source_scorer
from skcolorot.da._target import TargetSample


def rotated_moons(n_source, n_target, angle, noise=0.1, seed=0):
    """Two moons; the target domain is rotated by ``angle`` degrees."""
    Xs, ys = make_moons(n_source, noise=noise, random_state=seed)
    Xt, yt = make_moons(n_target, noise=noise, random_state=seed + 1)
    centre, theta = np.array([0.5, 0.25]), np.deg2rad(angle)
    rotation = np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
    return Xs, ys, (Xt - centre) @ rotation.T + centre, yt


@pytest.fixture(scope="module")
def moons():
    return rotated_moons(200, 150, angle=50)


def _sinkhorn(reg=1.0):
    return SinkhornTransport(reg=reg, random_state=0)


class RecordingTransport(AffineTransport):
    """An AffineTransport that records the size of every target it is fitted on."""

    fitted_target_sizes = []

    def fit(self, X, y=None, *, target=None, sample_weight=None):
        RecordingTransport.fitted_target_sizes.append(len(target))
        return super().fit(X, y, target=target, sample_weight=sample_weight)


# ------------------------------------------------------------- semantics
def test_source_is_transported_target_is_predicted_as_is(moons):
    Xs, ys, Xt, yt = moons
    # cost_scale=None: the transport works in the caller's units.
    model = DomainAdaptation(_sinkhorn(), SVC(gamma=2), cost_scale=None).fit(Xs, ys, target=Xt)
    transport = _sinkhorn().fit(Xs, target=Xt)
    moved = transport.transform(Xs)
    np.testing.assert_allclose(model.transport_.transform(Xs), moved)
    reference = SVC(gamma=2).fit(moved, ys)
    np.testing.assert_allclose(model.decision_function(Xt), reference.decision_function(Xt))
    np.testing.assert_array_equal(model.predict(Xt), reference.predict(Xt))
    assert model.score(Xt, yt) == reference.score(Xt, yt)
    np.testing.assert_array_equal(model.classes_, [0, 1])
    assert model.n_features_in_ == 2
    # The inputs are left alone.
    np.testing.assert_array_equal(Xt, rotated_moons(200, 150, angle=50)[2])


def test_adaptation_helps_on_rotated_moons(moons):
    Xs, ys, Xt, yt = moons
    no_adaptation = SVC(gamma=2).fit(Xs, ys).score(Xt, yt)
    adapted = DomainAdaptation(_sinkhorn(), SVC(gamma=2)).fit(Xs, ys, target=Xt).score(Xt, yt)
    assert no_adaptation <= 0.8
    assert adapted > 0.95


def test_a_plain_pipeline_wrongly_moves_the_target_samples_again():
    Xs, ys = make_moons(200, noise=0.1, random_state=0)
    X_target, yt = make_moons(150, noise=0.1, random_state=1)
    Xt = X_target + [2.0, 1.0]
    adapted = DomainAdaptation(AffineTransport(), SVC(gamma=2)).fit(Xs, ys, target=Xt)
    pipe = make_pipeline(AffineTransport(), SVC(gamma=2)).fit(Xs, ys, affinetransport__target=Xt)
    assert adapted.score(Xt, yt) > 0.95
    # The Pipeline shifts the already-shifted target samples once more.
    assert pipe.score(Xt, yt) < 0.7


def test_features_of_higher_dimension():
    rng = np.random.default_rng(0)
    ys = rng.integers(0, 3, 300)
    centres = rng.normal(size=(3, 10)) * 3
    Xs = centres[ys] + rng.normal(size=(300, 10))
    yt = rng.integers(0, 3, 200)
    # The target domain: an affine distortion of the source classes.
    distortion = np.eye(10) + 0.3 * rng.normal(size=(10, 10))
    Xt = (centres[yt] + rng.normal(size=(200, 10))) @ distortion + 2.0
    baseline = LogisticRegression().fit(Xs, ys).score(Xt, yt)
    model = DomainAdaptation(AffineTransport(), LogisticRegression()).fit(Xs, ys, target=Xt)
    assert model.n_features_in_ == 10
    assert model.score(Xt, yt) > 0.9 > baseline


def test_regressor_and_tags():
    rng = np.random.default_rng(0)
    Xs = rng.normal(size=(100, 3))
    ys = Xs @ [1.0, -2.0, 0.5]
    Xt = 2.0 * rng.normal(size=(80, 3)) + 1.0
    regression = DomainAdaptation(AffineTransport(), Ridge()).fit(Xs, ys, target=Xt)
    assert is_regressor(regression) and not is_classifier(regression)
    assert regression.predict(Xt).shape == (80,)
    classification = DomainAdaptation(AffineTransport(), LogisticRegression())
    assert is_classifier(classification) and not is_regressor(classification)
    tags = sklearn.utils.get_tags(classification)
    assert tags.target_tags.required and not tags.input_tags.allow_nan
    assert not tags.input_tags.sparse


def test_methods_follow_the_estimator(moons):
    Xs, ys, Xt, _ = moons
    svc = DomainAdaptation(_sinkhorn(), SVC())
    assert not hasattr(svc, "predict_proba")
    assert hasattr(svc, "decision_function")
    logistic = DomainAdaptation(_sinkhorn(), LogisticRegression()).fit(Xs, ys, target=Xt)
    proba = logistic.predict_proba(Xt)
    np.testing.assert_allclose(proba, logistic.estimator_.predict_proba(Xt))
    np.testing.assert_allclose(logistic.predict_log_proba(Xt), np.log(proba))


# ------------------------------------------------------ errors, params
def test_fit_needs_labels_and_target(moons):
    Xs, ys, Xt, _ = moons
    model = DomainAdaptation(_sinkhorn(), SVC())
    with pytest.raises(ValueError, match="target=X_target"):
        model.fit(Xs, ys)
    with pytest.raises(ValueError, match="requires y"):
        model.fit(Xs, None, target=Xt)
    with pytest.raises(ValueError, match="channels"):
        model.fit(Xs, ys, target=Xt[:, :1])
    with pytest.raises(InvalidParameterError, match="transport"):
        DomainAdaptation("sinkhorn", SVC()).fit(Xs, ys, target=Xt)
    with pytest.raises(InvalidParameterError, match="reg"):
        DomainAdaptation(SinkhornTransport(reg=-1.0), SVC()).fit(Xs, ys, target=Xt)
    with pytest.raises(sklearn.exceptions.NotFittedError):
        model.predict(Xt)


def test_nested_params_clone_and_pickle(moons):
    Xs, ys, Xt, yt = moons
    model = DomainAdaptation(_sinkhorn(), SVC(gamma=2))
    params = model.get_params()
    assert params["transport__reg"] == 1.0 and params["estimator__gamma"] == 2
    model.set_params(transport__reg=0.3, estimator__C=3.0)
    copy = clone(model)
    assert copy.transport is not model.transport
    assert copy.get_params()["transport__reg"] == 0.3
    assert copy.get_params()["estimator__C"] == 3.0
    fitted = copy.fit(Xs, ys, target=Xt)
    assert fitted.transport_.epsilon_ == 0.3
    # fit clones its children: the given estimators stay unfitted.
    assert not hasattr(model.transport, "n_features_in_")
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(restored.predict(Xt), fitted.predict(Xt))


def test_feature_names_are_kept_and_checked(moons):
    Xs, ys, Xt, _ = moons
    columns = ["a", "b"]
    source, target = pd.DataFrame(Xs, columns=columns), pd.DataFrame(Xt, columns=columns)
    model = DomainAdaptation(_sinkhorn(), LogisticRegression()).fit(source, ys, target=target)
    np.testing.assert_array_equal(model.feature_names_in_, columns)
    np.testing.assert_array_equal(model.estimator_.feature_names_in_, columns)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no feature-name warning
        model.predict(target)
    with pytest.raises(ValueError, match="feature names"):
        model.predict(target.rename(columns={"a": "c"}))
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        np.testing.assert_array_equal(model.predict(target), model.predict(Xt))


# ------------------------------------------------------ model selection
def test_default_score_is_the_estimators_score_on_raw_samples(moons):
    Xs, ys, Xt, yt = moons
    model = DomainAdaptation(_sinkhorn(), SVC(gamma=2)).fit(Xs, ys, target=Xt)
    assert model.score(Xs, ys) == model.estimator_.score(Xs, ys)
    moved = model.transport_source(Xs)
    assert transported_source_scorer(model, Xs, ys) == model.estimator_.score(moved, ys)
    assert transported_source_scorer(model, Xs, ys) != model.score(Xs, ys)


@pytest.mark.parametrize("routing", [False, True])
def test_grid_search_over_transport_reg(moons, routing):
    Xs, ys, Xt, yt = moons
    grid = {"transport__reg": [0.03, 1.0, 30.0]}
    with sklearn.config_context(enable_metadata_routing=routing):
        search = GridSearchCV(
            DomainAdaptation(_sinkhorn(), SVC(gamma=2)),
            grid,
            scoring=transported_source_scorer,
            cv=KFold(3, shuffle=True, random_state=0),
        ).fit(Xs, ys, target=Xt)
        # The default scoring runs as well (see the class Notes for its meaning).
        default = GridSearchCV(DomainAdaptation(_sinkhorn(), SVC(gamma=2)), grid, cv=3).fit(
            Xs, ys, target=Xt
        )
    scores = search.cv_results_["mean_test_score"]
    # A huge epsilon sends every source point near the target mean: classes mix.
    assert scores[2] == scores.min()
    assert search.best_params_ == {"transport__reg": 1.0}
    assert search.best_estimator_.transport_.epsilon_ == 1.0
    assert search.best_estimator_.score(Xt, yt) > 0.95
    assert np.all(np.isfinite(default.cv_results_["mean_test_score"]))


def test_cross_validation_keeps_the_target_whole_when_wrapped(moons):
    Xs, ys, Xt, _ = moons
    Xt_same_size = np.vstack([Xt, Xt[:50]])
    assert len(Xt_same_size) == len(Xs)
    model = DomainAdaptation(RecordingTransport(), LogisticRegression())
    for routing in (False, True):
        with sklearn.config_context(enable_metadata_routing=routing):
            RecordingTransport.fitted_target_sizes = []
            cross_val_score(model, Xs, ys, cv=4, params={"target": Xt})
            # Another size: passed whole.
            assert RecordingTransport.fitted_target_sizes == [150] * 4
            RecordingTransport.fitted_target_sizes = []
            with pytest.warns(UserWarning, match=r"TargetSample\(X_target\)"):
                cross_val_score(model, Xs, ys, cv=4, params={"target": Xt_same_size})
            # Same size as X: scikit-learn cuts it with X's folds (and fit warns)...
            assert RecordingTransport.fitted_target_sizes == [150] * 4
            RecordingTransport.fitted_target_sizes = []
            with warnings.catch_warnings():
                warnings.simplefilter("error", UserWarning)
                cross_val_score(
                    model, Xs, ys, cv=4, params={"target": TargetSample(Xt_same_size)}
                )
            # ... unless wrapped.
            assert RecordingTransport.fitted_target_sizes == [200] * 4
    # A plain fit with a same-size target warns too: a later split would cut it.
    with pytest.warns(UserWarning, match="as many rows as X"):
        model.fit(Xs, ys, target=Xt_same_size)


def test_grid_search_over_n_slices(moons):
    sliced = pytest.importorskip("skcolorot.transport._sliced")
    Xs, ys, Xt, _ = moons
    search = GridSearchCV(
        DomainAdaptation(sliced.SlicedTransport(n_iter=5, random_state=0), SVC(gamma=2)),
        {"transport__n_slices": [1, 8]},
        scoring=transported_source_scorer,
        cv=3,
    ).fit(Xs, ys, target=TargetSample(Xt))
    assert list(search.cv_results_["param_transport__n_slices"]) == [1, 8]
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    best = search.best_estimator_
    assert best.transport_.n_slices == search.best_params_["transport__n_slices"]
    # The refitted transport moved the whole source towards the whole target.
    moved = best.transport_.transform(Xs)
    assert sliced_wasserstein(moved, Xt) < 0.8 * sliced_wasserstein(Xs, Xt)


# ------------------------------------------------------ metadata routing
def test_pipeline_and_weights_with_routing_off(moons):
    Xs, ys, Xt, _ = moons
    assert not sklearn.get_config()["enable_metadata_routing"]
    pipe = make_pipeline(DomainAdaptation(AffineTransport(), LogisticRegression(), cost_scale=None))
    pipe.fit(Xs, ys, domainadaptation__target=Xt)
    np.testing.assert_allclose(pipe[-1].transport_.target_mean_, Xt.mean(axis=0))
    weights = np.linspace(0.1, 2.0, len(Xs))
    model = DomainAdaptation(AffineTransport(), LogisticRegression(), cost_scale=None)
    model.fit(Xs, ys, target=Xt, sample_weight=weights)
    # Both children get the weights.
    np.testing.assert_allclose(
        model.transport_.source_mean_, np.average(Xs, axis=0, weights=weights)
    )
    reference = LogisticRegression().fit(model.transport_.transform(Xs), ys, sample_weight=weights)
    np.testing.assert_allclose(model.estimator_.coef_, reference.coef_)


def test_routing_on(moons):
    Xs, ys, Xt, _ = moons
    weights = np.linspace(0.1, 2.0, len(Xs))
    with sklearn.config_context(enable_metadata_routing=True):
        routing = DomainAdaptation(AffineTransport(), LogisticRegression(), cost_scale=None).get_metadata_routing()
        assert routing.consumes("fit", ["target", "sample_weight"]) == {"target"}
        # target is requested by default: no set_fit_request needed.
        pipe = make_pipeline(DomainAdaptation(AffineTransport(), LogisticRegression(), cost_scale=None))
        pipe.fit(Xs, ys, target=Xt)
        np.testing.assert_allclose(pipe[-1].transport_.target_mean_, Xt.mean(axis=0))
        # Weights go where they are requested, and only there.
        model = DomainAdaptation(
            AffineTransport().set_fit_request(sample_weight=True),
            LogisticRegression().set_fit_request(sample_weight=False),
            cost_scale=None,
        ).fit(Xs, ys, target=Xt, sample_weight=weights)
        np.testing.assert_allclose(
            model.transport_.source_mean_, np.average(Xs, axis=0, weights=weights)
        )
        unweighted = LogisticRegression().fit(model.transport_.transform(Xs), ys)
        np.testing.assert_allclose(model.estimator_.coef_, unweighted.coef_)
        with pytest.raises(ValueError, match="sample_weight"):
            DomainAdaptation(AffineTransport(), LogisticRegression(), cost_scale=None).fit(
                Xs, ys, target=Xt, sample_weight=weights
            )


def test_moved_names_still_import_and_unpickle_from_domain():
    """TargetSample and transported_source_scorer were defined in ``_domain``:
    imports from there, and pickles that name it, still work."""
    import skcolorot
    from skcolorot.da import _domain

    assert _domain.TargetSample is TargetSample is skcolorot.TargetSample
    assert _domain.transported_source_scorer is transported_source_scorer
    assert skcolorot.transported_source_scorer is transported_source_scorer
    # Protocol-0 pickles of the two names as they were (GLOBAL module name).
    assert pickle.loads(b"cskcolorot.da._domain\ntransported_source_scorer\n.") is (
        transported_source_scorer
    )
    assert pickle.loads(b"cskcolorot.da._domain\nTargetSample\n.") is TargetSample
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        _domain.nothing  # noqa: B018
