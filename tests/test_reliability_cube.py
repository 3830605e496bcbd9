"""Reliability of .cube files (issue 19, items 3, 7, 11): strict numbers, one
size line, bounded values, and reading in about the table's own memory."""

import tracemalloc

import numpy as np
import pytest

from skcolorot import read_cube, write_cube
from skcolorot.color._lut import lut_grid
from skcolorot.io._cube import _check_cube_lines

IDENTITY_ROWS = [
    f"{r} {g} {b}" for b in (0, 1) for g in (0, 1) for r in (0, 1)
]


def cube_text(rows=IDENTITY_ROWS, header=("LUT_3D_SIZE 2",)):
    return "\n".join([*header, *rows]) + "\n"


@pytest.mark.parametrize(
    "text, match",
    [
        (cube_text(header=("LUT_3D_SIZE 2", "LUT_3D_SIZE 2")), "line 2: a second LUT_3D_SIZE"),
        (cube_text(header=("LUT_3D_SIZE \u00b2",)), "line 1: LUT_3D_SIZE needs one integer"),
        (cube_text(header=("LUT_3D_SIZE \u0662",)), "line 1: LUT_3D_SIZE needs one integer"),
        (cube_text(["0.5_0 0 0", *IDENTITY_ROWS[1:]]), "line 2: not a number in '0.5_0 0 0'"),
        (cube_text(["\u0660.\u0665 0 0", *IDENTITY_ROWS[1:]]), "line 2: not a number"),
        (cube_text(["\u00b9 0 0", *IDENTITY_ROWS[1:]]), "line 2: not a number"),
        (cube_text(["1e39 0 0", *IDENTITY_ROWS[1:]]), "line 2: value out of range"),
        (cube_text([*IDENTITY_ROWS[:7], "nan 1 1"]), "line 9: non-finite number"),
        (cube_text([*IDENTITY_ROWS, 'TITLE "late"x', "1 1 1"]),
         "line 11: expected 8 table rows"),
        (cube_text([*IDENTITY_ROWS[:4], "DOMAIN_MIN 0 0 0", *IDENTITY_ROWS[4:]]),
         "line 6: keyword DOMAIN_MIN after the table data"),
        (cube_text(header=("LUT_3D_SIZE 2", "DOMAIN_MAX 1 1 1_0")), "line 2: not a number"),
    ],
    ids=["two-sizes", "superscript-size", "arabic-size", "underscore", "arabic-indic",
         "superscript", "above-float32", "nan", "rows-after-title", "keyword-in-data",
         "underscore-domain"],
)
def test_malformed_cube_files_name_the_line(tmp_path, text, match):
    path = tmp_path / "bad.cube"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=match):
        read_cube(path)


def test_what_tools_write_is_read_the_same_by_both_readers(tmp_path):
    # CRLF, a BOM, comments, blank lines in the data, a non-ASCII title, sloppy
    # spacing: the block reader must take it all and agree with the table.
    rows = [f"  {row}\t# node {index}" if index % 3 == 0 else row
            for index, row in enumerate(IDENTITY_ROWS)]
    rows[1] += " # n\u0153ud_1"  # non-ASCII and "_" in a comment: the slow reader
    rows.insert(4, "")
    text = "\ufeff" + cube_text(rows, ("TITLE \"gr\u00e4de #1\"", "# made by hand",
                                       "LUT_3D_SIZE 2", "DOMAIN_MIN 0 0 0",
                                       "DOMAIN_MAX 1.0 1.0 1.0"))
    path = tmp_path / "ok.cube"
    path.write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
    np.testing.assert_array_equal(read_cube(path), lut_grid(2))
    np.testing.assert_array_equal(_check_cube_lines(path, strict=True).table, lut_grid(2))
    clean = tmp_path / "clean.cube"
    clean.write_text(cube_text(IDENTITY_ROWS))
    np.testing.assert_array_equal(read_cube(clean), _check_cube_lines(clean, strict=True).table)


def test_read_cube_needs_about_the_table_s_memory(tmp_path):
    path = tmp_path / "big.cube"
    table = lut_grid(49) ** 0.8
    write_cube(path, table)
    tracemalloc.start()
    try:
        read = read_cube(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    np.testing.assert_allclose(read, table, atol=1e-6)
    # Was 16x the table (a Python list of every number); now the table plus a
    # block of about 1 MB of text and its temporaries (1.2x for N = 129).
    assert peak < read.nbytes + 16 * 2**20, peak / read.nbytes
