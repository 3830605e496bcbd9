import numpy as np
import pytest
from scipy.linalg import sqrtm

from skcolorot import AffineTransport


def _gaussian(rng, mean, cov, n):
    return rng.multivariate_normal(mean, cov, size=n)


def test_full_map_matches_closed_form():
    rng = np.random.default_rng(0)
    cov_s = np.array([[0.02, 0.005, 0.0], [0.005, 0.01, 0.002], [0.0, 0.002, 0.015]])
    cov_t = np.array([[0.01, -0.003, 0.001], [-0.003, 0.03, 0.0], [0.001, 0.0, 0.005]])
    X = _gaussian(rng, [0.3, 0.4, 0.5], cov_s, 3000)
    Y = _gaussian(rng, [0.6, 0.2, 0.4], cov_t, 2000)
    model = AffineTransport(reg=0.0, n_samples=None).fit(X, Y)

    ms, mt = X.mean(0), Y.mean(0)
    cs, ct = np.cov(X.T, bias=True), np.cov(Y.T, bias=True)
    root = np.real(sqrtm(cs))
    root_inv = np.linalg.inv(root)
    A = root_inv @ np.real(sqrtm(root @ ct @ root)) @ root_inv
    expected = (X - ms) @ A + mt
    np.testing.assert_allclose(model.transform(X), expected, atol=1e-10)
    # The mapped sample has the target's moments exactly.
    mapped = model.transform(X)
    np.testing.assert_allclose(np.cov(mapped.T, bias=True), ct, atol=1e-10)
    np.testing.assert_allclose(mapped.mean(0), mt, atol=1e-12)


def test_diag_is_reinhard():
    rng = np.random.default_rng(1)
    X = rng.normal([0.2, 0.5, 0.7], [0.05, 0.1, 0.02], size=(1000, 3))
    Y = rng.normal([0.6, 0.3, 0.4], [0.1, 0.02, 0.05], size=(800, 3))
    model = AffineTransport(covariance="diag", reg=0.0, n_samples=None).fit(X, Y)
    expected = (X - X.mean(0)) / X.std(0) * Y.std(0) + Y.mean(0)
    np.testing.assert_allclose(model.transform(X), expected, atol=1e-10)


@pytest.mark.parametrize("covariance", ["full", "diag"])
# Not "lab": scikit-image's Lab -> RGB clips to the sRGB gamut, which a map may leave.
@pytest.mark.parametrize("color_space", ["rgb", "oklab"])
def test_inverse_of_forward_is_identity(covariance, color_space):
    rng = np.random.default_rng(2)
    X = 0.2 + 0.6 * rng.random((500, 3))
    Y = 0.1 + 0.5 * rng.random((400, 3)) ** 2
    # In RGB the grade's table is the affine map itself; in another space the
    # map is exact only untabulated (lut_size=None): its table bends with the
    # space's non-linearity between the nodes (most near black).
    model = AffineTransport(covariance, color_space=color_space, clip=False).fit(X, Y)
    back = model.inverse_transform(model.transform(X))
    if color_space == "rgb":
        np.testing.assert_allclose(back, X, atol=1e-6)
    else:
        error = np.abs(back - X)
        assert np.median(error) < 1 / 255 and error.max() < 0.1, (np.median(error), error.max())
    exact = AffineTransport(covariance, color_space=color_space, clip=False, lut_size=None)
    exact.fit(X, Y)
    np.testing.assert_allclose(exact.inverse_transform(exact.transform(X)), X, atol=1e-6)


def test_t_endpoints_and_midpoint():
    rng = np.random.default_rng(3)
    X, Y = rng.random((300, 3)), rng.random((300, 3)) * 0.3
    model = AffineTransport().fit(X, Y)
    full = model.transform(X)
    np.testing.assert_array_equal(model.set_params(t=0.0).transform(X), X)
    np.testing.assert_allclose(model.set_params(t=0.5).transform(X), (X + full) / 2, atol=1e-12)
    np.testing.assert_allclose(model.set_params(t=1.0).transform(X), full)


def test_singular_source_gives_finite_map():
    rng = np.random.default_rng(4)
    X = np.tile([0.5, 0.5, 0.5], (100, 1))
    Y = rng.random((100, 3))
    model = AffineTransport().fit(X, Y)
    out = model.transform(X)
    assert np.all(np.isfinite(out))
    np.testing.assert_allclose(out, np.tile(Y.mean(0), (100, 1)), atol=1e-8)


def test_real_image_moves_colours_towards_target(small_pair):
    from skcolorot import color_fidelity

    src, ref = small_pair
    out = AffineTransport(random_state=0).fit(src, ref).transform(src)
    assert out.dtype == np.uint8 and out.shape == src.shape
    assert color_fidelity(out, ref, src) < 0.6
