"""Reliability (issue 8): valid oddities (read-only, strided, big-endian,
Fortran-ordered arrays, lists, one-pixel inputs, integer samples, float16)
give the same answer as the ordinary array."""

import numpy as np
import pytest
from test_reliability_input import IMAGE, NAMES, REFERENCE, TRANSPORTS, X, Y

from skcolorot import AffineTransport, apply_lut, regrain
from skcolorot.color._lut import lut_grid


# ======================================= valid oddities give the right answer
def _big_endian(a):
    return a.astype(a.dtype.newbyteorder(">"))


def _read_only(a):
    a = a.copy()
    a.flags.writeable = False
    return a


def _strided(a):
    wide = np.zeros(a.shape[:-1] + (2 * a.shape[-1],), a.dtype)
    wide[..., ::2] = a
    return wide[..., ::2]


ODDITIES = {
    "read-only": _read_only,
    "non-contiguous": _strided,
    "big-endian": _big_endian,
    "fortran-order": np.asfortranarray,
    "list": lambda a: a.tolist(),
}


ODD_DATA = {
    "float-samples": (X, Y),
    "uint8-image": (IMAGE, REFERENCE),
    "uint16-image": (IMAGE.astype(np.uint16) * 257, REFERENCE.astype(np.uint16) * 257),
}
# Nested lists of integers are int64 samples, not an image: lists only for floats.
ODD_CASES = [
    (kind, oddity)
    for kind in ODD_DATA
    for oddity in sorted(ODDITIES)
    if oddity != "list" or kind == "float-samples"
]
_EXPECTED = {}


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("kind, oddity", ODD_CASES, ids=[f"{k}-{o}" for k, o in ODD_CASES])
def test_valid_oddities_give_the_same_result(name, kind, oddity):
    source, target = ODD_DATA[kind]
    if (name, kind) not in _EXPECTED:
        _EXPECTED[name, kind] = TRANSPORTS[name]().fit(source, target)
    expected = _EXPECTED[name, kind]
    odd = ODDITIES[oddity]
    model = TRANSPORTS[name]().fit(odd(source), odd(target))
    for method in ("transform", "inverse_transform"):
        want = getattr(expected, method)(source)
        got = getattr(model, method)(odd(source))
        assert got.shape == want.shape
        assert got.dtype == want.dtype  # the native equivalent for big-endian input
        np.testing.assert_allclose(got, want, atol=1e-12, rtol=0)


@pytest.mark.parametrize("name", NAMES)
def test_one_pixel_inputs_to_transform(fitted_transports, name):
    model = fitted_transports[name]["images"]
    pixel = IMAGE[5:6, 7:8]
    whole = model.set_params(lut_size=None).transform(IMAGE)
    try:
        one = model.transform(pixel)
        assert one.shape == (1, 1, 3) and one.dtype == np.uint8
        np.testing.assert_array_equal(one, whole[5:6, 7:8])
        np.testing.assert_array_equal(model.transform(pixel.reshape(1, 3)), one.reshape(1, 3))
        rgba = np.dstack([pixel, [[[77]]]]).astype(np.uint8)
        out = model.transform(rgba)
        assert out.shape == (1, 1, 4) and out[0, 0, 3] == 77
        np.testing.assert_array_equal(out[..., :3], one)
    finally:
        model.set_params(lut_size=5)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")  # costs ~1e4
@pytest.mark.parametrize("name", NAMES)
def test_integer_samples_are_numbers_and_inputs_are_untouched(name):
    source = (X * 100).astype(np.int64)
    before = source.copy()
    model = TRANSPORTS[name]().fit(source, Y * 100)
    np.testing.assert_allclose(model.transform(source), model.transform(source.astype(float)))
    np.testing.assert_array_equal(source, before)


def test_float16_comes_back_as_float16(fitted_transports):
    out = fitted_transports["affine"]["samples"].transform(X.astype(np.float16))
    assert out.dtype == np.float16


@pytest.mark.parametrize("oddity", sorted(set(ODDITIES) - {"list"}))
@pytest.mark.parametrize("method", ["guided", "pitie"])
def test_regrain_takes_valid_oddities(oddity, method):
    source = IMAGE.astype(np.uint16) * 257
    mapped = np.asarray(AffineTransport().fit(source, REFERENCE).transform(source))
    expected = regrain(source, mapped, method=method)
    odd = ODDITIES[oddity]
    got = regrain(odd(source), odd(mapped), method=method)
    np.testing.assert_array_equal(got, expected)
    one = regrain(IMAGE[:1, :1], IMAGE[:1, :1], method=method)  # a 1-pixel image
    np.testing.assert_array_equal(one, IMAGE[:1, :1])


def test_apply_lut_big_endian_and_read_only():
    table = lut_grid(5) ** 2
    image = IMAGE.astype(np.uint16) * 257
    expected = apply_lut(image, table)
    np.testing.assert_array_equal(apply_lut(_big_endian(image), _read_only(table)), expected)
    np.testing.assert_array_equal(apply_lut(_strided(image), table), expected)
