"""The numpy filters of :mod:`skcolorot._utils._filters` are scipy.ndimage's, bit for bit."""

import numpy as np
import pytest
from scipy import ndimage

from skcolorot._utils._filters import box_mean, gaussian_filter


def _rough(shape, seed, dtype=np.float64):
    # Values over several orders of magnitude: where a different order of the
    # additions would round differently.
    rng = np.random.default_rng(seed)
    return (rng.random(shape) * rng.random(shape) ** 4).astype(dtype)


@pytest.mark.parametrize("size", [2, 5, 17, 33])
@pytest.mark.parametrize("sigma", [0.3, 0.96, 1.6, (0.5, 1.0, 2.5)])
def test_gaussian_filter_is_scipys(size, sigma):
    grid = _rough((size, size, size), size)
    expected = ndimage.gaussian_filter(grid, sigma, mode="constant", truncate=3.0)
    np.testing.assert_array_equal(gaussian_filter(grid, np.broadcast_to(sigma, 3), truncate=3.0),
                                  expected)


@pytest.mark.parametrize("shape", [(8, 8, 3), (61, 47, 3), (3, 30, 3), (1, 9, 2), (40, 50)])
@pytest.mark.parametrize("sigma", [0.4, 1.5, 4.0])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_reflected_gaussian_filter_is_scipys(shape, sigma, dtype):
    """region_splits' blur of Lab planes: each axis rounded to float32 as scipy's,
    and edges mirrored periodically where the kernel outgrows the image."""
    planes = (_rough(shape, 3) * 100).astype(dtype)
    sigmas = (sigma, sigma) + (0,) * (len(shape) - 2)
    expected = ndimage.gaussian_filter(planes, sigmas, mode="reflect", truncate=3.0)
    result = gaussian_filter(planes, sigmas, mode="reflect", truncate=3.0)
    assert result.dtype == expected.dtype and result.flags.c_contiguous
    np.testing.assert_array_equal(result, expected)


def test_gaussian_filter_batches_the_later_axes():
    grids = _rough((9, 9, 9, 4), 1)
    blurred = gaussian_filter(grids, [1.2] * 3, truncate=3.0)
    for k in range(4):
        np.testing.assert_array_equal(
            blurred[..., k], ndimage.gaussian_filter(grids[..., k], 1.2, mode="constant",
                                                     truncate=3.0)
        )


@pytest.mark.parametrize("shape", [(48, 64, 3), (5, 7, 1), (1, 2, 4), (30, 3, 3)])
@pytest.mark.parametrize("size", [1, 3, 13])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_box_mean_is_scipys(shape, size, dtype):
    image = _rough(shape, size, dtype)
    expected = ndimage.uniform_filter(image, (size, size, 1), mode="reflect")
    result = box_mean(image, size)
    assert result.dtype == expected.dtype
    np.testing.assert_array_equal(result, expected)
    assert not np.signbit(result).any()
    out = np.full_like(image, np.nan)
    assert box_mean(image, size, out=out) is out  # the clean look's reused buffers
    np.testing.assert_array_equal(out, expected)
