import os
import pickle
import pkgutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn import config_context
from sklearn.base import clone
from sklearn.pipeline import make_pipeline

import skcolorot
from skcolorot.image import _regrain
from skcolorot._utils._input import TransportedArray
from skcolorot.image._regrainer import Regrainer, regrain


@pytest.fixture(scope="module")
def crop(china):
    """A 64 x 96 float crop in [0.1, 0.9]: room for offsets without clipping."""
    return 0.1 + 0.8 * (china[150:214, 200:296] / 255.0)


def _noise_residual(u, clean, noisy, **params):
    return np.std(regrain(u, noisy, **params) - clean)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"guide": "color"},
        {"subsample": 1},
        {"radius": 7, "subsample": 3},
        {"n_iter": 3},
        {"eps": 1e-4, "radius": 1},
    ],
)
def test_constant_offset_comes_back(crop, params):
    mapped = crop + np.array([0.05, -0.04, 0.02])
    np.testing.assert_allclose(regrain(crop, mapped, **params), mapped, atol=1e-5)


@pytest.mark.parametrize("params", [{}, {"guide": "color"}, {"n_iter": 2, "eps": 0.01}])
def test_noise_added_to_mapped_is_removed(crop, params):
    rng = np.random.default_rng(0)
    clean = crop + np.array([0.05, -0.04, 0.02])
    noise = rng.normal(0, 0.04, crop.shape)
    assert _noise_residual(crop, clean, clean + noise, **params) < 0.5 * noise.std()


def test_noise_reduced_with_an_affine_colour_map(crop):
    # A small eps keeps a cross-channel affine map (the guided filter's local model).
    rng = np.random.default_rng(1)
    A = np.array([[0.8, 0.1, 0.0], [0.05, 0.7, 0.1], [0.0, 0.2, 0.6]])
    clean = crop @ A.T + 0.1
    noise = rng.normal(0, 0.04, crop.shape)
    residual = _noise_residual(crop, clean, clean + noise, guide="color", eps=1e-4, radius=2)
    assert residual < 0.6 * noise.std()


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32, np.float64])
def test_shape_and_dtype_follow_mapped(small_pair, dtype):
    src, ref = small_pair
    scale = {np.uint8: 1, np.uint16: 257}.get(dtype)
    if scale:
        source = src.astype(dtype) * dtype(scale)
        mapped = (ref[: src.shape[0], : src.shape[1]].astype(dtype) * dtype(scale))
    else:
        source, mapped = (src / 255.0).astype(dtype), (src[::-1] / 255.0).astype(dtype)
    out = regrain(source, mapped)
    assert type(out) is np.ndarray
    assert out.shape == mapped.shape and out.dtype == mapped.dtype
    if not scale:
        assert out.min() >= 0 and out.max() <= 1


def test_mixed_dtypes_and_alpha(small_pair):
    src, _ = small_pair
    alpha = np.linspace(0, 1, src.shape[0] * src.shape[1], dtype=np.float32)
    mapped = np.dstack([src[..., ::-1] / np.float32(255), alpha.reshape(src.shape[:2])])
    out = regrain(src, mapped)
    assert out.shape == mapped.shape and out.dtype == np.float32
    np.testing.assert_array_equal(out[..., 3], mapped[..., 3])
    # An RGBA source guides by its colour channels only.
    rgba = np.dstack([src, np.full(src.shape[:2], 7, np.uint8)])
    np.testing.assert_array_equal(regrain(rgba, src[..., ::-1]), regrain(src, src[..., ::-1]))


def test_batch_equals_images_one_by_one(small_pair):
    src, ref = small_pair
    mapped = ref[: src.shape[0], : src.shape[1]]
    batch = regrain(np.stack([src, src[::-1]]), np.stack([mapped, mapped]))
    assert batch.shape == (2,) + src.shape
    np.testing.assert_array_equal(batch[0], regrain(src, mapped))
    np.testing.assert_array_equal(batch[1], regrain(src[::-1], mapped))


def test_inputs_not_modified(small_pair):
    src, ref = small_pair
    mapped = TransportedArray(ref[: src.shape[0], : src.shape[1]].copy(), source=src)
    src_copy, mapped_copy = src.copy(), np.asarray(mapped).copy()
    Regrainer().fit_transform(mapped)
    regrain(src, mapped, method="pitie")
    np.testing.assert_array_equal(src, src_copy)
    np.testing.assert_array_equal(mapped, mapped_copy)


def test_pitie_keeps_source_detail(china):
    # Pitié's regrain on a small image: noise in the mapped image is removed and
    # the source's structure comes back.
    src = china[100:228, 150:310]
    rng = np.random.default_rng(2)
    mapped = np.clip(0.7 * src + 40 + rng.normal(0, 12, src.shape), 0, 255).astype(np.uint8)
    out = regrain(src, mapped, method="pitie", smoothness=2.0)
    assert out.shape == src.shape and out.dtype == np.uint8

    def detail(x):
        return np.diff(x.astype(float), axis=1)

    assert np.std(detail(out) - detail(src)) < 0.5 * np.std(detail(mapped) - detail(src))


def test_regrainer_matches_function_and_clones(small_pair):
    src, ref = small_pair
    mapped = TransportedArray(ref[: src.shape[0], : src.shape[1]], source=src)
    model = Regrainer(radius=3, eps=0.01, guide="color")
    np.testing.assert_array_equal(
        model.fit_transform(mapped), regrain(src, mapped, radius=3, eps=0.01, guide="color")
    )
    assert model.n_features_in_ == 3
    assert clone(model).get_params() == model.get_params()
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(restored.transform(mapped), model.transform(mapped))


def test_missing_guide_says_how_to_use_it(small_pair):
    src, _ = small_pair
    with pytest.raises(ValueError, match="right after the transport.*regrain\\(source, mapped\\)"):
        Regrainer().fit_transform(src)
    # A slice of a transport's output is no longer its output.
    with pytest.raises(ValueError, match="guide"):
        Regrainer().transform(TransportedArray(src, source=src)[1:])


def test_samples_are_rejected():
    X = np.random.default_rng(0).random((50, 3))
    with pytest.raises(ValueError, match="images only"):
        regrain(X, X)
    with pytest.raises(ValueError, match="images only"):
        Regrainer().fit(X)
    with pytest.raises(ValueError, match="images only"):
        Regrainer().transform(TransportedArray(X, source=X))


def test_bad_input():
    img = np.zeros((8, 8, 3))
    with pytest.raises(ValueError, match="same image size"):
        regrain(img, np.zeros((8, 9, 3)))
    with pytest.raises(ValueError, match="channels"):
        regrain(img, np.zeros((8, 8, 2)))
    with pytest.raises(ValueError, match=r"outside \[0, 1\]"):
        regrain(img + 200, img)
    with pytest.raises(ValueError, match="radius"):
        regrain(img, img, radius=0)
    with pytest.raises(ValueError, match="method"):
        Regrainer(method="bilateral").fit(img)
    with pytest.raises(ValueError, match="fitted on 3"):
        Regrainer().fit(img).transform(TransportedArray(np.zeros((8, 8, 2)), source=img))


@pytest.mark.parametrize("routing", [False, True])
def test_pipeline_after_a_transport(small_pair, routing):
    from skcolorot import AffineTransport

    src, ref = small_pair
    with config_context(enable_metadata_routing=routing):
        pipe = make_pipeline(AffineTransport(), Regrainer())
        out = pipe.fit(src, ref).transform(src)
        assert out.shape == src.shape and out.dtype == np.uint8
        mapped = pipe[0].transform(src)
        np.testing.assert_array_equal(out, regrain(src, mapped))
        np.testing.assert_array_equal(clone(pipe).fit_transform(src, ref), out)
        # The target passed as metadata, the Regrainer ignoring what is not its own.
        if routing:
            pipe = make_pipeline(AffineTransport().set_fit_request(target=True), Regrainer())
            pipe.fit(src, target=ref)
        else:
            pipe.fit(src, None, affinetransport__target=ref, regrainer__sample_weight=None)
        np.testing.assert_array_equal(pipe.transform(src), out)


@pytest.mark.parametrize("params", [{}, {"radius": 7, "n_iter": 1}, {"subsample": 1}])
def test_row_strips_give_the_whole_image_result(monkeypatch, params):
    from skcolorot.image._regrain import _driver

    rng = np.random.default_rng(0)
    source = (rng.random((150, 90, 3)) * 255).astype(np.uint8)
    mapped = np.clip(source.astype(int) + rng.integers(-40, 40, source.shape), 0, 255)
    mapped = mapped.astype(np.uint8)
    whole = regrain(source, mapped, **params)
    monkeypatch.setattr(_driver, "_STRIP_PIXELS", 16 * 90)
    strips = regrain(source, mapped, **params)
    np.testing.assert_array_equal(strips, whole)


def _run_fresh(code):
    """Run ``code`` in a fresh interpreter that imports this checkout's skcolorot."""
    root = str(Path(skcolorot.__file__).resolve().parent.parent)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([root, os.environ.get("PYTHONPATH", "")]))
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )


def test_regrain_is_the_function_not_a_module():
    result = _run_fresh(
        # Import from sys.path only: an editable install of another checkout would
        # otherwise supply the modules this one lacks.
        "import importlib, importlib.machinery as m, sys\n"
        "sys.meta_path[:] = [m.BuiltinImporter, m.FrozenImporter, m.PathFinder]\n"
        "import skcolorot\n"
        "try:\n"
        "    importlib.import_module('skcolorot.regrain')\n"
        "except ModuleNotFoundError:\n"
        "    pass\n"
        "else:\n"
        "    raise SystemExit('skcolorot.regrain imports as a module')\n"
        "import skcolorot.image._regrainer\n"
        "from skcolorot import regrain\n"
        "assert regrain is skcolorot.regrain is skcolorot.image._regrainer.regrain\n"
        "import numpy as np\n"
        "image = np.zeros((8, 8, 3))\n"
        "assert skcolorot.regrain(image, image).shape == (8, 8, 3)\n"
    )
    assert result.returncode == 0, result.stderr + result.stdout


def test_filters_do_not_import_the_public_module_or_dask():
    # The public module and the dask path import the filters, never the reverse:
    # no import cycle, and the filters work without dask. One interpreter, each
    # module imported after every skcolorot module is forgotten.
    modules = ["skcolorot.image._regrain"] + [
        f"skcolorot.image._regrain.{info.name}" for info in pkgutil.iter_modules(_regrain.__path__)
    ]
    result = _run_fresh(
        "import importlib, sys\n"
        f"for module in {modules!r}:\n"
        "    for name in [n for n in sys.modules if n.startswith('skcolorot')]:\n"
        "        del sys.modules[name]\n"
        "    importlib.import_module(module)\n"
        "    found = {'skcolorot.image._regrainer', 'skcolorot.image._dask', 'dask'} & set(sys.modules)\n"
        "    assert not found, (module, found)\n"
    )
    assert result.returncode == 0, result.stderr + result.stdout
