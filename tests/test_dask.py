"""Dask: lazy blockwise transform, regrain with a halo, batch grading of frames
and files, and one run on a local distributed cluster of processes."""

import os

import numpy as np
import pytest
from PIL import Image
from sklearn.exceptions import NotFittedError

from skcolorot import AffineTransport, SinkhornTransport
from skcolorot.io._batch import grade_files, grade_frames

da = pytest.importorskip("dask.array")
dask = pytest.importorskip("dask")


@pytest.fixture(scope="module")
def affine(small_pair):
    source, target = small_pair
    return AffineTransport().fit(source, target)


@pytest.fixture(scope="module")
def medium(china):
    # 214 x 320 = 68 480 pixels: more than lut_size**3 = 35 937, so the image as
    # a whole goes through the LUT while each 64 x 64 block alone would not.
    return np.ascontiguousarray(china[::2, ::2])


# ------------------------------------------------------------------ transform
def test_transform_is_lazy_and_keeps_shape_chunks_dtype(affine, medium):
    def explode(block):
        raise AssertionError("computed before .compute()")

    X = da.from_array(medium, chunks=(64, 64, 3)).map_blocks(explode, dtype=np.uint8)
    lazy = affine.transform(X)
    assert isinstance(lazy, da.Array)
    assert lazy.shape == medium.shape and lazy.dtype == np.uint8
    assert lazy.chunks == X.chunks
    assert lazy.source is X  # the guide of a following Regrainer


@pytest.mark.parametrize("dtype", [np.uint8, np.float32, np.float64])
def test_chunked_image_equals_in_memory(affine, medium, dtype):
    image = medium if dtype == np.uint8 else (medium / 255.0).astype(dtype)
    expected = affine.transform(image)
    # Channels split too: they are rechunked into one block.
    result = affine.transform(da.from_array(image, chunks=(64, 64, 1))).compute()
    assert type(result) is np.ndarray
    assert result.dtype == dtype
    # Identical, not merely close: the blocks take the whole image's LUT path.
    np.testing.assert_array_equal(result, expected)


def test_float_image_out_of_range_takes_the_exact_path_everywhere(affine, medium):
    # One value above 1 in one corner: the whole image then uses the exact map
    # (the LUT only covers [0, 1]); blocks far from it must not use the LUT.
    image = medium / 255.0
    image[0, 0, 0] = 1.5
    expected = affine.transform(image)
    result = affine.transform(da.from_array(image, chunks=(107, 160, 3))).compute()
    np.testing.assert_array_equal(result, expected)


def test_samples_batch_and_alpha(small_pair):
    source, target = small_pair
    sinkhorn = SinkhornTransport(reg=0.05, n_samples=300, random_state=0).fit(source, target)
    samples = source.reshape(-1, 3)[:5000] / 255.0
    result = sinkhorn.transform(da.from_array(samples, chunks=(1000, 3))).compute()
    # The exact map row by row: equal up to the order of floating-point sums.
    np.testing.assert_allclose(result, sinkhorn.transform(samples), rtol=0, atol=1e-12)

    affine = AffineTransport().fit(source, target)
    rgba = np.concatenate([source, np.full(source.shape[:2] + (1,), 7, np.uint8)], axis=-1)
    frames = np.stack([rgba, rgba[::-1]])
    result = affine.transform(da.from_array(frames, chunks=(1, 50, 60, 4))).compute()
    np.testing.assert_array_equal(result, affine.transform(frames))
    assert (result[..., 3] == 7).all()


def test_inverse_and_t(affine, medium):
    X = da.from_array(medium, chunks=(100, 100, 3))
    np.testing.assert_array_equal(
        affine.inverse_transform(X).compute(), affine.inverse_transform(medium)
    )
    half = AffineTransport(t=0.5).fit(medium, medium // 2)
    np.testing.assert_array_equal(half.transform(X).compute(), half.transform(medium))
    half.set_params(t=0)
    np.testing.assert_array_equal(half.transform(X).compute(), medium)


def test_bad_dask_input(affine, medium):
    with pytest.raises(ValueError, match="channels"):
        affine.transform(da.zeros((10, 10, 5), chunks=5))
    with pytest.raises(TypeError, match="uint8 or uint16"):
        affine.transform(da.zeros((10, 10, 3), dtype=np.int32, chunks=5))
    with pytest.raises(ValueError, match="shape"):
        affine.transform(da.zeros(30, chunks=5))
    with pytest.raises(NotFittedError):
        AffineTransport().transform(da.from_array(medium))
    # NaN can only be seen when the blocks are computed, by the in-memory check.
    with pytest.raises(ValueError, match="NaN"):
        affine.transform(da.full((10, 10, 3), np.nan, chunks=5)).compute()


# -------------------------------------------------------------------- regrain
@pytest.mark.parametrize(
    "params", [{}, {"radius": 6, "n_iter": 2}, {"subsample": 1}, {"method": "pitie"}]
)
def test_regrain_dask_equals_in_memory(affine, medium, params):
    from skcolorot.image._regrainer import regrain

    mapped = np.asarray(affine.transform(medium))
    expected = regrain(medium, mapped, **params)
    # Odd chunk sizes: regrain_dask realigns them on the filter's coarse grid.
    lazy = regrain(
        da.from_array(medium, chunks=(53, 81, 3)), da.from_array(mapped, chunks=(53, 81, 3)),
        **params,
    )
    assert isinstance(lazy, da.Array)
    if params.get("method") != "pitie":
        assert len(lazy.chunks[0]) > 1 and len(lazy.chunks[1]) > 1
    np.testing.assert_array_equal(lazy.compute(), expected)


def test_pipeline_with_regrainer_stays_lazy(small_pair):
    from sklearn.pipeline import make_pipeline

    from skcolorot.image._regrainer import Regrainer

    source, target = small_pair
    pipe = make_pipeline(AffineTransport(), Regrainer()).fit(source, target)
    lazy = pipe.transform(da.from_array(source, chunks=(40, 60, 3)))
    # The transport's dask output carries its input as .source, the Regrainer's
    # guide, and the Regrainer regrains it blockwise instead of computing it.
    assert isinstance(lazy, da.Array)
    np.testing.assert_array_equal(lazy.compute(), pipe.transform(source))


def test_regrain_halo_is_needed(affine, medium, monkeypatch):
    """The equality above depends on the halo: one coarse pixel less changes pixels."""
    import skcolorot.image._dask as dask_module
    from skcolorot.image._regrainer import regrain

    mapped = np.asarray(affine.transform(medium))
    depth, alignment = dask_module.regrain_halo()
    monkeypatch.setattr(dask_module, "regrain_halo", lambda **_: (depth - alignment, alignment))
    lazy = regrain(da.from_array(medium, chunks=(64, 64, 3)), mapped)
    assert not np.array_equal(lazy.compute(), regrain(medium, mapped))


# ---------------------------------------------------------------------- batch
def _frames(image, n=3):
    return np.stack([np.roll(image, 17 * i, axis=1) for i in range(n)])


def test_grade_frames_dask_equals_numpy(affine, medium):
    from skcolorot.image._clean import clean_grade

    frames = _frames(medium)
    expected = grade_frames(affine, frames, regrain=True)
    np.testing.assert_array_equal(expected[1], clean_grade(frames[1], affine.transform))
    # Chunks that cut the frames: each frame's base is still computed whole.
    for chunks in [(1, -1, -1, -1), (2, 40, 50, 3)]:
        lazy = grade_frames(affine, da.from_array(frames, chunks=chunks), regrain=True)
        assert isinstance(lazy, da.Array)
        np.testing.assert_array_equal(lazy.compute(scheduler="threads"), expected)
    with pytest.raises(ValueError, match=r"\(N, H, W, C\)"):
        grade_frames(affine, medium)


def test_grade_frames_with_regrain_parameters_is_the_guided_regrain(affine, medium):
    frames = _frames(medium, 2)
    expected = grade_frames(affine, frames, regrain={"radius": 2})
    np.testing.assert_array_equal(expected[1], _regrain_reference(affine, frames[1], radius=2))
    lazy = grade_frames(affine, da.from_array(frames, chunks=(1, -1, -1, -1)), regrain={"radius": 2})
    np.testing.assert_array_equal(lazy.compute(scheduler="threads"), expected)


def _regrain_reference(transport, frame, **params):
    from skcolorot.image._regrainer import regrain

    return regrain(frame, np.asarray(transport.transform(frame)), **params)


def _write_frames(folder, frames):
    paths = []
    for index, frame in enumerate(frames):
        path = os.path.join(folder, f"frame{index}.png")
        Image.fromarray(frame).save(path)
        paths.append(path)
    return paths


def _read(path):
    with Image.open(path) as image:
        return np.asarray(image)


@pytest.mark.parametrize("engine", ["threads", "loop"])
def test_grade_files(affine, medium, tmp_path, monkeypatch, engine):
    import skcolorot.io._batch as batch

    if engine == "loop":
        monkeypatch.setattr(batch, "_has_dask", lambda: False)
    frames = _frames(medium)
    paths = _write_frames(tmp_path, frames)
    out_dir = tmp_path / "graded"
    scheduler = "threads" if engine == "threads" else None
    written = grade_files(affine, paths, out_dir, scheduler=scheduler, progress=False)
    assert written == [os.path.join(out_dir, f"frame{i}.png") for i in range(3)]
    for frame, path in zip(frames, written):
        np.testing.assert_array_equal(_read(path), affine.transform(frame))

    # Existing outputs: refused before any work, nothing changed.
    before = [os.path.getmtime(path) for path in written]
    with pytest.raises(FileExistsError):
        grade_files(affine, paths, out_dir, scheduler=scheduler, progress=False)
    assert [os.path.getmtime(path) for path in written] == before
    assert sorted(os.listdir(out_dir)) == ["frame0.png", "frame1.png", "frame2.png"]

    written = grade_files(
        affine, paths, out_dir, regrain={"radius": 2}, overwrite=True,
        scheduler=scheduler, progress=False,
    )
    from skcolorot.image._regrainer import regrain

    mapped = np.asarray(affine.transform(frames[2]))
    np.testing.assert_array_equal(_read(written[2]), regrain(frames[2], mapped, radius=2))


def test_grade_files_bad_arguments(affine, medium, tmp_path):
    paths = _write_frames(tmp_path, _frames(medium, 1))
    with pytest.raises(FileNotFoundError):
        grade_files(affine, [str(tmp_path / "missing.png")], tmp_path / "out", progress=False)
    twin = tmp_path / "twin"
    twin.mkdir()
    Image.fromarray(medium).save(twin / "frame0.png")
    with pytest.raises(ValueError, match="collide"):
        grade_files(affine, [paths[0], twin / "frame0.png"], tmp_path / "out", progress=False)
    with pytest.raises(ValueError, match="also an input"):
        grade_files(affine, paths, tmp_path, overwrite=True, progress=False)
    with pytest.raises(NotFittedError):
        grade_files(AffineTransport(), paths, tmp_path / "out", progress=False)
    with pytest.raises(TypeError, match="regrain"):
        grade_files(affine, paths, tmp_path / "out", regrain="yes", progress=False)
    assert not (tmp_path / "out").exists() or not os.listdir(tmp_path / "out")


# ---------------------------------------------------------------- distributed
def test_local_cluster_of_processes(affine, medium, tmp_path):
    distributed = pytest.importorskip("distributed")
    frames = _frames(medium, 2)
    paths = _write_frames(tmp_path, frames)
    with distributed.LocalCluster(
        n_workers=2,
        processes=True,
        threads_per_worker=1,
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster, distributed.Client(cluster) as client:
        lazy = affine.transform(da.from_array(frames, chunks=(1, 107, -1, -1)))
        result = client.compute(lazy).result()
        np.testing.assert_array_equal(result, affine.transform(frames))

        written = grade_files(affine, paths, tmp_path / "graded", client=client, progress=False)
        for frame, path in zip(frames, written):
            np.testing.assert_array_equal(_read(path), affine.transform(frame))
    assert client.status == "closed"


def test_regrain_halo_defaults_match_regrain():
    import inspect

    from skcolorot.image._dask import regrain_halo
    from skcolorot.image._regrainer import regrain

    halo_defaults = inspect.signature(regrain_halo).parameters
    regrain_defaults = inspect.signature(regrain).parameters
    for name in ("method", "radius", "n_iter", "subsample"):
        assert halo_defaults[name].default == regrain_defaults[name].default, name
