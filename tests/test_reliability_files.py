"""Reliability of file handling (issue 19, items 1, 6, 9, 10, 11): nothing but a
regular file is ever replaced, links are written through, temporaries never
outlive their writer, hostile or unsupported image files get one clear error.

Each test is a reproducer of a case an adversarial battery found.
"""

import os
import stat
import struct
import subprocess
import sys
import time
import zlib

import numpy as np
import pytest
from PIL import Image

from skcolorot import AffineTransport, read_cube, write_cube
from skcolorot.io._atomic import atomic_path
from skcolorot.io._image_formats import check_output_format, check_output_path
from skcolorot.io._image_read import read_image
from skcolorot.io._image_write import write_image
from skcolorot.io._outputs import check_not_inputs
from skcolorot._utils._signals import Terminated, terminate_as_interrupt
from skcolorot.color._lut import lut_grid

IMAGE = (np.random.default_rng(0).random((8, 8, 3)) * 255).astype(np.uint8)

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
needs_symlinks = pytest.mark.skipif(os.name != "posix", reason="POSIX symlinks")


def bomb_png(path, width=30000, height=30000):
    """A 69-byte PNG that declares ``width x height`` RGB pixels (no real data)."""

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b""))
        + chunk(b"IEND", b"")
    )
    return path


# ------------------------------------------------ 1. only regular files replaced
@needs_fifo
@pytest.mark.parametrize("writer", ["write_cube", "to_cube", "write_image"])
def test_a_fifo_at_the_output_is_refused_even_with_overwrite(tmp_path, writer):
    target = tmp_path / ("out.cube" if writer != "write_image" else "out.png")
    os.mkfifo(target)  # opening it to write would block: the test hangs if we do
    with pytest.raises(ValueError, match="FIFO, not a regular file"):
        if writer == "write_cube":
            write_cube(target, lut_grid(2))
        elif writer == "to_cube":
            AffineTransport().fit(IMAGE, IMAGE[::-1]).to_cube(target, size=2)
        else:
            write_image(target, IMAGE, overwrite=True)
    assert stat.S_ISFIFO(os.lstat(target).st_mode)
    assert os.listdir(tmp_path) == ["out.cube" if writer != "write_image" else "out.png"]


def test_a_device_is_refused_without_being_touched():
    # Only checked, never written: the check runs before any temporary exists.
    before = os.stat(os.devnull)
    with pytest.raises(ValueError, match="character device, not a regular file"):
        check_output_path(os.devnull, overwrite=True, image=False)
    assert os.stat(os.devnull).st_mode == before.st_mode


@needs_symlinks
def test_write_cube_writes_through_a_symlink(tmp_path):
    real = tmp_path / "real.cube"
    write_cube(real, lut_grid(2))
    link = tmp_path / "link.cube"
    link.symlink_to(real)
    write_cube(link, lut_grid(3))
    assert link.is_symlink()
    assert read_cube(real).shape == (3, 3, 3, 3)
    assert sorted(os.listdir(tmp_path)) == ["link.cube", "real.cube"]


@needs_symlinks
def test_write_image_overwrite_writes_through_a_symlink(tmp_path):
    real = tmp_path / "real.png"
    write_image(real, IMAGE)
    link = tmp_path / "link.png"
    link.symlink_to(real)
    with pytest.raises(FileExistsError):
        write_image(link, IMAGE[::-1])
    write_image(link, IMAGE[::-1], overwrite=True)
    assert link.is_symlink()
    np.testing.assert_array_equal(read_image(real), IMAGE[::-1])


@needs_symlinks
def test_a_dangling_symlink_is_refused(tmp_path):
    link = tmp_path / "link.cube"
    link.symlink_to(tmp_path / "missing" / "x.cube")
    with pytest.raises(FileNotFoundError, match="symbolic link to a missing file"):
        write_cube(link, lut_grid(2))
    assert link.is_symlink()


# --------------------------------------------------- 2. outputs are not inputs
def test_check_not_inputs_sees_the_same_file_under_other_names(tmp_path):
    source = tmp_path / "a.png"
    write_image(source, IMAGE)
    other = tmp_path / "sub" / ".." / "a.png"
    (tmp_path / "sub").mkdir()
    with pytest.raises(ValueError, match="is also an input"):
        check_not_inputs([source], [other])
    if os.name == "posix":
        (tmp_path / "hard.png").hardlink_to(source)
        with pytest.raises(ValueError, match="is also an input"):
            check_not_inputs([tmp_path / "hard.png"], [source])
    with pytest.raises(ValueError, match="two outputs"):
        check_not_inputs([], [tmp_path / "x.png", tmp_path / "x.png"])
    check_not_inputs([source], [tmp_path / "b.png"])  # distinct: fine


# ------------------------------------------------------ 9. temporaries, signals
def _dead_pid():
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_stale_temporaries_of_a_killed_writer_are_removed(tmp_path):
    stale = tmp_path / f".out.png.skcolorot-{_dead_pid()}.abcd1234.tmp"
    stale.write_bytes(b"half an image")
    live = tmp_path / f".out.png.skcolorot-{os.getppid()}.abcd1234.tmp"  # running
    live.write_bytes(b"being written")
    foreign = tmp_path / ".out.png.notours.tmp"
    foreign.write_bytes(b"someone else's")
    # No marker: could be anyone's, so kept whatever its age (issue 27).
    old_style = tmp_path / ".out.png.k3j4h5g6.tmp"
    old_style.write_bytes(b"old")
    fresh_old_style = tmp_path / ".out.png.a1b2c3d4.tmp"
    fresh_old_style.write_bytes(b"old")
    day_ago = time.time() - 2 * 24 * 3600
    os.utime(old_style, (day_ago, day_ago))
    write_image(tmp_path / "out.png", IMAGE)
    left = sorted(os.listdir(tmp_path))
    assert left == sorted(
        ["out.png", live.name, foreign.name, old_style.name, fresh_old_style.name]
    )


def test_sigterm_during_a_write_removes_the_temporary(tmp_path):
    # A real signal in a real process: the handler must turn it into an
    # exception that unwinds atomic_path, as Ctrl-C does.
    # The package imports its estimators lazily, so importing skcolorot.io._atomic loads
    # neither scikit-learn nor POT; the package is the one under test (its parent
    # directory first on the path).
    import skcolorot

    root = os.path.dirname(os.path.dirname(os.path.abspath(skcolorot.__file__)))
    script = f"""
import os, signal, sys
sys.path.insert(0, {root!r})
from skcolorot.io._atomic import atomic_path
from skcolorot._utils._signals import Terminated, terminate_as_interrupt
try:
    with terminate_as_interrupt():
        with atomic_path({str(tmp_path / "out.cube")!r}) as temporary:
            open(temporary, "w").write("partial")
            os.kill(os.getpid(), signal.SIGTERM)
            signal.pause()
except Terminated as error:
    sys.exit(128 + error.signum)
"""
    completed = subprocess.run([sys.executable, "-c", script], timeout=60)
    assert completed.returncode == 128 + 15
    assert os.listdir(tmp_path) == []


def test_terminate_as_interrupt_restores_the_handlers():
    import signal

    before = signal.getsignal(signal.SIGTERM)
    with terminate_as_interrupt():
        assert signal.getsignal(signal.SIGTERM) is not before
    assert signal.getsignal(signal.SIGTERM) is before
    assert issubclass(Terminated, KeyboardInterrupt)


def test_a_read_only_directory_is_named_before_any_work(unwritable_dir):
    with pytest.raises(OSError) as error:
        check_output_path(unwritable_dir / "out.png")
    assert error.value.filename == str(unwritable_dir)
    with pytest.raises(OSError) as error, atomic_path(unwritable_dir / "x.cube"):
        pass
    assert error.value.filename == str(unwritable_dir)
    assert ".tmp" not in str(error.value)


# ------------------------------------------------------ 6, 10, 11: image files
def test_a_decompression_bomb_png_is_one_clear_error(tmp_path):
    path = bomb_png(tmp_path / "bomb.png")
    assert path.stat().st_size < 100
    with pytest.raises(ValueError, match="decompression bomb"):
        read_image(path)


def test_a_float32_tiff_is_read_as_float32(tmp_path):
    # Float TIFF is supported since issue 16 (it used to be refused by name).
    tifffile = pytest.importorskip("tifffile")
    path = tmp_path / "float.tif"
    values = np.random.default_rng(0).random((4, 4, 3)).astype(np.float32)
    tifffile.imwrite(path, values, photometric="rgb")
    image = read_image(path)
    assert image.dtype == np.float32
    np.testing.assert_array_equal(image, values)


def test_a_multi_page_tiff_warns_that_only_page_one_is_read(tmp_path):
    tifffile = pytest.importorskip("tifffile")
    path = tmp_path / "pages.tif"
    with tifffile.TiffWriter(path) as tiff:
        tiff.write(IMAGE, photometric="rgb")
        tiff.write(IMAGE[::-1], photometric="rgb")
    with pytest.warns(UserWarning, match="2 pages / frames; only the first"):
        image = read_image(path)
    np.testing.assert_array_equal(image, IMAGE)


def test_an_animated_gif_warns_too(tmp_path):
    path = tmp_path / "anim.gif"
    frames = [Image.fromarray(IMAGE), Image.fromarray(IMAGE[::-1])]
    frames[0].save(path, save_all=True, append_images=frames[1:])
    with pytest.warns(UserWarning, match="only the first"):
        read_image(path)


def test_check_output_format_refuses_what_the_format_cannot_hold():
    # What write_image converts with a BitDepthNote passes (16 bits to JPEG);
    # what it refuses fails here, before any work.
    with pytest.raises(ValueError, match="cannot hold 16-bit"):
        check_output_format("out.jpg", np.uint16, 3, bit_depth=16)
    with pytest.raises(ValueError, match="only TIFF holds float"):
        check_output_format("out.png", np.float32, 3, bit_depth=32)
    with pytest.raises(ValueError, match="alpha"):
        check_output_format("out.jpg", np.uint8, 4)
    assert check_output_format("out.jpg", np.uint16, 3) == "JPEG"
    assert check_output_format("out.tif", np.uint16, 4) == "TIFF"
    assert check_output_format("gray.png", np.uint16, 1, bit_depth=16) == "PNG"
