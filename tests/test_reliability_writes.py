"""Reliability of writing files (issue 27): temporaries fit any legal name and
are swept only when their name proves them ours, errors name the output file,
a link in an output folder is never followed out of it unless asked, and two
runs into one folder both finish.

Each test is a reproducer of a case the adversarial battery found.
"""

import errno
import os
import subprocess
import sys
import time

import numpy as np
import pytest

from skcolorot import AffineTransport, cli, write_cube
from skcolorot.color._lut import lut_grid
from skcolorot.io._atomic import _name_max, atomic_path
from skcolorot.io._batch import grade_files
from skcolorot.io._image_read import read_image
from skcolorot.io._image_write import write_image

IMAGE = (np.random.default_rng(0).random((8, 8, 3)) * 255).astype(np.uint8)
needs_symlinks = pytest.mark.skipif(os.name != "posix", reason="POSIX symlinks")


def longest_name(directory, extension=".png"):
    """A legal file name of exactly the filesystem's limit (255 bytes here)."""
    return "n" * (_name_max(directory) - len(extension)) + extension


def run(capsys, *argv):
    status = cli.main([str(arg) for arg in argv])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return status, captured.out, captured.err


# ------------------------------------------------------- names at the limit
def test_an_output_name_at_the_limit_is_written(tmp_path):
    name = longest_name(tmp_path)
    write_image(tmp_path / name, IMAGE)
    write_cube(tmp_path / longest_name(tmp_path, ".cube"), lut_grid(2))
    assert name in os.listdir(tmp_path)
    assert not [entry for entry in os.listdir(tmp_path) if entry.endswith(".tmp")]


def test_a_multibyte_name_at_the_limit_is_written(tmp_path):
    stem = "\u00e9" * ((_name_max(tmp_path) - 4) // 2)  # 2 bytes each in UTF-8
    write_image(tmp_path / (stem + ".png"), IMAGE)
    assert (tmp_path / (stem + ".png")).exists()


def test_batch_with_an_input_name_at_the_limit(tmp_path, capsys):
    name = longest_name(tmp_path)[1:]  # 254 bytes, as the battery's 244 or more
    (tmp_path / "in").mkdir()
    write_image(tmp_path / "in" / name, IMAGE)
    write_image(tmp_path / "ref.png", IMAGE[::-1] // 2)
    status, _, err = run(capsys, "batch", tmp_path / "ref.png", tmp_path / "in" / name,
                         "-o", tmp_path / "out", "--method", "affine", "-q")
    assert status == 0, err
    assert os.listdir(tmp_path / "out") == [name]


def test_a_name_over_the_limit_is_blamed_not_the_directory(tmp_path, capsys):
    name = "n" * _name_max(tmp_path) + ".png"
    write_image(tmp_path / "src.png", IMAGE)
    status, _, err = run(capsys, "apply", _cube(tmp_path), tmp_path / "src.png",
                         "-o", tmp_path / name)
    assert status == 2
    assert name in err and "file name too long" in err
    assert "directory" not in err


def _cube(tmp_path):
    path = tmp_path / "grade.cube"
    if not path.exists():
        write_cube(path, lut_grid(3) ** 0.8)
    return path


# --------------------------------------------------------- errors name files
def test_a_full_disk_names_the_output(tmp_path, monkeypatch):
    from PIL import Image

    def full(self, target, *args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(Image.Image, "save", full)
    with pytest.raises(OSError) as caught:
        write_image(tmp_path / "out.png", IMAGE)
    assert caught.value.errno == errno.ENOSPC
    assert caught.value.filename == str(tmp_path / "out.png")
    assert not [entry for entry in os.listdir(tmp_path) if entry.endswith(".tmp")]


def test_a_full_disk_in_the_cli_is_one_line_naming_the_file(tmp_path, monkeypatch, capsys):
    from PIL import Image

    def full(self, target, *args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    write_image(tmp_path / "src.png", IMAGE)
    monkeypatch.setattr(Image.Image, "save", full)
    status, _, err = run(capsys, "apply", _cube(tmp_path), tmp_path / "src.png",
                         "-o", tmp_path / "out.png")
    assert status == 2
    assert err.strip() == f"skcolorot: error: {tmp_path / 'out.png'}: No space left on device"


# ---------------------------------------------------------- the stale sweep
def _dead_pid():
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_the_sweep_removes_only_names_that_prove_they_are_ours(tmp_path):
    three_days_ago = time.time() - 3 * 24 * 3600
    unrelated = tmp_path / ".src.png.abcd1234.tmp"  # the battery's case: not ours
    lookalike = tmp_path / ".src.png.skcolorot-12x.abcd1234.tmp"  # no pid
    ours = tmp_path / f".src.png.skcolorot-{_dead_pid()}.abcd1234.tmp"
    directory_named_ours = tmp_path / f".d.skcolorot-{_dead_pid()}.abcd1234.tmp"
    directory_named_ours.mkdir()
    for path in (unrelated, lookalike, ours):
        path.write_bytes(b"x")
        os.utime(path, (three_days_ago, three_days_ago))
    write_image(tmp_path / "src.png", IMAGE)
    assert unrelated.exists() and lookalike.exists() and directory_named_ours.exists()
    assert not ours.exists()


def test_a_shortened_temporary_is_still_recognised(tmp_path):
    name = longest_name(tmp_path)
    with atomic_path(tmp_path / name) as temporary:
        base = os.path.basename(temporary)
        assert len(os.fsencode(base)) <= _name_max(tmp_path)
        assert f".skcolorot-{os.getpid()}." in base
        open(temporary, "wb").close()


# ------------------------------------------------- links out of the folder
@needs_symlinks
@pytest.mark.parametrize("command", ["batch", "apply"])
def test_a_link_planted_in_the_output_folder_is_not_followed_out(tmp_path, capsys, command):
    outside = tmp_path / "precious.png"
    write_image(outside, IMAGE // 3)
    before = outside.read_bytes()
    (tmp_path / "in").mkdir()
    for name in ("a.png", "b.png"):
        write_image(tmp_path / "in" / name, IMAGE)
    write_image(tmp_path / "ref.png", IMAGE[::-1] // 2)
    out = tmp_path / "out"
    out.mkdir()
    (out / "b.png").symlink_to(outside)
    inputs = [tmp_path / "in" / "a.png", tmp_path / "in" / "b.png"]
    head = (["batch", tmp_path / "ref.png"] if command == "batch"
            else ["apply", _cube(tmp_path)])
    extra = ["--method", "affine"] if command == "batch" else []
    status, _, err = run(capsys, *head, *inputs, "-o", out, "--overwrite", *extra)
    assert status == 2
    assert "outside the output folder" in err and "--follow-symlinks" in err
    assert outside.read_bytes() == before
    assert sorted(os.listdir(out)) == ["b.png"]  # failed before writing anything
    status, _, err = run(capsys, *head, *inputs, "-o", out, "--overwrite", *extra,
                         "--follow-symlinks", "-q")
    assert status == 0, err
    assert outside.read_bytes() != before and (out / "b.png").is_symlink()


@needs_symlinks
def test_grade_files_refuses_a_link_out_of_the_folder(tmp_path):
    outside = tmp_path / "precious.png"
    write_image(outside, IMAGE)
    write_image(tmp_path / "a.png", IMAGE)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "a.png").symlink_to(outside)
    grade = AffineTransport().fit(IMAGE, IMAGE // 2)
    with pytest.raises(PermissionError, match="outside the output folder"):
        grade_files(grade, [tmp_path / "a.png"], tmp_path / "out", overwrite=True,
                    progress=False)
    inside = tmp_path / "out" / "real.png"
    write_image(inside, IMAGE)
    (tmp_path / "out" / "a.png").unlink()
    (tmp_path / "out" / "a.png").symlink_to(inside)  # within the folder: written through
    grade_files(grade, [tmp_path / "a.png"], tmp_path / "out", overwrite=True, progress=False)
    assert not np.array_equal(read_image(inside), IMAGE)


# ------------------------------------------------------- concurrent writers
def test_a_file_written_meanwhile_by_another_run_is_skipped(tmp_path, monkeypatch):
    import skcolorot.io._batch as batch

    paths = []
    for index in range(3):
        paths.append(tmp_path / f"f{index}.png")
        write_image(paths[-1], IMAGE)
    out = tmp_path / "out"
    real = batch._grade_file

    def racing(source, output, *args):
        if os.path.basename(output) == "f1.png":  # the other run got there first
            write_image(output, IMAGE // 7)
        return real(source, output, *args)

    monkeypatch.setattr(batch, "_grade_file", racing)
    monkeypatch.setattr(batch, "_has_dask", lambda: False)
    grade = AffineTransport().fit(IMAGE, IMAGE // 2)
    with pytest.warns(UserWarning, match="appeared while this batch ran"):
        written = grade_files(grade, paths, out, progress=False)
    assert [os.path.basename(path) for path in written] == ["f0.png", "f2.png"]
    assert np.array_equal(read_image(out / "f1.png"), IMAGE // 7)  # theirs, untouched


def test_two_batch_processes_into_one_folder_both_finish(tmp_path):
    (tmp_path / "in").mkdir()
    rng = np.random.default_rng(1)
    for index in range(6):
        write_image(tmp_path / "in" / f"f{index:02d}.png",
                    (rng.random((24, 24, 3)) * 255).astype(np.uint8))
    write_image(tmp_path / "ref.png", IMAGE[::-1] // 2)
    inputs = sorted(str(path) for path in (tmp_path / "in").iterdir())
    command = [sys.executable, "-m", "skcolorot", "batch", str(tmp_path / "ref.png"), *inputs,
               "-o", str(tmp_path / "out"), "--method", "affine", "-q", "--fit-on", "first"]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    runs = [subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
            for _ in range(2)]
    results = [(process.wait(timeout=300), process.stderr.read()) for process in runs]
    # Each either finished (skipping what the other wrote) or failed before writing.
    assert any(status == 0 for status, _ in results), results
    for status, err in results:
        assert "Traceback" not in err
        assert status == 0 or "already exists" in err, err
    assert sorted(os.listdir(tmp_path / "out")) == [os.path.basename(p) for p in inputs]
    for name in os.listdir(tmp_path / "out"):
        read_image(tmp_path / "out" / name)  # whole files only
