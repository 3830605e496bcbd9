"""Quality of colour transfer on unseen photos: colour fidelity and the artefacts
the eye sees at 1:1 (splits, halos, haze, false contours, crushed rare colours,
noise, new edges), per pair, per category and overall, for skcolorot's
candidates and the anchors, with contact sheets of the worst places.

Pairs (``quality_pairs.py``): about 40 source -> reference pairs in categories
(clear sky, fog, night, foliage against sky, small saturated objects, smooth
renders, near-grey, heavy JPEG, ordinary photos and exposure shifts) built from
``--photos DIR`` and synthetic stress images derived from them.

Columns (mean over pairs; arrows say which way is better):

fid      ``color_fidelity``: SW2 in Lab of result->reference over source->reference (v)
msswd    ``ms_swd(result, reference) / ms_swd(source, reference)`` (v)
ssim     ``luminance_ssim(result, source)`` (^)
split%   ``region_splits``: % of the source's uniform area split into two colours (v)
splitdE  worst new split gap in a uniform region, ΔE (v)
halo     ``halo_width``: px from strong edges where the result leaves a global map (v)
haze     ``haze``: band-pass detail kept, in proportion to the grade (1 is right)
contour  ``false_contours``: per mille of the smooth area on a new step (v)
rareC    ``rare_color_collapse``: chroma kept by the worst saturated cluster (1 is right)
noise    ``flat_noise``: noise in flat areas / the source's through the grade (1 is right)
noiseR   the same over the source's own noise, the grade's gain included (raw)
edges    ``new_edges``: new edge pixels per megapixel (v)
s        seconds of the call that makes the result

Methods: skcolorot ``transfer()`` (default: ``method="auto"``), its
``regrain=False`` (the .cube a user gets: auto's choice of faithful grade), the
sliced look and its own ``.cube``, ``method="affine"``, any ``--candidate 'name=kwargs'`` (e.g.
``--candidate 'r1=dict(rounds=1)'`` or ``--candidate 'r1=rounds=1, regrain=False'``),
and the anchors: color-matcher ``mkl`` and ``hm-mkl-hm``, python-color-transfer IDT
with and without its regrain and Reinhard (``lab_transfer``), scikit-image
``match_histograms``. Anchor outputs and their figures are cached under
``--cache`` (keyed by the pair, the size and the measures' source code), so a rerun
computes only skcolorot's candidates.

Run:  python benchmarks/bench_quality.py --photos DIR [--categories sky,fog]
      [--max-pairs N] [--size 1024] [--candidate 'name=kwargs' ...] [--no-sheets]
Results: benchmarks/results/quality.txt and quality_<category>.png.
"""

import argparse
import hashlib
import json
import sys
import tempfile
import time
import traceback
import warnings
from pathlib import Path

import numpy as np
from PIL import Image

import skcolorot
from skcolorot.metrics import artefact_report, luminance_ssim, sliced_wasserstein
from skcolorot.metrics._common import prepare
from skcolorot.metrics._msswd import _directions, feature_distance, patch_features

sys.path.insert(0, str(Path(__file__).resolve().parent))
from quality_pairs import CATEGORIES, PAIRS, PhotoSet, pair_id  # noqa: E402
from quality_report import contact_sheet, format_tables  # noqa: E402

DEFAULT = "default"
TILE = 160  # 1:1 crops of the sheets
STRIDE = 16  # grid of candidate crop places
# Column name -> (measure, Bunch field, scale); the map of the measure picks the crop.
ARTEFACTS = {
    "split%": ("region_splits", "score", 100),
    "splitdE": ("region_splits", "worst", 1),
    "halo": ("halo_width", "score", 1),
    "haze": ("haze", "score", 1),
    "contour": ("false_contours", "score", 1000),
    "rareC": ("rare_color_collapse", "score", 1),
    "noise": ("flat_noise", "score", 1),
    "noiseR": ("flat_noise", "raw", 1),
    "edges": ("new_edges", "score", 1),
}
COLUMNS = ["fid", "msswd", "ssim", *ARTEFACTS, "s"]
MEASURE_FILES = ["_artefacts.py", "_artefacts_color.py", "_common.py", "_msswd.py",
                 "_distances.py"]


# ------------------------------------------------------------------ methods
def _ours(**kwargs):
    def function(source, reference):
        return np.asarray(skcolorot.transfer(source, reference, **kwargs))

    return function


def parse_candidate(text):
    """``'name=python kwargs'`` -> (name, kwargs): ``r1=dict(rounds=1)`` or
    ``r1=rounds=1, regrain=False``."""
    name, sep, expression = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"--candidate {text!r}: expected name=kwargs")
    expression = expression.strip()
    if not expression.startswith(("dict(", "{")):
        expression = f"dict({expression})"
    kwargs = eval(expression, {"__builtins__": {}, "dict": dict, "None": None,  # noqa: S307
                               "True": True, "False": False})
    return name.strip(), kwargs


def our_methods(candidates):
    # The default is method="auto" (sliced or affine per image): the sliced look
    # and its faithful grade are measured on their own too. "regrain=False" is
    # what `transfer(regrain=False)` and `--no-regrain --lut-out` give by default (auto's
    # choice between the two faithful grades): the .cube a user gets.
    methods = [(DEFAULT, {}), ("sliced", {"method": "sliced"}),
               ("regrain=False", {"regrain": False}),
               ("sliced .cube", {"method": "sliced", "regrain": False}),
               ("affine", {"method": "affine"})] + list(candidates)
    return [(name, _ours(**kwargs)) for name, kwargs in methods]


def anchor_methods():
    """(name, function) of the anchors installed, and the names of those missing."""
    anchors, missing = [], []
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

        anchors += [("mkl", matcher("mkl")), ("hm-mkl-hm", matcher("hm-mkl-hm"))]
    try:
        from python_color_transfer.color_transfer import ColorTransfer
    except ImportError:
        missing.append("python-color-transfer")
    else:
        def pct(method, **kwargs):
            def function(source, reference):
                # OpenCV's convention: BGR uint8 in and out.
                out = getattr(ColorTransfer(), method)(
                    img_arr_in=np.ascontiguousarray(source[..., ::-1]),
                    img_arr_ref=np.ascontiguousarray(reference[..., ::-1]), **kwargs)
                return np.ascontiguousarray(np.asarray(out)[..., ::-1])
            return function

        anchors += [("IDT", pct("pdf_transfer", regrain=False)),
                    ("IDT+regrain", pct("pdf_transfer", regrain=True)),
                    ("Reinhard", pct("lab_transfer"))]
    try:
        from skimage.exposure import match_histograms
    except ImportError:
        missing.append("scikit-image")
    else:
        def histograms(source, reference):
            out = match_histograms(source, reference, channel_axis=-1)
            return np.clip(out, 0, 255).round().astype(np.uint8)

        anchors.append(("match_hist", histograms))
    return anchors, missing


# ------------------------------------------------------------------ measures
def box_grid(values):
    """Mean of ``values`` over every TILE x TILE window at STRIDE steps (integral image)."""
    h, w = values.shape
    if min(h, w) < TILE:
        return np.full((1, 1), float(values.mean()), np.float32)
    integral = np.zeros((h + 1, w + 1))
    integral[1:, 1:] = values.cumsum(0).cumsum(1)
    ys, xs = np.arange(0, h - TILE + 1, STRIDE), np.arange(0, w - TILE + 1, STRIDE)
    y0, x0 = ys[:, None], xs[None, :]
    total = (integral[y0 + TILE, x0 + TILE] - integral[y0, x0 + TILE]
             - integral[y0 + TILE, x0] + integral[y0, x0])
    return (total / TILE**2).astype(np.float32)


class PairContext:
    """What every method of one pair is measured against, computed once."""

    def __init__(self, source, reference, directions):
        self.source, self.reference = source, reference
        self.prepared = prepare(source, "source")
        self.directions = directions
        rng_args = {"max_samples": 20_000, "random_state": 0}
        self.ref_lab = prepare(reference).lab.reshape(-1, 3)
        self.fid_norm = sliced_wasserstein(self.prepared.lab.reshape(-1, 3), self.ref_lab,
                                           **rng_args)
        self.ref_features = patch_features(reference, directions)
        self.msswd_norm = feature_distance(patch_features(source, directions),
                                           self.ref_features)

    def measure(self, result):
        """(row of COLUMNS without s, {measure: crop grid})."""
        out = prepare(result, "result")
        moved = sliced_wasserstein(out.lab.reshape(-1, 3), self.ref_lab,
                                   max_samples=20_000, random_state=0)
        msswd = feature_distance(patch_features(result, self.directions), self.ref_features)
        row = {
            "fid": moved / self.fid_norm if self.fid_norm > 0 else float(moved > 0),
            "msswd": msswd / self.msswd_norm if self.msswd_norm > 0 else float(msswd > 0),
            "ssim": luminance_ssim(result, self.source),
        }
        report = artefact_report(self.prepared, out)
        for column, (measure, field, scale) in ARTEFACTS.items():
            row[column] = float(report[measure][field]) * scale
        grids = {measure: box_grid(bunch.map) for measure, bunch in report.items()}
        return row, grids


# ------------------------------------------------------------------ cache
# Bump when PairContext.measure or the columns change (the measures' own source is
# hashed); the pairs' recipes key the outputs.
FIGURES_VERSION = "1"


def _digest(paths, extra=""):
    digest = hashlib.sha1(extra.encode())
    for path in paths:
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def measures_version():
    folder = Path(skcolorot.__file__).parent / "metrics"
    return _digest([folder / name for name in MEASURE_FILES], FIGURES_VERSION + str(COLUMNS))


def pairs_version():
    return _digest([Path(__file__).resolve().parent / "quality_pairs.py"])


class Cache:
    """Anchor outputs (PNG, seconds) and figures (JSON, crop grids) on disk."""

    def __init__(self, folder, size, version):
        self.folder = Path(folder) / f"pairs{pairs_version()}-size{size or 'full'}"
        self.version = version

    def _stem(self, pair, method):
        safe = method.replace("/", "_").replace(" ", "_")
        return self.folder / pair_id(pair) / safe

    def load_output(self, pair, method):
        stem = self._stem(pair, method)
        png, meta = stem.with_suffix(".png"), stem.with_suffix(".json")
        if not (png.is_file() and meta.is_file()):
            return None
        with Image.open(png) as image:
            return np.asarray(image.convert("RGB")), json.loads(meta.read_text())["s"]

    def save_output(self, pair, method, result, seconds):
        stem = self._stem(pair, method)
        stem.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(result).save(stem.with_suffix(".png"), compress_level=1)
        stem.with_suffix(".json").write_text(json.dumps({"s": seconds}))

    def load_figures(self, pair, method):
        path = self._stem(pair, method).with_name(f"{self._stem(pair, method).name}."
                                                  f"{self.version}.npz")
        if not path.is_file():
            return None
        data = np.load(path, allow_pickle=False)
        row = json.loads(str(data["row"]))
        return row, {key[5:]: data[key] for key in data.files if key.startswith("grid_")}

    def save_figures(self, pair, method, row, grids):
        stem = self._stem(pair, method)
        path = stem.with_name(f"{stem.name}.{self.version}.npz")
        np.savez_compressed(path, row=json.dumps(row),
                            **{f"grid_{key}": value for key, value in grids.items()})


# ------------------------------------------------------------------ main
def run_pair(pair, photos, methods, anchors, cache, directions, keep_outputs):
    source, reference = photos.pair(pair)
    context = PairContext(source, reference, directions)
    rows, grids, outputs, errors = {}, {}, {}, []
    anchor_names = {name for name, _ in anchors}
    for name, function in methods:
        try:
            cached = cache.load_output(pair, name) if name in anchor_names else None
            if cached is None:
                start = time.perf_counter()
                result = np.asarray(function(source, reference))
                seconds = time.perf_counter() - start
                if result.dtype != np.uint8:
                    result = np.clip(np.round(result * 255), 0, 255).astype(np.uint8)
                if name in anchor_names:
                    cache.save_output(pair, name, result, seconds)
            else:
                result, seconds = cached
            figures = cache.load_figures(pair, name) if name in anchor_names else None
            if figures is None:
                figures = context.measure(result)
                if name in anchor_names:
                    cache.save_figures(pair, name, *figures)
            row, grid = figures
            row["s"] = seconds
        except Exception:  # noqa: BLE001 - report and carry on with the others
            errors.append(f"{name} {pair_id(pair)}: {traceback.format_exc(limit=3)}")
            row, grid, result = {c: np.nan for c in COLUMNS}, None, None
        rows[name] = row
        if grid is not None and keep_outputs:
            grids[name], outputs[name] = grid, result
        print(f"  {pair_id(pair):34s} {name:14s} "
              + " ".join(f"{c} {row[c]:.3g}" for c in COLUMNS), flush=True)
    return rows, grids, outputs, errors


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--photos", required=True, help="folder of the photographs")
    parser.add_argument("--categories", help=f"comma-separated subset of {CATEGORIES}")
    parser.add_argument("--max-pairs", type=int, help="at most this many pairs per category")
    parser.add_argument("--size", type=int, help="resize photos to this long side first")
    parser.add_argument("--candidate", action="append", default=[], type=parse_candidate,
                        help="extra skcolorot candidate: 'name=kwargs for transfer()'")
    parser.add_argument("--cache", default=str(Path(tempfile.gettempdir())
                                               / "skcolorot-quality-cache"),
                        help="folder of the cached anchor outputs and figures")
    parser.add_argument("--no-sheets", action="store_true", help="skip the contact sheets")
    parser.add_argument("--results", default=str(Path(__file__).resolve().parent / "results"))
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")

    categories = args.categories.split(",") if args.categories else CATEGORIES
    unknown = set(categories) - set(CATEGORIES)
    if unknown:
        parser.error(f"unknown categories {sorted(unknown)}; choose from {CATEGORIES}")
    pairs = []
    for category in categories:
        members = [p for p in PAIRS if p[0] == category]
        pairs += members[: args.max_pairs] if args.max_pairs else members
    photos = PhotoSet(args.photos, args.size)
    anchors, missing = anchor_methods()
    methods = our_methods(args.candidate) + anchors
    names = [name for name, _ in methods]
    cache = Cache(args.cache, args.size, measures_version())
    directions = _directions(128, 11, 0)
    results_dir = Path(args.results)
    results_dir.mkdir(parents=True, exist_ok=True)

    started = time.perf_counter()
    table, errors = {}, []
    sheet_items = {category: [] for category in categories}
    for pair in pairs:
        rows, grids, outputs, pair_errors = run_pair(
            pair, photos, methods, anchors, cache, directions, not args.no_sheets)
        table[pair] = rows
        errors += pair_errors
        if not args.no_sheets:
            source, reference = photos.pair(pair)
            sheet_items[pair[0]].append((pair, source, reference, outputs, grids))
        if not args.no_sheets and pair is [p for p in pairs if p[0] == pair[0]][-1]:
            items = sheet_items.pop(pair[0])
            path = results_dir / f"quality_{pair[0]}.png"
            contact_sheet(path, items, names, TILE, STRIDE, ARTEFACTS, DEFAULT)
            print(f"written {path}", flush=True)
    text = format_tables(table, pairs, names, COLUMNS, missing, errors,
                         time.perf_counter() - started, DEFAULT)
    print("\n" + text)
    out = results_dir / "quality.txt"
    out.write_text(text + "\n")
    print(f"\nwritten {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
