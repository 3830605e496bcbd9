"""Numerical reliability (issue 19, items 3, 5, 7, 10, 11): finite input gives
finite colours or one clear error naming the argument, never NaN, black or a
loop without end; memory guards say what they guard.

Each test is a reproducer of a case an adversarial battery found.
"""

import warnings

import numpy as np
import pytest
from sklearn.utils._param_validation import InvalidParameterError

from skcolorot import (
    AffineTransport,
    GMMTransport,
    Regrainer,
    SinkhornTransport,
    SlicedTransport,
    apply_lut,
    regrain,
    sliced_wasserstein,
    write_cube,
)
from skcolorot.color._lut import lut_grid
from skcolorot.transport._sinkhorn import sinkhorn_potentials

RNG = np.random.default_rng(0)
X = RNG.random((60, 3))
Y = RNG.random((50, 3)) * 0.6 + 0.2
IMAGE = (RNG.random((12, 12, 3)) * 255).astype(np.uint8)
BLACK = np.zeros((12, 12, 3), np.uint8)

TRANSPORTS = {
    "affine": lambda: AffineTransport(random_state=0),
    "sinkhorn": lambda: SinkhornTransport(reg=1e-2, n_samples=60, random_state=0),
    "sliced": lambda: SlicedTransport(n_iter=5, n_samples=60, random_state=0),
    "gmm": lambda: GMMTransport(2, n_samples=60, max_iter=20, random_state=0),
}


@pytest.fixture(autouse=True)
def no_runtime_warnings():
    """A silent NaN shows up as numpy's RuntimeWarning first: none is allowed."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        yield


# ------------------------------------------------------------- 3. AffineTransport
def test_affine_reg0_towards_a_black_target_is_finite():
    model = AffineTransport(reg=0).fit(IMAGE, BLACK)
    np.testing.assert_array_equal(model.transform(IMAGE), BLACK)
    with pytest.raises(ValueError, match="has no inverse.*reg > 0"):
        model.inverse_transform(BLACK)


def test_affine_reg0_towards_a_rank_deficient_float_target_is_finite():
    flat = np.tile(RNG.random((1, 3)), (40, 1))
    flat[:, 0] = np.linspace(0, 1, 40)  # spread along one axis only
    mapped = AffineTransport(reg=0).fit(X, flat).transform(X)
    assert np.isfinite(mapped).all()


@pytest.mark.parametrize("covariance", ["full", "diag"])
def test_affine_reg0_from_a_flat_source_names_reg(covariance):
    with pytest.raises(ValueError, match="reg=0 with a source whose colours"):
        AffineTransport(covariance, reg=0).fit(BLACK, IMAGE)


# ---------------------------------------------------------- 3, 5. Sinkhorn scale
@pytest.mark.parametrize("magnitude", [1e12, 1e50, 1e99])
def test_sinkhorn_on_huge_features_names_reg(magnitude):
    with pytest.raises(ValueError, match=r"reg=0\.01 is too small for costs up to"):
        SinkhornTransport(reg=1e-2, n_samples=60).fit(X * magnitude, Y * magnitude)


def test_sinkhorn_at_a_matching_reg_is_finite_on_large_features():
    scale = 1e5
    model = SinkhornTransport(reg=1e-2 * scale**2, n_samples=60, random_state=0)
    mapped = model.fit(X * scale, Y * scale).transform(X * scale)
    assert np.isfinite(mapped).all()


def test_sinkhorn_potentials_refuse_an_overflowing_cost_at_once():
    # Used to loop forever: the epsilon schedule started at inf.
    cost = np.array([[0.0, np.inf], [np.inf, 0.0]])
    with pytest.raises(ValueError, match="cost matrix is not finite"):
        sinkhorn_potentials(np.full(2, 0.5), np.full(2, 0.5), cost, 1e-3)


@pytest.mark.parametrize("name", sorted(TRANSPORTS))
def test_magnitudes_beyond_1e100_are_one_clear_error(name):
    # 1e300 gave "LinAlgError: Eigenvalues did not converge", 1e160 an endless loop.
    for magnitude in (1e160, 1e300):
        with pytest.raises(ValueError, match="values of magnitude up to.*StandardScaler"):
            TRANSPORTS[name]().fit(X * magnitude, Y)


def test_sinkhorn_memory_guard_counts_bytes_not_entries():
    # 6000 x 6000 is 3.6e7 entries, under the old n**2 guard, but ~2.1 GiB.
    big = RNG.random((6000, 3))
    with pytest.raises(ValueError, match=r"needs about 2\.1 GiB.*at most 5792"):
        SinkhornTransport(n_samples=None).fit(big, big)


# ------------------------------------------------------------ 10. sample weights
@pytest.mark.parametrize("name", sorted(TRANSPORTS))
@pytest.mark.parametrize(
    "weights",
    [np.full(60, 1e308), np.r_[np.full(59, 1e-320), 1.0], np.r_[np.full(59, 1.0), 1e308]],
    ids=["all-1e308", "subnormal", "one-huge"],
)
def test_extreme_finite_weights_give_finite_colours(name, weights):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # GMM on a single effective point
        from sklearn.exceptions import ConvergenceWarning

        warnings.simplefilter("ignore", ConvergenceWarning)
        model = TRANSPORTS[name]().fit(X, Y, sample_weight=weights)
    assert np.isfinite(model.transform(X)).all()


def test_sliced_wasserstein_takes_huge_weights():
    assert np.isfinite(sliced_wasserstein(X, Y, sample_weight=np.full(60, 1e308)))


def test_ragged_input_is_named():
    with pytest.raises(ValueError, match="X is not a rectangular array"):
        AffineTransport().fit([[0.1, 0.2, 0.3], [0.1, 0.2]], Y)
    with pytest.raises(ValueError, match="sample_weight is not a rectangular array"):
        AffineTransport().fit(X, Y, sample_weight=[[1.0], [1.0, 2.0]])


# --------------------------------------------------------- 3. LUT table values
def test_a_table_entry_beyond_float32_is_refused(tmp_path):
    table = lut_grid(3)
    table[1, 1, 1, 0] = 1e39
    with pytest.raises(ValueError, match=r"within \+-1e\+06.*1e\+39"):
        apply_lut(IMAGE, table)
    with pytest.raises(ValueError, match=r"within \+-1e\+06"):
        write_cube(tmp_path / "huge.cube", table)
    assert not (tmp_path / "huge.cube").exists()


# ------------------------------------------------------------- 3. Regrainer
@pytest.mark.parametrize(
    "params, name",
    [({"eps": 1e-300}, "eps"), ({"eps": 1e-38}, "eps"),
     ({"method": "pitie", "smoothness": 1e-300}, "smoothness")],
)
def test_regrainer_refuses_parameters_float32_cannot_hold(params, name):
    with pytest.raises(InvalidParameterError, match=f"'{name}' parameter"):
        regrain(IMAGE, IMAGE[::-1], **params)
    with pytest.raises(InvalidParameterError, match=f"'{name}' parameter"):
        Regrainer(**params).fit(IMAGE)


@pytest.mark.parametrize("guide", ["luminance", "color"])
def test_regrain_of_a_flat_source_at_the_smallest_eps_is_not_black(guide):
    flat = np.full((16, 16, 3), 120, np.uint8)
    mapped = (RNG.random((16, 16, 3)) * 255).astype(np.uint8)
    out = regrain(flat, mapped, eps=1e-10, guide=guide)
    assert abs(out.mean() - mapped.mean()) < 2
    out = regrain(flat / 255.0, mapped / 255.0, method="pitie", smoothness=1e-6)
    assert np.isfinite(out).all()


# ------------------------------------------------ 7, 11. warnings and the score
def test_n_samples_none_on_a_huge_input_warns(monkeypatch):
    # The real threshold is 1M pixels; lowered so the test stays fast.
    monkeypatch.setattr(SlicedTransport, "_full_fit_warning_pixels", 100)
    with pytest.warns(UserWarning, match=r"n_samples=None fits SlicedTransport on all 144"):
        SlicedTransport(n_iter=2, n_samples=None, random_state=0).fit(IMAGE, IMAGE)
    assert AffineTransport._full_fit_warning_pixels is None  # moments: cheap


def test_score_checks_the_target_range_as_fit_does():
    model = AffineTransport().fit(IMAGE, IMAGE[::-1])
    with pytest.raises(ValueError, match="float image with values in"):
        model.score(IMAGE, IMAGE.astype(np.float64))  # 0-255 floats
