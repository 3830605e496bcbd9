"""skcolorot.transport._affine_grade: method="auto"'s affine candidate without
scikit-learn is AffineTransport's grade, bit for bit, and transfer()'s default
(both candidates and the choice) is the estimators' result."""

from functools import partial

import numpy as np
import pytest

from skcolorot import AffineTransport
from skcolorot.image._transfer import grade_auto, grade_with, make_transport, transfer
from skcolorot.transport import _affine_grade, _grade
from skcolorot.transport._affine_grade import AffineGrade
from skcolorot.transport._gaussian import fit_gaussian_map


def test_its_constants_are_the_estimators_defaults():
    params = AffineTransport().get_params()
    assert params["covariance"] == _affine_grade._COVARIANCE
    assert params["reg"] == _affine_grade._REG
    assert params["n_samples"] == _affine_grade._N_SAMPLES
    assert params["lut_size"] == _grade.LUT_SIZE
    assert params["clip"] == "auto"


@pytest.mark.parametrize("covariance", ["full", "diag"])
def test_the_estimator_fits_by_fit_gaussian_map(covariance):
    rng = np.random.default_rng(0)
    source, target = rng.normal(size=(300, 4)), rng.normal(2, 3, size=(200, 4))
    estimator = AffineTransport(covariance=covariance).fit(source, target)
    fitted = fit_gaussian_map(source, target, reg=1e-6, covariance=covariance)
    np.testing.assert_array_equal(estimator.matrix_, fitted.matrix)
    np.testing.assert_array_equal(estimator.offset_, fitted.offset)
    np.testing.assert_array_equal(estimator.source_covariance_, fitted.source_covariance)
    np.testing.assert_array_equal(estimator.target_mean_, fitted.target_mean)


def test_a_flat_source_is_regressed_as_by_the_estimator(small_pair):
    _, target = small_pair
    grey = np.repeat(np.linspace(0, 255, 64, dtype=np.uint8)[None, :, None], 3, axis=2)
    grey = np.repeat(grey, 16, axis=0)  # a grey ramp: no spread off the grey axis
    estimator = AffineTransport(random_state=0).fit(grey, target)
    grade = AffineGrade(random_state=0).fit(grey, target)
    np.testing.assert_array_equal(grade.lut_, estimator.lut_)


def test_it_grades_at_full_strength_only(small_pair):
    grade = AffineGrade(t=0.5).fit(*small_pair)
    with pytest.raises(ValueError, match="grades at t=1"):
        grade.transform(small_pair[0])
    with pytest.raises(ValueError, match="no parameter 'reg'"):
        grade.set_params(reg=0.1)


def _split_pair():
    """A grey ramp and a two-colour reference: the sliced look splits the ramp,
    the affine map does not, so auto keeps the affine candidate."""
    rng = np.random.default_rng(0)
    ramp = np.linspace(0.3, 0.8, 150)[None, :, None] * np.ones((100, 1, 3))
    source = np.clip(ramp + rng.normal(0, 0.01, ramp.shape), 0, 1)
    reference = np.zeros((80, 80, 3))
    reference[:, :40], reference[:, 40:] = [0.9, 0.5, 0.2], [0.2, 0.4, 0.9]
    reference = np.clip(reference + rng.normal(0, 0.02, reference.shape), 0, 1)
    return (source * 255).round().astype(np.uint8), (reference * 255).round().astype(np.uint8)


@pytest.mark.parametrize("pair, kept", [("flower-china", "sliced"), ("china-flower", "affine"),
                                        ("ramp", "affine")])
def test_transfer_auto_is_the_estimators_result(small_pair, pair, kept):
    china, flower = small_pair
    source, target = {"flower-china": (flower, china), "china-flower": (china, flower),
                      "ramp": _split_pair()}[pair]
    make = partial(make_transport, color_space="rgb", random_state=0)
    expected, _, choice = grade_auto(make, source, target, regrain="auto", grade=grade_with)
    assert choice.method == kept
    np.testing.assert_array_equal(transfer(source, target), expected)
