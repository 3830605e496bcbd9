"""Batch grading throughput: frames per second on 1080p frames, in memory vs Dask.

A batch of ``--frames`` 1920 x 1080 uint8 frames is made from china.jpg (Lanczos
resize, then a per-frame horizontal shift and gain, so no two frames are equal;
about 25 ms a frame here).
One grade (china.jpg -> flower.jpg) is fitted once per transport; every frame is
then graded with it by

* ``in-memory loop``: ``transport.transform(frame)`` frame after frame, one process;
* ``dask threads``: ``grade_frames`` on a dask array of one frame per block,
  Dask's local threaded scheduler;
* ``distributed, k workers``: the same graph on a ``LocalCluster`` of k worker
  processes with one thread each (k = 1, 2).

Every engine makes each frame where it is graded (from china.jpg resized once
per run; on a cluster, that resize, about 0.1 s, is inside the time) and keeps
an 8 x 8 grid of pixels of each graded frame, so the timings compare grading,
not moving 6 MB frames between processes (a real batch writes its files on the
workers: ``skcolorot.io._batch.grade_files``). Times are the best of ``--repeat``
runs after one warm-up run (worker start-up, imports and the lazily evaluated
LUT nodes are excluded; the cluster start-up time is printed separately). On a
cluster every run also ships the fitted transport to the workers.

Run:  python benchmarks/bench_dask.py [--frames 16] [--repeat 3] [--out FILE] [--note TEXT]
"""

import argparse
import os
import platform
import sys
import time

import numpy as np
from PIL import Image
from sklearn.datasets import load_sample_image

from skcolorot import AffineTransport

WIDTH, HEIGHT = 1920, 1080


def base_frame():
    china = Image.fromarray(load_sample_image("china.jpg"))
    return np.asarray(china.resize((WIDTH, HEIGHT), Image.Resampling.LANCZOS))


def make_frame(base, index):
    """Frame ``index``: ``base`` shifted by 7 px a frame, gain 0.9 to 1.1."""
    gain = 0.9 + 0.2 * ((index * 5) % 16) / 15
    # A 256-entry table: a few ms a frame, so the timings stay about grading.
    levels = np.clip(np.rint(np.arange(256) * gain), 0, 255).astype(np.uint8)
    return levels[np.roll(base, 7 * index, axis=1)]


def _frame_block(base, index):
    return make_frame(base, index)[np.newaxis]


def _transports(base):
    grades = [("AffineTransport", AffineTransport())]
    try:
        from skcolorot.transport._sliced import SlicedTransport
    except ImportError:
        pass
    else:
        grades.append(("SlicedTransport", SlicedTransport(random_state=0)))
    reference = load_sample_image("flower.jpg")
    return [(name, model.fit(make_frame(base, 0), reference)) for name, model in grades]


# What comes back of each graded frame: an 8 x 8 grid of its pixels. The whole
# frame is graded (a block is computed whole before it is sliced), but neither
# a 6 MB transfer nor a reduction over it is timed.
_PROBE = (slice(None, None, HEIGHT // 8), slice(None, None, WIDTH // 8))


def _loop(transport, base, n_frames):
    return [np.asarray(transport.transform(make_frame(base, i)))[_PROBE] for i in range(n_frames)]


def _lazy_probes(transport, n_frames):
    import dask
    import dask.array as da

    from skcolorot.io._batch import grade_frames

    # Resized once per graph, on one worker, like the in-memory loop's copy.
    base = dask.delayed(base_frame, pure=True)()
    # Blocks of shape (1, H, W, 3), concatenated: no copy (da.stack copies).
    frames = da.concatenate([
        da.from_delayed(dask.delayed(_frame_block)(base, i), (1, HEIGHT, WIDTH, 3), np.uint8)
        for i in range(n_frames)
    ])
    return grade_frames(transport, frames)[(slice(None),) + _PROBE]


def _best(run, repeat):
    run()  # warm-up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--frames", type=int, default=16)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", help="also write the table to this file")
    parser.add_argument("--note", help="a line about the machine for the header")
    args = parser.parse_args(argv)

    import dask
    import distributed

    n = args.frames
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    base = base_frame()
    transports = _transports(base)
    expected = {name: np.array(_loop(model, base, n)) for name, model in transports}
    rows = []
    for name, model in transports:
        seconds = _best(lambda model=model: _loop(model, base, n), args.repeat)
        rows.append((name, "in-memory loop", seconds))
        lazy = _lazy_probes(model, n)
        assert np.array_equal(lazy.compute(scheduler="threads"), expected[name])
        seconds = _best(lambda lazy=lazy: lazy.compute(scheduler="threads"), args.repeat)
        rows.append((name, f"dask threads ({os.cpu_count()})", seconds))

    startup = {}
    for workers in (1, 2):
        start = time.perf_counter()
        with distributed.LocalCluster(
            n_workers=workers, processes=True, threads_per_worker=1,
            host="127.0.0.1", dashboard_address=None,
        ) as cluster, distributed.Client(cluster) as client:
            startup[workers] = time.perf_counter() - start
            for name, model in transports:
                lazy = _lazy_probes(model, n)
                assert np.array_equal(client.compute(lazy).result(), expected[name])
                seconds = _best(lambda lazy=lazy: client.compute(lazy).result(), args.repeat)
                label = f"distributed, {workers} worker{'s' if workers > 1 else ''}"
                rows.append((name, label, seconds))

    order = {name: i for i, (name, _) in enumerate(transports)}
    rows.sort(key=lambda row: order[row[0]])
    lines = [
        f"# skcolorot batch throughput: {n} frames of {WIDTH}x{HEIGHT} uint8, "
        f"best of {args.repeat} after a warm-up",
        f"# python {platform.python_version()}, dask {dask.__version__}, "
        f"distributed {distributed.__version__}, {os.cpu_count()} CPU cores "
        f"({platform.machine()})",
        f"# load average (1 min) at the start: {load:.1f}",
        "# cluster start-up (not in the times): "
        + ", ".join(f"{k} worker(s) {v:.1f} s" for k, v in startup.items()),
    ]
    if args.note:
        lines.append(f"# {args.note}")
    lines += [
        "",
        f"{'transport':<16} {'engine':<26} {'seconds':>8} {'frames/s':>9}",
    ]
    for name, engine, seconds in rows:
        lines.append(f"{name:<16} {engine:<26} {seconds:8.2f} {n / seconds:9.1f}")
    text = "\n".join(lines)
    print(text)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as stream:
            stream.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
