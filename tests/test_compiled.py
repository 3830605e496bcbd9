"""The compiled colour pass (``skcolorot.color._lut_c``) against the numpy path it
replaces: the same colours on random tables and images of every dtype, threaded
or not, and the same colour histogram; without the extension the numpy path
still does everything."""

import numpy as np
import pytest

from skcolorot.color import _lut
from skcolorot._utils import _input
from skcolorot._utils._input import check_colors

compiled = pytest.mark.skipif(
    _lut._lut_c is None,
    reason="the C extension skcolorot.color._lut_c is not built (no C compiler at install)",
)


def _image(rng, dtype, shape):
    if np.dtype(dtype).kind == "u":
        return rng.integers(0, np.iinfo(dtype).max + 1, shape).astype(dtype)
    # float pixels outside [0, 1] continue the boundary cells
    return rng.uniform(-0.3, 1.3, shape).astype(dtype)


def _numpy_path(image, table):
    pixels = image.reshape(-1, image.shape[-1])
    out = np.empty_like(pixels)
    _lut._apply_numpy(pixels, _lut._check_table(table), out, "tetrahedral")
    return out.reshape(image.shape)


@compiled
@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32, np.float64])
@pytest.mark.parametrize("size", [2, 17, 33])
@pytest.mark.parametrize("channels", [3, 4])
def test_compiled_pass_matches_the_numpy_path(dtype, size, channels):
    rng = np.random.default_rng(size * channels)
    table = rng.uniform(-0.2, 1.2, (size, size, size, 3))
    image = _image(rng, dtype, (61, 47, channels))
    got = _lut.apply_lut(image, table)
    expected = _numpy_path(image, table)
    assert got.dtype == image.dtype
    if np.dtype(dtype).kind == "u":
        # the same float32 arithmetic: within half a level before rounding, so
        # at most one level after it (in practice, identical)
        assert np.abs(got.astype(int) - expected.astype(int)).max() <= 1
        assert np.mean(got != expected) < 1e-3
    else:
        tolerance = 1e-6 if dtype == np.float32 else 1e-12
        np.testing.assert_allclose(got, expected, atol=tolerance, rtol=0)
    if channels == 4:
        np.testing.assert_array_equal(got[..., 3], image[..., 3])


@compiled
def test_threads_split_rows_without_changing_a_pixel():
    rng = np.random.default_rng(0)
    table = rng.uniform(0, 1, (9, 9, 9, 3))
    image = _image(rng, np.uint16, (3 * _lut._THREAD_PIXELS + 17, 3))
    one, several = np.empty_like(image), np.empty_like(image)
    _lut._apply_compiled(image, table, one, threads=1)
    _lut._apply_compiled(image, table, several, threads=3)
    np.testing.assert_array_equal(one, several)


@compiled
def test_interpolate_tetrahedral_compiled_and_numpy_agree(monkeypatch):
    rng = np.random.default_rng(1)
    table = rng.uniform(0, 1, (5, 5, 5, 3))
    colors = rng.uniform(-0.1, 1.1, (1000, 3))
    got = _lut.interpolate_tetrahedral(colors, table)
    monkeypatch.setattr(_lut, "_lut_c", None)
    np.testing.assert_allclose(got, _lut.interpolate_tetrahedral(colors, table), atol=1e-12)


def test_numpy_fallback_when_the_extension_is_missing(monkeypatch):
    monkeypatch.setattr(_lut, "_lut_c", None)
    monkeypatch.setattr(_input, "_compiled_histogram", lambda: None)
    image = np.array([[[255, 0, 0], [0, 128, 255]]], dtype=np.uint8)
    swap = _lut.lut_grid(17)[..., ::-1]
    np.testing.assert_array_equal(_lut.apply_lut(image, swap), image[..., ::-1])
    counts, _ = _input._color_histogram(check_colors(image, "X"), None)
    assert counts.sum() == 2


@compiled
@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32, np.float64])
@pytest.mark.parametrize("weighted", [False, True])
def test_compiled_histogram_matches_bincount(dtype, weighted, monkeypatch):
    rng = np.random.default_rng(2)
    image = _image(rng, dtype, (80, 60, 4))
    if np.dtype(dtype).kind == "f":
        image = np.clip(image, 0, 1)
    data = check_colors(image, "X")
    weights = rng.uniform(0, 1, data.n_pixels) if weighted else None
    monkeypatch.setattr(_input, "_HISTOGRAM_PIXELS", 1000)  # a strided read
    counts, sums = _input._color_histogram(data, weights)
    monkeypatch.setattr(_input, "_compiled_histogram", lambda: None)
    expected_counts, expected_sums = _input._color_histogram(data, weights)
    np.testing.assert_allclose(counts, expected_counts, atol=1e-12)
    np.testing.assert_allclose(sums, expected_sums, atol=1e-12)


@pytest.mark.parametrize("weighted", [False, True])
def test_histogram_merges_are_numpys_block_sums_bit_for_bit(weighted):
    # The merged levels add in the order of numpy's reduction over the blocks
    # (what summarize did before): the same roundings, the same fits.
    rng = np.random.default_rng(4)
    image = rng.integers(0, 256, (120, 90, 3), dtype=np.uint8)
    data = check_colors(image, "X")
    weights = rng.uniform(0, 1, data.n_pixels) if weighted else None
    counts, sums = data.color_histogram(weights)
    for bits in range(_input._HISTOGRAM_BITS, 1, -1):
        half = 1 << (bits - 1)
        expected_counts = counts.reshape(half, 2, half, 2, half, 2).sum(axis=(1, 3, 5)).ravel()
        expected_sums = sums.reshape(half, 2, half, 2, half, 2, 3).sum(axis=(1, 3, 5))
        counts, sums = _input._merge_bins(counts, sums, bits)
        np.testing.assert_array_equal(counts, expected_counts)
        np.testing.assert_array_equal(sums, expected_sums.reshape(-1, 3))
        # color_histogram stops at the first level with at most max_bins occupied
        got_counts, got_sums = data.color_histogram(weights, np.count_nonzero(counts))
        np.testing.assert_array_equal(got_counts, counts)
        np.testing.assert_array_equal(got_sums, sums)
    assert data.color_histogram(weights, 0)[0].shape == (8,)  # 1 bit a channel at least
