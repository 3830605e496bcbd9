"""The library under the command line: output planning (``_outputs``), the
progress policy (``_progress``), pooled sampling (``batch.sample_files``), the
bit depth a write produces and the small file helpers the commands use."""

import io
import os
import sys
import warnings

import numpy as np
import pytest
from PIL import Image

from skcolorot import AffineTransport, read_cube, write_cube
from skcolorot.io._atomic import check_writable
from skcolorot.io._files import FileIO, color_samples, is_gray, read_mask
from skcolorot.io._image_formats import check_output_path, written_bit_depth
from skcolorot.io._image_read import read_image
from skcolorot.io._image_write import write_image
from skcolorot.io._outputs import (
    check_lut_path,
    output_paths,
    outputs_in_directory,
    prepare_outputs,
    write_lut,
)
from skcolorot._utils._progress import Progress, Stages, progress_wanted, track
from skcolorot.io._batch import sample_files
from skcolorot.io._colormanage import load_profile
from skcolorot.io._lut_formats import cube_title, read_hald

RNG = np.random.default_rng(0)
IMAGE = RNG.integers(0, 256, (12, 16, 3), dtype=np.uint8)


# ------------------------------------------------------------- bit depth
@pytest.mark.parametrize("extension", [".png", ".tif", ".jpg"])
@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32])
@pytest.mark.parametrize("bit_depth", [None, 8, 16])
def test_written_bit_depth_is_what_write_image_writes(tmp_path, extension, dtype, bit_depth):
    image = IMAGE.astype(dtype) / (255.0 if dtype == np.float32 else 1)
    if dtype == np.uint16:
        image = image * 257
    image = image.astype(dtype)
    path = tmp_path / f"out{extension}"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the BitDepthNote of a conversion
        try:
            write_image(path, image, bit_depth=bit_depth)
        except ValueError:  # a depth the format cannot hold: refused, nothing to describe
            assert bit_depth == 16
            return
    _, info = read_image(path, metadata=True)
    assert written_bit_depth(path, image.dtype, image.ndim, bit_depth=bit_depth) == info.bit_depth


# ------------------------------------------------------------- sampling
def _save(path, color, shape):
    Image.fromarray(np.full((*shape, 3), color, dtype=np.uint8)).save(path)
    return str(path)


def test_sample_files_weighs_every_file_the_same(tmp_path):
    small = _save(tmp_path / "small.png", (255, 0, 0), (40, 40))
    large = _save(tmp_path / "large.png", (0, 0, 255), (400, 300))
    sample = sample_files([small, large], n_pixels=2000)
    assert sample.shape == (2000, 3) and sample.dtype == np.float64
    red = np.all(sample == [1.0, 0.0, 0.0], axis=1).sum()
    assert red == 1000 and np.all(sample[red:] == [0.0, 0.0, 1.0])


def test_sample_files_is_seeded(tmp_path):
    paths = [str(tmp_path / f"{name}.png") for name in "ab"]
    for path in paths:
        Image.fromarray(RNG.integers(0, 256, (30, 30, 3), dtype=np.uint8)).save(path)
    first = sample_files(paths, n_pixels=100, random_state=3)
    assert np.array_equal(first, sample_files(paths, n_pixels=100, random_state=3))
    assert not np.array_equal(first, sample_files(paths, n_pixels=100, random_state=4))
    # a file smaller than its share gives as many pixels as it has
    assert len(sample_files(paths, n_pixels=5000)) == 2 * 30 * 30


def test_sample_files_refuses_nothing_to_sample(tmp_path):
    with pytest.raises(ValueError, match="at least one"):
        sample_files([])
    path = _save(tmp_path / "one.png", (1, 2, 3), (4, 4))
    with pytest.raises(ValueError, match="n_pixels"):
        sample_files([path], n_pixels=0)


# ------------------------------------------------------------- output planning
def test_output_paths_one_file_or_a_directory(tmp_path):
    out = str(tmp_path / "out.png")
    assert output_paths(["a/x.png"], out, directory=False) == [out]
    folder = str(tmp_path / "graded")
    assert output_paths(["a/x.png", "b/y.png"], folder, directory=False) == [
        os.path.join(folder, "x.png"),
        os.path.join(folder, "y.png"),
    ]
    with pytest.raises(ValueError, match="need an output directory, and this names a file"):
        output_paths(["a/x.png", "b/y.png"], out, directory=False)
    with pytest.raises(ValueError, match="collide"):
        outputs_in_directory(["a/x.png", "b/x.png"], folder)
    open(out, "wb").close()
    with pytest.raises(ValueError, match="not a directory"):
        output_paths(["a/x.png"], out, directory=True)


def test_prepare_outputs_creates_the_directory_and_skips_what_is_there(tmp_path):
    outputs = [str(tmp_path / "new" / name) for name in ("a.png", "b.png")]
    assert prepare_outputs(outputs) == [0, 1] and os.path.isdir(tmp_path / "new")
    write_image(outputs[0], IMAGE)
    assert prepare_outputs(outputs, skip_existing=True) == [1]
    with pytest.raises(FileExistsError):
        prepare_outputs(outputs)
    assert prepare_outputs(outputs, overwrite=True) == [0, 1]


def test_lut_names_and_the_writable_check(tmp_path):
    with pytest.raises(ValueError, match="must end in .cube or .3dl or .png"):
        check_lut_path(str(tmp_path / "grade.txt"))
    with pytest.raises(ValueError, match="must end in .cube$"):
        check_lut_path(str(tmp_path / "grade.3dl"), extensions=(".cube",))
    # Any name is writable; only an image's needs a format Pillow writes.
    check_writable(tmp_path / "grade.txt")
    with pytest.raises(ValueError, match="cannot tell the image format"):
        check_output_path(tmp_path / "grade.txt")
    (tmp_path / "grade.cube").write_text("")
    with pytest.raises(FileExistsError):
        check_lut_path(str(tmp_path / "grade.cube"))


def test_write_lut_writes_one_cube_whatever_the_caller(tmp_path):
    grade = AffineTransport().fit(IMAGE, IMAGE[::-1, :, ::-1])
    by_extension = str(tmp_path / "a.cube")
    write_lut(grade, by_extension, 5, title="t")
    grade.to_cube(tmp_path / "b.cube", size=5, title="t")
    write_cube(tmp_path / "c.cube", grade.to_lut(5), title="t")
    texts = {(tmp_path / name).read_bytes() for name in ("a.cube", "b.cube", "c.cube")}
    assert len(texts) == 1
    assert np.allclose(read_cube(by_extension), grade.to_lut(5), atol=1e-6)
    grade.to_cube(tmp_path / "d.cube", size=2)
    assert (tmp_path / "d.cube").read_text().startswith(f'TITLE "{cube_title(grade)}"')


def test_write_lut_other_formats_by_extension(tmp_path):
    grade = AffineTransport().fit(IMAGE, IMAGE[::-1, :, ::-1])
    write_lut(grade, str(tmp_path / "grade.png"), 9)
    assert read_hald(tmp_path / "grade.png").shape == (9, 9, 9, 3)  # Hald level 3
    write_lut(grade, str(tmp_path / "grade.3dl"), 17)
    assert (tmp_path / "grade.3dl").read_text().startswith("0 64 128")
    with pytest.raises(FileExistsError):
        write_lut(grade, str(tmp_path / "grade.3dl"), 17)


# ------------------------------------------------------------- progress
class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_wanted_policy(monkeypatch):
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert not progress_wanted(5)  # a log file
    assert progress_wanted(5, force=True)
    assert not progress_wanted(5, force=True, quiet=True)
    assert not progress_wanted(1, force=True)
    monkeypatch.setattr(sys, "stderr", _Terminal())
    assert progress_wanted(5)


def test_progress_counts_without_tqdm(monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm", None)
    stderr = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stderr)
    assert list(track("abc", 3, "sampling", True)) == ["a", "b", "c"]
    assert stderr.getvalue() == "\rsampling: 0/3\rsampling: 1/3\rsampling: 2/3\rsampling: 3/3\n"

    stderr = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stderr)
    with pytest.raises(RuntimeError):
        with Progress(None, "grading", unit="frame") as bar:  # a clip of unknown length
            bar.update()
            raise RuntimeError
    bar.close()  # closed already: nothing more
    assert stderr.getvalue() == "\rgrading: 0\rgrading: 1\n"

    stderr = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stderr)
    assert list(track("ab", 2, "off", False)) == ["a", "b"]
    assert stderr.getvalue() == ""


def test_stages_one_line_each_in_a_log(monkeypatch):
    stderr = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stderr)
    stages = Stages(["reading", "writing"], enabled=True, prefix="prog")
    stages("reading")
    stages("writing")
    stages.close()
    assert stderr.getvalue() == "prog: [1/2] reading...\nprog: [2/2] writing...\n"
    assert stages.elapsed() >= 0


# ------------------------------------------------------------- file helpers
def test_read_mask_scales_and_checks_its_shape(tmp_path):
    gray = np.array([[0, 65535], [32768, 65535]], dtype=np.uint16)
    Image.fromarray(gray).save(tmp_path / "mask.png")
    assert np.allclose(read_mask(tmp_path / "mask.png", (2, 2)), gray / 65535)
    message = r"^--mask .*: the mask is 2x2 pixels, the image it masks 3x2$"
    with pytest.raises(ValueError, match=message):
        read_mask(str(tmp_path / "mask.png"), (2, 3), "--mask")


def test_color_samples_and_gray():
    samples = color_samples(np.array([[[0, 32768, 65535, 7]]], dtype=np.uint16))
    assert samples.dtype == np.float64 and np.allclose(samples, [[0, 32768 / 65535, 1]])
    assert color_samples(np.ones((2, 2, 3), np.float32) * 4).max() == 4.0  # nothing clipped
    assert is_gray(np.repeat(IMAGE[..., :1], 3, axis=-1)) and not is_gray(IMAGE)


def test_sample_files_reads_in_the_working_space(tmp_path):
    path = _save(tmp_path / "gray.png", (128, 128, 128), (10, 10))
    assert np.allclose(sample_files([path], n_pixels=10), 128 / 255)
    linear = sample_files([path], n_pixels=10, files=FileIO(working_profile=load_profile(
        "linear-srgb")))
    assert np.allclose(linear, ((128 / 255 + 0.055) / 1.055) ** 2.4, atol=2e-3)
