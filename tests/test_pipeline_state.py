"""The Pipeline form of a grade (transport, then Regrainer) in every ordinary
scikit-learn use: memory caching, clone, pickling, GridSearchCV with workers; and
graded outputs that do not keep their inputs alive."""

import gc
import pickle
import weakref

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline

from skcolorot import AffineTransport, Regrainer, SlicedTransport, regrain
from skcolorot._utils._input import TransportedArray
from skcolorot.metrics import sliced_wasserstein


@pytest.fixture(scope="module")
def images():
    rng = np.random.default_rng(3)
    # Smooth gradients plus grain: something for the Regrainer to keep.
    yy, xx = np.mgrid[0:40, 0:48] / 48.0
    base = np.stack([xx, yy, 0.5 * (xx + yy)], axis=-1)
    source = np.clip(base + rng.normal(0, 0.03, base.shape), 0, 1)
    target = np.clip(0.2 + 0.6 * base[::-1, :, [2, 0, 1]], 0, 1)
    to_uint8 = lambda a: np.round(a * 255).astype(np.uint8)  # noqa: E731
    return to_uint8(source), to_uint8(target)


def test_cached_pipeline_refits_with_its_guide(images, tmp_path):
    # Regression: the second fit_transform read the transport's output from
    # joblib's cache without its guide and failed ("Regrainer needs the source").
    source, target = images
    fresh = make_pipeline(SlicedTransport(), Regrainer()).fit_transform(source, target)
    for _ in range(2):
        cached = make_pipeline(SlicedTransport(), Regrainer(), memory=str(tmp_path))
        np.testing.assert_array_equal(cached.fit_transform(source, target), fresh)
    assert any(tmp_path.rglob("*.pkl"))  # the transport step really was cached


def test_pickled_output_carries_its_guide(images):
    source, target = images
    mapped = AffineTransport().fit(source, target).transform(source)
    restored = pickle.loads(pickle.dumps(mapped))
    assert isinstance(restored, TransportedArray)
    np.testing.assert_array_equal(restored.source, source)
    np.testing.assert_array_equal(Regrainer().transform(restored), regrain(source, mapped))


def test_outputs_do_not_keep_inputs_alive(images):
    # Regression: ten graded frames kept ten originals in memory (#19).
    source, target = images
    transport = AffineTransport().fit(source, target)
    frame = source.copy()
    alive = weakref.ref(frame)
    graded = transport.transform(frame)
    assert graded.source is frame
    del frame
    gc.collect()
    assert alive() is None and graded.source is None
    with pytest.raises(ValueError, match="no longer exists"):
        Regrainer().transform(graded)


def test_clone_and_grid_search_with_workers(images):
    source, target = images
    frames = np.stack([source, source[::-1], source[:, ::-1], source[::-1, ::-1]])
    pipe = make_pipeline(SlicedTransport(n_slices=4), Regrainer())
    assert clone(pipe).get_params()["regrainer__eps"] == 0.03

    def score(estimator, X, y=None):
        return -sliced_wasserstein(estimator.transform(X), target)

    search = GridSearchCV(
        pipe, {"regrainer__radius": [2, 4]}, scoring=score, cv=2, n_jobs=2
    ).fit(frames, slicedtransport__target=target)
    assert search.best_params_["regrainer__radius"] in (2, 4)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    assert search.best_estimator_.transform(frames).shape == frames.shape
