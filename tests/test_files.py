"""Files around the pixels: ICC profiles and EXIF, 16-bit PNG, bit-depth and JPEG
options, grayscale toning, the LUT file formats other tools read, and the
command line's start-up, output rules, --skip-existing and progress."""

import os
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from skcolorot import AffineTransport, cli, tone_grayscale
from skcolorot.io._files import FileIO
from skcolorot.io._image_read import read_image
from skcolorot.io._image_write import write_image
from skcolorot.io._colormanage import (
    PROFILE_NAMES,
    convert_profile,
    load_profile,
    named_profile,
    profile_description,
)
from skcolorot import apply_lut, read_cube
from skcolorot.color._lut import lut_grid
from skcolorot.io._lut_formats import read_hald, write_3dl, write_hald

SRGB = named_profile("srgb")
P3 = named_profile("display-p3")


def _exif(make="SkCamera", model="Model 7"):
    exif = Image.Exif()
    exif[0x010F], exif[0x0110], exif[0x0112] = make, model, 1
    exif.get_ifd(0x8769)[0x829A] = (1, 250)  # ExposureTime
    return exif.tobytes()


@pytest.fixture(scope="module")
def pair(tmp_path_factory, small_pair):
    directory = tmp_path_factory.mktemp("files")
    source, reference = small_pair
    Image.fromarray(source).save(directory / "src.jpg", quality=95, icc_profile=SRGB, exif=_exif())
    Image.fromarray(reference).save(directory / "ref.png")
    return directory, source, reference


def _one_line_error(capsys):
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("skcolorot: error: "), err
    return err


# ------------------------------------------------------------------- start-up
def test_version_and_help_import_no_numpy_or_sklearn():
    code = (
        "import sys, contextlib, io\n"
        "import skcolorot\n"
        "from skcolorot import cli\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    assert cli.main(['--version']) == 0 and cli.main(['transfer', '--help']) == 0\n"
        "heavy = [m for m in ('numpy', 'sklearn', 'scipy', 'ot', 'PIL') if m in sys.modules]\n"
        "print(heavy)\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "[]"


def test_cli_choices_match_the_library():
    from skcolorot.io import _colormanage as colormanage
    from skcolorot.image._transfer import METHODS
    from skcolorot.color._spaces import COLOR_SPACES

    assert cli._options.METHODS == METHODS and cli._options.COLOR_SPACES == COLOR_SPACES
    assert cli._options.PROFILE_NAMES == colormanage.PROFILE_NAMES


# ------------------------------------------------------------- ICC and EXIF
def test_transfer_keeps_profile_and_exif(pair, capsys):
    directory, _, _ = pair
    output = directory / "graded.jpg"
    args = ["transfer", str(directory / "src.jpg"), str(directory / "ref.png"), "-o", str(output),
            "-m", "affine", "--quality", "90", "--subsampling", "4:4:4"]
    assert cli.main(args) == 0
    summary = capsys.readouterr().out
    assert summary.startswith(f"wrote {output}") and "sRGB" in summary
    with Image.open(output) as written:
        assert written.info["icc_profile"] == SRGB
        exif = written.getexif()
        assert (exif[0x010F], exif[0x0110]) == ("SkCamera", "Model 7")
        assert exif.get_ifd(0x8769)[0x829A] == (1, 250)


def test_a_display_p3_source_is_graded_in_the_working_space(pair, capsys):
    directory, _, source = pair  # the flower: saturated colours
    # The same colours, encoded in Display P3 and tagged so.
    p3_pixels = convert_profile(source, SRGB, P3)
    write_image(directory / "p3.png", p3_pixels, icc_profile=P3)
    assert np.abs(p3_pixels.astype(int) - source).mean() > 2  # really other numbers
    # Graded towards itself (the sRGB original), the grade is nearly the identity
    # because both are compared in sRGB; the output is P3 again, tagged P3.
    write_image(directory / "self.png", source)
    output = directory / "p3_graded.png"
    args = ["transfer", str(directory / "p3.png"), str(directory / "self.png"),
            "-o", str(output), "-m", "affine"]
    assert cli.main(args) == 0
    assert "Display P3" in capsys.readouterr().out
    result, info = read_image(output, metadata=True)
    assert info.icc_profile == P3
    managed_error = np.abs(result.astype(int) - p3_pixels).mean()
    # Untagged, the P3 numbers would be read as sRGB and pulled towards the
    # reference's numbers: a visibly different image.
    untagged = AffineTransport().fit(p3_pixels, source).transform(p3_pixels)
    untagged_error = np.abs(untagged.astype(int) - p3_pixels).mean()
    assert managed_error < 1.0 and untagged_error > 3.0


@pytest.mark.parametrize("name", ["display-p3", "adobe-rgb", "rec2020"])
def test_littlecms_and_the_16_bit_path_agree_with_colour_science(name):
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, (500, 3)).astype(np.uint8)
    target = named_profile(name)
    eight = convert_profile(pixels, SRGB, target).astype(float)  # littleCMS
    sixteen = convert_profile(pixels.astype(np.uint16) * 257, SRGB, target) / 257  # numpy
    assert np.abs(eight - sixteen).max() <= 1.5
    back = convert_profile(convert_profile(pixels.astype(np.uint16) * 257, SRGB, target),
                           target, SRGB)
    assert np.abs(back / 257 - pixels).max() < 0.1  # in gamut: a lossless round trip
    colour = pytest.importorskip("colour")
    spaces = {"display-p3": "Display P3", "adobe-rgb": "Adobe RGB (1998)",
              "rec2020": "ITU-R BT.2020"}
    with np.errstate(invalid="ignore"):
        expected = colour.RGB_to_RGB(
            pixels / 255, colour.RGB_COLOURSPACES["sRGB"], colour.RGB_COLOURSPACES[spaces[name]],
            chromatic_adaptation_transform="Bradford", apply_cctf_decoding=True,
            apply_cctf_encoding=True,
        )
    expected = np.clip(np.nan_to_num(expected), 0, 1) * 255
    assert np.abs(sixteen - expected).max() <= 1.0


def test_named_and_file_profiles(tmp_path):
    for name in PROFILE_NAMES:
        assert profile_description(named_profile(name))
    (tmp_path / "p3.icc").write_bytes(P3)
    assert load_profile(tmp_path / "p3.icc") == P3
    with pytest.raises(ValueError, match="unknown profile name 'p4'"):
        load_profile("p4")
    (tmp_path / "broken.icc").write_bytes(b"not a profile" * 10)
    with pytest.raises(ValueError, match="not a valid ICC profile"):
        load_profile(tmp_path / "broken.icc")


@pytest.mark.parametrize(
    "option, expected",
    [(["--input-profile", "p4"], "unknown profile name"),
     (["--output-profile", "BROKEN"], "not a valid ICC profile"),
     (["--working-space", "missing.icc"], "no such profile file")],
    ids=["unknown-name", "corrupt", "missing"],
)
def test_bad_profiles_are_one_line_errors(pair, option, expected, capsys):
    directory, _, _ = pair
    (directory / "broken.icc").write_bytes(b"\0" * 200)
    option = [str(directory / "broken.icc") if o == "BROKEN" else o for o in option]
    output = directory / "never.png"
    args = ["transfer", str(directory / "src.jpg"), str(directory / "ref.png"), "-o", str(output),
            "-m", "affine", *option]
    assert cli.main(args) == 2
    assert expected in _one_line_error(capsys)
    assert not output.exists()


# ------------------------------------------------------------------ 16 bits
def test_16_bit_png_in_and_out_and_converted_down_for_jpeg(pair, capsys):
    pytest.importorskip("cv2")
    directory, source, _ = pair
    deep = source.astype(np.uint16) * 257 + np.random.default_rng(0).integers(0, 200, source.shape
                                                                              ).astype(np.uint16)
    write_image(directory / "deep.png", deep, icc_profile=SRGB, exif=_exif())
    read_back, info = read_image(directory / "deep.png", metadata=True)
    np.testing.assert_array_equal(read_back, deep)
    assert info.bit_depth == 16 and info.icc_profile == SRGB and info.exif

    common = [str(directory / "deep.png"), str(directory / "ref.png"), "-m", "affine"]
    assert cli.main(["transfer", *common, "-o", str(directory / "deep_out.png")]) == 0
    assert "16-bit" in capsys.readouterr().out
    graded = read_image(directory / "deep_out.png")
    assert graded.dtype == np.uint16 and len(np.unique(graded[..., 0] % 257)) > 1

    assert cli.main(["transfer", *common, "-o", str(directory / "deep_out.jpg")]) == 0
    captured = capsys.readouterr()
    assert captured.err.startswith("skcolorot: note: ") and "8 bits" in captured.err
    assert read_image(directory / "deep_out.jpg").dtype == np.uint8

    assert cli.main(["transfer", *common, "-o", str(directory / "eight.png"),
                     "--bit-depth", "8"]) == 0
    assert read_image(directory / "eight.png").dtype == np.uint8
    assert cli.main(["transfer", *common, "-o", str(directory / "never.jpg"),
                     "--bit-depth", "16"]) == 2
    assert "cannot hold 16-bit" in _one_line_error(capsys)
    assert not (directory / "never.jpg").exists()


def test_jpeg_quality_option(tmp_path, small_pair):
    image = small_pair[0]
    write_image(tmp_path / "low.jpg", image, quality=30)
    write_image(tmp_path / "high.jpg", image, quality=98, subsampling="4:4:4")
    assert os.path.getsize(tmp_path / "low.jpg") < os.path.getsize(tmp_path / "high.jpg") / 2
    with pytest.raises(ValueError, match="quality"):
        write_image(tmp_path / "bad.jpg", image, quality=0)


# --------------------------------------------------------------- grayscale
def test_grayscale_toning_is_the_documented_map():
    ramp = np.tile(np.linspace(0, 255, 128).astype(np.uint8), (16, 1))
    # Reference: bluish shadows, warm highlights (a split tone).
    light = np.linspace(0, 1, 128)[None, :, None]
    reference = np.where(light < 0.5, [40, 60, 140], [250, 210, 150]) * np.maximum(light, 0.2)
    reference = np.repeat(np.clip(reference, 0, 255).astype(np.uint8), 16, axis=0)
    toned = tone_grayscale(ramp, reference).astype(int)
    from skimage.color import rgb2lab

    lightness = rgb2lab(toned[0] / 255)[:, 0]
    assert np.all(np.diff(lightness) > -0.5)  # the tonal order is kept
    assert toned[0, 20, 2] > toned[0, 20, 0]  # shadows blue
    assert toned[0, 120, 0] > toned[0, 120, 2]  # highlights warm
    untouched = tone_grayscale(ramp, reference, t=0)
    assert np.abs(untouched.astype(int) - ramp[..., None]).max() <= 1


# -------------------------------------------------------------- LUT formats
def _graded_table(size):
    grid = lut_grid(size)
    return np.clip(grid ** np.array([0.7, 1.0, 1.4]) * [1.0, 0.9, 0.8] + [0.05, 0.02, 0.0], 0, 1)


def _ffmpeg(*args):
    ffmpeg = os.environ.get("FFMPEG") or "ffmpeg"
    try:
        subprocess.run([ffmpeg, "-v", "error", "-y", *map(str, args)], check=True, timeout=60)
    except FileNotFoundError:
        pytest.skip("ffmpeg is not installed")


def test_haldclut_and_3dl_are_read_by_ffmpeg(tmp_path):
    image = np.random.default_rng(1).integers(0, 256, (24, 32, 3), dtype=np.uint8)
    write_image(tmp_path / "in.png", image)

    hald = _graded_table(16)  # HaldCLUT level 4
    write_hald(tmp_path / "grade.png", hald)
    assert np.abs(read_hald(tmp_path / "grade.png") - hald).max() < 1e-3
    with pytest.raises(FileExistsError):
        write_hald(tmp_path / "grade.png", hald)
    _ffmpeg("-i", tmp_path / "in.png", "-i", tmp_path / "grade.png", "-filter_complex",
            "[0][1]haldclut=interp=trilinear", "-frames:v", "1", "-pix_fmt", "rgb24",
            tmp_path / "hald.png")
    expected = apply_lut(image, hald).astype(int)
    assert np.abs(read_image(tmp_path / "hald.png").astype(int) - expected).max() <= 1

    table = _graded_table(17)  # ffmpeg reads 17-node .3dl files
    write_3dl(tmp_path / "grade.3dl", table)
    _ffmpeg("-i", tmp_path / "in.png", "-vf", f"lut3d=file={tmp_path / 'grade.3dl'}:"
            "interp=trilinear", "-pix_fmt", "rgb24", tmp_path / "3dl.png")
    expected = apply_lut(image, table).astype(int)
    assert np.abs(read_image(tmp_path / "3dl.png").astype(int) - expected).max() <= 1


def test_to_cube_refuses_to_overwrite_and_titles_its_parameters(tmp_path, small_pair):
    grade = AffineTransport(t=0.5).fit(*small_pair)
    path = tmp_path / "grade.cube"
    grade.to_cube(path, size=5)
    title = path.read_text().splitlines()[0]
    assert title.startswith('TITLE "skcolorot AffineTransport(t=0.5, ') and "covariance=" in title
    with pytest.raises(FileExistsError):
        grade.to_cube(path, size=9)
    assert read_cube(path).shape[0] == 5
    grade.to_cube(path, size=9, overwrite=True, title="mine")
    assert read_cube(path).shape[0] == 9 and path.read_text().startswith('TITLE "mine"')


# ----------------------------------------------------- output rules, resume
def test_several_inputs_need_an_output_directory(pair, capsys):
    directory, _, _ = pair
    cube = directory / "id.cube"
    if not cube.exists():
        AffineTransport(t=0.0).fit(np.eye(3), np.eye(3)).to_cube(cube, size=2)
    inputs = [str(directory / "src.jpg"), str(directory / "ref.png")]
    assert cli.main(["apply", str(cube), *inputs, "-o", str(directory / "one.png")]) == 2
    assert "names a file" in _one_line_error(capsys)
    assert not (directory / "one.png").exists()
    assert cli.main(["apply", str(cube), *inputs, "-o", str(directory / "one.png") + "/",
                     "--progress"]) == 0
    captured = capsys.readouterr()
    assert "applying" in captured.err  # --progress: a bar although stderr is no terminal
    assert captured.out.startswith("graded 2 images")
    assert sorted(os.listdir(directory / "one.png")) == ["ref.png", "src.jpg"]


def test_batch_skip_existing_resumes(pair, capsys):
    directory, source, _ = pair
    frames = directory / "frames"
    frames.mkdir()
    for name in ("a.png", "b.png", "c.png"):
        write_image(frames / name, source)
    out = directory / "resumed"
    out.mkdir()
    (out / "b.png").write_bytes(b"finished before the interruption")
    args = ["batch", str(directory / "ref.png"), *(str(frames / n) for n in ("a.png", "b.png",
                                                                             "c.png")),
            "-o", str(out), "-m", "affine"]
    assert cli.main(args) == 2
    assert "already exists" in _one_line_error(capsys)
    assert cli.main([*args, "--skip-existing"]) == 0
    assert "1 skipped" in capsys.readouterr().out
    assert (out / "b.png").read_bytes() == b"finished before the interruption"
    np.testing.assert_array_equal(read_image(out / "a.png"), read_image(out / "c.png"))


def test_file_io_reads_untagged_files_with_the_input_profile(tmp_path):
    pixels = np.full((4, 4, 3), (200, 40, 40), dtype=np.uint8)
    write_image(tmp_path / "untagged.png", pixels)
    loaded = FileIO(input_profile=P3).read(tmp_path / "untagged.png")
    assert loaded.profile == P3
    assert loaded.pixels[0, 0, 0] > 200  # a P3 red is redder than sRGB (200, 40, 40)
    FileIO(input_profile=P3).write(tmp_path / "back.png", loaded.pixels, loaded)
    back, info = read_image(tmp_path / "back.png", metadata=True)
    assert info.icc_profile == P3 and np.abs(back.astype(int) - pixels).max() <= 2


def test_float_tiff_in_and_out(pair, capsys):
    directory, source, _ = pair
    import tifffile

    tifffile.imwrite(directory / "float.tif", (source / 255).astype(np.float32),
                     photometric="rgb")
    common = [str(directory / "float.tif"), str(directory / "ref.png"), "-m", "affine",
              "--input-profile", "display-p3"]
    assert cli.main(["transfer", *common, "-o", str(directory / "float_out.tif")]) == 0
    assert "float, Display P3" in capsys.readouterr().out
    graded, info = read_image(directory / "float_out.tif", metadata=True)
    assert graded.dtype == np.float32 and info.bit_depth == 32 and info.icc_profile == P3
    assert cli.main(["transfer", *common, "-o", str(directory / "float_out.png"),
                     "--lut-out", str(directory / "float.png")]) == 0
    assert "converted to 16-bit" in capsys.readouterr().err
    as_png = read_image(directory / "float_out.png").astype(float) / 65535
    assert np.abs(as_png - graded).max() < 1e-4
    assert read_hald(directory / "float.png").shape == (36, 36, 36, 3)  # --lut-out as HaldCLUT


def test_a_corrupt_embedded_profile_is_ignored_with_a_warning(pair, capsys):
    directory, source, _ = pair
    Image.fromarray(source).save(directory / "corrupt.png", icc_profile=b"\0garbage" * 40)
    output = directory / "from_corrupt.png"
    args = ["transfer", str(directory / "corrupt.png"), str(directory / "ref.png"),
            "-o", str(output), "-m", "affine"]
    assert cli.main(args) == 0
    err = capsys.readouterr().err
    assert err.startswith("skcolorot: warning: ") and "not a valid ICC profile" in err
    assert read_image(output, metadata=True)[1].icc_profile is None


def _ffmpeg_float(tmp_path, pixels, filters):
    """``pixels`` (H, W, 3) float through ffmpeg's filters as planar float32."""
    planes = np.ascontiguousarray(pixels.transpose(2, 0, 1)[[1, 2, 0]], dtype="<f4")  # G, B, R
    planes.tofile(tmp_path / "in.raw")
    size = f"{pixels.shape[1]}x{pixels.shape[0]}"
    raw = ["-f", "rawvideo", "-pix_fmt", "gbrpf32le"]
    _ffmpeg(*raw, "-s", size, "-i", tmp_path / "in.raw", "-vf", filters, *raw,
            tmp_path / "out.raw")
    out = np.fromfile(tmp_path / "out.raw", dtype="<f4").reshape(3, *pixels.shape[:2])
    return out[[2, 0, 1]].transpose(1, 2, 0).astype(float)


def test_scene_linear_domain_and_log2_shaper_in_ffmpeg(tmp_path):
    from sklearn.preprocessing import FunctionTransformer

    from skcolorot.io._lut_formats import write_domain_cube

    rng = np.random.default_rng(0)
    source = rng.random((500, 3)) ** 3 * 8  # scene-linear samples, up to 8
    target = rng.random((500, 3)) ** 2.2 * [6.0, 5.0, 3.0]
    image = rng.random((24, 32, 3)) ** 3 * 8
    pixels = image.reshape(-1, 3)

    affine = AffineTransport().fit(source, target)
    write_domain_cube(tmp_path / "affine.cube", affine, size=9, domain_max=8.0)
    assert "DOMAIN_MAX 8.0 8.0 8.0" in (tmp_path / "affine.cube").read_text()
    graded = _ffmpeg_float(tmp_path, image, f"lut3d=file={tmp_path / 'affine.cube'}"
                           ":interp=trilinear")
    # An affine map is exact under trilinear interpolation: only float rounding.
    np.testing.assert_allclose(graded.reshape(-1, 3), affine.transform(pixels), atol=1e-3)

    # A curve steep in the shadows (as a display encoding of linear light is): the
    # log2 shaper puts the 3D nodes where scene-linear data need them.
    curve = FunctionTransformer(np.sqrt)
    expected = np.sqrt(pixels)
    dark = pixels.max(axis=1) < 0.5
    errors = {}
    for shaper in (None, "log2"):
        cube = tmp_path / f"curve_{shaper}.cube"
        written = write_domain_cube(cube, curve, size=17, domain_max=8.0, shaper=shaper)
        chain = f"lut3d=file={cube}:interp=trilinear"
        if shaper:
            chain = f"lut1d=file={written[0]}:interp=linear," + chain
        result = _ffmpeg_float(tmp_path, image, chain).reshape(-1, 3)
        errors[shaper] = np.abs(result - expected)[dark].mean()
    assert errors["log2"] < errors[None] / 5
    with pytest.raises(FileExistsError):
        write_domain_cube(tmp_path / "curve_log2.cube", curve, domain_max=8.0, shaper="log2")


def test_lut_command_for_scene_linear_float_tiff(pair, capsys):
    import tifffile

    directory, source, _ = pair
    linear = ((source / 255.0) ** 2.2 * 6).astype(np.float32)  # up to 6
    tifffile.imwrite(directory / "linear.tif", linear, photometric="rgb")
    cube = directory / "linear.cube"
    args = ["lut", str(directory / "linear.tif"), str(directory / "ref.png"), "-o", str(cube),
            "-m", "affine", "--size", "5", "--shaper", "log2", "--working-space",
            "linear-srgb", "--input-profile", "linear-srgb"]
    assert cli.main(args) == 0
    assert "linear.shaper.cube and" in capsys.readouterr().out
    shaper = (directory / "linear.shaper.cube").read_text()
    assert f"DOMAIN_MAX {float(linear.max())!r}" in shaper and "LUT_1D_SIZE" in shaper
    assert "LUT_3D_SIZE 5" in cube.read_text()
    assert cli.main(args) == 2  # both files exist now: refused, neither replaced
    assert "already exists" in _one_line_error(capsys)
