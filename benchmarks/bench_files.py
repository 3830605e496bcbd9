"""Files and the command line: start-up, end-to-end commands, 16-bit PNG readers
and writers, and video throughput.

Prints four tables:

1. **command line**: wall-clock seconds of ``skcolorot --version``, ``--help``,
   ``transfer`` of a 451x300 pair (the time a user waits) beside the same
   transfer in an already started Python, and ``video`` on a 4 s 720p clip
   (frames per second, decode + grade + encode);
2. **start-up**: ``skcolorot transfer`` of a 0.3 MP (640x480) JPEG pair end to
   end from the shell, beside its floor (a bare interpreter, ``import
   sklearn.base``) and the same call in an already started Python, then where
   the imports go (``python -X importtime`` of the same command);
3. **16-bit colour PNG**: for Pillow, imageio (its default plugin) and OpenCV,
   the bit depth they return, the largest round-trip error in 16-bit levels
   and the read / write seconds of a 12 MP image;
4. the same for 16-bit TIFF through tifffile (skcolorot's TIFF path).

Run:  python benchmarks/bench_files.py [--repeat 3] [--skip-video] [--only startup]
Needs ffmpeg for the video row and OpenCV / imageio for theirs (skipped when
missing).
"""

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
from PIL import Image
from sklearn.datasets import load_sample_image


def _median_time(function, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _cli(*args, cwd):
    command = [sys.executable, "-m", "skcolorot", *map(str, args)]
    completed = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    if completed.returncode != 0:
        raise RuntimeError(completed.stderr)


def command_line(directory, repeat, video):
    china, flower = load_sample_image("china.jpg"), load_sample_image("flower.jpg")
    small = [Image.fromarray(image).resize((451, 300), Image.Resampling.LANCZOS)
             for image in (china, flower)]
    small[0].save(os.path.join(directory, "src.png"))
    small[1].save(os.path.join(directory, "ref.png"))
    rows = [
        ("skcolorot --version", _median_time(lambda: _cli("--version", cwd=directory), repeat)),
        ("skcolorot transfer --help",
         _median_time(lambda: _cli("transfer", "--help", cwd=directory), repeat)),
        ("skcolorot transfer 451x300 (sliced)", _median_time(
            lambda: _cli("transfer", "src.png", "ref.png", "-o", "out.png", "--overwrite",
                         cwd=directory), repeat)),
    ]
    from skcolorot import transfer

    source, reference = np.asarray(small[0]), np.asarray(small[1])
    transfer(source, reference)  # imports done, as in a running session
    rows.append(("  the same in Python (transfer())",
                 _median_time(lambda: transfer(source, reference, random_state=0), repeat)))
    print(f"command line ({platform.machine()}, {os.cpu_count()} CPUs, shared; median of "
          f"{repeat})")
    print(f"{'command':44} {'seconds':>8}")
    print("-" * 53)
    for name, seconds in rows:
        print(f"{name:44} {seconds:8.3f}")
    if video and shutil.which("ffmpeg"):
        clip = os.path.join(directory, "clip.mp4")
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                        "testsrc2=size=1280x720:rate=30:duration=4", "-f", "lavfi", "-i",
                        "sine=duration=4", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a",
                        "aac", "-shortest", clip], check=True)
        for extra, name in (((), "video 720p, 120 frames (sliced)"),
                            (("--regrain",), "video 720p, 120 frames, --regrain")):
            seconds = _median_time(lambda: _cli("video", clip, "ref.png", "-o", "graded.mp4",
                                                "--overwrite", *extra, cwd=directory), 1)
            print(f"{name:44} {seconds:8.3f}  ({120 / seconds:.1f} frames/s)")
    print()


# Modules whose cumulative import time the start-up table shows, in this order:
# scikit-learn's base and what it pulls in (the floor of any estimator), then
# the rest of the transfer's path.
_IMPORTS_SHOWN = ("sklearn.base", "scipy.stats", "pandas", "joblib", "narwhals", "numpy",
                  "PIL.Image", "skimage", "cv2", "PIL.ImageCms")


def _import_times(args, cwd):
    """{module: cumulative ms} from ``python -X importtime`` of a command, and the
    self time of skcolorot's own modules, summed."""
    command = [sys.executable, "-X", "importtime", "-m", "skcolorot", *args]
    completed = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    if completed.returncode != 0:
        raise RuntimeError(completed.stderr)
    cumulative, own = {}, 0
    for line in completed.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, cumulative_us, name = line[len("import time:"):].split("|")
        name = name.strip()
        cumulative.setdefault(name, int(cumulative_us) / 1000)
        if name == "skcolorot" or name.startswith("skcolorot."):
            own += int(self_us) / 1000
    return cumulative, own


def startup(directory, repeat):
    """``skcolorot transfer`` of a 0.3 MP JPEG pair from the shell, its floor, and
    where its imports go."""
    china, flower = load_sample_image("china.jpg"), load_sample_image("flower.jpg")
    for image, name in ((china, "src640.jpg"), (flower, "ref640.jpg")):
        Image.fromarray(image).resize((640, 480), Image.Resampling.LANCZOS).save(
            os.path.join(directory, name), quality=90)
    command = ("transfer", "src640.jpg", "ref640.jpg", "-o", "out640.jpg", "--overwrite")

    def python(code):
        subprocess.run([sys.executable, "-c", code], cwd=directory, check=True)

    rows = [
        ("python -c pass", _median_time(lambda: python("pass"), repeat)),
        ("python -c 'import sklearn.base' (the floor)",
         _median_time(lambda: python("import sklearn.base"), repeat)),
        ("transfer 0.3 MP end to end (640x480 JPEG)",
         _median_time(lambda: _cli(*command, cwd=directory), repeat)),
    ]
    from skcolorot.io._files import FileIO
    from skcolorot import transfer

    files = FileIO()
    source = files.read(os.path.join(directory, "src640.jpg")).pixels
    reference = files.read(os.path.join(directory, "ref640.jpg")).pixels
    transfer(source, reference)  # imports done, as in a running session
    rows.append(("  the same in Python (transfer())",
                 _median_time(lambda: transfer(source, reference, random_state=0), repeat)))
    print(f"start-up ({platform.machine()}, {os.cpu_count()} CPUs, shared; median of {repeat})")
    print(f"{'command':44} {'seconds':>8}")
    print("-" * 53)
    for name, seconds in rows:
        print(f"{name:44} {seconds:8.3f}")
    cumulative, own = _import_times(command, directory)
    shown = ", ".join(f"{name} {cumulative[name]:.0f}" for name in _IMPORTS_SHOWN
                      if name in cumulative)
    print(f"  imports, ms (-X importtime, cumulative; one run): {shown}; "
          f"skcolorot's own modules {own:.0f} (self)")
    print()


def png16(directory, repeat):
    rng = np.random.default_rng(0)
    china = np.asarray(Image.fromarray(load_sample_image("china.jpg")).resize((4000, 3000)))
    image = china.astype(np.uint16) * 257 + rng.integers(0, 257, china.shape).astype(np.uint16)
    path = os.path.join(directory, "deep.png")
    writers, readers = {}, {}
    try:
        import cv2

        writers["OpenCV"] = lambda p: cv2.imwrite(p, image[..., ::-1])
        readers["OpenCV"] = lambda p: cv2.imread(p, cv2.IMREAD_UNCHANGED)[..., ::-1]
    except ImportError:
        pass
    try:
        import imageio.v3 as iio

        writers["imageio"] = lambda p: iio.imwrite(p, image)
        readers["imageio"] = lambda p: iio.imread(p)
    except ImportError:
        pass
    writers["Pillow"] = lambda p: Image.fromarray(image).save(p)
    readers["Pillow"] = lambda p: np.asarray(Image.open(p))
    reference_writer = "OpenCV" if "OpenCV" in writers else None
    print(f"16-bit colour PNG, {image.shape[1]}x{image.shape[0]} ({image.nbytes / 1e6:.0f} MB); "
          f"read = a file written by {reference_writer or 'each library'}; error in 16-bit levels")
    print(f"{'library':10} {'reads':>8} {'max err':>8} {'read s':>7} {'writes':>10} {'write s':>8}")
    print("-" * 56)
    if reference_writer:
        writers[reference_writer](path)
    for name in readers:
        try:
            read = readers[name](path)
            depth = f"{8 * read.dtype.itemsize}-bit"
            error = np.abs(read.astype(np.int64) * (257 if read.dtype == np.uint8 else 1)
                           - image).max()
            read_s = _median_time(lambda: readers[name](path), repeat)
        except Exception as failure:  # noqa: BLE001 - report, do not stop
            depth, error, read_s = f"fails ({type(failure).__name__})", -1, float("nan")
        other = os.path.join(directory, f"by_{name}.png")
        try:
            write_s = _median_time(lambda: writers[name](other), repeat)
            check = cv2.imread(other, cv2.IMREAD_UNCHANGED) if "OpenCV" in readers else None
            written = f"{8 * check.dtype.itemsize}-bit" if check is not None else "?"
        except Exception as failure:  # noqa: BLE001
            write_s, written = float("nan"), f"fails ({type(failure).__name__})"
        print(f"{name:10} {depth:>8} {error:8d} {read_s:7.2f} {written:>10} {write_s:8.2f}")
    try:
        import tifffile

        tiff = os.path.join(directory, "deep.tif")
        write_s = _median_time(lambda: tifffile.imwrite(tiff, image, photometric="rgb",
                                                        compression="zlib"), repeat)
        read_s = _median_time(lambda: tifffile.imread(tiff), repeat)
        error = np.abs(tifffile.imread(tiff).astype(np.int64) - image).max()
        print(f"{'tifffile':10} {'16-bit':>8} {error:8d} {read_s:7.2f} {'16-bit':>10} "
              f"{write_s:8.2f}   (TIFF, zlib)")
    except ImportError:
        pass


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-video", action="store_true")
    parser.add_argument("--only", choices=("command-line", "startup", "png16"),
                        help="run one table only")
    args = parser.parse_args()
    directory = tempfile.mkdtemp(prefix="bench_files_")
    try:
        if args.only in (None, "command-line"):
            command_line(directory, args.repeat, not args.skip_video)
        if args.only in (None, "startup"):
            startup(directory, args.repeat)
        if args.only in (None, "png16"):
            png16(directory, args.repeat)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
