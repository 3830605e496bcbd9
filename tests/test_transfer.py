"""skcolorot.image._transfer: the one-call ``transfer`` and the ``make_transport`` factory."""

import numpy as np
import pytest

from skcolorot import AffineTransport, SinkhornTransport
from skcolorot._utils._input import TransportedArray
from skcolorot.image._transfer import METHODS, make_transport, transfer
from skcolorot.metrics import color_fidelity as _color_fidelity
from skcolorot.metrics import luminance_ssim


def color_fidelity(result, target, source):
    # 5000 pixels: the sliced distance costs ~0.4 s per call instead of ~2 s.
    return _color_fidelity(result, target, source, max_samples=5000)


def _has(method):
    try:
        make_transport(method)
    except ImportError:
        return False
    return True


ALL_METHODS = [
    method
    if _has(method)
    else pytest.param(method, marks=pytest.mark.skip(reason=f"skcolorot has no {method} yet"))
    for method in METHODS
]


@pytest.mark.parametrize("method", ALL_METHODS)
def test_transfer_moves_colours_towards_the_target(method, small_pair):
    source, target = small_pair
    before = source.copy()
    result = transfer(source, target, method=method)
    assert type(result) is np.ndarray  # not the Pipeline-only TransportedArray
    assert result.shape == source.shape and result.dtype == source.dtype
    assert color_fidelity(result, target, source) < 0.6
    np.testing.assert_array_equal(source, before)  # input untouched


def test_transfer_is_deterministic_and_t_zero_is_the_source(small_pair):
    source, target = small_pair
    first = transfer(source, target, method="sinkhorn")
    np.testing.assert_array_equal(first, transfer(source, target, method="sinkhorn"))
    np.testing.assert_array_equal(transfer(source, target, method="affine", t=0), source)
    half = transfer(source, target, method="affine", t=0.5).astype(float)
    full = transfer(source, target, method="affine").astype(float)
    # Halfway along the straight path, wherever the full map was not clipped.
    inside = ((full > 0) & (full < 255)).all(axis=-1)
    assert inside.mean() > 0.5
    np.testing.assert_allclose(half[inside], (source[inside] + full[inside]) / 2, atol=1.01)


def test_transfer_keeps_alpha_and_16_bits(small_pair):
    source, target = small_pair
    alpha = np.arange(source.shape[0] * source.shape[1], dtype=np.uint16).reshape(source.shape[:2])
    source16 = np.concatenate([source.astype(np.uint16) * 257, alpha[..., None]], axis=-1)
    result = transfer(source16, target, method="affine", color_space="lab")
    assert result.dtype == np.uint16 and result.shape == source16.shape
    np.testing.assert_array_equal(result[..., 3], alpha)
    assert color_fidelity(result[..., :3], target, source) < 0.6


def test_regrain_raises_structure(small_pair):
    pytest.importorskip("skcolorot.image._regrainer")
    source, target = small_pair
    method = "sliced" if _has("sliced") else "sinkhorn"
    plain = transfer(source, target, method=method, regrain=False)
    regrained = transfer(source, target, method=method)  # regrained by default
    assert regrained.shape == source.shape and regrained.dtype == source.dtype
    assert luminance_ssim(regrained, source) > luminance_ssim(plain, source) + 0.1
    assert color_fidelity(regrained, target, source) < 0.6
    # Rounds of re-transport and regrain bring the colours closer.
    once = transfer(source, target, method=method, rounds=1)
    assert color_fidelity(regrained, target, source) < color_fidelity(once, target, source)
    # The affine map adds no grain: not regrained unless asked.
    np.testing.assert_array_equal(
        transfer(source, target, method="affine"),
        transfer(source, target, method="affine", regrain=False),
    )


def test_strength_luminance_and_masks(small_pair):
    from skimage.color import rgb2lab

    source, target = small_pair
    full = transfer(source, target, regrain=False).astype(float)
    half = transfer(source, target, regrain=False, t=0.5).astype(float)
    np.testing.assert_allclose(half, (source + full) / 2, atol=1)
    chroma_only = transfer(source, target, regrain=False, luminance=0.0)
    lightness = rgb2lab(chroma_only)[..., 0] - rgb2lab(source)[..., 0]
    assert np.abs(lightness).mean() < 1.0  # (gamut clipping aside)
    assert np.abs(chroma_only.astype(float) - source).mean() > 5
    mask = np.zeros(source.shape[:2])
    mask[:, : source.shape[1] // 2] = 1.0
    masked = transfer(source, target, mask=mask)
    np.testing.assert_array_equal(masked[:, source.shape[1] // 2 :], source[:, source.shape[1] // 2 :])
    assert np.abs(masked[:, : source.shape[1] // 2].astype(float) - source[:, : source.shape[1] // 2]).mean() > 5
    region = np.zeros(target.shape[:2], bool)
    region[: target.shape[0] // 3] = True
    from_region = transfer(source, target, regrain=False, target_mask=region)
    from_crop = transfer(source, target[: target.shape[0] // 3], regrain=False)
    # (weighted and unweighted quantiles place their knots a hair apart)
    assert np.abs(from_region.astype(int) - from_crop).max() <= 2


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"mask": np.ones((3, 3))}, "mask must have the image's shape"),
        ({"mask": np.full((107, 160), 2.0)}, "mask must hold finite values in"),
        ({"mask": np.full((107, 160), np.nan)}, "mask must hold finite values in"),
        ({"luminance": 1.5}, "luminance must be a number"),
        ({"t": -0.1}, "t must be a number"),
        ({"rounds": 0}, "rounds must be an integer"),
        ({"regrain": "yes"}, "regrain must be"),
        ({"target_mask": np.zeros((27, 40))}, "target_weight has 1080 values"),
    ],
)
def test_bad_controls_are_named(kwargs, message, small_pair):
    source, target = small_pair
    with pytest.raises(ValueError, match=message):
        transfer(source, target, **kwargs)


def test_regrain_params_need_regrain(small_pair):
    with pytest.raises(ValueError, match="regrain=True"):
        transfer(*small_pair, method="affine", regrain_params={"radius": 2})


def test_make_transport_builds_the_named_estimator():
    transport = make_transport("affine", covariance="diag", color_space="lab")
    assert isinstance(transport, AffineTransport)
    assert transport.get_params()["covariance"] == "diag"
    assert transport.color_space == "lab"
    assert not hasattr(transport, "n_features_in_")  # not fitted
    assert isinstance(make_transport("sinkhorn", reg=0.02), SinkhornTransport)


def test_unknown_method_lists_the_valid_ones():
    valid = "'affine', 'sinkhorn', 'sliced', 'gmm', 'emd'"
    with pytest.raises(ValueError, match=f"{valid}.*'wasserstein'"):
        make_transport("wasserstein")
    with pytest.raises(ValueError, match="method must be one of"):
        transfer(np.zeros((4, 4, 3)), np.ones((4, 4, 3)), method=None)


def test_unknown_or_bad_params_raise_the_estimators_error(small_pair):
    with pytest.raises(
        ValueError, match="Invalid parameter 'n_slices' for estimator AffineTransport"
    ):
        transfer(*small_pair, method="affine", n_slices=8)
    with pytest.raises(ValueError, match="'reg' parameter of SinkhornTransport"):
        transfer(*small_pair, method="sinkhorn", reg=-1.0)


def test_transfer_returns_a_plain_array_even_from_a_pipeline_transport(small_pair):
    # transform() hands a TransportedArray to a following Regrainer; transfer()
    # is the end of the line and returns the plain image.
    source, target = small_pair
    assert isinstance(AffineTransport().fit(source, target).transform(source), TransportedArray)
    assert not isinstance(transfer(source, target, method="affine"), TransportedArray)


def test_readme_pipeline_is_transfer_with_one_round_of_the_regrainer_defaults():
    """What the README says of its Pipeline example: the same image as transfer()
    with one round of the plain rounds and the Regrainer's filter, bit for bit."""
    from sklearn.datasets import load_sample_image
    from sklearn.pipeline import make_pipeline

    from skcolorot import Regrainer, SlicedTransport

    source = load_sample_image("china.jpg")[::4, ::4]
    target = load_sample_image("flower.jpg")[::4, ::4]
    piped = make_pipeline(SlicedTransport(), Regrainer()).fit(source, target).transform(source)
    one_round = transfer(source, target, "sliced", regrain="rounds", rounds=1,
                         regrain_params={"radius": 4, "guide": "luminance"})
    np.testing.assert_array_equal(np.asarray(piped), one_round)
