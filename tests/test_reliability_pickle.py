"""Reliability (issue 8): fitted models survive pickle and joblib round trips
(LUT cache included) and a pickle of another format fails on load, clearly."""

import io
import pickle

import joblib
import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from test_reliability_input import IMAGE, NAMES, REFERENCE, TRANSPORTS, X, Y

from skcolorot import GMMTransport, Regrainer, SinkhornTransport
from skcolorot.da._domain import DomainAdaptation

PICKLED = {
    **{name: (make, IMAGE, REFERENCE) for name, make in TRANSPORTS.items()},
    "gmm-rand": (lambda: GMMTransport(2, map="rand", n_samples=300, random_state=0), X, Y),
    "sinkhorn-lab": (
        lambda: SinkhornTransport(reg=1e-2, n_samples=100, color_space="lab", random_state=0),
        IMAGE,
        REFERENCE,
    ),
}


def _joblib_round_trip(obj):
    buffer = io.BytesIO()
    joblib.dump(obj, buffer)
    buffer.seek(0)
    return joblib.load(buffer)


@pytest.mark.parametrize("name", sorted(PICKLED))
@pytest.mark.parametrize(
    "round_trip",
    [lambda m: pickle.loads(pickle.dumps(m)), _joblib_round_trip],
    ids=["pickle", "joblib"],
)
def test_fitted_transports_survive_pickling(name, round_trip):
    make, source, target = PICKLED[name]
    model = make().fit(source, target)
    forward = model.transform(source)  # fills the LUT cache for images
    restored = round_trip(model)
    assert type(restored) is type(model) and restored.get_params() == model.get_params()
    np.testing.assert_array_equal(restored.transform(source), forward)
    np.testing.assert_array_equal(
        restored.inverse_transform(target), model.inverse_transform(target)
    )
    np.testing.assert_array_equal(
        restored.set_params(t=0.5).transform(source), model.set_params(t=0.5).transform(source)
    )


def test_pipeline_with_regrainer_and_domain_adaptation_survive_joblib(two_moons):
    pipe = make_pipeline(TRANSPORTS["sliced"](), Regrainer(radius=2)).fit(IMAGE, REFERENCE)
    np.testing.assert_array_equal(_joblib_round_trip(pipe).transform(IMAGE), pipe.transform(IMAGE))
    Xs, ys = two_moons
    model = DomainAdaptation(TRANSPORTS["gmm"](), LogisticRegression()).fit(Xs, ys, target=Xs + 2)
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(restored.predict_proba(Xs + 2), model.predict_proba(Xs + 2))
    np.testing.assert_array_equal(restored.transport_.transform(Xs), model.transport_.transform(Xs))


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("found", [0, 1, 3, None])
def test_tampered_pickle_format_is_a_clear_error(fitted_transports, name, found):
    model = fitted_transports[name]["samples"]
    state = model.__getstate__()
    if found is None:  # pickled before the format was recorded
        del state["_skcolorot_pickle_format"]
    else:
        state["_skcolorot_pickle_format"] = found
    blank = type(model).__new__(type(model))
    with pytest.raises(ValueError, match=f"pickle format {found}, this version reads format 2"):
        blank.__setstate__(state)
    assert not hasattr(blank, "n_features_in_")


@pytest.mark.parametrize("name", NAMES)
def test_pickle_from_another_version_fails_on_load(fitted_transports, name, monkeypatch):
    model = fitted_transports[name]["samples"]
    data, on_disk = pickle.dumps(model), io.BytesIO()
    joblib.dump(model, on_disk)
    monkeypatch.setattr(type(model), "_pickle_format", 3)  # "a later skcolorot"
    with pytest.raises(ValueError, match="format 2, this version reads format 3; refit it"):
        pickle.loads(data)
    on_disk.seek(0)
    with pytest.raises(ValueError, match=f"This {type(model).__name__} was pickled"):
        joblib.load(on_disk)
