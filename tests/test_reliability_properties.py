"""Hypothesis properties of the reliability contract (issue 19) over hostile but
finite samples: huge and tiny magnitudes, few distinct points, collinear clouds,
extreme weights. Every fit either works, and then maps finite to finite with
``t=0`` exact and nothing mutated, or fails with one clear ValueError."""

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from skcolorot import AffineTransport, GMMTransport, SinkhornTransport, SlicedTransport

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
