"""Domain adaptation: cost scale, preprocessing, skada's convention, label-free
selection ("auto" and the scorers) and the label-aware transport."""

import importlib.util
import os
import subprocess
import sys
import textwrap

import numpy as np
import sklearn.exceptions
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.utils._param_validation import InvalidParameterError

from skcolorot import (
    AffineTransport,
    CircularValidationScorer,
    CombinedScorer,
    DeepEmbeddedValidationScorer,
    DomainAdaptation,
    ImportanceWeightedScorer,
    LabelAwareTransport,
    NeighbourConsistencyScorer,
    PredictionEntropyScorer,
    SinkhornTransport,
    TargetSample,
    TransportAdapter,
)
from skcolorot.da._selection import chance_corrected_consistency, default_candidates, describe


def blobs(n, proportions, centres, seed, scale=0.4):
    rng = np.random.default_rng(seed)
    y = rng.choice(len(proportions), size=n, p=proportions)
    return np.asarray(centres, dtype=float)[y] + scale * rng.normal(size=(n, 2)), y


@pytest.fixture(scope="module")
def rotated():
    """Three blobs; the target rotated by 40 degrees and offset."""
    centres = [[0, 0], [3, 0], [0, 3]]
    Xs, ys = blobs(240, [1 / 3] * 3, centres, 0)
    Xt, yt = blobs(200, [1 / 3] * 3, centres, 1)
    theta = np.deg2rad(40)
    rotation = np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
    return Xs, ys, (Xt - 1) @ rotation.T + [2.0, 1.0], yt


@pytest.fixture(scope="module")
def label_shift():
    """Two classes, 80 / 20 in the source, 20 / 80 in the target, small offset."""
    centres = [[0, 0], [2.5, 0]]
    Xs, ys = blobs(300, [0.8, 0.2], centres, 2)
    Xt, yt = blobs(300, [0.2, 0.8], centres, 3)
    return Xs, ys, Xt + [0.2, 0.1], yt


# ------------------------------------------------------------ cost scale
def test_reg_is_relative_to_the_cost_scale(rotated):
    Xs, ys, Xt, yt = rotated
    model = DomainAdaptation(SinkhornTransport(reg=0.1, random_state=0), SVC())
    small = model.fit(Xs, ys, target=Xt).predict(Xt)
    assert model.score(Xt, yt) > 0.9
    large = model.fit(1000 * Xs, ys, target=1000 * Xt).predict(1000 * Xt)
    np.testing.assert_array_equal(small, large)
    assert model.scale_ > 1000


def test_preprocessor_is_fitted_on_both_domains_and_a_lone_scaler_warns(rotated):
    Xs, ys, Xt, yt = rotated
    model = DomainAdaptation(
        AffineTransport(), LogisticRegression(), preprocessor=StandardScaler()
    ).fit(Xs, ys, target=Xt)
    np.testing.assert_allclose(model.preprocessor_.mean_, np.vstack([Xs, Xt]).mean(axis=0))
    assert model.score(Xt, yt) > 0.9
    pipe = make_pipeline(
        StandardScaler(), DomainAdaptation(AffineTransport(), LogisticRegression())
    )
    with pytest.warns(UserWarning, match="preprocessor=StandardScaler"):
        pipe.fit(Xs, ys, domainadaptation__target=Xt)


# ------------------------------------------------------ skada convention
def test_sample_domain_convention_equals_target_keyword(rotated):
    Xs, ys, Xt, yt = rotated
    X = np.vstack([Xs, Xt])
    y = np.r_[ys, -np.ones(len(Xt), int)]
    domain = np.r_[np.ones(len(Xs), int), -np.ones(len(Xt), int)]
    def make():
        return DomainAdaptation(AffineTransport(), LogisticRegression(), random_state=0)

    by_domain = make().fit(X, y, sample_domain=domain)
    by_target = make().fit(Xs, ys, target=Xt)
    np.testing.assert_allclose(by_domain.decision_function(Xt), by_target.decision_function(Xt))
    # Source rows are moved first when allowed (skada's scorers ask for it).
    mixed = by_domain.predict(X, sample_domain=domain, allow_source=True)
    moved = by_target.transport_source(Xs)
    np.testing.assert_array_equal(mixed[: len(Xs)], by_target.predict(moved))
    with pytest.raises(ValueError, match="allow_source"):
        by_domain.predict(X, sample_domain=domain)
    with pytest.raises(ValueError, match="not both"):
        make().fit(X, y, target=Xt, sample_domain=domain)


def test_skada_pipelines_scorers_and_splitters_in_a_subprocess():
    # Importing skada turns metadata routing on for the whole process: it is
    # imported in a subprocess only (importorskip would import it here).
    if importlib.util.find_spec("skada") is None:
        pytest.skip("skada is not installed")
    script = textwrap.dedent(
        """
        import warnings; warnings.simplefilter("ignore")
        import numpy as np
        from skada import make_da_pipeline
        from skada.datasets import make_shifted_datasets
        from skada.metrics import CircularValidation, ImportanceWeightedScorer
        from skada.model_selection import SourceTargetShuffleSplit
        from sklearn.model_selection import GridSearchCV
        from sklearn.svm import SVC
        from skcolorot import DomainAdaptation, LabelAwareTransport, SinkhornTransport
        from skcolorot import TransportAdapter
        X, y, sd = make_shifted_datasets(20, 20, shift="conditional_shift", noise=0.3,
                                         random_state=0)
        Xt, yt = X[sd < 0], y[sd < 0]
        y[sd < 0] = -1
        pipe = make_da_pipeline(TransportAdapter(LabelAwareTransport(random_state=0)), SVC())
        assert pipe.fit(X, y, sample_domain=sd).score(Xt, yt) > 0.9
        # A bare transport would move the target rows at predict: refused, by name.
        try:
            make_da_pipeline(SinkhornTransport(), SVC()).fit(X, y, sample_domain=sd)
        except ValueError as error:
            assert "TransportAdapter(transport)" in str(error), error
        else:
            raise AssertionError("a bare transport fitted in make_da_pipeline")
        search = GridSearchCV(
            DomainAdaptation(SinkhornTransport(random_state=0), SVC()),
            {"transport__reg": [0.1, 1.0]},
            cv=SourceTargetShuffleSplit(n_splits=2, random_state=0),
            scoring={"circular": CircularValidation(), "iw": ImportanceWeightedScorer()},
            refit="circular",
        ).fit(X, y, sample_domain=sd)
        assert np.all(np.isfinite(search.cv_results_["mean_test_iw"]))
        assert search.best_estimator_.score(Xt, yt) > 0.9
        print("ok")
        """
    )
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().endswith("ok")


# --------------------------------------------------------------- scorers
def test_scorers_prefer_the_right_transport_and_run_in_grid_search(rotated):
    Xs, ys, Xt, yt = rotated
    good = DomainAdaptation(AffineTransport(), LogisticRegression()).fit(Xs, ys, target=Xt)
    none = DomainAdaptation("passthrough", LogisticRegression()).fit(Xs, ys, target=Xt)
    assert good.score(Xt, yt) > 0.9 > 0.8 > none.score(Xt, yt)
    circular = CircularValidationScorer()
    assert circular(good, Xs, ys) > 0.95
    assert CombinedScorer()(good, Xs, ys) > 0.95
    assert NeighbourConsistencyScorer()(good, Xs, ys) > 0.95
    for scorer in (
        ImportanceWeightedScorer(),
        PredictionEntropyScorer(),
        DeepEmbeddedValidationScorer(),
    ):
        assert np.isfinite(scorer(good, Xs, ys)) and np.isfinite(scorer(none, Xs, ys))
    search = GridSearchCV(
        DomainAdaptation(SinkhornTransport(random_state=0), SVC()),
        {"transport__reg": [0.1, 100.0]},
        scoring=circular,
        cv=KFold(2, shuffle=True, random_state=0),
    ).fit(Xs, ys, target=TargetSample(Xt))
    assert search.best_params_ == {"transport__reg": 0.1}


def test_circular_validation_does_not_charge_no_adaptation_for_covariate_shift():
    # Same p(y | x) in both domains; the target covers only the right half of
    # the source. No adaptation is right, and its backward model (trained on
    # the target) never sees the left half: weighted, the score ignores it.
    rng = np.random.default_rng(0)
    Xs = rng.uniform(-3, 3, size=(600, 2))
    ys = (Xs[:, 1] > np.sin(2 * Xs[:, 0])).astype(int)
    Xt = Xs[Xs[:, 0] > 1.0] + 0.05 * rng.normal(size=(np.sum(Xs[:, 0] > 1.0), 2))
    none = DomainAdaptation("passthrough", SVC()).fit(Xs, ys, target=Xt)
    weighted = CircularValidationScorer()(none, Xs, ys)
    plain = CircularValidationScorer(importance_weighted=False)(none, Xs, ys)
    assert weighted > plain + 0.08
    # After a transport the backward model covers the source: weights ~ 1.
    moved = DomainAdaptation(AffineTransport(), SVC()).fit(Xs, ys, target=Xt)
    moved_score = CircularValidationScorer()(moved, Xs, ys)
    assert moved_score == pytest.approx(
        CircularValidationScorer(importance_weighted=False)(moved, Xs, ys), abs=0.02
    )
    assert weighted > moved_score > plain


def test_auto_adapts_when_it_helps_and_not_under_label_shift(rotated, label_shift):
    Xs, ys, Xt, yt = rotated
    far = 1.5 * Xt + [6.0, 4.0]  # rotated, rescaled and far away
    none = LogisticRegression().fit(Xs, ys).score(far, yt)
    auto = DomainAdaptation("auto", LogisticRegression(), random_state=0).fit(Xs, ys, target=far)
    assert auto.selected_transport_ != "passthrough"
    assert auto.score(far, yt) > 0.9 > none + 0.2
    assert len(auto.selection_scores_) == 6
    # A milder rotation: never much worse than no adaptation.
    auto.fit(Xs, ys, target=Xt)
    assert auto.score(Xt, yt) >= LogisticRegression().fit(Xs, ys).score(Xt, yt) - 0.03
    Xs, ys, Xt, yt = label_shift
    none = LogisticRegression().fit(Xs, ys).score(Xt, yt)
    auto = DomainAdaptation("auto", LogisticRegression(), random_state=0)
    auto.fit(Xs, ys, target=TargetSample(Xt))
    assert auto.score(Xt, yt) >= none - 0.03
    guarded = DomainAdaptation(
        "auto", LogisticRegression(), selection="circular", random_state=0
    ).fit(Xs, ys, target=TargetSample(Xt))
    assert guarded.label_shift_ > 0.3
    assert guarded.score(Xt, yt) >= none - 0.03
    with pytest.raises(InvalidParameterError, match="selection"):
        DomainAdaptation("auto", LogisticRegression(), selection="oracle").fit(Xs, ys, target=Xt)


def test_consistency_is_kappa_so_forcing_balanced_labels_does_not_pay():
    # Label shift: no adaptation predicts the target's 20 / 80 proportions
    # with 95% neighbour agreement; a balanced transport forces 50 / 50 and
    # breaks clusters (90%). Raw agreement minus chance preferred the latter.
    shifted, balanced = np.repeat([0, 1], [20, 80]), np.repeat([0, 1], [50, 50])
    kappa_shifted = chance_corrected_consistency(np.full(100, 0.95), shifted)
    kappa_balanced = chance_corrected_consistency(np.full(100, 0.9), balanced)
    assert kappa_shifted.mean() > kappa_balanced.mean()
    assert 0.95 - 0.68 < 0.9 - 0.5  # what "minus chance" alone said
    np.testing.assert_allclose(kappa_balanced, 0.8)
    # One predicted class: no agreement beyond chance.
    np.testing.assert_array_equal(chance_corrected_consistency(np.ones(5), np.zeros(5)), 0)


def test_default_candidates_and_their_report(rotated):
    names = [describe(c) for c in default_candidates()]
    assert names[0] == "passthrough" and "AffineTransport()" in names
    assert [n for n in names if n.startswith("SinkhornTransport")] == [
        f"SinkhornTransport(reg={reg})" for reg in (0.01, 0.03, 0.1)
    ]
    assert DomainAdaptation("auto", LogisticRegression()).confidence == 0.9
    Xs, ys, Xt, _ = rotated
    model = DomainAdaptation(
        "auto", LogisticRegression(), candidates=["passthrough", AffineTransport()],
        random_state=0,
    ).fit(Xs, ys, target=Xt)
    report = model.selection_
    assert report.confidence == 0.9 and "90% bootstrap confidence" in report.reason
    # The report's consistency column is the kappa of the chosen model.
    scores = NeighbourConsistencyScorer().sample_scores(model, Xs, ys)
    kappa = chance_corrected_consistency(scores, model.predict(Xt))
    assert report.scores["consistency"][report.chosen] == pytest.approx(kappa.mean())


# ------------------------------------------------- label-aware transport
def test_label_aware_transport_options(label_shift):
    Xs, ys, Xt, yt = label_shift
    estimated = LabelAwareTransport(class_weights="estimate", random_state=0).fit(
        Xs, ys, target=Xt
    )
    np.testing.assert_allclose(estimated.target_proportions_, np.bincount(yt) / len(yt), atol=0.1)
    # Each source class sends its mass to one target class (class regulariser).
    plan = estimated.coupling_
    sent_to_1 = plan[estimated.source_labels_ == 0][:, yt == 1].sum() / plan[
        estimated.source_labels_ == 0
    ].sum()
    assert sent_to_1 < 0.1
    # Semi-supervised: known target labels forbid mass between different labels.
    known = np.where(np.arange(len(yt)) % 3 == 0, yt, -1)
    semi = LabelAwareTransport(random_state=0).fit(Xs, ys, target=Xt, target_labels=known)
    mismatch = (semi.source_labels_[:, None] != known[None, :]) & (known[None, :] >= 0)
    assert semi.coupling_[mismatch].sum() < 1e-6
    unbalanced = LabelAwareTransport(reg_marginal=1.0, random_state=0).fit(Xs, ys, target=Xt)
    assert unbalanced.coupling_.sum() < 1.0
    still = LabelAwareTransport(t=0.0).fit(Xs, ys, target=Xt)
    np.testing.assert_array_equal(still.transform(Xs), Xs)
    with pytest.raises(ValueError, match="l1l2"):
        LabelAwareTransport(norm="l1l2", reg_marginal=1.0).fit(Xs, ys, target=Xt)
    with pytest.raises(ValueError, match="source labels"):
        LabelAwareTransport().fit(Xs, target=Xt)
    # Inside DomainAdaptation it receives the labels; target_labels pass through.
    model = DomainAdaptation(
        LabelAwareTransport(class_weights="estimate", random_state=0), LogisticRegression()
    )
    model.fit(Xs, ys, target=TargetSample(Xt), target_labels=known)
    assert model.score(Xt, yt) > 0.85
    with pytest.raises(TypeError, match="target_labels"):
        DomainAdaptation(AffineTransport(), LogisticRegression()).fit(
            Xs, ys, target=TargetSample(Xt), target_labels=known
        )


# -------------------------------------------------------------- bad input
def test_new_names_refuse_bad_input(label_shift):
    Xs, ys, Xt, _ = label_shift
    with pytest.raises(ValueError, match="NaN"):
        LabelAwareTransport().fit(Xs, ys, target=np.full((5, 2), np.nan))
    with pytest.raises(ValueError, match="target has 3 features"):
        LabelAwareTransport().fit(Xs, ys, target=np.ones((5, 3)))
    with pytest.raises(ValueError, match="target_labels must have shape"):
        LabelAwareTransport().fit(Xs, ys, target=Xt, target_labels=ys[:3])
    with pytest.raises(ValueError, match="class_weights"):
        LabelAwareTransport(class_weights=[1.0]).fit(Xs, ys, target=Xt)
    with pytest.raises(InvalidParameterError, match="reg"):
        LabelAwareTransport(reg=-1.0).fit(Xs, ys, target=Xt)
    # No sample_domain, no -1 label: nothing to adapt to, said (issue 27:
    # check_estimator fits without sample_domain).
    with pytest.warns(UserWarning, match="no target rows"):
        TransportAdapter(AffineTransport()).fit(Xs, ys)
    with pytest.raises(ValueError, match="sample_domain must mark"):
        TransportAdapter(AffineTransport()).fit(Xs, ys, sample_domain=np.ones(len(Xs), int))
    with pytest.raises(ValueError, match="sample_domain must mark"):
        DomainAdaptation(AffineTransport(), LogisticRegression()).fit(
            Xs, ys, sample_domain=np.ones(len(Xs), int)
        )
    unfitted = DomainAdaptation(AffineTransport(), LogisticRegression())
    for scorer in (CircularValidationScorer(), CombinedScorer(), ImportanceWeightedScorer()):
        with pytest.raises(sklearn.exceptions.NotFittedError):
            scorer(unfitted, Xs, ys)
