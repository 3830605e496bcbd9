"""Speed targets of the colour pass and of ``video``, as ratios (times vary with the
machine and its load; ratios taken in one run much less).

* ``skcolorot transfer`` of a 0.3 MP photo as a whole process, start-up and
  imports included, over the 1.5 s target (issue #24);
* the compiled colour pass on a 12 MP uint8 photo over ffmpeg's ``lut3d`` applying
  the same exported ``.cube`` on one thread, raw RGB in and out (target <= 0.3);
* every transport's 12 MP fit + transform over color-matcher's ``mkl``;
* ``video --no-regrain`` on a 1080p clip over ffmpeg applying the same ``.cube``
  and encoding with the same settings (target <= 1.0), and the frame rate with
  the regrain.

Run:  python benchmarks/bench_speed.py [--repeat 3] [--seconds 2] [--skip-transports]
                                       [--startup-only]
Needs ffmpeg on PATH; color-matcher (``pip install ".[bench]"``) for the anchor.
"""

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
from PIL import Image
from sklearn.datasets import load_sample_image

import skcolorot
from skcolorot.color import _lut

TRANSPORTS = [
    ("AffineTransport", lambda: skcolorot.AffineTransport(random_state=0)),
    ("SlicedTransport", lambda: skcolorot.SlicedTransport(random_state=0)),
    ("SinkhornTransport", lambda: skcolorot.SinkhornTransport(random_state=0)),
    ("GMMTransport", lambda: skcolorot.GMMTransport(random_state=0)),
    ("EMDTransport", lambda: skcolorot.EMDTransport(random_state=0)),
]


def best(function, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def ffmpeg(*args):
    subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-y", *map(str, args)], check=True)


# Wall-clock target of a 0.3 MP ``skcolorot transfer`` (issue #24). Measured on
# china -> flower (median of 5, both in one run; 2 cores shared with another job,
# load ~3.5): method="auto" loading scikit-learn and scipy 4.4 s (CPU 4.2 s,
# imports 3.3 s); without them 2.2 s (CPU 2.1 s): imports 0.3 s (numpy 0.12,
# Pillow 0.03), the sliced look ~1.1 s, the affine candidate and the choice
# ~0.3 s (the sliced look alone, -m sliced, ~0.2 s less).
STARTUP_TARGET = 1.5


def startup(china, flower, folder, repeat):
    """``skcolorot transfer`` of a 640x480 pair in a fresh interpreter, each run timed
    from outside (after one run that writes the bytecode caches)."""
    paths = [os.path.join(folder, name) for name in ("src.png", "ref.png", "out.png")]
    for image, path in zip((china, flower), paths):
        Image.fromarray(image).resize((640, 480), Image.LANCZOS).save(path)
    command = [sys.executable, "-m", "skcolorot", "transfer", *paths[:2], "-o", paths[2],
               "--overwrite", "-q"]
    # Bytecode caches, as an installed package has them: PYTHONDONTWRITEBYTECODE
    # (set in some test environments) recompiles every module on each run (~0.1 s).
    env = {key: value for key, value in os.environ.items()
           if key != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = os.path.join(folder, "pycache")
    times, cpu = [], []
    for _ in range(repeat + 1):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(command, check=True, env=env)
        times.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    times, cpu = times[1:], cpu[1:]
    median = statistics.median(times)
    print(f"skcolorot transfer, 640x480, whole process ({repeat} runs)")
    print(f"  min {min(times):.2f} s, median {median:.2f} s   {median / STARTUP_TARGET:.2f}"
          f"   (target <= 1.00: {STARTUP_TARGET} s)")
    # CPU (user + sys): what the load of a shared machine changes least.
    print(f"  CPU median {statistics.median(cpu):.2f} s\n")


def colour_pass(big, model, folder, repeat):
    table = model._grade_table(1.0, False, True)
    cube = os.path.join(folder, "grade.cube")
    model.to_cube(cube, size=table.shape[0], overwrite=True)
    raw = os.path.join(folder, "big.rgb")
    big.tofile(raw)
    height, width = big.shape[:2]

    def by_ffmpeg():
        ffmpeg("-threads", 1, "-filter_threads", 1, "-f", "rawvideo", "-pix_fmt", "rgb24", "-s",
               f"{width}x{height}", "-i", raw, "-vf", f"lut3d={cube}", "-f", "rawvideo",
               os.path.join(folder, "out.rgb"))

    out = np.empty_like(big)
    ffmpeg_time = best(by_ffmpeg, repeat)
    ours = best(lambda: _lut.apply_lut(big, table, out=out), repeat)
    ours_one = best(lambda: _lut._apply_compiled(big.reshape(-1, 3), table,
                                                 out.reshape(-1, 3), threads=1), repeat)
    numpy_path = best(lambda: _lut._apply_numpy(big.reshape(-1, 3), table, out.reshape(-1, 3),
                                                "tetrahedral"), 1)
    print(f"12 MP colour pass ({'compiled' if _lut._lut_c else 'NUMPY: extension not built'}, "
          f"{_lut.n_threads()} threads)")
    print(f"  ffmpeg lut3d, 1 thread, raw RGB I/O      {ffmpeg_time:7.3f} s   1.00")
    print(f"  apply_lut, all threads                   {ours:7.3f} s   {ours / ffmpeg_time:.2f}"
          "   (target <= 0.30)")
    print(f"  apply_lut, 1 thread                      {ours_one:7.3f} s   "
          f"{ours_one / ffmpeg_time:.2f}")
    print(f"  numpy path (before)                      {numpy_path:7.3f} s   "
          f"{numpy_path / ffmpeg_time:.2f}")


def transports(big, target, repeat):
    try:
        from color_matcher import ColorMatcher
    except ImportError:
        print("color-matcher not installed: no anchor (pip install '.[bench]')")
        return
    anchor = best(lambda: ColorMatcher().transfer(src=big, ref=target, method="mkl"), repeat)
    print(f"\n12 MP fit + transform over color-matcher mkl ({anchor:.2f} s)")
    for name, make in TRANSPORTS:
        seconds = best(lambda: make().fit(big, target).transform(big), repeat)
        print(f"  {name:<20} {seconds:7.2f} s   {seconds / anchor:.2f}")


def video(model_image, reference, folder, seconds, repeat):
    from skcolorot.io._video import grade_video

    clip = os.path.join(folder, "clip.mp4")
    ffmpeg("-f", "lavfi", "-i", f"testsrc2=size=1920x1080:rate=25:duration={seconds}",
           "-c:v", "libx264", "-preset", "ultrafast", "-crf", 16, clip)
    frames = int(25 * seconds)
    model = skcolorot.SlicedTransport(random_state=0).fit(model_image, reference)
    cube = os.path.join(folder, "video.cube")
    model.to_cube(cube, overwrite=True)
    output = os.path.join(folder, "graded.mp4")

    def by_ffmpeg():
        ffmpeg("-i", clip, "-vf", f"lut3d={cube}", "-c:v", "libx264", "-crf", 18, "-preset",
               "medium", "-pix_fmt", "yuv420p", output)

    reports = {}

    def ours(engine="auto", regrain=False, clip=clip):
        reports[engine] = grade_video(
            clip, reference, output, overwrite=True, engine=engine, regrain=regrain,
            transport=skcolorot.SlicedTransport(random_state=0))

    # Interleaved, each engine's best and median of `repeat` runs: the machine's
    # load drifts between runs (and a pipeline of three processes feels it more).
    times = {"baseline": [], "auto": [], "ffmpeg": [], "python": []}
    for _ in range(repeat):
        times["baseline"].append(best(by_ffmpeg, 1))
        for engine in ("auto", "ffmpeg", "python"):
            try:
                times[engine].append(best(lambda: ours(engine), 1))
            except ValueError:  # lut3d cannot hold the clip's exposure drift
                times[engine].append(float("nan"))
    baseline = min(times["baseline"])
    middle = statistics.median(times["baseline"])
    print(f"\n1080p, {frames} frames: video --no-regrain over ffmpeg lut3d + encode "
          f"({baseline:.2f} s, {frames / baseline:.1f} fps; median {middle:.2f} s)"
          f"\n  {'':36s} best     ratio  median ratio")
    for engine, label in (("auto", f"auto ({reports['auto']['engine']})"),
                          ("ffmpeg", "ffmpeg (ffmpeg lut3d)"), ("python", "python (compiled pass)")):
        runs = [t for t in times[engine] if not np.isnan(t)]
        if not runs:
            print(f"  engine={label:29s} n/a (the clip's exposure drift needs the compiled pass)")
            continue
        seconds = min(runs)
        print(f"  engine={label:29s} {seconds:5.2f} s   {seconds / baseline:.2f}   "
              f"{statistics.median(runs) / middle:.2f}"
              + ("   (target <= 1.00)" if engine == "auto" else ""))
    short = os.path.join(folder, "short.mp4")
    ffmpeg("-i", clip, "-frames:v", 10, "-c", "copy", short)
    regrained = best(lambda: ours("python", True, short), 1)
    print(f"  with the regrain, 10 frames           {regrained:7.2f} s   "
          f"{10 / regrained:.1f} fps (aim >= 8 fps)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=2.0, help="length of the 1080p clip")
    parser.add_argument("--skip-transports", action="store_true")
    parser.add_argument("--startup-only", action="store_true",
                        help="only the 0.3 MP transfer command's wall time")
    args = parser.parse_args()
    china, flower = load_sample_image("china.jpg"), load_sample_image("flower.jpg")
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; python "
          f"{sys.version.split()[0]}\n")
    with tempfile.TemporaryDirectory() as folder:
        startup(china, flower, folder, max(args.repeat, 5))
        if args.startup_only:
            return
        big = np.asarray(Image.fromarray(china).resize((4000, 3000), Image.LANCZOS))
        target = np.asarray(Image.fromarray(flower).resize((4000, 3000), Image.LANCZOS))
        model = skcolorot.SlicedTransport(random_state=0).fit(china, flower)
        colour_pass(big, model, folder, args.repeat)
        if not args.skip_transports:
            transports(big, target, 1)
        video(china, flower, folder, args.seconds, args.repeat)


if __name__ == "__main__":
    main()
