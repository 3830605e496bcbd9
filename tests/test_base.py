"""The shared contract of every transport: shapes, dtypes, alpha, t, LUT, score."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone

from skcolorot import (
    AffineTransport,
    EMDTransport,
    SinkhornTransport,
    TransportedArray,
    color_fidelity,
    sample_pixels,
)
from skcolorot.metrics import sliced_wasserstein

TRANSPORTS = [
    lambda: AffineTransport(random_state=0),
    lambda: SinkhornTransport(n_samples=300, reg=1e-2, random_state=0),
    lambda: EMDTransport(n_samples=300, random_state=0),
]


def _image(rng, shape, dtype):
    values = rng.random(shape)
    if dtype == np.uint8:
        return (values * 255).round().astype(np.uint8)
    if dtype == np.uint16:
        return (values * 65535).round().astype(np.uint16)
    return values.astype(dtype)


@pytest.mark.parametrize("make", TRANSPORTS)
@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32, np.float64])
@pytest.mark.parametrize("shape", [(20, 30, 3), (2, 10, 12, 3), (500, 3), (20, 30, 4)])
def test_shape_and_dtype_round_trip(make, dtype, shape):
    rng = np.random.default_rng(0)
    X = _image(rng, shape, dtype)
    Y = _image(rng, (25, 25, 3), dtype) // 2 if dtype in (np.uint8, np.uint16) else _image(
        rng, (25, 25, 3), dtype
    ) / 2
    before = X.copy()
    model = make().fit(X, Y)
    out = model.transform(X)
    assert out.shape == X.shape and out.dtype == X.dtype
    np.testing.assert_array_equal(X, before)
    assert isinstance(out, TransportedArray) == (X.ndim >= 3)
    if X.ndim >= 3:
        assert out.source is X
    if shape[-1] == 4:
        np.testing.assert_array_equal(out[..., 3], X[..., 3])
    # Colours moved towards the (darker) target.
    assert out[..., :3].astype(float).mean() < X[..., :3].astype(float).mean()


def test_integer_images_are_read_as_unit_range():
    rng = np.random.default_rng(1)
    X8 = _image(rng, (30, 30, 3), np.uint8)
    Y8 = _image(rng, (30, 30, 3), np.uint8) // 3
    out8 = AffineTransport().fit(X8, Y8).transform(X8)
    outf = AffineTransport().fit(X8 / 255.0, Y8 / 255.0).transform(X8 / 255.0)
    assert np.abs(out8.astype(float) - np.clip(outf * 255, 0, 255)).max() <= 0.5 + 1e-9


def test_float_samples_are_not_clipped_but_images_are():
    rng = np.random.default_rng(2)
    X, Y = rng.random((200, 3)), rng.random((200, 3)) * 3
    model = AffineTransport().fit(X, Y)
    assert model.transform(X).max() > 1.0
    assert model.transform(X.reshape(10, 20, 3)).max() <= 1.0
    assert model.set_params(clip=True).fit(X, Y).transform(X).max() <= 1.0


def test_t_zero_is_identity_and_t_can_change_after_fit():
    rng = np.random.default_rng(3)
    X = _image(rng, (40, 40, 3), np.uint8)
    model = SinkhornTransport(n_samples=200, reg=1e-2, color_space="lab").fit(X, X // 2)
    np.testing.assert_array_equal(model.set_params(t=0).transform(X), X)
    half = model.set_params(t=0.5).transform(X).astype(float)
    full = model.set_params(t=1.0).transform(X).astype(float)
    assert np.abs(half - X).mean() < np.abs(full - X).mean()


@pytest.fixture(scope="module")
def big_pair(china, flower):
    """A 1.1 MP image of real photograph colours."""
    return np.tile(china, (2, 2, 1)), flower


def test_affine_grade_table_agrees_with_the_exact_map(big_pair):
    src, ref = big_pair
    table = AffineTransport(random_state=0).fit(src, ref).transform(src).astype(int)
    exact = AffineTransport(random_state=0, lut_size=None).fit(src, ref).transform(src)
    # An affine map is linear between nodes; only the clip to [0, 1] bends it,
    # in the cells that straddle the gamut's edge.
    diff = np.abs(table - exact.astype(int))
    assert diff.max() <= 6 and diff.mean() < 0.1, (diff.max(), diff.mean())


@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
def test_sinkhorn_grade_table_keeps_the_colour_fidelity_of_its_map(china, flower, dtype):
    src, ref = china, flower
    src = src if dtype == np.uint8 else src.astype(np.float32) / 255
    # smoothness=0: the fitted map tabulated as it is, against the map itself.
    params = dict(n_samples=300, smoothness=0.0, debias=False, random_state=0)
    crop = src[::2, ::2]  # the exact map is slow: mapped on a quarter of the pixels
    table = SinkhornTransport(**params).fit(src, ref).transform(crop)
    exact = SinkhornTransport(lut_size=None, **params).fit(src, ref).transform(crop)
    assert table.dtype == dtype
    table_fidelity = color_fidelity(table, ref, crop)
    exact_fidelity = color_fidelity(exact, ref, crop)
    assert abs(table_fidelity - exact_fidelity) < 0.1 * exact_fidelity


def test_transform_caches_nothing(big_pair):
    import pickle

    src, ref = big_pair
    model = SinkhornTransport(n_samples=200, random_state=0).fit(src, ref)
    size = len(pickle.dumps(model))
    for t in np.linspace(0.1, 1, 7):
        model.set_params(t=float(t)).transform(src[:300])
    assert len(pickle.dumps(model)) == size


@pytest.mark.parametrize("make", TRANSPORTS)
def test_clone_pickle_and_determinism(make, small_pair):
    src, ref = small_pair
    model = make().fit(src, ref)
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(restored.transform(src), model.transform(src))
    fresh = clone(model)
    assert not hasattr(fresh, "n_features_in_")
    np.testing.assert_array_equal(fresh.fit(src, ref).transform(src), model.transform(src))


def test_score_is_minus_sliced_w2_and_prefers_the_fitted_map():
    rng = np.random.default_rng(4)
    X, Y = rng.random((400, 3)), 0.2 + 0.3 * rng.random((400, 3))
    model = AffineTransport().fit(X, Y)
    score = model.score(X, Y)
    assert score == pytest.approx(-sliced_wasserstein(model.transform(X), Y))
    assert score == model.score(X, Y)  # deterministic
    assert score > model.set_params(t=0).score(X, Y)


def test_n_features_and_feature_names():
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(5)
    X = pd.DataFrame(rng.random((50, 2)), columns=["a", "b"])
    Y = pd.DataFrame(rng.random((40, 2)), columns=["a", "b"])
    model = AffineTransport().fit(X, Y)
    assert model.n_features_in_ == 2
    assert list(model.get_feature_names_out()) == ["a", "b"]
    out = model.set_output(transform="pandas").transform(X)
    assert list(out.columns) == ["a", "b"]


def test_sample_pixels_draws_equal_sizes(small_pair):
    src, ref = small_pair
    xs, xt = sample_pixels(src, ref, n_samples=1000, random_state=0)
    assert xs.shape == xt.shape == (1000, 3) and xs.dtype == np.uint8
    again = sample_pixels(src, ref, n_samples=1000, random_state=0)
    np.testing.assert_array_equal(again[0], xs)


def test_sample_pixels_draws_distinct_pixels_in_random_order():
    # Every pixel a distinct value: the draw's rows can be told apart.
    codes = np.arange(40 * 50)
    image = np.stack([codes % 256, codes // 256, np.zeros_like(codes)], -1).astype(np.uint8)
    small = image[:2, :10]  # 20 pixels, fewer than drawn: with replacement
    xs, xt = sample_pixels(image.reshape(40, 50, 3), small, n_samples=500, random_state=1)
    drawn = xs[:, 0].astype(int) + 256 * xs[:, 1].astype(int)
    assert len(np.unique(drawn)) == 500  # without replacement
    assert not np.all(np.diff(drawn) > 0)  # shuffled: CV folds are random parts
    assert len({tuple(row) for row in xt}) <= 20


def test_the_fit_map_draws_from_the_sub_sampling_generator():
    # Regression (#17): _fit_map got no generator, so a transport seeded its own
    # draws from random_state afresh, the same stream the sub-sampler had used.
    from sklearn.utils import check_random_state

    from skcolorot.transport._base import BaseTransport

    class Recorder(AffineTransport):
        def _fit_map(self, source, target, source_weights, target_weights, rng):
            self.first_draw_ = rng.randint(1 << 30)
            return super()._fit_map(source, target, source_weights, target_weights, rng)

    assert issubclass(Recorder, BaseTransport)
    features = np.random.default_rng(0).normal(size=(5000, 4))
    model = Recorder(n_samples=100, random_state=7).fit(features, features + 1)
    fresh = check_random_state(7).randint(1 << 30)
    assert model.first_draw_ != fresh  # the stream moved on past the sub-sample
    again = Recorder(n_samples=100, random_state=7).fit(features, features + 1)
    assert again.first_draw_ == model.first_draw_  # and stays deterministic
