"""Quality frontier of colour transfer: colour fidelity against structure kept.

For every pair (source -> reference) and every method, in one process:

fidelity
    ``color_fidelity(result, reference, source)``: sliced Wasserstein distance
    in CIELab of the result to the reference over that of the source (0: the
    reference's colours exactly, 1: as far as the untouched source). Lower is
    better.
SSIM
    ``luminance_ssim(result, source)``: how much of the source's structure
    (luminance) the result keeps. Higher is better.
seconds
    Wall time of the one call that makes the 8-bit result (one run).

Methods: ours through :func:`skcolorot.transfer` (the default: sliced,
regrained, three rounds; one round; no regrain; each transport with and without
regrain; Pitie's regrain as the regrain method; CIELab), and the anchors when
installed: python-color-transfer's IDT (Pitie et al.'s ``pdf_transfer``) with and
without its regrain, color-matcher's ``mkl`` and ``hm-mkl-hm``, and scikit-image's
``match_histograms``. A row "dominates IDT + regrain" when its mean fidelity is
lower and its mean SSIM higher.

Also: the Regrainer alone against the transport alone at 12 MP (china resized to
4000 x 3000), and with ``--sheet PATH`` a contact sheet (PNG) of crops picked on
the source as in bench_regularity.py (flat bright, near-black, textured) for
china -> flower, storm -> dune and blinds -> ladybird.

Pairs as in bench_regularity.py: china -> flower and flower -> china
(scikit-learn's sample images), and with ``--photos DIR`` six ~1 MP photographs.

Run:  python benchmarks/bench_quality.py --photos DIR [--quick]
      [--sheet benchmarks/results/quality_sheet.png]
Results go to benchmarks/results/quality.txt.
"""

import argparse
import os
import sys
import time
import traceback
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw
from sklearn.datasets import load_sample_image

import skcolorot
from skcolorot.metrics import color_fidelity, luminance_ssim

# Same pairs, photo loading and crop picking as the regularity benchmark.
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_regularity import (  # noqa: E402
    _font,
    load_image,
    pick_regions,
    select_pairs,
    short,
)

DEFAULT = "default (sliced, regrain, rounds=3)"
NO_REGRAIN = "regrain=False"
IDT_REGRAIN = "IDT + regrain (python-color-transfer)"
SHEET_PAIRS = [("china", "flower"), ("storm", "dune"), ("blinds", "ladybird")]
SHEET_REGIONS = 3  # flat bright, near-black, textured (not bench_regularity's JPEG window)
TILE = 128  # at 1x; 9 rows x 8 columns of 176 px crops made a ~3.6 MB PNG
BIG_SIZE = (4000, 3000)  # 12 MP, width x height
TARGETS = {
    DEFAULT: (0.20, 0.714),
    NO_REGRAIN: (0.10, 0.60),
}
RATIO_TARGET = 2.0


# ------------------------------------------------------------------ methods
def _ours(**kwargs):
    def function(source, reference):
        return skcolorot.transfer(source, reference, **kwargs)

    return function


def our_methods():
    methods = [
        (DEFAULT, _ours()),
        ("rounds=1", _ours(rounds=1)),
        (NO_REGRAIN, _ours(regrain=False)),
    ]
    for method in ("affine", "sinkhorn", "gmm", "emd"):
        # "auto" regrains every method but affine (its map adds no grain), so the
        # affine "auto" row equals its regrain=False row: regrain=True shows it regrained.
        methods.append((f"{method}" + (" (auto: no regrain)" if method == "affine" else ""),
                        _ours(method=method)))
        if method == "affine":
            methods.append(("affine, regrain=True", _ours(method=method, regrain=True)))
        methods.append((f"{method}, regrain=False", _ours(method=method, regrain=False)))
    methods += [
        ("Pitie regrain, rounds=1", _ours(regrain_params={"method": "pitie"}, rounds=1)),
        ("color_space=lab", _ours(color_space="lab")),
    ]
    return methods


def anchor_methods():
    """(name, function) of the anchors installed, and a note on those missing."""
    anchors, missing = [], []
    try:
        from python_color_transfer.color_transfer import ColorTransfer
    except ImportError:
        missing.append("python-color-transfer")
    else:

        def idt(regrain):
            def function(source, reference):
                # Its API is OpenCV's: BGR uint8 in and out.
                out = ColorTransfer().pdf_transfer(
                    img_arr_in=np.ascontiguousarray(source[..., ::-1]),
                    img_arr_ref=np.ascontiguousarray(reference[..., ::-1]),
                    regrain=regrain,
                )
                return np.ascontiguousarray(out[..., ::-1])

            return function

        anchors += [("IDT (python-color-transfer)", idt(False)), (IDT_REGRAIN, idt(True))]
    try:
        from color_matcher import ColorMatcher
    except ImportError:
        missing.append("color-matcher")
    else:

        def matcher(method):
            def function(source, reference):
                out = ColorMatcher().transfer(src=source, ref=reference, method=method)
                return np.clip(out, 0, 255).round().astype(np.uint8)  # float out

            return function

        anchors += [("color-matcher mkl", matcher("mkl")),
                    ("color-matcher hm-mkl-hm", matcher("hm-mkl-hm"))]
    try:
        from skimage.exposure import match_histograms
    except ImportError:
        missing.append("scikit-image")
    else:

        def histograms(source, reference):
            out = match_histograms(source, reference, channel_axis=-1)
            return np.clip(out, 0, 255).round().astype(np.uint8)

        anchors.append(("skimage match_histograms", histograms))
    return anchors, missing


# ------------------------------------------------------------------ 12 MP timing
def time_regrain_vs_transport():
    china = load_sample_image("china.jpg")
    flower = load_sample_image("flower.jpg")
    big = np.asarray(Image.fromarray(china).resize(BIG_SIZE, Image.LANCZOS))
    start = time.perf_counter()
    model = skcolorot.SlicedTransport().fit(big, flower)
    fit = time.perf_counter() - start
    start = time.perf_counter()
    mapped = np.asarray(model.transform(big))
    transform = time.perf_counter() - start
    start = time.perf_counter()
    skcolorot.regrain(big, mapped)
    regrain = time.perf_counter() - start
    return {"fit": fit, "transform": transform, "regrain": regrain,
            "ratio": regrain / (fit + transform), "shape": big.shape}


# ------------------------------------------------------------------ tables
def format_tables(names, results, pairs, timing, missing, errors, elapsed):
    fid = {n: np.array([r[0] for r in results[n]]) for n in names}
    ssim = {n: np.array([r[1] for r in results[n]]) for n in names}
    secs = {n: np.array([r[2] for r in results[n]]) for n in names}
    mean = lambda v: float(np.nanmean(v)) if np.isfinite(v).any() else np.nan  # noqa: E731
    ref_f = mean(fid.get(IDT_REGRAIN, np.array([np.nan])))
    ref_s = mean(ssim.get(IDT_REGRAIN, np.array([np.nan])))

    lines = [
        f"Quality frontier - skcolorot {skcolorot.__version__} from "
        f"{Path(skcolorot.__file__).parent}",
        f"{len(pairs)} pairs: " + ", ".join(f"{a}->{b}" for a, b in pairs),
        "fidelity = color_fidelity(result, reference, source), lower better; "
        "SSIM = luminance_ssim(result, source), higher better; s = one run. "
        f"Run {elapsed:.0f} s.",
    ]
    if missing:
        lines.append("Anchors not installed (skipped): " + ", ".join(missing))
    lines.append("")
    w = max(len(n) for n in names) + 2
    lines.append(f"{'method':{w}s}{'fidelity':>9s}{'SSIM':>8s}{'s':>8s}  dominates IDT+regrain")
    lines.append("-" * (w + 25 + 22))
    for name in names:
        f, s, t = mean(fid[name]), mean(ssim[name]), mean(secs[name])
        if name == IDT_REGRAIN:
            dom = "(reference)"
        elif np.isnan(ref_f) or np.isnan(f):
            dom = "n/a"
        else:
            dom = "yes" if f < ref_f and s > ref_s else "no"
        lines.append(f"{name:{w}s}{f:9.3f}{s:8.3f}{t:8.2f}  {dom}")

    lines.append("")
    lines.append("Targets (mean over pairs)" + (
        f"; IDT + regrain: fidelity {ref_f:.3f}, SSIM {ref_s:.3f}" if np.isfinite(ref_f) else ""))
    for name, (f_max, s_min) in TARGETS.items():
        if name not in fid:
            continue
        f, s = mean(fid[name]), mean(ssim[name])
        ok = "MET" if f <= f_max and s >= s_min else "MISSED"
        lines.append(
            f"  {name:{w}s} fidelity {f:.3f} (<= {f_max:.2f} {'ok' if f <= f_max else 'no'})"
            f"  SSIM {s:.3f} (>= {s_min:.3f} {'ok' if s >= s_min else 'no'})  {ok}"
        )
    if timing:
        ok = "MET" if timing["ratio"] <= RATIO_TARGET else "MISSED"
        h, wd = timing["shape"][:2]
        lines.append(
            f"  12 MP ({wd}x{h}, china resized, LANCZOS): SlicedTransport fit "
            f"{timing['fit']:.2f} s + transform {timing['transform']:.2f} s; regrain "
            f"{timing['regrain']:.2f} s; ratio regrain / (fit+transform) "
            f"{timing['ratio']:.2f} (<= {RATIO_TARGET:g}) {ok}"
        )

    cw = 10
    for title, table, fmt in (("fidelity", fid, ".3f"), ("SSIM", ssim, ".3f"),
                              ("seconds", secs, ".2f")):
        lines.append("")
        lines.append(f"Per pair: {title}")
        lines.append(f"{'method':{w}s}" + "".join(f"{short(p)[:cw - 1]:>{cw}s}" for p in pairs))
        for name in names:
            lines.append(f"{name:{w}s}" + "".join(f"{v:{cw}{fmt}}" for v in table[name]))
    if errors:
        lines += ["", "Errors:"] + errors
    return "\n".join(line.rstrip() for line in lines)


# ------------------------------------------------------------------ contact sheet
def _thumbnail(image, size):
    thumb = Image.fromarray(image)
    thumb.thumbnail((size, size), Image.LANCZOS)
    tile = Image.new("RGB", (size, size), (40, 40, 40))
    tile.paste(thumb, ((size - thumb.width) // 2, (size - thumb.height) // 2))
    return tile


def contact_sheet(path, items, columns):
    """items: list of (pair, source, reference, {column: result})."""
    gap, left, top = 4, 150, 44
    step = TILE + gap
    rows = [(pair, src, ref if i == 0 else None, out, region) for pair, src, ref, out in items
            for i, region in enumerate(pick_regions(src, size=TILE)[:SHEET_REGIONS])]
    names = ["source", "reference"] + [label for label, _ in columns]
    sheet = Image.new("RGB", (left + len(names) * step, top + len(rows) * step + 4), (40, 40, 40))
    draw = ImageDraw.Draw(sheet)
    font, small = _font(14), _font(12)
    draw.text((6, 4), f"skcolorot {skcolorot.__version__} quality: {TILE}x{TILE} px crops at "
              "1x (reference: whole-image thumbnail, once per pair)", fill="white", font=font)
    for c, name in enumerate(names):
        draw.text((left + c * step + 2, 24), name, fill="white", font=small)
    for r, (pair, src, ref, out, (region, y, x)) in enumerate(rows):
        y0 = top + r * step
        draw.text((6, y0 + 6), f"{pair[0]} -> {pair[1]}\n{region}\ny={y}, x={x}",
                  fill="white", font=small)
        for c, name in enumerate(names):
            if name == "source":
                image = src
            elif name == "reference":
                if ref is not None:  # once per pair: the whole image, not a crop
                    sheet.paste(_thumbnail(ref, TILE), (left + c * step, y0))
                continue
            else:
                image = out.get(dict(columns)[name])
            if image is None:
                draw.text((left + c * step + 8, y0 + 8), "n/a", fill="white", font=small)
                continue
            crop = np.ascontiguousarray(image[y : y + TILE, x : x + TILE])
            sheet.paste(Image.fromarray(crop), (left + c * step, y0))
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    sheet.save(path, optimize=True)
    return sheet.size, os.path.getsize(path)


# ------------------------------------------------------------------ main
def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--photos", help="folder of the photographs (storm.jpg, ...)")
    parser.add_argument("--quick", action="store_true", help="first 3 pairs only")
    parser.add_argument("--no-12mp", action="store_true", help="skip the 12 MP timing")
    parser.add_argument("--sheet", help="write a contact sheet PNG here")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")

    pairs = select_pairs(parser, args.photos, args.quick)

    anchors, missing = anchor_methods()
    methods = our_methods() + anchors
    names = [name for name, _ in methods]
    # Sheet columns: (label, method name).
    columns = [("ours default", DEFAULT), ("ours regrain=False", NO_REGRAIN),
               ("IDT", "IDT (python-color-transfer)"), ("IDT + regrain", IDT_REGRAIN),
               ("MKL", "color-matcher mkl"), ("hm-mkl-hm", "color-matcher hm-mkl-hm")]
    keep = {name for _, name in columns}

    started = time.perf_counter()
    results = {name: [] for name in names}
    errors, sheet_items = [], []
    for pair in pairs:
        source, reference = (load_image(name, args.photos) for name in pair)
        outputs = {}
        for name, function in methods:
            try:
                start = time.perf_counter()
                result = np.asarray(function(source, reference))
                seconds = time.perf_counter() - start
                row = (color_fidelity(result, reference, source),
                       luminance_ssim(result, source), seconds)
            except Exception:  # noqa: BLE001 - report and carry on with the others
                errors.append(f"{name} {pair}: {traceback.format_exc(limit=3)}")
                row, result = (np.nan, np.nan, np.nan), None
            results[name].append(row)
            if result is not None and name in keep:
                outputs[name] = result
            print(f"  {pair[0]}->{pair[1]} {name}: fid {row[0]:.3f} ssim {row[1]:.3f} "
                  f"{row[2]:.2f}s", flush=True)
        if args.sheet and pair in SHEET_PAIRS:
            sheet_items.append((pair, source, reference, outputs))

    timing = None
    if not args.no_12mp:
        try:
            timing = time_regrain_vs_transport()
            print(f"  12 MP: {timing}", flush=True)
        except Exception:  # noqa: BLE001
            errors.append(f"12 MP timing: {traceback.format_exc(limit=3)}")

    text = format_tables(names, results, pairs, timing, missing, errors,
                         time.perf_counter() - started)
    print("\n" + text)
    results_dir = Path(__file__).resolve().parent / "results"
    results_dir.mkdir(exist_ok=True)
    out = results_dir / "quality.txt"
    out.write_text(text + "\n")
    print(f"\nwritten {out}")
    if args.sheet:
        size, nbytes = contact_sheet(args.sheet, sheet_items, columns)
        print(f"written {os.path.abspath(args.sheet)} ({size[0]}x{size[1]}, "
              f"{nbytes / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
