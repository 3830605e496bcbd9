"""Reliability of the file formats (issue 27): every .cube the project writes is
read back by ``apply``, HaldCLUT levels are those the writer takes, damaged
TIFFs get one message of ours (no third-party log line or warning reaches the
user), and camera RAW files are read through rawpy, or refused naming the extra.
"""

import logging
import os
import sys

import numpy as np
import pytest
from PIL import Image

from skcolorot import AffineTransport, cli
from skcolorot.io._cube import read_cube_lut
from skcolorot.io._image_read import read_image
from skcolorot.io._image_write import write_image
from skcolorot.io._lut_formats import read_hald, write_domain_cube

RNG = np.random.default_rng(0)
SOURCE = (RNG.random((16, 16, 3)) * 255).astype(np.uint8)
REFERENCE = (RNG.random((12, 12, 3)) * 170 + 40).astype(np.uint8)


def run(capsys, *argv):
    status = cli.main([str(arg) for arg in argv])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return status, captured.out, captured.err


@pytest.fixture
def pair(tmp_path, monkeypatch):
    write_image(tmp_path / "src.png", SOURCE)
    write_image(tmp_path / "ref.png", REFERENCE)
    monkeypatch.chdir(tmp_path)
    return tmp_path


# ------------------------------------------------ apply reads what lut writes
@pytest.mark.parametrize("options", [["--domain-max", "4"], ["--shaper", "log2"],
                                     ["--domain-max", "2", "--shaper", "log2"]])
def test_apply_reads_the_scene_linear_cube_lut_writes(pair, capsys, options):
    common = ["src.png", "ref.png", "--method", "affine", "-q"]
    assert run(capsys, "lut", *common, "-o", "unit.cube")[0] == 0
    assert run(capsys, "lut", *common, "-o", "wide.cube", *options)[0] == 0
    assert run(capsys, "apply", "unit.cube", "src.png", "-o", "unit.png", "-q")[0] == 0
    status, _, err = run(capsys, "apply", "wide.cube", "src.png", "-o", "wide.png")
    assert status == 0, err
    # The same affine grade: the wider domain (or the shaped nodes, spread over
    # stops) costs a little table resolution.
    difference = np.abs(read_image("wide.png").astype(int) - read_image("unit.png").astype(int))
    assert difference.max() <= (6 if "--shaper" in options else 3), difference.max()


def test_a_shaper_named_by_the_cube_must_be_there(pair, capsys):
    run(capsys, "lut", "src.png", "ref.png", "--method", "affine", "-q", "-o", "g.cube",
        "--shaper", "log2")
    os.rename("g.shaper.cube", "elsewhere.cube")
    status, _, err = run(capsys, "apply", "g.cube", "src.png", "-o", "out.png")
    assert status == 2 and "g.shaper.cube" in err and "--shaper" in err
    status, _, err = run(capsys, "apply", "g.cube", "src.png", "-o", "out.png",
                         "--shaper", "elsewhere.cube", "-q")
    assert status == 0, err


def test_read_cube_lut_applies_domain_and_shaper(tmp_path):
    linear = RNG.random((400, 3)) * 8
    grade = AffineTransport().fit(linear, linear * [1.1, 1.0, 0.9])
    colours = RNG.random((50, 3)) * 8
    expected = grade.transform(colours)
    for shaper in (None, "log2"):
        paths = write_domain_cube(tmp_path / f"{shaper}.cube", grade, size=17, domain_max=8.0,
                                  shaper=shaper)
        result = colours
        for path in paths:
            result = read_cube_lut(path).apply(result)
        if shaper is None:  # nodes on the map's own (linear) scale: exact
            np.testing.assert_allclose(result, expected, atol=1e-6)
        else:  # a linear map sampled on log-spaced nodes: a few per cent
            np.testing.assert_allclose(result, expected, rtol=0.05, atol=0.02)


def test_read_cube_lut_refuses_an_empty_domain(tmp_path):
    path = tmp_path / "bad.cube"
    path.write_text("LUT_3D_SIZE 2\nDOMAIN_MIN 1 1 1\nDOMAIN_MAX 1 1 1\n" + "0 0 0\n" * 8)
    with pytest.raises(ValueError, match="not below DOMAIN_MAX"):
        read_cube_lut(path)


# ------------------------------------------------------------------ HaldCLUT
@pytest.mark.parametrize("side", [1, 4096 * 0 + 5832])  # level 1 and level 18
def test_read_hald_refuses_levels_outside_2_to_16(tmp_path, side):
    path = tmp_path / "hald.png"
    if side > 1:
        Image.new("RGB", (side, side)).save(path)
    else:
        write_image(path, np.zeros((1, 1, 3), np.uint8))
    with pytest.raises(ValueError, match="L in 2..16"):
        read_hald(path)


# -------------------------------------------------- damaged TIFF, log policy
def _lzw_tiff(path):
    Image.fromarray(SOURCE).save(path, compression="tiff_lzw")  # directory at the end
    return path.read_bytes()


@pytest.mark.parametrize("cut", ["half", "directory", "strip"])
def test_a_truncated_tiff_is_one_message_of_ours(pair, capsys, caplog, cut):
    data = _lzw_tiff(pair / "whole.tif")
    damaged = pair / "damaged.tif"
    if cut == "strip":  # directory intact, data short: what libtiff prints about
        import tifffile

        damaged.write_bytes(data)
        with tifffile.TiffFile(damaged, mode="r+b") as tiff:
            counts = tiff.pages[0].tags["StripByteCounts"]
            counts.overwrite(tuple(count + 100000 for count in counts.value))
    else:
        damaged.write_bytes(data[: len(data) // 2 if cut == "half" else len(data) - 20])
    caplog.set_level(logging.DEBUG)
    status, _, err = run(capsys, "transfer", "damaged.tif", "ref.png", "-o", "out.png")
    assert status == 2
    assert err.strip().splitlines() == [
        next(line for line in err.splitlines() if line.startswith("skcolorot: error:"))
    ], err  # no tifffile line, no Pillow warning before it
    assert "damaged.tif: " in err and "truncated TIFF" in err and "not an image" not in err
    assert not [record for record in caplog.records if record.name.startswith(("tifffile", "PIL"))
                and record.levelno >= logging.WARNING]


def test_a_third_party_warning_on_a_readable_file_names_it(tmp_path, recwarn):
    path = tmp_path / "odd.png"
    write_image(path, SOURCE)
    Image.MAX_IMAGE_PIXELS, saved = 200, Image.MAX_IMAGE_PIXELS  # 256 px: Pillow warns
    try:
        read_image(path)
    finally:
        Image.MAX_IMAGE_PIXELS = saved
    messages = [str(warning.message) for warning in recwarn]
    assert messages and all(message.startswith(f"{path}: ") for message in messages), messages


# ----------------------------------------------------------------------- RAW
def make_dng(path, height=32, width=48):
    """A minimal uncompressed RGGB DNG (LibRaw develops it): red on the left,
    blue on the right, camera white balance in AsShotNeutral."""
    import tifffile

    y, x = np.mgrid[0:height, 0:width] / [[[height]], [[width]]]
    scene = np.stack([0.15 + 0.6 * (1 - x), 0.3 + 0.2 * y, 0.15 + 0.6 * x], -1)
    mosaic = np.empty((height, width))
    mosaic[0::2, 0::2] = scene[0::2, 0::2, 0]
    mosaic[0::2, 1::2] = scene[0::2, 1::2, 1]
    mosaic[1::2, 0::2] = scene[1::2, 0::2, 1]
    mosaic[1::2, 1::2] = scene[1::2, 1::2, 2]

    def rationals(values):
        return [part for value in values for part in (round(value * 10000), 10000)]

    xyz_to_srgb = [3.2406, -1.5372, -0.4986, -0.9689, 1.8758, 0.0415, 0.0557, -0.2040, 1.0570]
    tags = [
        (33421, "H", 2, (2, 2), True),  # CFARepeatPatternDim
        (33422, "B", 4, (0, 1, 1, 2), True),  # CFAPattern: RGGB
        (50706, "B", 4, (1, 4, 0, 0), True),  # DNGVersion
        (50708, "s", 0, "skcolorot test camera", True),  # UniqueCameraModel
        (50714, "H", 1, 64, True),  # BlackLevel
        (50717, "H", 1, 4095, True),  # WhiteLevel
        (50721, "2i", 9, rationals(xyz_to_srgb), True),  # ColorMatrix1
        (50728, "2I", 3, rationals([1.0, 1.0, 1.0]), True),  # AsShotNeutral
        (50778, "H", 1, 21, True),  # CalibrationIlluminant1: D65
        (271, "s", 0, "skcolorot", True),  # Make
        (272, "s", 0, "synthetic", True),  # Model
    ]
    data = (mosaic * 3000 + 64).astype(np.uint16)
    tifffile.imwrite(path, data, photometric=32803, extratags=tags, subfiletype=0,
                     metadata=None)
    return path


def test_a_dng_is_developed_at_16_bits_with_its_exif(tmp_path):
    pytest.importorskip("rawpy")
    path = make_dng(tmp_path / "shot.dng")
    image, info = read_image(path, metadata=True)
    assert image.dtype == np.uint16 and image.shape == (32, 48, 3)
    left, right = image[:, :8].mean(axis=(0, 1)), image[:, -8:].mean(axis=(0, 1))
    assert left[0] > left[2] and right[2] > right[0]  # the scene's colours, upright
    exif = Image.Exif()
    exif.load(info.exif)
    assert exif[271] == "skcolorot" and exif[272] == "synthetic"


def test_a_dng_through_the_cli(tmp_path, capsys, monkeypatch):
    pytest.importorskip("rawpy")
    monkeypatch.chdir(tmp_path)
    make_dng(tmp_path / "shot.dng")
    write_image(tmp_path / "ref.png", REFERENCE)
    status, _, err = run(capsys, "transfer", "shot.dng", "ref.png", "-o", "out.tif",
                         "--method", "affine", "-q")
    assert status == 0, err
    assert read_image("out.tif").dtype == np.uint16


def test_a_raw_file_without_rawpy_names_the_extra(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "rawpy", None)  # as if not installed
    monkeypatch.chdir(tmp_path)
    make_dng(tmp_path / "shot.dng")
    write_image(tmp_path / "ref.png", REFERENCE)
    status, _, err = run(capsys, "transfer", "shot.dng", "ref.png", "-o", "out.png")
    assert status == 2
    assert err.strip() == ('skcolorot: error: shot.dng: camera RAW files need rawpy: '
                           'pip install "skcolorot[raw]"')


def test_a_damaged_raw_file_is_one_line(tmp_path, capsys, monkeypatch):
    pytest.importorskip("rawpy")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "broken.nef").write_bytes(b"not a raw file" * 10)
    write_image(tmp_path / "ref.png", REFERENCE)
    status, _, err = run(capsys, "transfer", "broken.nef", "ref.png", "-o", "out.png")
    assert status == 2 and "broken.nef: cannot develop the RAW file" in err
