"""barycenter(): the Wasserstein barycentre of several references as a target
sample; transfer() and the CLI with several references."""

import numpy as np
import ot
import pytest

from skcolorot import barycenter, cli, transfer
from skcolorot.transport._barycenter import BARYCENTER_METHODS

RNG = np.random.default_rng(0)
# Two non-Gaussian 2-D clouds of 300 points: an elongated blob, and two blobs.
A = RNG.normal(size=(300, 2)) * [1.0, 0.3]
B = np.vstack([RNG.normal(size=(150, 2)) * 0.4 + [5, 1], RNG.normal(size=(150, 2)) * 0.4 + [5, 5]])
N = 300  # = the clouds' size: each reference is used whole, with no sub-sampling


def _w2(x, y):
    return np.sqrt(ot.emd2([], [], ot.dist(x, y), numItermax=10**7))


@pytest.mark.parametrize("method", BARYCENTER_METHODS)
def test_weight_one_gives_that_reference(method):
    for weights, reference in (([1, 0], A), ([0.0, 2.0], B)):
        result = barycenter([A, B], weights, method=method, n_samples=N, random_state=0)
        assert result.shape == (N, 2)
        assert _w2(result, reference) < 1e-6


# Tolerances: "exact" is a fixed point of the samples' barycentre problem; "gaussian" has the
# barycentre's first two moments exactly; "sliced" and "gmm" approximate it.
_GEODESIC_TOLERANCE = {"exact": 1e-3, "gaussian": 0.05, "sliced": 0.05, "gmm": 0.1}


@pytest.mark.parametrize("method", BARYCENTER_METHODS)
def test_mean_and_geodesic_property(method):
    weights = np.array([0.3, 0.7])
    result = barycenter([A, B], weights, method=method, n_samples=N, random_state=0)
    expected_mean = weights @ np.array([A.mean(0), B.mean(0)])
    atol = 0.15 if method == "gmm" else 1e-9  # gmm: T_rand draws
    np.testing.assert_allclose(result.mean(0), expected_mean, atol=atol)
    # On the geodesic from A to B at 0.7: W2 to each in the ratio 0.7 : 0.3,
    # and they add up to W2(A, B).
    to_a, to_b = _w2(result, A), _w2(result, B)
    tolerance = _GEODESIC_TOLERANCE[method]
    assert to_a / to_b == pytest.approx(0.7 / 0.3, rel=tolerance)
    assert to_a + to_b == pytest.approx(_w2(A, B), rel=tolerance)


def test_three_image_references_deterministic_and_in_colour_units(small_pair):
    china, flower = small_pair
    third = china[..., ::-1].copy()
    before = [image.copy() for image in (china, flower, third)]
    weights = [0.2, 0.5, 0.3]
    kept = list(weights)
    one = barycenter([china, flower, third], weights, n_samples=500, random_state=1)
    two = barycenter([china, flower, third], weights, n_samples=500, random_state=1)
    np.testing.assert_array_equal(one, two)
    assert one.dtype == np.float64 and one.shape == (500, 3)
    assert one.min() >= 0 and one.max() <= 1
    means = np.array([im.reshape(-1, 3).mean(0) / 255 for im in (china, flower, third)])
    np.testing.assert_allclose(one.mean(0), np.array(weights) @ means, atol=0.02)
    for image, copy in zip((china, flower, third), before):
        np.testing.assert_array_equal(image, copy)
    assert weights == kept
    lab = barycenter([china, flower], color_space="lab", n_samples=300, random_state=0)
    assert lab.shape == (300, 3) and lab.min() >= 0 and lab.max() <= 1


@pytest.mark.parametrize(
    "weights, message",
    [
        ([0.5, -0.5], "weights must be non-negative"),
        ([np.nan, 1.0], "weights must be finite"),
        ([1.0, np.inf], "weights must be finite"),
        ([0.0, 0.0], "weights sum to zero"),
        ([1.0], "weights must be a 1-D sequence of 2"),
        ([[0.5, 0.5]], "weights must be a 1-D sequence of 2"),
        (["a", "b"], "weights must be 2 numbers"),
    ],
)
def test_bad_weights_name_the_argument(weights, message):
    given = repr(weights)
    with pytest.raises(ValueError, match=message):
        barycenter([A, B], weights, n_samples=50)
    assert repr(weights) == given


def test_bad_samples_and_options():
    with pytest.raises(TypeError, match="samples must be a list or tuple"):
        barycenter(A)
    with pytest.raises(ValueError, match="samples is empty"):
        barycenter([])
    with pytest.raises(ValueError, match=r"samples\[1\] has 3 channels"):
        barycenter([A, np.ones((10, 3))])
    with pytest.raises(ValueError, match=r"samples\[1\] contains NaN"):
        barycenter([A, np.full((10, 2), np.nan)])
    with pytest.raises(ValueError, match=r"samples\[0\] is a float image"):
        barycenter([np.full((4, 4, 3), 200.0), np.zeros((4, 4, 3))])
    for options, message in (
        ({"method": "wasserstein"}, "method must be one of"),
        ({"n_samples": 1}, "n_samples must be"),
        ({"n_components": 0}, "n_components must be"),
        ({"color_space": "hsv"}, "color_space must be"),
        ({"color_space": "lab"}, "needs 3-channel"),
        ({"method": "gmm", "n_components": 400}, "lower n_components"),
    ):
        with pytest.raises(ValueError, match=message):
            barycenter([A, B], **{"n_samples": 300, **options})


def test_flat_references_give_finite_blends():
    grey = np.full((8, 8, 3), 128, np.uint8)
    red = np.zeros((8, 8, 3), np.uint8)
    red[..., 0] = 255
    for method in BARYCENTER_METHODS:
        result = barycenter(
            [grey, red], n_samples=64, method=method, random_state=0, n_components=1
        )
        blend = [(128 / 255 + 1) / 2, 64 / 255, 64 / 255]
        np.testing.assert_allclose(result, [blend] * 64, atol=1e-6)


def test_transfer_and_cli_take_several_references(small_pair, tmp_path, capsys):
    china, flower = small_pair
    third = china[..., ::-1].copy()
    blended = transfer(china, [flower, third], weights=[0.3, 0.7], method="affine")
    assert blended.shape == china.shape and blended.dtype == np.uint8
    only_flower = transfer(china, [flower, third], weights=[1, 0], method="affine")
    reference = transfer(china, barycenter([flower], random_state=0), method="affine")
    np.testing.assert_array_equal(only_flower, reference)
    with pytest.raises(ValueError, match="weights are for several references"):
        transfer(china, flower, weights=[1.0])
    with pytest.raises(ValueError, match="weights must be non-negative"):
        transfer(china, [flower, third], weights=[-1, 2])

    from PIL import Image

    paths = []
    for name, image in (("src", china), ("a", flower), ("b", third)):
        paths.append(str(tmp_path / f"{name}.png"))
        Image.fromarray(image).save(paths[-1])
    out = str(tmp_path / "out.png")
    args = ["transfer", *paths, "-o", out, "--method", "affine", "--weights", "0.3", "0.7"]
    assert cli.main(args) == 0
    np.testing.assert_array_equal(np.asarray(Image.open(out)), blended)
    assert cli.main([*args[:-1], "--overwrite"]) == 2
    assert "--weights has 1 values for 2 references" in capsys.readouterr().err


def test_alpha_weights_the_pixels_of_a_reference():
    image = np.zeros((10, 10, 4), np.uint8)
    image[:5, :, :3] = 255  # white, opaque
    image[:5, :, 3] = 255
    image[5:, :, 3] = 0  # black, transparent
    result = barycenter([image], n_samples=50, random_state=0)
    np.testing.assert_array_equal(result, np.ones((50, 3)))
