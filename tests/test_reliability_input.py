"""Reliability (issue 8): bad input gets a clear error that names the argument,
in every transport, the Regrainer, the public functions and domain adaptation.

tests/test_validation.py pins the basic errors of AffineTransport and
SinkhornTransport; this module runs the whole table through every transport.
The small fitted transports here are shared by the other reliability modules.
"""

import os

import numpy as np
import pytest
from scipy import sparse
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression

import skcolorot
from skcolorot import (
    AffineTransport,
    EMDTransport,
    GMMTransport,
    Regrainer,
    SinkhornTransport,
    SlicedTransport,
    apply_lut,
    barycenter,
    color_fidelity,
    luminance_ssim,
    make_transport,
    read_cube,
    regrain,
    sample_pixels,
    sliced_wasserstein,
    sliced_wasserstein_scorer,
    tone_grayscale,
    transfer,
    write_cube,
)
from skcolorot.da._domain import DomainAdaptation
from skcolorot.color._lut import lut_grid

# Small and fast: every transport, with a LUT small enough that a 20 x 24 image
# takes the LUT path (and fills the LUT cache that pickling must keep).
TRANSPORTS = {
    "affine": lambda: AffineTransport(random_state=0, lut_size=5),
    "sinkhorn": lambda: SinkhornTransport(reg=1e-2, n_samples=150, random_state=0, lut_size=5),
    "sliced": lambda: SlicedTransport(n_iter=5, n_samples=300, random_state=0, lut_size=5),
    "gmm": lambda: GMMTransport(2, n_samples=300, max_iter=30, random_state=0, lut_size=5),
    "emd": lambda: EMDTransport(n_samples=150, random_state=0, lut_size=5),
}
NAMES = sorted(TRANSPORTS)

RNG = np.random.default_rng(0)
X = RNG.random((60, 3))
Y = RNG.random((50, 3)) * 0.6 + 0.2
IMAGE = (RNG.random((20, 24, 3)) * 255).astype(np.uint8)
REFERENCE = (RNG.random((16, 16, 3)) * 200).astype(np.uint8)


def _with(array, index, value):
    out = np.array(array, dtype=np.float64)
    out[index] = value
    return out


# ============================================================ fit: bad input
Y_LABEL = r"y \(the target sample\)"
# (id, fit arguments, fit keywords, error, message naming the argument)
BAD_FIT = [
    ("nan-X", (_with(X, (3, 1), np.nan), Y), {}, ValueError, "X contains NaN or infinity"),
    ("inf-y", (X, _with(Y, (0, 0), np.inf)), {}, ValueError, Y_LABEL + " contains NaN"),
    ("-inf-target", (X,), {"target": _with(Y, (2, 2), -np.inf)}, ValueError, "target contains"),
    ("empty-X", (np.empty((0, 3)), Y), {}, ValueError, "X is empty"),
    ("empty-y", (X, np.empty((0, 3))), {}, ValueError, Y_LABEL + " is empty"),
    ("no-features", (np.empty((5, 0)), Y), {}, ValueError, r"X is empty: 0 feature"),
    ("1-pixel-X", (IMAGE[:1, :1], REFERENCE), {}, ValueError, "X has 1 sample"),
    ("1-pixel-y", (IMAGE, REFERENCE[:1, :1]), {}, ValueError, Y_LABEL + " has 1 sample"),
    ("channels-y", (X, Y[:, :2]), {}, ValueError, Y_LABEL + " has 2 channels"),
    ("channels-target", (X,), {"target": np.ones((5, 4))}, ValueError, "target has 4 channels"),
    ("1-D-X", (X.ravel(), Y), {}, ValueError, "X must be samples.*1-D array is ambiguous"),
    ("5-D-X", (X.reshape(1, 1, 3, 20, 3), Y), {}, ValueError, r"X must be samples.*\(1, 1, 3"),
    ("0-D-X", (np.float64(0.5), Y), {}, ValueError, "X must be samples"),
    ("complex-X", (X.astype(complex), Y), {}, TypeError, "X has unsupported dtype complex"),
    ("object-X", (X.astype(object), Y), {}, TypeError, "X has unsupported dtype object"),
    ("bool-X", (X > 0.5, Y), {}, TypeError, "X has unsupported dtype bool"),
    ("str-y", (X, Y.astype(str)), {}, TypeError, Y_LABEL + " has unsupported dtype"),
    ("datetime-X", (np.zeros((4, 3), "M8[s]"), Y), {}, TypeError, "X has unsupported dtype"),
    ("int64-image", (np.full((2, 2, 3), 300), IMAGE), {}, TypeError, "image of dtype int64"),
    ("int32-image-y", (IMAGE, IMAGE.astype("i4")), {}, TypeError, Y_LABEL + " is an image of"),
    ("uint32-image", (IMAGE.astype(np.uint32), REFERENCE), {}, TypeError, "dtype uint32"),
    ("2-D-uint8-gray", (IMAGE[..., 0], REFERENCE[..., 0]), {}, ValueError, "X .*grayscale"),
    ("sparse-X", (sparse.csr_matrix(X), Y), {}, TypeError, "X is a sparse matrix"),
    ("no-target", (X,), {}, ValueError, "target y is None"),
    ("labels-as-y", (X, np.arange(60)), {}, ValueError, "y is 1-D.*target=X_target"),
    ("weights-length", (X, Y), {"sample_weight": [1, 2]}, ValueError, "sample_weight has 2 val"),
    ("weights-negative", (X, Y), {"sample_weight": -X[:, 0]}, ValueError, "sample_weight must be"),
    ("weights-nan", (X, Y), {"sample_weight": X[:, 0] + np.nan}, ValueError, "sample_weight must"),
    ("weights-zero", (X, Y), {"sample_weight": 0 * X[:, 0]}, ValueError, "sample_weight"),
]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(
    "args, kwargs, error, match", [case[1:] for case in BAD_FIT], ids=[c[0] for c in BAD_FIT]
)
def test_fit_refuses_bad_input_naming_the_argument(name, args, kwargs, error, match):
    model = TRANSPORTS[name]()
    with pytest.raises(error, match=match):
        model.fit(*args, **kwargs)
    assert not hasattr(model, "n_features_in_")  # nothing half-fitted


def test_fit_refuses_a_dask_array():
    da = pytest.importorskip("dask.array")
    with pytest.raises(TypeError, match="X is a dask array; only transform"):
        AffineTransport().fit(da.from_array(X), Y)


# ====================================================== parameters: bad values
BAD_PARAMS = [
    (name, params, f"'{key}' parameter of")
    for name in NAMES
    for params in (
        {"t": 1.5},
        {"t": -0.1},
        {"t": float("nan")},
        {"t": "1"},
        {"n_samples": 1},
        {"lut_size": 1},
        {"lut_size": 257},
        {"color_space": "hsv"},
        {"clip": "yes"},
        {"random_state": "seed"},
    )
    for key in params
] + [
    ("affine", {"reg": -1e-3}, "'reg' parameter of AffineTransport"),
    ("affine", {"covariance": "tied"}, "'covariance' parameter"),
    ("sinkhorn", {"reg": 0.0}, "'reg' parameter of SinkhornTransport"),
    ("sinkhorn", {"reg": -1.0}, "'reg' parameter of SinkhornTransport"),
    ("sinkhorn", {"tol": 0.0}, "'tol' parameter"),
    ("sinkhorn", {"max_iter": 0}, "'max_iter' parameter"),
    ("sliced", {"n_slices": 0}, "'n_slices' parameter"),
    ("sliced", {"n_slices": -2}, "'n_slices' parameter"),
    ("sliced", {"n_slices": 2.5}, "'n_slices' parameter"),
    ("sliced", {"n_iter": 0}, "'n_iter' parameter"),
    ("sliced", {"step": 0.0}, "'step' parameter"),
    ("sliced", {"step": 1.5}, "'step' parameter"),
    ("sliced", {"n_quantiles": 1}, "'n_quantiles' parameter"),
    ("gmm", {"n_components": 0}, "'n_components' parameter"),
    ("gmm", {"n_components_target": 0}, "'n_components_target' parameter"),
    ("gmm", {"reg_covar": -1.0}, "'reg_covar' parameter"),
    ("gmm", {"map": "median"}, "'map' parameter"),
    ("gmm", {"covariance_type": "block"}, "'covariance_type' parameter"),
    ("gmm", {"max_iter": 0}, "'max_iter' parameter"),
]


@pytest.mark.parametrize(
    "name, params, match", BAD_PARAMS, ids=[f"{n}-{p}" for n, p, _ in BAD_PARAMS]
)
def test_bad_parameters_are_named_at_fit(name, params, match):
    with pytest.raises(ValueError, match=match):
        TRANSPORTS[name]().set_params(**params).fit(X, Y)


@pytest.mark.parametrize(
    "params, X_fit, Y_fit, match",
    [
        ({"n_components": 7}, X[:5], Y, r"n_components=7 is larger than the number of source"),
        ({"n_components": 3}, X, Y[:2], r"n_components=3 is larger than the number of target"),
        ({"n_components": 2, "n_components_target": 9}, X, Y[:8], "n_components_target=9"),
        # The sub-sample is what the mixture sees.
        ({"n_components": 40, "n_samples": 30}, X, Y, r"n_components=40 .*source samples \(30\)"),
    ],
)
def test_more_gmm_components_than_samples(params, X_fit, Y_fit, match):
    with pytest.raises(ValueError, match=match):
        GMMTransport(random_state=0, **params).fit(X_fit, Y_fit)


def test_sinkhorn_refuses_a_plan_that_would_not_fit_in_memory():
    # n_samples=None on a 12 MP photograph would ask for terabytes.
    big = np.zeros((10_001, 3))
    with pytest.raises(ValueError, match=r"10001 x 10001 plan.*lower n_samples \(now None\)"):
        SinkhornTransport(n_samples=None).fit(big, big)


# ==================================================== transform: bad input
BAD_TRANSFORM = [
    ("nan", np.full((2, 3), np.nan), ValueError, "X contains NaN or infinity"),
    ("inf-image", np.full((2, 2, 3), np.inf), ValueError, "X contains NaN or infinity"),
    ("empty", np.empty((0, 3)), ValueError, "X is empty"),
    ("empty-image", np.empty((0, 4, 3), np.uint8), ValueError, "X is empty"),
    ("2-channels", X[:, :2], ValueError, "X has 2 channels .* works on 3"),
    ("4-features", np.ones((5, 4)), ValueError, "X has 4 channels"),
    ("5-channel-image", np.zeros((2, 2, 5), np.uint8), ValueError, "X has 5 channels"),
    ("1-D", X[0], ValueError, "X must be samples.*1-D"),
    ("complex", X.astype(complex), TypeError, "X has unsupported dtype complex"),
    ("object", X.astype(object), TypeError, "X has unsupported dtype object"),
    ("bool", X > 0.5, TypeError, "X has unsupported dtype bool"),
    ("int64-image", IMAGE.astype(np.int64) * 2, TypeError, "X is an image of dtype int64"),
    ("sparse", sparse.csr_matrix(X), TypeError, "X is a sparse matrix"),
]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("method", ["transform", "inverse_transform"])
@pytest.mark.parametrize(
    "data, error, match", [case[1:] for case in BAD_TRANSFORM], ids=[c[0] for c in BAD_TRANSFORM]
)
def test_transform_refuses_bad_input(fitted_transports, name, method, data, error, match):
    with pytest.raises(error, match=match):
        getattr(fitted_transports[name]["samples"], method)(data)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(
    "call",
    [
        lambda m: m.transform(X),
        lambda m: m.inverse_transform(X),
        lambda m: m.score(X, Y),
        lambda m: m.to_lut(5),
        lambda m: m.to_cube("never.cube"),
    ],
    ids=["transform", "inverse_transform", "score", "to_lut", "to_cube"],
)
def test_use_before_fit_is_not_fitted_error(name, call, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(NotFittedError, match=f"This {type(TRANSPORTS[name]()).__name__}"):
        call(TRANSPORTS[name]())
    assert not os.listdir(tmp_path)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("t", [-0.1, 1.5, float("nan"), "1", None, True])
def test_t_set_after_fit_outside_unit_interval(fitted_transports, name, t):
    model = fitted_transports[name]["samples"]
    original = model.t
    model.t = t  # bypasses set_params' validation, as a user's attribute write would
    try:
        for call in (model.transform, model.inverse_transform, lambda Z: model.to_lut(3)):
            with pytest.raises(ValueError, match=r"t must be a number in \[0, 1\]"):
                call(X)
    finally:
        model.t = original


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(
    "y, match",
    [
        (None, "score needs the held-out target sample as y"),
        (np.arange(60), "y must be target samples .*not 1-D labels"),
        pytest.param(np.full((3, 3), np.nan), r"\by contains NaN", id="nan-y"),
        pytest.param(Y[:, :2], r"\by has 2 channels", id="channels-y"),
    ],
)
def test_score_refuses_bad_targets(fitted_transports, name, y, match):
    with pytest.raises(ValueError, match=match):
        fitted_transports[name]["samples"].score(X, y)


@pytest.mark.parametrize("name", NAMES)
def test_lut_needs_rgb_and_a_valid_size(name):
    two = TRANSPORTS[name]().fit(X[:, :2], Y[:, :2])
    with pytest.raises(ValueError, match="3D LUT needs a transport fitted on RGB"):
        two.to_lut()
    rgb = TRANSPORTS[name]().fit(X, Y)
    for size in (1, 257, 2.5, True):
        with pytest.raises(ValueError, match=r"size must be an integer in \[2, 256\]"):
            rgb.to_lut(size)


def test_pandas_output_refuses_images(fitted_transports):
    model = TRANSPORTS["affine"]().fit(X, Y).set_output(transform="pandas")
    with pytest.raises(ValueError, match="set_output.*X is an image"):
        model.transform(IMAGE)


# ======================================== Regrainer / regrain: bad input
IMG_F = IMAGE / 255.0
BAD_REGRAIN = [
    ("nan-source", (_with(IMG_F, (0, 0, 0), np.nan), IMG_F), ValueError, "source contains NaN"),
    ("inf-mapped", (IMG_F, _with(IMG_F, (1, 1, 1), np.inf)), ValueError, "mapped contains NaN"),
    ("complex", (IMG_F.astype(complex), IMG_F), TypeError, "source has unsupported dtype"),
    ("bool-mapped", (IMG_F, IMG_F > 0.5), TypeError, "mapped has unsupported dtype bool"),
    ("object", (IMG_F.astype(object), IMG_F), TypeError, "source has unsupported dtype object"),
    ("int64", (IMAGE.astype(np.int64), IMAGE), TypeError, "source is an image of dtype int64"),
    ("empty", (np.empty((0, 4, 3)), np.empty((0, 4, 3))), ValueError, "source is empty"),
    ("samples", (X, X), ValueError, "source must be an image.*images only"),
    ("5-D", (IMG_F[None, None], IMG_F[None, None]), ValueError, "source must be an image"),
    ("channels", (IMG_F, IMG_F[..., :2]), ValueError, "mapped has 2 channels"),
    ("sizes", (IMG_F, IMG_F[:5]), ValueError, "source and mapped must have the same image size"),
    ("0-255-floats", (IMG_F * 255, IMG_F), ValueError, r"source is a float image .*\[0, 1\]"),
]


@pytest.mark.parametrize(
    "args, error, match", [case[1:] for case in BAD_REGRAIN], ids=[c[0] for c in BAD_REGRAIN]
)
@pytest.mark.parametrize("method", ["guided", "pitie", "clean"])
def test_regrain_refuses_bad_input(args, error, match, method):
    with pytest.raises(error, match=match):
        regrain(*args, method=method)


@pytest.mark.parametrize(
    "params",
    [
        {"radius": 0},
        {"eps": 0.0},
        {"eps": -1.0},
        {"n_iter": 0},
        {"subsample": 0},
        {"subsample": "half"},
        {"method": "median"},
        {"guide": "hue"},
        {"smoothness": 0.0},
    ],
)
def test_regrain_parameters_are_named(params):
    (key,) = params
    with pytest.raises(ValueError, match=f"'{key}' parameter of Regrainer"):
        regrain(IMG_F, IMG_F, **params)
    mapped = AffineTransport().fit(IMAGE, REFERENCE).transform(IMAGE)
    with pytest.raises(ValueError, match=f"'{key}' parameter of Regrainer"):
        Regrainer(**params).fit(mapped).transform(mapped)


def test_regrainer_bad_input():
    with pytest.raises(ValueError, match="X must be an image"):
        Regrainer().fit(X)
    with pytest.raises(ValueError, match="Regrainer needs the source image as its guide"):
        Regrainer().transform(IMAGE)  # a plain array: no guide
    mapped = AffineTransport().fit(IMAGE, REFERENCE).transform(np.dstack([IMAGE, IMAGE[..., :1]]))
    with pytest.raises(ValueError, match="X has 4 channels, but Regrainer was fitted on 3"):
        Regrainer().fit(IMAGE).transform(mapped)


# ============================================== public functions: bad input
SW_CASES = [
    ("nan-X", (np.full((3, 3), np.nan), Y), {}, ValueError, "X contains NaN"),
    ("channels-Y", (X, Y[:, :2]), {}, ValueError, "Y has 2 channels"),
    ("1-sample-X", (X[:1], Y), {}, ValueError, "X has 1 sample"),
    ("complex-Y", (X, Y.astype(complex)), {}, TypeError, "Y has unsupported dtype complex"),
    ("weights-nan", (X, Y), {"sample_weight": np.full(60, np.nan)}, ValueError, "sample_weight"),
    ("weights-inf", (X, Y), {"sample_weight": X[:, 0] + np.inf}, ValueError, "60 finite, non-n"),
    ("weights-negative", (X, Y), {"sample_weight": -np.ones(60)}, ValueError, "sample_weight"),
    ("weights-length", (X, Y), {"sample_weight": np.ones(5)}, ValueError, "sample_weight"),
    ("projections-0", (X, Y), {"n_projections": 0}, ValueError, "n_projections must be"),
    ("projections-neg", (X, Y), {"n_projections": -1}, ValueError, "n_projections must be"),
    ("projections-float", (X, Y), {"n_projections": 2.5}, ValueError, "n_projections must be"),
    ("max-samples-0", (X, Y), {"max_samples": 0}, ValueError, "max_samples must be"),
    ("max-samples-1", (X, Y), {"max_samples": 1}, ValueError, "max_samples must be"),
]


@pytest.mark.parametrize(
    "args, kwargs, error, match", [c[1:] for c in SW_CASES], ids=[c[0] for c in SW_CASES]
)
def test_sliced_wasserstein_refuses_bad_input(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        sliced_wasserstein(*args, **kwargs)


NAN = np.full((3, 3), np.nan)
FUNCTION_CASES = [  # (id, function, args, keywords, error, what the message says)
    ("fidelity-2-ch", color_fidelity, (X[:, :2], Y, X), {}, ValueError, "result must be an RGB"),
    ("fidelity-nan", color_fidelity, (X, NAN, X), {}, ValueError, "target contains NaN"),
    ("fidelity-complex", color_fidelity, (X, Y, X + 0j), {}, TypeError, "source has unsupported"),
    ("ssim-tiny", luminance_ssim, (IMG_F[:3, :3],) * 2, {}, ValueError, "at least 7x7"),
    ("ssim-sizes", luminance_ssim, (IMG_F, IMG_F[:9]), {}, ValueError, "result and source must"),
    ("ssim-samples", luminance_ssim, (X, X), {}, ValueError, r"result and source must be \(H, W"),
    ("ssim-inf", luminance_ssim, (IMG_F + np.inf, IMG_F), {}, ValueError, "result contains NaN"),
    ("pixels-n-1", sample_pixels, (IMAGE, IMAGE), {"n_samples": 1}, ValueError, "n_samples must"),
    ("pixels-n-2.0", sample_pixels, (X, Y), {"n_samples": 2.0}, ValueError, "n_samples must"),
    ("pixels-nan", sample_pixels, (NAN, Y), {}, ValueError, "source contains NaN"),
    ("pixels-channels", sample_pixels, (X, Y[:, :2]), {}, ValueError, "target has 2 channels"),
    ("pixels-1-pixel", sample_pixels, (IMAGE[:1, :1], IMAGE), {}, ValueError, "source has 1 sam"),
    ("transfer-method", transfer, (IMAGE, IMAGE), {"method": "lp"}, ValueError, "method must be"),
    ("transfer-t", transfer, (IMAGE, IMAGE), {"t": 2.0}, ValueError, "t must be a number in"),
    ("transfer-n-slices", transfer, (IMAGE, IMAGE), {"n_slices": 0}, ValueError, "'n_slices' par"),
    ("transfer-unknown", transfer, (IMAGE, IMAGE), {"foo": 1}, ValueError, "parameter 'foo'"),
    ("transfer-nan", transfer, (IMG_F + np.nan, IMAGE), {}, ValueError, "source contains NaN"),
    ("transfer-1-pixel", transfer, (IMAGE, IMAGE[:1, :1]), {}, ValueError, "target has 1 sample"),
    ("transfer-channels", transfer, (IMAGE, IMAGE[..., :2]), {}, ValueError, "target has 2 chan"),
    ("transfer-0-255", transfer, (IMAGE * 1.0, IMAGE), {}, ValueError, "source is a float image"),
    (
        "transfer-regrain",
        transfer,
        (IMAGE, IMAGE),
        {"regrain": False, "regrain_params": {"eps": 1}},
        ValueError,
        "regrain_",
    ),
    ("make-transport-method", make_transport, ("lp",), {}, ValueError, "method must be one of"),
    ("make-transport-param", make_transport, ("gmm",), {"reg": 1}, ValueError, "parameter 'reg'"),
    ("scorer", sliced_wasserstein_scorer, (AffineTransport(), X, Y), {}, NotFittedError, "Affine"),
    ("lut-complex", apply_lut, (IMG_F + 0j, lut_grid(3)), {}, TypeError, "image must have dtype"),
    ("lut-table", apply_lut, (IMAGE, lut_grid(3).astype(object)), {}, TypeError, "table must be"),
    ("cube-title", write_cube, (os.devnull, lut_grid(2)), {"title": 3}, TypeError, "title must"),
    ("bary-array", barycenter, (IMAGE,), {}, TypeError, "samples must be a list or tuple"),
    ("bary-nan", barycenter, ([X, NAN],), {}, ValueError, r"samples\[1\] contains NaN"),
    ("bary-channels", barycenter, ([X, Y[:, :2]],), {}, ValueError, r"samples\[1\] has 2 chan"),
    ("bary-negative", barycenter, ([X, Y], [1, -1]), {}, ValueError, "weights must be non-neg"),
    ("bary-zero-sum", barycenter, ([X, Y], [0, 0]), {}, ValueError, "weights sum to zero"),
    ("bary-method", barycenter, ([X, Y],), {"method": "lp"}, ValueError, "method must be one"),
    ("transfer-weights", transfer, (IMAGE, IMAGE), {"weights": [1]}, ValueError, "several ref"),
    (
        "transfer-refs-nan-weight",
        transfer,
        (IMAGE, [IMAGE, REFERENCE]),
        {"weights": [np.nan, 1]},
        ValueError,
        "weights must be finite",
    ),
    ("tone-t", tone_grayscale, (IMAGE, IMAGE), {"t": 2.0}, ValueError, "t must be in"),
    ("tone-nan", tone_grayscale, (IMG_F + np.nan, IMAGE), {}, ValueError, "source contains NaN"),
    ("tone-int32", tone_grayscale, (IMAGE.astype(np.int32), IMAGE), {}, TypeError, "source must"),
    ("tone-channels", tone_grayscale, (IMAGE[..., :2], IMAGE), {}, ValueError, "1, 3 or 4 chan"),
    ("tone-reference", tone_grayscale, (IMAGE, IMAGE[..., :2]), {}, ValueError, "reference must"),
]


@pytest.mark.parametrize(
    "function, args, kwargs, error, match",
    [c[1:] for c in FUNCTION_CASES],
    ids=[c[0] for c in FUNCTION_CASES],
)
def test_public_functions_refuse_bad_input(function, args, kwargs, error, match):
    with pytest.raises(error, match=match):
        function(*args, **kwargs)


def test_scorer_names_the_target():
    model = AffineTransport().fit(X, Y)
    with pytest.raises(ValueError, match="Y has 2 channels"):
        sliced_wasserstein_scorer(model, X, X[:, :2])


def test_read_cube_of_a_directory_or_missing_file(tmp_path):
    with pytest.raises(IsADirectoryError):
        read_cube(tmp_path)
    with pytest.raises(FileNotFoundError, match="missing.cube"):
        read_cube(tmp_path / "missing.cube")


DA_CASES = [  # (id, change to the source X, target, error, message); test_domain.py: y, target
    ("nan-target", None, np.full((5, 2), np.nan), ValueError, "target contains NaN"),
    ("channels-target", None, np.ones((5, 3)), ValueError, "target has 3 channels"),
    ("empty-target", None, np.empty((0, 2)), ValueError, "target is empty"),
    ("1-sample-target", None, np.ones((1, 2)), ValueError, "target has 1 sample"),
    ("complex-X", lambda Xs: Xs + 0j, None, TypeError, "X has unsupported dtype complex"),
    ("inf-X", lambda Xs: Xs + np.inf, None, ValueError, "X contains NaN or infinity"),
    ("1-D-X", lambda Xs: Xs[:, 0], None, ValueError, "X must be samples"),
]


@pytest.mark.parametrize(
    "change, target, error, match", [c[1:] for c in DA_CASES], ids=[c[0] for c in DA_CASES]
)
@pytest.mark.parametrize("name", ["affine", "sliced"])
def test_domain_adaptation_refuses_bad_input(two_moons, change, target, error, match, name):
    Xs, ys = two_moons
    source = Xs if change is None else change(Xs)
    model = DomainAdaptation(TRANSPORTS[name](), LogisticRegression())
    with pytest.raises(error, match=match):
        model.fit(source, ys, target=Xs if target is None else target)


def test_domain_adaptation_bad_parameters_and_not_fitted(two_moons):
    Xs, ys = two_moons
    with pytest.raises(NotFittedError):
        DomainAdaptation(AffineTransport(), LogisticRegression()).predict(Xs)
    with pytest.raises(ValueError, match="'transport' parameter of DomainAdaptation"):
        DomainAdaptation("affine", LogisticRegression()).fit(Xs, ys, target=Xs)
    with pytest.raises(ValueError, match="'n_slices' parameter of SlicedTransport"):
        DomainAdaptation(SlicedTransport(0), LogisticRegression()).fit(Xs, ys, target=Xs)


def test_every_public_name_has_rows_here():
    # A new export needs its bad-input rows in this module (TransportedArray is
    # exercised through the Regrainer pipelines).
    covered = {
        *("AffineTransport", "SinkhornTransport", "SlicedTransport", "GMMTransport"),
        *("Regrainer", "regrain", "TransportedArray", "DomainAdaptation", "transfer"),
        *("make_transport", "sample_pixels", "sliced_wasserstein", "sliced_wasserstein_scorer"),
        *("color_fidelity", "luminance_ssim", "apply_lut", "read_cube", "write_cube"),
        *("EMDTransport", "barycenter"),
        "tone_grayscale",
        "preview",  # its bad-input rows are in test_preview.py (test_preview_refuses_bad_input)
        # Domain adaptation: their bad-input rows are in test_domain_selection.py
        # (test_new_names_refuse_bad_input).
        *("TargetSample", "transported_source_scorer", "LabelAwareTransport"),
        *("TransportAdapter", "CircularValidationScorer", "CombinedScorer"),
        *("DeepEmbeddedValidationScorer", "ImportanceWeightedScorer"),
        *("NeighbourConsistencyScorer", "PredictionEntropyScorer"),
    }
    assert set(skcolorot.__all__) <= covered, set(skcolorot.__all__) - covered
