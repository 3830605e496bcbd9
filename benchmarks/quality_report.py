"""Tables and contact sheets of the quality benchmark (``bench_quality.py``)."""

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

import skcolorot
from quality_pairs import pair_id

__all__ = ["format_tables", "contact_sheet"]

FORMATS = {"fid": ".3f", "msswd": ".3f", "ssim": ".3f", "split%": ".2f", "splitdE": ".1f",
           "halo": ".1f", "haze": ".2f", "contour": ".2f", "rareC": ".2f", "noise": ".2f",
           "noiseR": ".2f", "edges": ".0f", "s": ".2f"}
WIDTH = 9


def _mean(values):
    values = np.asarray(values, dtype=float)
    return float(np.nanmean(values)) if np.isfinite(values).any() else np.nan


def _table(title, names, columns, rows):
    """rows: {name: {column: value}}."""
    w = max(len(n) for n in names) + 2
    lines = [title, f"{'method':{w}s}" + "".join(f"{c:>{WIDTH}s}" for c in columns)]
    for name in names:
        cells = []
        for c in columns:
            value = rows[name].get(c, np.nan)
            cells.append(f"{'-':>{WIDTH}s}" if not np.isfinite(value)
                         else f"{value:{WIDTH}{FORMATS.get(c, '.3g')}}")
        lines.append(f"{name:{w}s}" + "".join(cells))
    return lines + [""]


def format_tables(table, pairs, names, columns, missing, errors, elapsed, default):
    """table: {pair: {method: {column: value}}}."""
    lines = [
        f"Quality on unseen photos - skcolorot {skcolorot.__version__} from "
        f"{Path(skcolorot.__file__).parent}",
        f"{len(pairs)} pairs, run {elapsed:.0f} s (anchors from the cache where present).",
        "fid, msswd: result->reference over source->reference (lower better); ssim: "
        "luminance vs source (higher); split%: % of uniform area split; splitdE: worst new "
        "gap (ΔE); halo: px; haze: detail kept in proportion (1 right, <1 hazy); contour: "
        "per mille of smooth area on a new step; rareC: chroma kept by the worst saturated "
        "cluster (1 right); noise: flat-area noise vs the grade's expected (1 right); "
        "noiseR: vs the source's own noise; edges: new edge px per MP; s: seconds.",
    ]
    if missing:
        lines.append("Anchors not installed (skipped): " + ", ".join(missing))
    lines.append("")

    def means(selected):
        return {n: {c: _mean([table[p][n][c] for p in selected]) for c in columns}
                for n in names}

    lines += _table(f"Overall mean ({len(pairs)} pairs)", names, columns, means(pairs))
    categories = list(dict.fromkeys(p[0] for p in pairs))
    for category in categories:
        selected = [p for p in pairs if p[0] == category]
        lines += _table(f"Category {category} ({len(selected)} pairs): mean", names, columns,
                        means(selected))

    # Worst per pair for the two artefacts that lost last round.
    for column, label in (("split%", "split % (uniform area split)"),
                          ("splitdE", "worst split gap (ΔE)"), ("halo", "halo width (px)")):
        short = [n[:WIDTH - 1] for n in names]
        w = max(len(pair_id(p)) for p in pairs) + 2
        lines.append(f"Per pair: {label}; * marks the worst method of the pair")
        lines.append(f"{'pair':{w}s}" + "".join(f"{s:>{WIDTH}s}" for s in short))
        for p in pairs:
            values = np.array([table[p][n][column] for n in names], dtype=float)
            worst = int(np.nanargmax(values)) if np.isfinite(values).any() else -1
            cells = [(f"{v:{WIDTH - 1}{FORMATS[column]}}" + ("*" if i == worst else " "))
                     if np.isfinite(v) else f"{'-':>{WIDTH}s}" for i, v in enumerate(values)]
            lines.append(f"{pair_id(p):{w}s}" + "".join(cells))
        lines.append("")

    for p in pairs:
        lines += _table(f"Pair {p[0]}: {pair_id(p)}", names, columns, table[p])
    if errors:
        lines += ["Errors:"] + errors
    return "\n".join(line.rstrip() for line in lines)


# ------------------------------------------------------------------ contact sheets
def _font(size):
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1
        return ImageFont.load_default()


def _worst_place(items, measure, names):
    """(item index, y, x, method, value) of the largest crop-grid value over methods."""
    best = None
    for i, (_, _, _, _, grids) in enumerate(items):
        for name in names:
            if name not in grids:
                continue
            grid = grids[name][measure]
            k = int(np.argmax(grid))
            value = float(grid.flat[k])
            if best is None or value > best[4]:
                best = (i, *np.unravel_index(k, grid.shape), name, value)
    return best


def contact_sheet(path, items, names, tile, stride, artefacts, default):
    """One category's sheet: per artefact measure, the worst place over methods
    (and the default's own worst place when elsewhere), 1:1 crops of the source and
    of every method there, each labelled with its local map value."""
    measures = list(dict.fromkeys(measure for measure, _, _ in artefacts.values()))
    rows = []
    for measure in measures:
        worst = _worst_place(items, measure, names)
        if worst is None or worst[4] <= 1e-6:  # nothing to see anywhere
            continue
        rows.append((measure, worst, "worst over methods: " + worst[3]))
        own = _worst_place(items, measure, [default])
        if own and own[4] > 1e-6 and (own[0] != worst[0] or abs(own[1] - worst[1])
                                      + abs(own[2] - worst[2]) > tile // (2 * stride)):
            rows.append((measure, own, f"worst of {default}"))
    gap, left, label_h = 4, 190, 16
    step_x, step_y = tile + gap, tile + label_h + gap
    columns = ["source", "reference"] + names
    width = left + len(columns) * step_x
    sheet = Image.new("RGB", (width, 30 + len(rows) * step_y), (40, 40, 40))
    draw = ImageDraw.Draw(sheet)
    font, small = _font(14), _font(11)
    draw.text((6, 6), f"{path.stem}: {tile}x{tile} px crops at 1:1 where each measure is "
              "worst; value = the measure's map averaged over the crop (higher = worse); "
              "reference = whole image", fill="white", font=font)
    for r, (measure, (i, gy, gx, _, _), why) in enumerate(rows):
        pair, source, reference, outputs, grids = items[i]
        y, x = gy * stride, gx * stride
        y0 = 30 + r * step_y
        draw.text((6, y0 + label_h), f"{measure}\n{pair_id(pair)}\ny={y} x={x}\n{why}",
                  fill="white", font=small)
        for c, name in enumerate(columns):
            x0 = left + c * step_x
            if name == "reference":
                thumb = Image.fromarray(reference)
                thumb.thumbnail((tile, tile), Image.LANCZOS)
                sheet.paste(thumb, (x0, y0 + label_h))
                draw.text((x0 + 2, y0 + 2), "reference", fill="white", font=small)
                continue
            image = source if name == "source" else outputs.get(name)
            text = name
            if name in grids:
                text = f"{name[:14]} {float(grids[name][measure][gy, gx]):.3g}"
            draw.text((x0 + 2, y0 + 2), text, fill="yellow" if name == default else "white",
                      font=small)
            if image is None:
                continue
            crop = np.ascontiguousarray(image[y : y + tile, x : x + tile])
            sheet.paste(Image.fromarray(crop), (x0, y0 + label_h))
    path.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(path, optimize=True)
    return sheet.size
