"""Reliability of the command line (issue 19, items 1, 2, 3, 6, 10): every
command refuses to write over its own inputs or anything but a regular file,
checks its outputs before the work, and fails with exit status 2 and one line.

Run in-process through ``cli.main`` (the subprocess contract is pinned in
tests/test_cli.py): each case costs milliseconds.
"""

import os
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image
from test_reliability_degenerate import CONSTANT, GRAY
from test_reliability_files import bomb_png

from skcolorot import cli, write_cube
from skcolorot.io._files import is_gray
from skcolorot.io._image_read import read_image
from skcolorot.io._image_write import write_image
from skcolorot.color._lut import lut_grid

RNG = np.random.default_rng(0)
SOURCE = (RNG.random((12, 12, 3)) * 255).astype(np.uint8)
REFERENCE = (RNG.random((10, 10, 3)) * 180).astype(np.uint8)


@pytest.fixture
def files(tmp_path, monkeypatch):
    write_image(tmp_path / "src.png", SOURCE)
    write_image(tmp_path / "ref.png", REFERENCE)
    write_cube(tmp_path / "grade.cube", lut_grid(3) ** 0.8)
    frames = tmp_path / "frames"
    frames.mkdir()
    for index in range(2):
        write_image(frames / f"f{index}.png", SOURCE[:, ::-1] if index else SOURCE)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def error_line(capsys, *argv):
    status = cli.main([str(arg) for arg in argv])
    err = capsys.readouterr().err
    assert status == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("skcolorot: error: "), err
    assert "Traceback" not in err
    return lines[0]


def snapshot(directory):
    return {
        path: (path.stat().st_size, path.read_bytes())
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


# ------------------------------------------------------ 2. inputs are not outputs
@pytest.mark.parametrize(
    "argv",
    [
        ["apply", "grade.cube", "frames/f0.png", "frames/f1.png", "-o", "frames/"],
        ["apply", "grade.cube", "src.png", "-o", "src.png"],
        ["apply", "grade.cube", "src.png", "-o", "./frames/../src.png"],
        ["transfer", "src.png", "ref.png", "-o", "ref.png", "-m", "affine"],
        ["transfer", "src.png", "ref.png", "-o", "out.png", "--lut-out", "./ref.png"],
        ["lut", "src.png", "grade.cube", "-o", "grade.cube", "-m", "affine"],
        ["batch", "ref.png", "frames/f0.png", "frames/f1.png", "-o", "frames", "-m", "affine"],
    ],
    ids=["apply-dir", "apply-file", "apply-alias", "transfer", "transfer-lut", "lut", "batch"],
)
def test_no_command_writes_over_its_inputs(files, capsys, argv):
    before = snapshot(files)
    line = error_line(capsys, *argv, "--overwrite")
    assert "is also an input" in line
    assert snapshot(files) == before


# ------------------------------------------- 1. only regular files, links through
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_output_is_refused_with_overwrite(files, capsys):
    os.mkfifo(files / "pipe.png")
    line = error_line(capsys, "apply", "grade.cube", "src.png", "-o", "pipe.png", "--overwrite")
    assert "FIFO, not a regular file" in line


@pytest.mark.skipif(os.name != "posix", reason="POSIX symlinks")
def test_overwrite_writes_through_an_output_symlink(files, capsys):
    write_image(files / "real.png", REFERENCE)
    (files / "link.png").symlink_to(files / "real.png")
    status = cli.main(["apply", "grade.cube", "src.png", "-o", "link.png", "--overwrite"])
    assert status == 0, capsys.readouterr().err
    assert (files / "link.png").is_symlink()
    assert read_image(files / "real.png").shape == SOURCE.shape


# ------------------------------------------- 6. decompression bombs, memory errors
@pytest.mark.parametrize(
    "argv",
    [
        ["transfer", "bomb.png", "ref.png", "-o", "out.png", "-m", "affine"],
        ["lut", "src.png", "bomb.png", "-o", "out.cube", "-m", "affine"],
        ["apply", "grade.cube", "bomb.png", "-o", "out.png"],
        ["batch", "ref.png", "bomb.png", "-o", "outdir", "--fit-on", "first", "-m", "affine"],
    ],
    ids=["transfer", "lut", "apply", "batch"],
)
def test_a_decompression_bomb_is_one_line_in_every_command(files, capsys, argv):
    bomb_png(files / "bomb.png")
    line = error_line(capsys, *argv)
    assert "bomb.png: refused as a possible decompression bomb" in line
    assert not (files / "out.png").exists() and not (files / "out.cube").exists()


def test_memory_error_is_one_line(files, capsys):
    # A real MemoryError: numpy refuses the 426 PiB of slices before allocating.
    line = error_line(
        capsys, "transfer", "src.png", "ref.png", "-o", "out.png",
        "--param", "n_slices=1000000000000000",
    )
    assert line.startswith("skcolorot: error: out of memory (Unable to allocate")
    assert not (files / "out.png").exists()


# -------------------------------------------------- 3, 10. clear errors, up front
def test_a_cube_entry_beyond_float32_is_refused(files, capsys):
    text = (files / "grade.cube").read_text().replace("0.000000 0.000000 0.000000", "1e39 0 0", 1)
    (files / "huge.cube").write_text(text)
    line = error_line(capsys, "apply", "huge.cube", "src.png", "-o", "out.png")
    assert "huge.cube, line 4: value out of range" in line


def test_param_method_is_named(files, capsys):
    line = error_line(
        capsys, "transfer", "src.png", "ref.png", "-o", "out.png", "--regrain",
        "--param", "method=pitie",
    )
    assert "--param method=... is not a transport parameter" in line


def test_sixteen_bits_asked_of_jpeg_is_refused_before_the_fit(files, capsys):
    # (16-bit colour PNG is written since issue 16, and 16 bits are converted
    # down for JPEG with a note; asking for 16-bit JPEG is what remains refused.)
    pytest.importorskip("tifffile")
    write_image(files / "deep.tif", SOURCE.astype(np.uint16) * 257)
    # n_samples=1 would fail the fit: the format error must come first.
    line = error_line(
        capsys, "transfer", "deep.tif", "ref.png", "-o", "out.jpg", "-m", "affine",
        "--param", "n_samples=1", "--bit-depth", "16",
    )
    assert "out.jpg: JPEG cannot hold 16-bit samples" in line


def test_sixteen_bits_asked_of_jpeg_by_apply_is_refused_before_writing(files, capsys):
    pytest.importorskip("tifffile")
    write_image(files / "deep.tif", SOURCE.astype(np.uint16) * 257)
    line = error_line(
        capsys, "apply", "grade.cube", "deep.tif", "-o", "out.jpg", "--bit-depth", "16"
    )
    assert "cannot hold 16-bit" in line
    assert not (files / "out.jpg").exists()


# (command line, with D the unwritable directory). Each input would fail on its
# own (a 1-pixel source cannot be fitted, notes.png is no image, the video is
# missing): the output's error coming first shows it is checked before the work.
UNWRITABLE_OUTPUTS = {
    "transfer": "transfer one.png ref.png -o D/out.png -m affine",
    "transfer-lut-out": "transfer one.png ref.png -o new.png --lut-out D/x.cube -m affine",
    "lut": "lut one.png ref.png -o D/x.cube -m affine",
    "apply": "apply grade.cube notes.png -o D/out.png",
    "apply-into": "apply grade.cube notes.png -o D",
    "batch-into": "batch ref.png one.png -o D -m affine",
    "batch-lut-out": "batch ref.png one.png -o newdir --lut-out D/x.cube -m affine",
    "video": "video missing.mp4 ref.png -o D/out.mp4",
}


@pytest.mark.parametrize("argv", UNWRITABLE_OUTPUTS.values(), ids=UNWRITABLE_OUTPUTS)
def test_an_unwritable_output_directory_is_named_before_the_work(
    files, capsys, unwritable_dir, argv
):
    write_image(files / "one.png", SOURCE[:1, :1])
    (files / "notes.png").write_text("not an image")
    before = snapshot(files)
    line = error_line(capsys, *argv.replace("D", str(unwritable_dir)).split())
    assert f"{unwritable_dir}: " in line and ".tmp" not in line, line
    assert snapshot(files) == before  # no output written before the failing one


# ------------------------------------------------------------------ 9. SIGTERM
@pytest.mark.skipif(not hasattr(__import__("signal"), "SIGTERM") or os.name != "posix",
                    reason="POSIX signals")
def test_sigterm_during_a_command_exits_143_and_leaves_nothing(files, capsys):
    import signal
    import threading

    # A late signal (after main returned) must not kill the test run.
    previous = signal.signal(signal.SIGTERM, lambda *args: None)
    big = (np.random.default_rng(1).random((60, 60, 3)) * 255).astype(np.uint8)
    write_image(files / "big.png", big)
    timer = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGTERM))
    try:
        timer.start()
        # A 3000 x 3000 Sinkhorn fit: about 10 s, so the signal lands in it.
        status = cli.main([
            "transfer", "big.png", "big.png", "-o", "out.png", "-m", "sinkhorn",
            "--param", "n_samples=3000",
        ])
    finally:
        timer.cancel()
        signal.signal(signal.SIGTERM, previous)
    assert status == 128 + signal.SIGTERM
    assert "terminated by signal 15" in capsys.readouterr().err
    assert sorted(path.name for path in files.iterdir() if path.name.startswith(".")) == []
    assert not (files / "out.png").exists()


# ------------------------------------ issue 16 (files) together with issue 19
def test_the_video_command_refuses_to_write_over_its_input(files, capsys):
    # Checked before ffmpeg is looked for: no video tool is needed here.
    line = error_line(capsys, "video", "src.png", "ref.png", "-o", "src.png")
    assert "is also an input" in line
    line = error_line(capsys, "video", "clip.mp4", "ref.png", "-o", "out.mp4", "--lut-out",
                      "ref.png")
    assert "is also an input" in line


def test_several_references_with_summaries_and_titles(files, capsys):
    write_image(files / "ref2.png", (RNG.random((10, 10, 3)) * 255).astype(np.uint8))
    common = ["src.png", "ref.png", "ref2.png", "-m", "affine", "--weights", "0.3", "0.7"]
    assert cli.main(["transfer", *common, "-o", "out.png", "--lut-out", "out.cube"]) == 0
    assert capsys.readouterr().out.startswith("wrote out.png and out.cube: 12x12, 8-bit")
    assert "src.png -> ref.png + ref2.png" in (files / "out.cube").read_text().splitlines()[0]
    assert cli.main(["lut", *common, "-o", "grade3.cube"]) == 0
    assert "wrote grade3.cube" in capsys.readouterr().out
    line = error_line(capsys, "lut", *common[:-1], "-o", "grade4.cube")
    assert "--weights has 1 values for 2 references" in line


def test_a_gray_source_is_toned_towards_several_references(files, capsys):
    write_image(files / "gray.png", np.repeat(SOURCE[..., :1], 3, axis=-1))
    write_image(files / "ref2.png", (RNG.random((10, 10, 3)) * 255).astype(np.uint8))
    assert cli.main(["transfer", "gray.png", "ref.png", "ref2.png", "-o", "toned.png"]) == 0
    assert "grayscale toning" in capsys.readouterr().out
    toned = read_image(files / "toned.png")
    assert toned.shape == SOURCE.shape and not is_gray(toned)


def test_a_16_bit_png_is_written_through_a_link_and_never_over_a_fifo(files, capsys):
    pytest.importorskip("cv2")
    deep = SOURCE.astype(np.uint16) * 257 + 3
    write_image(files / "deep.png", deep)
    write_image(files / "target.png", SOURCE)
    os.symlink("target.png", files / "link.png")
    argv = ["transfer", "deep.png", "ref.png", "-m", "affine", "--overwrite", "-o"]
    assert cli.main([*argv, "link.png"]) == 0
    assert os.path.islink(files / "link.png")
    assert read_image(files / "target.png").dtype == np.uint16
    if hasattr(os, "mkfifo"):
        os.mkfifo(files / "fifo.png")
        assert "is a FIFO" in error_line(capsys, *argv, "fifo.png")
    assert not [name for name in os.listdir(files) if name.endswith(".tmp")]


def test_a_16_bit_colour_png_bomb_is_refused_by_the_16_bit_reader_too(tmp_path):
    import struct
    import zlib

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    path = tmp_path / "bomb16.png"
    header = struct.pack(">IIBBBBB", 30000, 30000, 16, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
                     + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b""))
    with pytest.raises(ValueError, match="decompression bomb"):
        read_image(path)
    with pytest.raises(ValueError, match="decompression bomb"):
        read_image(path, metadata=True)


def test_the_lazy_package_names_the_emd_branch():
    import skcolorot

    assert skcolorot._LAZY["EMDTransport"] == ".transport._emd"
    assert skcolorot._LAZY["barycenter"] == ".transport._barycenter"
    assert {"EMDTransport", "barycenter", "tone_grayscale"} <= set(skcolorot.__all__)


# ============================== the issue 8 battery: one line, nothing written
@pytest.fixture(scope="module")
def battery_files(tmp_path_factory):
    directory = tmp_path_factory.mktemp("reliability-cli")
    rng = np.random.default_rng(1)
    Image.fromarray((rng.random((20, 24, 3)) * 255).astype(np.uint8)).save(directory / "src.png")
    Image.fromarray((rng.random((16, 16, 3)) * 255).astype(np.uint8)).save(directory / "ref.png")
    Image.fromarray(np.full((1, 1, 3), (10, 200, 30), np.uint8)).save(directory / "one.png")
    Image.fromarray(GRAY).save(directory / "gray.png")
    (directory / "notes.png").write_text("not an image")
    (directory / "empty.png").write_bytes(b"")
    (directory / "bad.cube").write_text("LUT_3D_SIZE 2\n0 0 0\n")
    (directory / "taken.png").write_bytes(b"precious")
    (directory / "taken.cube").write_text("precious")
    (directory / "adir").mkdir()
    write_cube(directory / "grade.cube", lut_grid(3))
    return directory


# (id, command line, what the one-line message must say). Outputs are named new*.
CLI_CASES = [
    ("t-range", "transfer src.png ref.png -o new.png --t 2", "--t: must be a number in [0, 1]"),
    ("t-nan", "transfer src.png ref.png -o new.png --t nan", "argument --strength/--t"),
    ("param-t", "transfer src.png ref.png -o new.png -p t=2", "t must be a number in [0, 1], got 2"),
    ("reg-0", "transfer src.png ref.png -o new.png -m sinkhorn -p reg=0", "'reg' parameter"),
    ("reg-negative", "lut src.png ref.png -o new.cube -m affine -p reg=-1", "'reg' parameter"),
    ("n-slices", "transfer src.png ref.png -o new.png -p n_slices=0", "'n_slices' parameter of"),
    ("components", "lut src.png ref.png -o new.cube -m gmm -p n_components=999", "999 is larger"),
    ("1-pixel-source", "transfer one.png ref.png -o new.png -m affine", "one.png: a 1-pixel image"),
    ("1-pixel-reference", "lut src.png one.png -o new.cube -m affine", "one.png: a 1-pixel image"),
    ("gray-lut-source", "lut gray.png ref.png -o new.cube -m affine", "gray.png is grayscale"),
    ("missing-reference", "transfer src.png nope.png -o new.png", "nope.png: no such file"),
    ("text-reference", "transfer src.png notes.png -o new.png", "notes.png: not an image file"),
    ("empty-file", "transfer empty.png ref.png -o new.png", "empty.png: not an image file"),
    ("directory-source", "transfer adir ref.png -o new.png", "adir: is a directory"),
    ("unknown-extension", "transfer src.png ref.png -o new.xyz", "cannot tell the image format"),
    ("missing-directory", "transfer src.png ref.png -o nodir/new.png", "no such directory"),
    ("output-is-directory", "transfer src.png ref.png -o adir", "adir: is a directory"),
    ("lut-size", "transfer src.png ref.png -o new.png --lut-size 1", "--lut-size: must be an int"),
    ("seed", "transfer src.png ref.png -o new.png --seed x", "argument --seed"),
    ("color-space", "transfer src.png ref.png -o new.png --color-space hsv", "--color-space: inv"),
    ("param-twice", "lut src.png ref.png -o new.cube -p n_iter=2 -p n_iter=3", "given twice"),
    ("lut-extension", "lut src.png ref.png -o new.txt", "must end in .cube"),
    ("lut-size-300", "lut src.png ref.png -o new.cube --size 300", "argument --size"),
    ("lut-exists", "lut src.png ref.png -o taken.cube", "taken.cube: already exists; pass --over"),
    ("apply-bad-cube", "apply bad.cube src.png -o new.png", "bad.cube, line 2: expected 8 table"),
    ("apply-missing-cube", "apply nope.cube src.png -o new.png", "nope.cube"),
    ("apply-image-as-cube", "apply src.png src.png -o new.png", "src.png: not a text .cube file"),
    ("apply-missing-input", "apply grade.cube src.png nope.png -o newdir", "nope.png: no such"),
    ("apply-exists", "apply grade.cube src.png -o taken.png", "taken.png: already exists"),
    ("batch-duplicates", "batch ref.png src.png src.png -o newdir", "several inputs are named"),
    ("batch-output-file", "batch ref.png src.png -o taken.png", "taken.png: not a directory"),
    ("batch-unreadable", "batch ref.png notes.png -o newdir", "notes.png: not an image file"),
    ("batch-1-pixel", "batch ref.png one.png -o newdir -m affine", "one.png: a 1-pixel image"),
    ("batch-1-pixel-first", "batch ref.png one.png -o newdir --fit-on first", "one.png: a 1-pix"),
    ("batch-1-pixel-ref", "batch one.png src.png -o newdir -m affine", "one.png: a 1-pixel image"),
    ("unknown-command", "recolour src.png", "invalid choice: 'recolour'"),
    ("no-command", "", "the following arguments are required: COMMAND"),
]


@pytest.mark.parametrize(
    "args, expected", [c[1:] for c in CLI_CASES], ids=[c[0] for c in CLI_CASES]
)
def test_cli_bad_input_is_one_line_and_writes_nothing(
    battery_files, monkeypatch, capsys, args, expected
):
    monkeypatch.chdir(battery_files)
    before = {path: path.read_bytes() for path in battery_files.iterdir() if path.is_file()}
    assert cli.main(args.split()) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("skcolorot: error: "), captured.err
    assert expected in lines[0]
    after = {path: path.read_bytes() for path in battery_files.iterdir() if path.is_file()}
    assert after == before  # nothing written, nothing replaced, no temporary left
    # batch may already have created its (empty) output directory
    leftovers = [
        p for p in battery_files.rglob("*") if p.is_file() and p.parent.name == "newdir"
    ]
    assert not leftovers


def test_cli_subprocess_exits_2_without_traceback(battery_files):
    # One real process (imports cost ~3 s): the in-process table above covers the rest.
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "skcolorot.cli",
            *["transfer", "one.png", "ref.png", "-o", "new.png"],
        ],
        check=False,
        cwd=battery_files,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 2
    assert completed.stdout == "" and "Traceback" not in completed.stderr
    assert (
        completed.stderr == "skcolorot: error: one.png: a 1-pixel image holds no colour "
        "distribution to fit\n"
    )
    assert not (battery_files / "new.png").exists()


def test_cli_valid_oddities(battery_files, monkeypatch, capsys):
    """A constant-colour source and a 1-pixel input to ``apply`` are fine."""
    monkeypatch.chdir(battery_files)
    Image.fromarray(CONSTANT).save("constant.png")
    try:
        assert cli.main(["transfer", "constant.png", "ref.png", "-o", "c.png", "-m", "affine"]) == 0
        assert cli.main(["apply", "grade.cube", "one.png", "-o", "o.png"]) == 0
        assert capsys.readouterr().err == ""
        np.testing.assert_array_equal(np.asarray(Image.open("o.png")), [[[10, 200, 30]]])
        graded = np.asarray(Image.open("c.png"))
        assert graded.shape == CONSTANT.shape and len(np.unique(graded.reshape(-1, 3), axis=0)) == 1
    finally:
        for name in ("constant.png", "c.png", "o.png"):
            if os.path.exists(name):
                os.remove(name)
