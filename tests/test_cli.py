"""The ``skcolorot`` command, run as a real subprocess (plus a few in-process checks
of paths that are hard to reach from outside, such as Ctrl-C)."""

import io
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from skcolorot import cli
from skcolorot.io._image_read import read_image
from skcolorot.io._image_write import write_image
from skcolorot.image._transfer import make_transport
from skcolorot import apply_lut, read_cube
from skcolorot.metrics import color_fidelity as _color_fidelity


def color_fidelity(result, target, source):
    # 5000 pixels: the sliced distance costs ~0.4 s per call instead of ~2 s.
    return _color_fidelity(result, target, source, max_samples=5000)


def run_cli(*args, cwd, command=None):
    command = command or [sys.executable, "-m", "skcolorot.cli"]
    return subprocess.run(
        [*command, *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def assert_one_line_error(completed):
    assert completed.returncode == 2, completed.stderr
    assert "Traceback" not in completed.stderr
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1, completed.stderr
    assert lines[0].startswith("skcolorot: error: ")
    return lines[0]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory, china, flower):
    # Half size: still more pixels than a 33**3 LUT has nodes, so ``transfer``
    # takes the LUT path and must agree with ``apply`` of the exported .cube.
    directory = tmp_path_factory.mktemp("cli")
    Image.fromarray(np.ascontiguousarray(china[::2, ::2])).save(directory / "src.png")
    Image.fromarray(np.ascontiguousarray(flower[::2, ::2])).save(directory / "ref.png")
    return directory


@pytest.fixture(scope="module")
def transferred(workdir):
    completed = run_cli(
        "transfer",
        "src.png",
        "ref.png",
        "-o",
        "out.png",
        "--method",
        "affine",
        "--lut-out",
        "grade.cube",
        cwd=workdir,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stderr == ""
    return workdir / "out.png", workdir / "grade.cube"


def test_transfer_writes_the_recoloured_source(workdir, transferred):
    output, cube = transferred
    source, reference = read_image(workdir / "src.png"), read_image(workdir / "ref.png")
    result = read_image(output)
    assert result.shape == source.shape and result.dtype == np.uint8
    assert color_fidelity(result, reference, source) < 0.7
    assert cube.read_text().count("\n") > 33**3


def test_installed_console_script(workdir, transferred):
    # The venv's bin directory may not be on PATH when pytest runs from it.
    search_path = os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")])
    script = shutil.which("skcolorot", path=search_path)
    if script is None:
        pytest.skip("the skcolorot console script is not installed (pip install -e .)")
    completed = run_cli(
        "transfer",
        "src.png",
        "ref.png",
        "-o",
        "script.png",
        "-m",
        "affine",
        cwd=workdir,
        command=[script],
    )
    assert completed.returncode == 0, completed.stderr
    np.testing.assert_array_equal(read_image(workdir / "script.png"), read_image(transferred[0]))


@pytest.mark.parametrize(
    "args, expected",
    [
        (["transfer", "missing.png", "ref.png", "-o", "bad.png"], "missing.png: no such file"),
        (["transfer", "src.png", "ref.png", "-o", "bad.png", "--method", "nope"], "invalid choice"),
        (["transfer", "src.png", "ref.png", "-o", "bad.png", "--param", "reg"], "KEY=VALUE"),
    ],
    ids=["missing-file", "bad-method", "bad-param"],
)
def test_bad_input_exits_2_with_one_line(workdir, args, expected):
    completed = run_cli(*args, cwd=workdir)
    assert expected in assert_one_line_error(completed)
    assert not (workdir / "bad.png").exists()


def test_existing_output_needs_overwrite(workdir, transferred):
    output = workdir / "taken.png"
    output.write_bytes(b"precious")
    args = ["transfer", "src.png", "ref.png", "-o", output.name, "-m", "affine"]
    completed = run_cli(*args, cwd=workdir)
    assert "already exists" in assert_one_line_error(completed)
    assert output.read_bytes() == b"precious"

    # In-process (one subprocess per test keeps the file fast); same code path.
    args = [str(workdir / arg) if arg.endswith(".png") else arg for arg in args]
    assert cli.main([*args, "--overwrite"]) == 0
    np.testing.assert_array_equal(read_image(output), read_image(transferred[0]))
    # Written through a temporary file that was moved into place, not left behind.
    assert not [name for name in os.listdir(workdir) if name.endswith(".tmp")]


def test_exported_lut_applies_the_same_grade(workdir, transferred):
    output, cube = transferred
    completed = run_cli("apply", cube.name, "src.png", "-o", "applied.png", cwd=workdir)
    assert completed.returncode == 0, completed.stderr
    applied = read_image(workdir / "applied.png").astype(int)
    assert np.abs(applied - read_image(output)).max() <= 1


def test_batch_applies_one_grade_to_every_frame(workdir, transferred):
    source = read_image(workdir / "src.png")
    frames = workdir / "frames"
    frames.mkdir()
    write_image(frames / "a.png", source)
    write_image(frames / "b.png", np.ascontiguousarray(source[:, ::-1]))
    write_image(frames / "c.png", source)
    inputs = [frames / name for name in ("a.png", "b.png", "c.png")]

    completed = run_cli("batch", "ref.png", *inputs, "-o", "graded", "-m", "affine", cwd=workdir)
    assert completed.returncode == 0, completed.stderr
    assert completed.stderr == ""  # no progress bar when stderr is not a terminal
    a, b, c = (read_image(workdir / "graded" / name) for name in ("a.png", "b.png", "c.png"))
    np.testing.assert_array_equal(a, c)
    np.testing.assert_array_equal(b, a[:, ::-1])  # the same per-colour grade
    assert color_fidelity(a, read_image(workdir / "ref.png"), source) < 0.7

    # --fit-on first fits on a.png alone: the grade of 'transfer a.png ref.png'.
    status = cli.main(
        [
            "batch",
            str(workdir / "ref.png"),
            *map(str, inputs),
            "-o",
            str(workdir / "first"),
            "-m",
            "affine",
            "--fit-on",
            "first",
        ]
    )
    assert status == 0
    np.testing.assert_array_equal(
        read_image(workdir / "first" / "a.png"), read_image(transferred[0])
    )


def test_demo(tmp_path, china, flower):
    completed = run_cli("demo", "-o", "demo.png", "--method", "affine", cwd=tmp_path)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.startswith("wrote demo.png")
    result = read_image(tmp_path / "demo.png")
    assert result.shape == china.shape
    assert color_fidelity(result, flower, china) < 0.7


# ------------------------------------------------------------------ in-process
def test_help(capsys):
    assert cli.main(["--help"]) == 0
    text = capsys.readouterr().out
    for word in ("transfer", "lut", "apply", "batch", "demo", "examples:", "--overwrite"):
        assert word in text


@pytest.mark.parametrize("command", ["transfer", "lut", "apply", "batch", "demo"])
def test_command_help_has_description_and_examples(command, capsys):
    assert cli.main([command, "--help"]) == 0
    text = capsys.readouterr().out
    assert text.startswith(f"usage: skcolorot {command}")
    assert "examples:" in text and f"skcolorot {command} " in text


@pytest.mark.parametrize(
    "text, expected",
    [
        ("reg=0.01", ("reg", 0.01)),
        ("n_slices=8", ("n_slices", 8)),
        ("clip=false", ("clip", False)),
        ("n_samples=None", ("n_samples", None)),
        ("covariance=diag", ("covariance", "diag")),
        ("n-iter=3", ("n_iter", 3)),
    ],
)
def test_param_values_are_typed(text, expected):
    assert cli._argtypes.parse_param(text) == expected


@pytest.mark.parametrize(
    "extra, expected",
    [
        (["--param", "foo=1"], "Invalid parameter 'foo'"),
        (["--param", "reg=-1"], "'reg' parameter of AffineTransport"),
        (["--t", "0.5", "--param", "t=0.3"], "given both"),
        (["--lut-out", "grade.txt"], "must end in .cube"),
    ],
)
def test_library_and_option_errors_are_one_line(workdir, extra, expected, capsys):
    args = [
        "transfer",
        str(workdir / "src.png"),
        str(workdir / "ref.png"),
        "-o",
        str(workdir / "never.png"),
        "-m",
        "affine",
        *extra,
    ]
    assert cli.main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("skcolorot: error: ") and expected in err
    assert not (workdir / "never.png").exists()


def test_unreadable_sources_are_refused_and_gray_ones_toned(workdir, capsys):
    (workdir / "notes.png").write_text("not an image")
    gray = np.repeat(read_image(workdir / "src.png")[..., :1], 3, axis=-1)
    write_image(workdir / "gray.png", gray, overwrite=True)
    common = [str(workdir / "ref.png"), "-m", "affine"]
    never = str(workdir / "never.png")
    assert cli.main(["transfer", str(workdir / "notes.png"), *common, "-o", never]) == 2
    assert "not an image" in capsys.readouterr().err
    # A gray source has no colours to fit a LUT on; 'transfer' tones it instead.
    lut = ["lut", str(workdir / "gray.png"), *common, "-o", str(workdir / "never.cube")]
    assert cli.main(lut) == 2
    assert "grayscale" in capsys.readouterr().err
    assert not (workdir / "never.cube").exists()
    # Without -m it is toned (and regrained, as any transfer), ...
    toned_path = str(workdir / "toned.png")
    reference = str(workdir / "ref.png")
    assert cli.main(["transfer", str(workdir / "gray.png"), reference, "-o", toned_path]) == 0
    assert "grayscale toning + regrain" in capsys.readouterr().out
    toned = read_image(toned_path).astype(int)
    assert toned.shape == gray.shape and np.ptp(toned[..., 0] - toned[..., 2]) > 10
    plain_path = str(workdir / "toned_plain.png")
    args = ["transfer", str(workdir / "gray.png"), reference, "-o", plain_path, "--no-regrain"]
    assert cli.main(args) == 0
    assert "grayscale toning," in capsys.readouterr().out
    assert not np.array_equal(read_image(plain_path).astype(int), toned)
    # ... and with -m it is graded by that method.
    graded_path = str(workdir / "graded_gray.png")
    assert cli.main(["transfer", str(workdir / "gray.png"), *common, "-o", graded_path]) == 0
    out = capsys.readouterr().out
    assert "; affine," in out and "toning" not in out
    assert read_image(graded_path).shape == gray.shape
    assert not os.path.exists(never)


def test_ctrl_c_exits_130_and_leaves_no_partial_file(workdir, monkeypatch, capsys):
    def interrupted_save(self, fp, format=None, **params):
        with open(fp, "wb") as stream:
            stream.write(b"half a PNG")
        raise KeyboardInterrupt

    monkeypatch.setattr(Image.Image, "save", interrupted_save)
    output = workdir / "interrupted.png"
    args = [
        "transfer",
        str(workdir / "src.png"),
        str(workdir / "ref.png"),
        "-o",
        str(output),
        "-m",
        "affine",
    ]
    assert cli.main(args) == 130
    assert "interrupted" in capsys.readouterr().err
    assert not output.exists()
    assert not [name for name in os.listdir(workdir) if name.endswith(".tmp")]


def test_progress_counter_without_tqdm_on_a_terminal(workdir, transferred, monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setitem(sys.modules, "tqdm", None)  # the optional extra is missing
    inputs = [str(workdir / "src.png"), str(workdir / "ref.png")]
    status = cli.main(
        ["apply", str(transferred[1]), *inputs, "-o", str(workdir / "progress")]
    )
    assert status == 0, terminal.getvalue()
    assert terminal.getvalue().rstrip().endswith("applying: 2/2")

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    status = cli.main(
        [
            "apply",
            str(transferred[1]),
            *inputs,
            "-o",
            str(workdir / "progress"),
            "--overwrite",
            "--quiet",
        ]
    )
    assert status == 0 and terminal.getvalue() == ""


def test_demo_side_by_side(tmp_path, china, capsys):
    output = tmp_path / "strip.png"
    assert cli.main(["demo", "-o", str(output), "-m", "affine", "--side-by-side", "-q"]) == 0
    assert capsys.readouterr().out == ""
    strip = read_image(output)
    assert strip.shape == (china.shape[0], 3 * china.shape[1] + 16, 3)
    np.testing.assert_array_equal(strip[:, : china.shape[1]], china)


# ----------------------------------------------------------------- image files
def test_16_bit_tiff_stays_16_bit_through_apply(workdir, transferred):
    source = read_image(workdir / "src.png")
    write_image(workdir / "src16.tif", source.astype(np.uint16) * 257, overwrite=True)
    output = workdir / "applied16.tif"
    assert (
        cli.main(["apply", str(transferred[1]), str(workdir / "src16.tif"), "-o", str(output)]) == 0
    )
    graded = read_image(output)
    assert graded.dtype == np.uint16 and graded.shape == source.shape
    eight_bit = read_image(transferred[0]).astype(float) * 257
    assert np.abs(graded - eight_bit).max() <= 2 * 257  # the same grade, finer steps
    assert len(np.unique(graded[..., 0] % 257)) > 1  # ... really 16-bit values


def test_image_file_conventions(tmp_path):
    gray = np.arange(12, dtype=np.uint8).reshape(3, 4) * 20
    Image.fromarray(gray).save(tmp_path / "gray.png")
    np.testing.assert_array_equal(read_image(tmp_path / "gray.png"), np.dstack([gray] * 3))

    rgb = np.dstack([gray] * 3)
    write_image(tmp_path / "out.png", rgb)
    with pytest.raises(FileExistsError):
        write_image(tmp_path / "out.png", rgb[::-1])
    np.testing.assert_array_equal(read_image(tmp_path / "out.png"), rgb)
    deep = rgb.astype(np.uint16) * 257 + 1
    write_image(tmp_path / "deep.png", deep)  # 16 bits with OpenCV, else 8 with a note
    if read_image(tmp_path / "deep.png").dtype == np.uint16:
        np.testing.assert_array_equal(read_image(tmp_path / "deep.png"), deep)
    with pytest.raises(ValueError, match="alpha"):
        write_image(tmp_path / "alpha.jpg", np.dstack([rgb, gray]))
    with pytest.raises(FileNotFoundError):
        read_image(tmp_path / "missing.png")
    assert sorted(os.listdir(tmp_path)) == ["deep.png", "gray.png", "out.png"]  # no temporary left


# ---------------------------------------------------------------------- ffmpeg
def _ffmpeg_lut3d(ffmpeg, directory, cube, image, output, interp=None):
    option = "" if interp is None else f":interp={interp}"
    subprocess.run(
        [
            ffmpeg,
            "-y",
            "-loglevel",
            "error",
            "-i",
            image,
            "-vf",
            f"lut3d=file={cube}{option}",
            "-pix_fmt",
            "rgb24",
            output,
        ],
        check=True,
        timeout=120,
        cwd=directory,
    )
    return read_image(directory / output).astype(int)


def test_cube_graded_by_ffmpeg_matches_the_library(tmp_path, china, flower):
    """ffmpeg applies the exported .cube with its default (tetrahedral)
    interpolation as the library applies the grade, and as ``skcolorot apply``
    does: one grade, one result.
    """
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        pytest.skip("ffmpeg is not installed: cannot check the .cube in a real consumer")
    Image.fromarray(china).save(tmp_path / "china.png")
    Image.fromarray(flower).save(tmp_path / "flower.png")
    completed = run_cli(
        "lut", "china.png", "flower.png", "-o", "grade.cube", "-m", "sliced", cwd=tmp_path
    )
    assert completed.returncode == 0, completed.stderr
    graded = _ffmpeg_lut3d(ffmpeg, tmp_path, "grade.cube", "china.png", "ff.png")
    transport = make_transport("sliced", random_state=0).fit(china, flower)
    # ffmpeg truncates its 8-bit output where we round: about half a level.
    error = np.abs(graded - transport.transform(china))
    assert error.mean() <= 0.5 and np.percentile(error, 99.9) <= 2, (error.mean(), error.max())
    assert error.max() <= 3
    applied = apply_lut(china, read_cube(tmp_path / "grade.cube")).astype(int)
    assert np.abs(applied - graded).max() <= 1

    args = ["lut", "china.png", "flower.png", "-o", "affine.cube", "-m", "affine", "--size", "65"]
    assert (
        cli.main([str(tmp_path / arg) if arg.endswith((".png", ".cube")) else arg for arg in args])
        == 0
    )
    graded = _ffmpeg_lut3d(ffmpeg, tmp_path, "affine.cube", "china.png", "ffa.png")
    exact = make_transport("affine", random_state=0, lut_size=None).fit(china, flower)
    error = np.abs(graded - exact.transform(china))
    assert np.percentile(error, 99.9) <= 2
    assert error.max() <= 6  # where clipping at the gamut's edge bends a cell


# ------------------------------------------------------------ look controls
def test_transfer_regrains_by_default_and_takes_the_look_controls(tmp_path, small_pair):
    source, reference = small_pair
    Image.fromarray(source).save(tmp_path / "src.png")
    Image.fromarray(reference).save(tmp_path / "ref.png")
    mask = np.zeros(source.shape[:2], np.uint8)
    mask[:, : source.shape[1] // 2] = 255
    Image.fromarray(mask).save(tmp_path / "mask.png")

    def run(*options):
        output = tmp_path / "out.png"
        args = [str(tmp_path / "src.png"), str(tmp_path / "ref.png"), "-o", str(output)]
        assert cli.main(["transfer", *args, "--overwrite", "-q", *options]) == 0
        return read_image(output)

    default = run()
    faithful = run("-m", "sliced", "--no-regrain")
    assert _luminance_ssim(default, source) > _luminance_ssim(faithful, source) + 0.1
    grade = make_transport("sliced", random_state=0).fit(source, reference)
    np.testing.assert_array_equal(faithful, grade.transform(source))
    half = run("-m", "sliced", "--no-regrain", "--strength", "0.5").astype(float)
    np.testing.assert_allclose(half, (source + faithful.astype(float)) / 2, atol=1)
    masked = run("--mask", str(tmp_path / "mask.png"))
    right = slice(source.shape[1] // 2, None)
    np.testing.assert_array_equal(masked[:, right], source[:, right])
    from skimage.color import rgb2lab

    chroma = run("-m", "sliced", "--no-regrain", "--luminance", "0")
    assert np.abs(rgb2lab(chroma)[..., 0] - rgb2lab(source)[..., 0]).mean() < 1.5
    Image.fromarray(mask[:10]).save(tmp_path / "small.png")
    args = [str(tmp_path / "src.png"), str(tmp_path / "ref.png"), "-o", str(tmp_path / "o2.png")]
    assert cli.main(["transfer", *args, "--mask", str(tmp_path / "small.png"), "-q"]) == 2


def _luminance_ssim(result, source):
    from skcolorot.metrics import luminance_ssim

    return luminance_ssim(result, source)


def test_transfer_report_prints_the_artefact_measures(workdir, capsys):
    small = workdir / "small_src.png"
    Image.open(workdir / "src.png").reduce(4).save(small)
    args = ["transfer", str(small), str(workdir / "ref.png"), "-o",
            str(workdir / "reported.png"), "--report", "--overwrite"]
    assert cli.main(args) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[-1].startswith("report: split ")
    for measure in ("halo", "detail", "false contours", "flat noise", "new edges"):
        assert measure in lines[-1]
