"""What bad input gets: a clear error naming the argument."""

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from skcolorot import AffineTransport, SinkhornTransport

ESTIMATORS = [AffineTransport, SinkhornTransport]


@pytest.fixture
def pair():
    rng = np.random.default_rng(0)
    return rng.random((50, 3)), rng.random((40, 3))


@pytest.mark.parametrize("Est", ESTIMATORS)
def test_target_is_required_and_labels_are_refused(Est, pair):
    X, Y = pair
    with pytest.raises(ValueError, match="target"):
        Est().fit(X)
    with pytest.raises(ValueError, match="target=X_target"):
        Est().fit(X, np.arange(50))
    # Labels plus target= is the domain-adaptation form.
    Est().fit(X, np.arange(50), target=Y)


@pytest.mark.parametrize("Est", ESTIMATORS)
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite(Est, pair, bad):
    X, Y = pair
    Xb = X.copy()
    Xb[3, 1] = bad
    with pytest.raises(ValueError, match="X contains NaN or infinity"):
        Est().fit(Xb, Y)
    with pytest.raises(ValueError, match="target"):
        Est().fit(X, target=Xb)
    model = Est().fit(X, Y)
    with pytest.raises(ValueError, match="X contains NaN"):
        model.transform(Xb)


@pytest.mark.parametrize("Est", ESTIMATORS)
def test_channel_mismatch(Est, pair):
    X, Y = pair
    with pytest.raises(ValueError, match="channels"):
        Est().fit(X, Y[:, :2])
    model = Est().fit(X, Y)
    with pytest.raises(ValueError, match="X has 2 channels"):
        model.transform(X[:, :2])


@pytest.mark.parametrize("Est", ESTIMATORS)
def test_empty_and_one_pixel(Est, pair):
    X, Y = pair
    with pytest.raises(ValueError, match="empty"):
        Est().fit(np.empty((0, 3)), Y)
    with pytest.raises(ValueError, match="1 sample"):
        Est().fit(np.zeros((1, 1, 3)), Y)
    # Transforming a single pixel is fine.
    out = Est().fit(X, Y).transform(np.full((1, 1, 3), 0.5))
    assert out.shape == (1, 1, 3) and np.all(np.isfinite(out))


@pytest.mark.parametrize("dtype", [np.complex128, object, bool])
def test_unsupported_dtypes(dtype, pair):
    X, Y = pair
    with pytest.raises(TypeError, match="X has unsupported dtype"):
        AffineTransport().fit(X.astype(dtype), Y)


def test_int64_images_are_refused_but_int_samples_accepted(pair):
    _, Y = pair
    with pytest.raises(TypeError, match="uint8 or uint16"):
        AffineTransport().fit(np.full((4, 4, 3), 300, dtype=np.int64), Y)
    AffineTransport().fit(np.arange(30).reshape(10, 3), Y)


def test_grayscale_2d_uint8_gets_a_clear_error(pair):
    with pytest.raises(ValueError, match="grayscale"):
        AffineTransport().fit(np.zeros((20, 30), np.uint8), np.zeros((20, 30), np.uint8))


@pytest.mark.parametrize("Est", ESTIMATORS)
def test_t_outside_unit_interval(Est, pair):
    X, Y = pair
    with pytest.raises(ValueError, match="'t'"):
        Est(t=1.5).fit(X, Y)
    model = Est().fit(X, Y)
    model.set_params(t=-0.1)
    with pytest.raises(ValueError, match="t must be"):
        model.transform(X)


@pytest.mark.parametrize("reg", [-1.0, 0.0])
def test_non_positive_reg(reg, pair):
    with pytest.raises(ValueError, match="'reg'"):
        SinkhornTransport(reg=reg).fit(*pair)


@pytest.mark.parametrize("Est", ESTIMATORS)
def test_transform_before_fit(Est, pair):
    with pytest.raises(NotFittedError):
        Est().transform(pair[0])


@pytest.mark.parametrize("Est", ESTIMATORS)
def test_readonly_noncontiguous_bigendian_inputs_work(Est, pair):
    X, Y = pair
    expected = Est(random_state=0).fit(X, Y).transform(X)
    ro = X.copy()
    ro.flags.writeable = False
    big = X.astype(">f8")
    wide = np.zeros((50, 6))
    wide[:, ::2] = X
    for variant in (ro, big, wide[:, ::2]):
        out = Est(random_state=0).fit(variant, Y).transform(variant)
        np.testing.assert_allclose(out, expected, atol=1e-12)


def test_color_space_needs_three_channels():
    rng = np.random.default_rng(1)
    with pytest.raises(ValueError, match="color_space"):
        AffineTransport(color_space="lab").fit(rng.random((30, 2)), rng.random((30, 2)))


def test_float_images_on_a_0_255_scale_are_refused_unless_clip_is_off():
    rng = np.random.default_rng(2)
    image = rng.random((10, 10, 3)) * 255
    with pytest.raises(ValueError, match="X is a float image with values in .*divide by 255"):
        AffineTransport().fit(image, image / 510)
    model = AffineTransport().fit(image / 255, image / 510)
    with pytest.raises(ValueError, match="X is a float image"):
        model.transform(image)
    # HDR-style data is allowed when the caller says so.
    out = AffineTransport(clip=False).fit(image, image / 2).transform(image)
    assert out.max() > 1



@pytest.mark.parametrize("overshoot", [5e-4, 0.5, 1.0])
def test_what_a_transport_accepts_its_regrainer_accepts(overshoot):
    # Issue #17: the transport took values up to 2 and the Regrainer refused
    # anything beyond 1.001 in the same Pipeline.
    from sklearn.pipeline import make_pipeline

    from skcolorot import Regrainer, SlicedTransport

    rng = np.random.default_rng(4)
    image = rng.random((24, 24, 3))
    image[0, 0], image[-1, -1] = -overshoot, 1.0 + overshoot
    pipe = make_pipeline(SlicedTransport(random_state=0), Regrainer())
    out = pipe.fit(image, rng.random((20, 20, 3))).transform(image)
    assert out.shape == image.shape and 0.0 <= out.min() and out.max() <= 1.0


@pytest.mark.parametrize("low, high", [(0.0, 2.5), (-1.5, 1.0)])
def test_the_first_step_refuses_what_the_second_would(low, high):
    from sklearn.pipeline import make_pipeline

    from skcolorot import Regrainer, SlicedTransport

    image = np.random.default_rng(5).random((24, 24, 3))
    image[0, 0], image[-1, -1] = low, high
    pipe = make_pipeline(SlicedTransport(random_state=0), Regrainer())
    message = rf"X is a float image with values in \[{low:g}, {high:g}\]"
    with pytest.raises(ValueError, match=message):
        pipe.fit(image, image)


def test_transfer_takes_the_rounding_of_a_colour_space_round_trip():
    from skcolorot.image._transfer import transfer

    image = np.random.default_rng(6).random((24, 24, 3))
    image[0, 0] = [1.0 + 1e-6, -1e-6, 0.5]  # was refused: transfer wanted exactly [0, 1]
    out = transfer(image, image[::-1], method="affine")
    assert out.shape == image.shape
    with pytest.raises(ValueError, match=r"source is a float image.*divide by 255"):
        transfer(image * 255, image, method="affine")
