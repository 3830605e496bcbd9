"""Colour transfer benchmark: skcolorot's transports beside the anchors, one process.

For china.jpg -> flower.jpg (scikit-learn's sample images) and for a 12 MP
version of china.jpg (Lanczos-resized to 4000 x 3000) graded like flower.jpg,
prints for every method:

* fit / transform / total seconds (median of ``--repeat`` runs) at 0.27 MP and
  the total at 12 MP;
* peak memory of the 12 MP run (tracemalloc: numpy's allocations; Pillow's
  internal C buffers are not counted), in MB and as a multiple of the image;
* colour fidelity: SW2 in CIELab of result vs target over source vs target
  (lower is better), and SSIM of the luminance of result vs source (higher is
  better), both on the 0.27 MP pair;
* the ratio of the 12 MP total to the fastest anchor's.

Run:  python benchmarks/bench_transfer.py [--repeat 3] [--skip-12mp] [--slow-anchors]
Anchors needing extras: ``pip install ".[bench]"`` (color-matcher,
python-color-transfer); POT and scikit-image are core dependencies.
"""

import argparse
import gc
import statistics
import sys
import time
import tracemalloc
import warnings

import numpy as np
from PIL import Image
from sklearn.datasets import load_sample_image
from skimage.exposure import match_histograms

import skcolorot
from skcolorot.metrics import color_fidelity, luminance_ssim


# ----------------------------------------------------------------- methods
def _ours(make, regrain=False):
    def run(source, target):
        start = time.perf_counter()
        model = make().fit(source, target)
        fitted = time.perf_counter()
        result = model.transform(source)
        if regrain:
            result = skcolorot.regrain(source, result)
        done = time.perf_counter()
        return fitted - start, done - fitted, np.asarray(result)

    return run


def _one_shot(function):
    def run(source, target):
        start = time.perf_counter()
        result = function(source, target)
        return None, time.perf_counter() - start, np.asarray(result)

    return run


def _pot(cls, **params):
    import ot

    def function(source, target):
        # POT's own colour example fits on 1000-pixel sub-samples.
        rng = np.random.default_rng(0)
        xs = source.reshape(-1, 3) / 255.0
        xt = target.reshape(-1, 3) / 255.0
        model = cls(**params)
        model.fit(Xs=xs[rng.choice(len(xs), 1000)], Xt=xt[rng.choice(len(xt), 1000)])
        mapped = np.concatenate(
            [model.transform(Xs=xs[i : i + 100_000]) for i in range(0, len(xs), 100_000)]
        )
        return (np.clip(mapped, 0, 1) * 255).round().astype(np.uint8).reshape(source.shape)

    function.__name__ = f"ot.da.{cls.__name__}"
    return function, ot


def _color_matcher(method):
    from color_matcher import ColorMatcher

    def function(source, target):
        out = ColorMatcher().transfer(src=source, ref=target, method=method)
        return np.clip(out, 0, 255).round().astype(np.uint8)

    return function


def _pct(regrain):
    from python_color_transfer.color_transfer import ColorTransfer

    def function(source, target):
        return ColorTransfer().pdf_transfer(
            img_arr_in=source, img_arr_ref=target, regrain=regrain
        )

    return function


def _skimage(source, target):
    return match_histograms(source, target, channel_axis=-1).round().astype(np.uint8)


def methods(slow_anchors):
    ours = [
        ("AffineTransport (MKL)", lambda: skcolorot.AffineTransport(random_state=0)),
        (
            "AffineTransport (Reinhard, lab)",
            lambda: skcolorot.AffineTransport("diag", color_space="lab", random_state=0),
        ),
        ("SinkhornTransport", lambda: skcolorot.SinkhornTransport(random_state=0)),
        ("SlicedTransport", lambda: skcolorot.SlicedTransport(random_state=0)),
        (
            "SlicedTransport (lab)",
            lambda: skcolorot.SlicedTransport(color_space="lab", random_state=0),
        ),
        ("GMMTransport", lambda: skcolorot.GMMTransport(random_state=0)),
        ("EMDTransport", lambda: skcolorot.EMDTransport(random_state=0)),
    ]
    table = []
    for name, make in ours:
        table.append((name, _ours(make), "ours", False))
        table.append((f"{name} + Regrainer", _ours(make, regrain=True), "ours", False))

    anchors = [("skimage match_histograms", _skimage, False)]
    try:
        import ot

        anchors += [
            ("POT LinearTransport", _pot(ot.da.LinearTransport)[0], False),
            ("POT SinkhornTransport", _pot(ot.da.SinkhornTransport, reg_e=1e-1)[0], True),
            ("POT EMDTransport", _pot(ot.da.EMDTransport)[0], True),
        ]
    except ImportError:
        pass
    try:
        anchors += [
            ("color-matcher mkl", _color_matcher("mkl"), False),
            ("color-matcher hm-mkl-hm", _color_matcher("hm-mkl-hm"), False),
        ]
    except ImportError:
        print("(color-matcher not installed: pip install '.[bench]')", file=sys.stderr)
    try:
        anchors += [
            ("python-color-transfer IDT", _pct(False), False),
            ("python-color-transfer IDT + regrain", _pct(True), True),
        ]
    except ImportError:
        print("(python-color-transfer not installed: pip install '.[bench]')", file=sys.stderr)
    for name, function, slow in anchors:
        table.append((name, _one_shot(function), "anchor", slow and not slow_anchors))
    return table


# ------------------------------------------------------------------ runner
def _median_run(run, source, target, repeat):
    fits, transforms, result = [], [], None
    for _ in range(repeat):
        gc.collect()
        fit_s, transform_s, result = run(source, target)
        fits.append(fit_s if fit_s is not None else np.nan)
        transforms.append(transform_s)
    return statistics.median(fits), statistics.median(transforms), result


def _peak_run(run, source, target):
    gc.collect()
    tracemalloc.start()
    start = time.perf_counter()
    run(source, target)
    elapsed = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return elapsed, peak / 2**20


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-12mp", action="store_true")
    parser.add_argument(
        "--slow-anchors",
        action="store_true",
        help="also run POT Sinkhorn/EMD and IDT + regrain at 12 MP (minutes each)",
    )
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")

    source = load_sample_image("china.jpg")
    target = load_sample_image("flower.jpg")
    big = np.asarray(Image.fromarray(source).resize((4000, 3000), Image.LANCZOS))
    image_mb = big.nbytes / 2**20

    rows = []
    for name, run, kind, skip_big in methods(args.slow_anchors):
        fit_s, transform_s, result = _median_run(run, source, target, args.repeat)
        fidelity = color_fidelity(result, target, source)
        ssim = luminance_ssim(result, source)
        big_total = big_peak = np.nan
        if not args.skip_12mp and not skip_big:
            # Time without tracemalloc (it slows allocation), then memory.
            big_fit, big_transform, _ = _median_run(run, big, target, 1)
            big_total = np.nansum([big_fit, big_transform])
            _, big_peak = _peak_run(run, big, target)
        rows.append(
            (name, kind, fit_s, transform_s, np.nansum([fit_s, transform_s]), big_total,
             big_peak, fidelity, ssim)
        )
        print(f"  done: {name}", file=sys.stderr, flush=True)

    anchor_totals = [r[5] for r in rows if r[1] == "anchor" and np.isfinite(r[5])]
    fastest = min(anchor_totals) if anchor_totals else np.nan
    header = (
        f"{'method':40s} {'fit s':>7s} {'trans s':>8s} {'0.3MP s':>8s} {'12MP s':>8s} "
        f"{'x fastest':>9s} {'peak MB':>8s} {'x img':>6s} {'fidelity':>9s} {'SSIM':>6s}"
    )
    print(
        f"china.jpg -> flower.jpg (0.27 MP, median of {args.repeat}); 12 MP = china "
        f"resized to 4000x3000 ({image_mb:.0f} MB as uint8). fidelity: lower is better; "
        "SSIM: higher is better."
    )
    print(header)
    print("-" * len(header))
    for name, _, fit_s, transform_s, total, big_total, big_peak, fidelity, ssim in rows:
        def fmt(value, width, digits=3):
            return f"{value:{width}.{digits}f}" if np.isfinite(value) else f"{'-':>{width}s}"

        print(
            f"{name:40s} {fmt(fit_s, 7)} {fmt(transform_s, 8)} {fmt(total, 8)} "
            f"{fmt(big_total, 8, 2)} {fmt(big_total / fastest, 9, 2)} {fmt(big_peak, 8, 0)} "
            f"{fmt(big_peak / image_mb, 6, 1)} {fmt(fidelity, 9)} {fmt(ssim, 6)}"
        )
    print(
        "'-' at 12 MP: a slow anchor skipped (run with --slow-anchors); its 0.3 MP time "
        "scales about linearly with pixels."
    )


if __name__ == "__main__":
    main()
