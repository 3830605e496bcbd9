"""Hypothesis properties of the reliability contract (issue 19) over hostile but
finite samples: huge and tiny magnitudes, few distinct points, collinear clouds,
extreme weights. Every fit either works, and then maps finite to finite with
``t=0`` exact and nothing mutated, or fails with one clear ValueError. And over
ordinary images of every dtype (issue 8): the regrain keeps shape, dtype, range
and alpha, is the identity on the source itself and keeps a global shift; the
inverse maps keep shape and dtype, are exact at ``t=0`` and invert the forward
sliced map."""

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from test_reliability_input import NAMES

from skcolorot import AffineTransport, GMMTransport, SinkhornTransport, SlicedTransport, regrain

FACTORIES = {
    "affine-reg0": lambda: AffineTransport(reg=0),
    "affine-diag": lambda: AffineTransport("diag"),
    "sinkhorn": lambda: SinkhornTransport(reg=1e-2, n_samples=24, max_iter=50, random_state=0),
    "sliced": lambda: SlicedTransport(n_iter=3, n_samples=24, random_state=0),
    "gmm": lambda: GMMTransport(2, n_samples=24, max_iter=10, random_state=0),
}

SETTINGS = settings(
    max_examples=10,
    deadline=None,
    derandomize=True,  # the same examples on every run: CI is one run, not a search
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Values from subnormal to 1e100 (the largest magnitude accepted), both signs.
MAGNITUDES = st.sampled_from([0.0, 5e-324, 1e-300, 1e-8, 1.0, 1e6, 1e12, 1e50, 1e100])


@st.composite
def hostile_samples(draw):
    n = draw(st.integers(2, 12))
    base = draw(arrays(np.float64, (n, 3), elements=st.floats(-1, 1)))
    scale = draw(MAGNITUDES)
    shape = draw(st.sampled_from(["cloud", "duplicates", "collinear", "constant"]))
    if shape == "duplicates":
        base = np.repeat(base[:2], -(-n // 2), axis=0)[:n]
    elif shape == "collinear":
        base = np.outer(base[:, 0], [1.0, 0.5, -0.25])
    elif shape == "constant":
        base = np.tile(base[:1], (n, 1))
    return base * scale


def _fit_or_clear_error(model, source, target, **fit_params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence / duplicate-point notices
        try:
            return model.fit(source, target, **fit_params)
        except ValueError as error:
            message = str(error)
            assert "\n" not in message.strip(), message
            assert "Traceback" not in message
            return None


@pytest.mark.parametrize("name", sorted(FACTORIES))
@SETTINGS
@given(source=hostile_samples(), target=hostile_samples(), t=st.sampled_from([0.0, 0.5, 1.0]))
def test_finite_in_finite_out_or_one_clear_error(name, source, target, t):
    source_copy, target_copy = source.copy(), target.copy()
    model = _fit_or_clear_error(FACTORIES[name]().set_params(t=t), source, target)
    np.testing.assert_array_equal(source, source_copy)
    np.testing.assert_array_equal(target, target_copy)
    if model is None:  # the refusal was checked: one clear line
        return
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # a NaN on its way
        out = model.transform(source)
    np.testing.assert_array_equal(source, source_copy)
    assert np.isfinite(out).all()
    if t == 0:
        np.testing.assert_array_equal(out, source)


@pytest.mark.parametrize("name", ["affine-diag", "sinkhorn", "sliced"])
@SETTINGS
@given(
    weights=arrays(
        np.float64, 10, elements=st.sampled_from([0.0, 5e-324, 1e-300, 1.0, 1e300, 1e308])
    )
)
def test_any_finite_weights_give_finite_colours_or_one_error(name, weights):
    rng = np.random.default_rng(0)
    source, target = rng.random((10, 3)), rng.random((8, 3))
    weights_copy = weights.copy()
    model = _fit_or_clear_error(FACTORIES[name](), source, target, sample_weight=weights)
    np.testing.assert_array_equal(weights, weights_copy)
    if model is not None:
        assert np.isfinite(model.transform(source)).all()
    else:
        assert weights.max() == 0  # the only weights that are an error


# ============================== regrain and inverse maps (from the issue 8 battery)
BATTERY_SETTINGS = settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@st.composite
def image_pairs(draw):
    """A source image and a ``mapped`` image of the same size, any supported dtypes."""
    shape = draw(st.sampled_from([(1, 1), (2, 3), (5, 4), (9, 12), (2, 6, 5)]))
    channels = draw(st.sampled_from([1, 3, 4]))
    images = []
    for _ in range(2):
        dtype = draw(st.sampled_from([np.uint8, np.uint16, np.float32, np.float64]))
        if dtype in (np.uint8, np.uint16):
            elements = st.integers(0, np.iinfo(dtype).max)
        else:
            elements = st.floats(0, 1, width=32 if dtype == np.float32 else 64)
        images.append(draw(arrays(dtype, shape + (channels,), elements=elements)))
    return images


@BATTERY_SETTINGS
@given(pair=image_pairs(), method=st.sampled_from(["guided", "pitie"]))
def test_regrain_shape_dtype_range_and_inputs_untouched(pair, method):
    source, mapped = pair
    copies = [source.copy(), mapped.copy()]
    out = regrain(source, mapped, method=method, radius=2)
    assert out.shape == mapped.shape and out.dtype == mapped.dtype
    np.testing.assert_array_equal(source, copies[0])
    np.testing.assert_array_equal(mapped, copies[1])
    values = out.astype(np.float64)
    assert np.all(np.isfinite(values))
    if out.dtype.kind == "f":
        assert values.min() >= 0 and values.max() <= 1
    if mapped.shape[-1] == 4:  # alpha comes from mapped
        np.testing.assert_array_equal(out[..., 3], mapped[..., 3])


@BATTERY_SETTINGS
@given(
    source=arrays(np.uint8, st.sampled_from([(4, 4, 3), (7, 9, 3), (3, 5, 4)])),
    method=st.sampled_from(["guided", "pitie"]),
)
def test_regrain_of_the_source_itself_is_the_identity(source, method):
    np.testing.assert_array_equal(regrain(source, source, method=method), source)


@BATTERY_SETTINGS
@given(
    source=arrays(
        np.float64, st.sampled_from([(6, 6, 3), (9, 5, 3)]), elements=st.floats(0.2, 0.8)
    ),
    shift=arrays(np.float64, 3, elements=st.floats(-0.15, 0.15)),
    guide=st.sampled_from(["luminance", "color"]),
)
def test_regrain_keeps_a_global_colour_shift(source, shift, guide):
    # The guided filter of a constant difference map is that constant.
    out = regrain(source, source + shift, guide=guide, radius=2)
    np.testing.assert_allclose(out, source + shift, atol=2e-6)


@BATTERY_SETTINGS
@given(
    source=arrays(np.int64, (40, 3), elements=st.integers(0, 1000), unique=True),
    target=arrays(np.int64, (30, 3), elements=st.integers(0, 1000), unique=True),
    step=st.sampled_from([1.0, 0.5]),
    n_slices=st.sampled_from([None, 2, 3]),
)
def test_sliced_inverse_of_forward_is_identity(source, target, step, n_slices):
    # With at most one basis per iteration each step of the chain (the map
    # untabulated, lut_size=None) is invertible exactly.
    source, target = source / 1000.0, target / 1000.0
    model = SlicedTransport(n_slices, n_iter=5, step=step, lut_size=None, random_state=0)
    model.fit(source, target)
    np.testing.assert_allclose(model.inverse_transform(model.transform(source)), source, atol=1e-7)
    np.testing.assert_allclose(model.transform(model.inverse_transform(target)), target, atol=1e-7)


@pytest.mark.parametrize("name", NAMES)
@BATTERY_SETTINGS
@given(
    data=st.sampled_from(["samples", "images"]),
    dtype=st.sampled_from([np.uint8, np.uint16, np.float32, np.float64]),
    seed=st.integers(0, 2**16),
)
def test_inverse_transform_keeps_shape_dtype_and_t0_is_identity(
    fitted_transports, name, data, dtype, seed
):
    rng = np.random.default_rng(seed)
    shape = (7, 3) if data == "samples" else (3, 4, 3)
    values = rng.random(shape)
    if dtype in (np.uint8, np.uint16):
        values = np.round(values * np.iinfo(dtype).max)
    Z = values.astype(dtype)
    before = Z.copy()
    model = fitted_transports[name][data]
    out = model.inverse_transform(Z)
    assert out.shape == Z.shape and out.dtype == Z.dtype
    np.testing.assert_array_equal(Z, before)
    try:
        np.testing.assert_array_equal(model.set_params(t=0).inverse_transform(Z), Z)
    finally:
        model.set_params(t=1.0)
