"""Peak memory of every command and method at 12 MP, and whether outputs keep
their inputs alive.

Each case runs in a fresh Python process, started by a small measuring process
that reports ``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss``: the peak
resident set of the case (or of a process it waited for, e.g. ffmpeg, if that
was larger). Prints one table and saves it to benchmarks/results/memory.txt:

* **peak MB**: the case's peak RSS;
* **work MB**: the peak less a baseline: for a method, a process with the same
  imports that read both images and did nothing else (what the fit and
  transform need); for a command, Python with every skcolorot module imported
  (what the command needs, its inputs included);
* **x uint8**, **x float32**: the work as a multiple of the 12 MP image
  (4000 x 3000 x 3: 36 MB as uint8, 144 MB as float32). Video rows are
  multiples of their own frame.

The images are synthetic but photographic: scikit-learn's china.jpg (source) and
flower.jpg (reference) upscaled to 12 MP with Pillow's Lanczos filter.

The last rows transform 10 frames of 12 MP, one at a time, holding the outputs
in a list, and report how many frames' worth of memory that list holds
(10 = the outputs only; 20 = every output keeps its input alive).

Run:  python benchmarks/bench_memory.py [--skip-video]   (about 4 minutes)
Needs ffmpeg for the video row (skipped when missing).
"""

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time

import numpy as np
from PIL import Image
from sklearn.datasets import load_sample_image

WIDTH, HEIGHT = 4000, 3000
UINT8_MB = WIDTH * HEIGHT * 3 / 1e6
FLOAT32_MB = 4 * UINT8_MB
VIDEO_SIZE = (1920, 1080)
VIDEO_FRAMES = 24

# Measures one child: the case's own rusage, not this process's.
MEASURE = (
    "import resource, subprocess, sys; "
    "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode; "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, code)"
)

# .npy: read in place, with no decoder buffer whose transient peak would hide
# a small fit in the baseline
READ = """
import numpy as np
source = np.load("source.npy")
reference = np.load("reference.npy")
"""

TRANSPORTS = {
    "AffineTransport": "AffineTransport()",
    "SinkhornTransport": "SinkhornTransport(random_state=0)",
    "SlicedTransport": "SlicedTransport(random_state=0)",
    "GMMTransport": "GMMTransport(random_state=0)",
    "EMDTransport": "EMDTransport(random_state=0)",
}

HELD = """
import os
import numpy as np
from skcolorot import SlicedTransport
source = np.load("source.npy")
model = SlicedTransport(random_state=0).fit(source, np.load("reference.npy"))
model.transform(source)  # the LUT is built and cached

def rss_mb():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6

before = rss_mb()
outputs = []
for index in range(10):
    frame = np.roll(source, 17 * index, axis=1)  # a new array each time
    outputs.append(model.transform(frame))
    del frame
held = rss_mb() - before
kept = sum(getattr(out, "source", None) is not None for out in outputs)
print("RESULT", held, kept)
"""


def _peak_mb(command, cwd):
    """Peak RSS (MB) of ``command`` run in a fresh process, and its seconds."""
    start = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "-c", MEASURE, *command], cwd=cwd, capture_output=True, text=True,
        check=True,
    )
    seconds = time.perf_counter() - start
    peak_kb, code = completed.stdout.split()
    if code != "0":
        raise RuntimeError(f"{' '.join(command)} exited {code}")
    return int(peak_kb) * 1024 / 1e6, seconds  # ru_maxrss is in KiB on Linux


def _python(code):
    return [sys.executable, "-c", textwrap.dedent(code)]


def _cli(*args):
    return [sys.executable, "-m", "skcolorot", *args]


def _make_inputs(directory, video):
    china, flower = load_sample_image("china.jpg"), load_sample_image("flower.jpg")
    for name, image in (("source", china), ("reference", flower)):
        big = Image.fromarray(image).resize((WIDTH, HEIGHT), Image.Resampling.LANCZOS)
        big.save(os.path.join(directory, f"{name}.jpg"), quality=95)
        np.save(os.path.join(directory, f"{name}.npy"), np.asarray(big))
    frames = os.path.join(directory, "frames")
    os.mkdir(frames)
    for index in range(3):
        shutil.copy(os.path.join(directory, "source.jpg"), os.path.join(frames, f"f{index}.jpg"))
    if video:
        clip = Image.fromarray(china).resize(VIDEO_SIZE, Image.Resampling.LANCZOS)
        clip.save(os.path.join(directory, "frame.png"))
        subprocess.run(
            ["ffmpeg", "-loglevel", "error", "-loop", "1", "-i", "frame.png", "-frames:v",
             str(VIDEO_FRAMES), "-r", "24", "-pix_fmt", "yuv420p", "-c:v", "libx264",
             "-preset", "ultrafast", "clip.mp4"],
            cwd=directory, check=True,
        )


def run(directory, video):
    rows = []  # (section, case, peak, baseline, size MB, seconds)

    def case(section, name, command, baseline, size=UINT8_MB):
        peak, seconds = _peak_mb(command, directory)
        rows.append((section, name, peak, baseline, size, seconds))
        print(f"  {section:<10} {name:<38} {peak:7.0f} MB  {seconds:5.1f} s", flush=True)
        return peak

    # The commands' baseline: Python with the whole package imported, no input.
    cli_base = case("baseline", "python + every skcolorot module", _python(
        "import skcolorot\nfor name in skcolorot.__all__:\n    getattr(skcolorot, name)"
    ), 0.0)

    case("command", "transfer (auto, default)", _cli(
        "transfer", "source.jpg", "reference.jpg", "-o", "out.jpg", "--overwrite"), cli_base)
    case("command", "transfer --regrain", _cli(
        "transfer", "source.jpg", "reference.jpg", "-o", "out.jpg", "--overwrite", "--regrain"),
        cli_base)
    case("command", "lut (default size)", _cli(
        "lut", "source.jpg", "reference.jpg", "-o", "grade.cube", "--overwrite"), cli_base)
    case("command", "apply (one 12 MP image)", _cli(
        "apply", "grade.cube", "source.jpg", "-o", "applied.jpg", "--overwrite"), cli_base)
    case("command", "batch (3 frames of 12 MP)", _cli(
        "batch", "reference.jpg", "frames/f0.jpg", "frames/f1.jpg", "frames/f2.jpg",
        "-o", "graded", "--overwrite"), cli_base)
    if video:
        frame_mb = VIDEO_SIZE[0] * VIDEO_SIZE[1] * 3 / 1e6
        case("command", f"video ({VIDEO_FRAMES} frames {VIDEO_SIZE[0]}x{VIDEO_SIZE[1]})", _cli(
            "video", "clip.mp4", "reference.jpg", "-o", "graded.mp4", "--overwrite"),
            cli_base, size=frame_mb)

    # Each method's baseline: the same imports, both images read, no fit.
    def method(name, imports, work):
        baseline, _ = _peak_mb(_python(imports + READ), directory)
        case("fit+trans", name, _python(imports + READ + work), baseline)

    for name, make in TRANSPORTS.items():
        method(name, f"from skcolorot import {name}\n",
               f"{make}.fit(source, reference).transform(source)\n")
    for regrain in ("guided", "pitie"):
        method(
            f"Sliced + Regrainer(method={regrain!r})",
            "from sklearn.pipeline import make_pipeline\n"
            "from skcolorot import Regrainer, SlicedTransport\n",
            f"make_pipeline(SlicedTransport(random_state=0), Regrainer(method={regrain!r}))"
            ".fit(source, reference).transform(source)\n",
        )

    completed = subprocess.run(
        [sys.executable, "-c", HELD], cwd=directory, capture_output=True, text=True, check=True
    )
    held, kept = completed.stdout.split("RESULT")[1].split()
    return rows, float(held), int(kept)


def _table(rows, held, kept):
    lines = [
        f"12 MP = {WIDTH} x {HEIGHT} x 3: {UINT8_MB:.0f} MB as uint8, "
        f"{FLOAT32_MB:.0f} MB as float32 (video rows: multiples of one frame)",
        "work = peak RSS less the baseline: for a command, Python with every skcolorot module",
        "imported; for a method, the same imports with both images read (not counted)",
        "",
        f"{'':<10} {'case':<40} {'peak MB':>8} {'work MB':>8} {'x uint8':>8} "
        f"{'x float32':>9} {'s':>6}",
    ]
    for section, name, peak, baseline, size, seconds in rows:
        if baseline:
            work = peak - baseline
            numbers = f"{work:8.0f} {work / size:8.1f} {work / (4 * size):9.2f}"
        else:
            numbers = f"{'':>8} {'':>8} {'':>9}"
        lines.append(f"{section:<10} {name:<40} {peak:8.0f} {numbers} {seconds:6.1f}")
    lines += [
        "",
        "10 outputs of 12 MP held in a list (SlicedTransport.transform, inputs dropped):",
        f"  RSS held {held:.0f} MB = {held / UINT8_MB:.1f} frames' worth "
        f"(10 = outputs only, 20 = each output keeps its input); "
        f"{kept} of 10 outputs carry .source",
    ]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--skip-video", action="store_true")
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "results",
                                                      "memory.txt"))
    args = parser.parse_args()
    video = not args.skip_video and shutil.which("ffmpeg") is not None
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as directory:
        print("making the 12 MP inputs...", flush=True)
        _make_inputs(directory, video)
        rows, held, kept = run(directory, video)
    import skcolorot

    header = (
        f"skcolorot {skcolorot.__version__}, Python {platform.python_version()}, "
        f"numpy {np.__version__}, {platform.machine()} ({os.cpu_count()} CPUs), "
        f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}; "
        f"{time.perf_counter() - start:.0f} s in all"
    )
    text = header + "\n\n" + _table(rows, held, kept) + "\n"
    print("\n" + text)
    with open(args.out, "w", encoding="utf-8") as handle:
        handle.write(text)


if __name__ == "__main__":
    main()
