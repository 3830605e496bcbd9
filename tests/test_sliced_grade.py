"""skcolorot.transport._sliced_grade: the default look's transport without
scikit-learn is SlicedTransport's grade, bit for bit, and stands for it only
where no validation by scikit-learn is needed."""

import inspect

import numpy as np
import pytest
from sklearn.utils import check_random_state as sklearn_check_random_state

from skcolorot import AffineTransport, Regrainer, SlicedTransport, regrain
from skcolorot._utils._input import check_random_state
from skcolorot.image._regrain import REGRAIN_DEFAULTS
from skcolorot.image._transfer import grade_with, transfer
from skcolorot.transport import _grade, _sliced_grade
from skcolorot.transport._affine_grade import AffineGrade
from skcolorot.transport._grade import light_transport, unfitted_copy
from skcolorot.transport._sliced_grade import SlicedGrade


def test_its_constants_are_the_estimators_defaults():
    params = SlicedTransport().get_params()
    assert params["n_slices"] is None and _sliced_grade._N_SLICES == 3  # one basis of RGB
    assert params["n_iter"] == _sliced_grade._N_ITER
    assert params["n_quantiles"] == _sliced_grade._N_QUANTILES
    assert params["n_samples"] == _sliced_grade._N_SAMPLES
    assert params["lut_size"] == _grade.LUT_SIZE
    assert params["smoothness"] == _sliced_grade._SMOOTHNESS
    assert (params["step"], params["slope_range"], params["clip"]) == (1.0, None, "auto")


def test_regrain_defaults_are_the_regrainers():
    assert REGRAIN_DEFAULTS == Regrainer().get_params()
    signature = inspect.signature(regrain).parameters
    assert {name: signature[name].default for name in REGRAIN_DEFAULTS} == REGRAIN_DEFAULTS


@pytest.mark.parametrize("seed", [None, 0, 7, 2**32 - 1, np.random.RandomState(3)])
def test_check_random_state_is_sklearns(seed):
    ours, theirs = check_random_state(seed), sklearn_check_random_state(seed)
    assert type(ours) is type(theirs)
    if seed is not None:
        assert ours.randint(1 << 30) == theirs.randint(1 << 30) or seed is theirs
    with pytest.raises(ValueError, match="cannot be used to seed"):
        check_random_state("seed")


@pytest.mark.parametrize("grade_class, estimator_class",
                         [(SlicedGrade, SlicedTransport), (AffineGrade, AffineTransport)])
@pytest.mark.parametrize("color_space", ["rgb", "lab", "oklab"])
def test_table_and_output_are_the_estimators(small_pair, color_space, grade_class,
                                             estimator_class):
    # Both light grades (this one and _affine_grade's), uint8 and float input.
    source, target = small_pair
    estimator = estimator_class(color_space=color_space, random_state=0).fit(source, target)
    grade = grade_class(color_space=color_space, random_state=0).fit(source, target)
    np.testing.assert_array_equal(grade.lut_, estimator.lut_)
    np.testing.assert_array_equal(grade.transform(source), estimator.transform(source))
    floats = source[:20, :20] / np.float32(255)
    np.testing.assert_array_equal(grade.transform(floats), estimator.transform(floats))


@pytest.mark.parametrize("grade_class, estimator_class",
                         [(SlicedGrade, SlicedTransport), (AffineGrade, AffineTransport)])
def test_masks_alpha_and_16_bits_as_the_estimator(small_pair, grade_class, estimator_class):
    # Both light grades (this one and _affine_grade's) share ColorGrade's fit.
    source, target = small_pair
    alpha = np.full(source.shape[:2] + (1,), 65535, np.uint16)
    alpha[:10] = 0
    rgba = np.concatenate([source.astype(np.uint16) * 257, alpha], axis=-1)
    mask = np.zeros(target.shape[:2])
    mask[20:, 30:] = 0.8
    kwargs = {"sample_weight": np.arange(rgba[..., 0].size).reshape(rgba.shape[:2]) % 3 > 0,
              "target_weight": mask}
    estimator = estimator_class(random_state=0).fit(rgba, target, **kwargs)
    grade = grade_class(random_state=0).fit(rgba, target, **kwargs)
    np.testing.assert_array_equal(grade.lut_, estimator.lut_)
    result = grade.transform(rgba)
    np.testing.assert_array_equal(result, estimator.transform(rgba))
    assert result.dtype == np.uint16 and (result[..., 3] == rgba[..., 3]).all()


def test_a_refit_to_the_same_target_is_a_fresh_fit(small_pair):
    source, target = small_pair
    first = SlicedGrade(random_state=0).fit(source, target)
    moved = first.transform(source)
    refit = unfitted_copy(first).fit(moved, target)
    assert refit._target is first._target  # the target's side, reused
    np.testing.assert_array_equal(refit.lut_, SlicedGrade(random_state=0).fit(moved, target).lut_)
    # Another target (or mask) is fitted anew.
    other = unfitted_copy(first).fit(moved, target[::-1])
    assert other._target is not first._target
    np.testing.assert_array_equal(
        other.lut_, SlicedTransport(random_state=0).fit(moved, target[::-1]).lut_
    )


@pytest.mark.parametrize("grade_class, estimator_class",
                         [(SlicedGrade, SlicedTransport), (AffineGrade, AffineTransport)])
def test_data_beyond_a_colour_grade_goes_to_the_estimator(small_pair, grade_class,
                                                          estimator_class):
    source, target = small_pair
    bright = source / 255.0 * 1.5  # float colours beyond [0, 1]: no table
    grade = grade_class(random_state=0).fit(bright, target)
    assert isinstance(grade._estimator, estimator_class)
    np.testing.assert_array_equal(
        grade.transform(bright),
        estimator_class(random_state=0).fit(bright, target).transform(bright),
    )


def test_transfer_is_the_estimators_look(small_pair):
    source, target = small_pair
    expected, _ = grade_with(SlicedTransport(random_state=0), source, target, regrain=True)
    np.testing.assert_array_equal(transfer(source, target, method="sliced"), expected)
    expected, _ = grade_with(SlicedTransport(random_state=5, color_space="lab"), source, target,
                             regrain="rounds", rounds=2, t=0.5)
    np.testing.assert_array_equal(
        transfer(source, target, color_space="lab", random_state=5, regrain="rounds", rounds=2,
                 t=0.5),
        expected,
    )


@pytest.mark.parametrize(
    "method, params",
    [
        ("sliced", {"color_space": "rgb", "random_state": 0}),
        ("sliced", {}),
        ("sliced", {"random_state": None, "t": 0.25}),
        ("sliced", {"random_state": np.random.RandomState(0)}),
        ("affine", {}),
        ("affine", {"color_space": "oklab", "random_state": 3, "t": 1}),
    ],
)
def test_light_transport_stands_for_valid_default_parameters(method, params):
    grade = light_transport(method, params)
    assert isinstance(grade, {"sliced": SlicedGrade, "affine": AffineGrade}[method])
    assert grade.get_params() == {"color_space": "rgb", "random_state": None, "t": 1.0, **params}


@pytest.mark.parametrize(
    "method, params",
    [
        ("sinkhorn", {}),
        ("auto", {}),
        ("affine", {"covariance": "diag"}),
        ("affine", {"t": -0.5}),
        ("sliced", {"n_iter": 5}),
        ("sliced", {"color_space": "hsv"}),
        ("sliced", {"random_state": -1}),
        ("sliced", {"random_state": True}),
        ("sliced", {"random_state": "0"}),
        ("sliced", {"t": 1.5}),
        ("sliced", {"t": float("nan")}),
    ],
)
def test_light_transport_leaves_the_rest_to_the_estimator(method, params):
    assert light_transport(method, params) is None


@pytest.mark.parametrize("params, match", [({"n_iter": 0}, "'n_iter' parameter of"),
                                           ({"random_state": -1}, "'random_state' parameter of")])
def test_transfer_still_validates_by_the_estimator(small_pair, params, match):
    with pytest.raises(ValueError, match=match):
        transfer(*small_pair, **params)
