"""The slope-bounded colour grade (``slope_range``) and the base-and-detail regrain:
each catches what it is for and leaves a clean grade alone."""

import numpy as np
import pytest

from skcolorot import SlicedTransport, transfer
from skcolorot.color._lut import interpolate_tetrahedral, lut_grid
from skcolorot.image._regrain._detail import detail_regrain
from skcolorot.transport._regular import (
    check_slope_range,
    monotone_affine,
    regular_table,
    slope_extremes,
    table_jacobian,
)


def _colors(n, rng):
    return np.clip(0.5 + 0.15 * rng.standard_normal((n, 3)), 0, 1)


def test_affine_map_is_left_as_it_is():
    rng = np.random.default_rng(0)
    points = _colors(3000, rng)
    matrix = np.array([[1.3, 0.1, 0.0], [0.1, 0.8, 0.0], [0.0, 0.0, 1.1]])
    mapped = points @ matrix.T + 0.02
    weights = np.full(len(points), 1 / len(points))
    free = regular_table(points, mapped, weights, 17, 0.05)
    bounded = regular_table(points, mapped, weights, 17, 0.05, slope_range=(0.5, 2.0))
    np.testing.assert_allclose(bounded, free, atol=1e-6)


def test_monotone_affine_is_symmetric_positive_and_clipped():
    rng = np.random.default_rng(1)
    points = _colors(2000, rng)
    # A folded map: red and blue swapped and red reversed.
    mapped = np.stack([1 - points[:, 2], points[:, 1], points[:, 0]], axis=1)
    weights = np.full(len(points), 1 / len(points))
    matrix, offset = monotone_affine(points, mapped, weights, 0.25, 4.0)
    np.testing.assert_allclose(matrix, matrix.T, atol=1e-12)
    values = np.linalg.eigvalsh(matrix)
    assert values.min() >= 0.25 - 1e-9 and values.max() <= 4.0 + 1e-9
    np.testing.assert_allclose(weights @ points @ matrix.T + offset, weights @ mapped, atol=1e-9)


def test_folded_map_is_unfolded_within_the_bounds():
    """A map that inverts a gradient along red (slope -1 in the middle) comes out
    monotone, its slope against the affine base within the bounds where the
    colours are."""
    rng = np.random.default_rng(2)
    points = _colors(6000, rng)
    fold = np.sin(np.pi * 2 * points[:, 0]) * 0.25
    mapped = points + np.stack([fold, 0 * fold, 0 * fold], axis=1)
    weights = np.full(len(points), 1 / len(points))
    free = regular_table(points, mapped, weights, 17, 0.03)
    bounded = regular_table(points, mapped, weights, 17, 0.03, slope_range=(0.5, 2.0))
    _, free_bottom = slope_extremes(table_jacobian(free))
    top, bottom = slope_extremes(table_jacobian(bounded))
    inner = (slice(3, -3),) * 3  # where the colours are, away from the box's edges
    assert free_bottom[inner].min() < 0  # the free map folds
    matrix, _ = monotone_affine(
        points, interpolate_tetrahedral(points, free), weights, 1 / 16, 16
    )
    relative = np.linalg.inv(matrix) @ table_jacobian(bounded)
    rel_top, rel_bottom = slope_extremes(relative)
    assert rel_bottom[inner].min() > 0.4  # monotone, nothing crushed
    assert rel_top[inner].max() < 2.5


@pytest.mark.parametrize("bad", [(2.0, 1.0), (0.0, 2.0), (1.0,), "wide", (np.nan, 2.0)])
def test_bad_slope_range_is_a_clear_error(bad):
    with pytest.raises(ValueError, match="slope_range"):
        check_slope_range(bad)
    rng = np.random.default_rng(4)
    with pytest.raises(ValueError, match="slope_range"):
        SlicedTransport(slope_range=bad, n_iter=2).fit(_colors(300, rng), _colors(300, rng))


def test_detail_regrain_is_the_grade_where_there_is_no_noise():
    """On a noiseless image of flat areas and sharp edges, the result is the grade
    itself: nothing departs from the global colour map along the edges (no halo)."""
    image = np.zeros((64, 64, 3), np.float32)
    image[:, 32:] = 0.8
    image[20:40, 10:20] = (0.2, 0.5, 0.9)

    def grade(x):
        return np.clip(0.1 + 1.5 * x**1.2, 0, 1).astype(np.float32)

    out = detail_regrain(image, grade)
    np.testing.assert_allclose(out, grade(image), atol=2e-3)


def test_detail_regrain_caps_the_noise_gain():
    """A steep grade on a flat noisy area: the noise grows at most ``cap`` times,
    while a strong edge takes the grade's full contrast."""
    rng = np.random.default_rng(5)
    image = np.full((128, 128, 3), 0.3, np.float32)
    image[:, 64:] = 0.45
    image += (0.004 * rng.standard_normal(image.shape)).astype(np.float32)

    def grade(x):
        return np.clip(3.0 * (x - 0.3) + 0.3, 0, 1).astype(np.float32)

    out = detail_regrain(image, grade, cap=1.2)
    flat = (slice(8, 120), slice(8, 56))
    assert out[flat].std(axis=(0, 1)).max() <= 1.35 * image[flat].std(axis=(0, 1)).max()
    step = out[:, 80].mean() - out[:, 40].mean()
    assert step == pytest.approx(3.0 * 0.15, rel=0.05)


def test_transfer_with_the_detail_regrain_keeps_shape_dtype_and_alpha():
    rng = np.random.default_rng(6)
    source = (rng.random((40, 50, 4)) * 255).astype(np.uint8)
    target = (rng.random((30, 30, 3)) * 255).astype(np.uint8)
    out = transfer(source, target, method="affine", regrain="detail")
    assert out.shape == source.shape and out.dtype == np.uint8
    np.testing.assert_array_equal(out[..., 3], source[..., 3])


def test_detail_regrain_refuses_unknown_parameters():
    rng = np.random.default_rng(7)
    image = (rng.random((16, 16, 3)) * 255).astype(np.uint8)
    with pytest.raises(ValueError, match="radius, eps, cap, floor and residual"):
        transfer(image, image, method="affine", regrain="detail", regrain_params={"guide": "color"})
    with pytest.raises(ValueError, match="'color' or 'luminance'"):
        transfer(image, image, method="affine", regrain="detail",
                 regrain_params={"residual": "chroma"})
