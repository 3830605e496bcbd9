"""Adobe/Resolve ``.cube`` files: :func:`write_cube` / :func:`read_cube` exchange
3D LUT tables (see :mod:`skcolorot.color._lut`) with ffmpeg, DaVinci Resolve,
Photoshop and colour-science; :func:`read_cube_lut` reads any .cube skcolorot
writes (a 3-D table over a scene-linear ``DOMAIN``, or a 1-D shaper) with its
domain, to be applied by :meth:`CubeLUT.apply`.
"""

import io
import os
import re
import warnings
from dataclasses import dataclass

import numpy as np

from .._utils._dtypes import unit_scale
from ..color._lut import _MAX_TABLE_MAGNITUDE, _check_table, lut_grid  # noqa: F401 (doctests)
from ._atomic import atomic_path

__all__ = ["CubeLUT", "read_cube", "read_cube_lut", "write_cube"]

_CUBE_MAX_SIZE = 256
_CUBE_MAX_1D_SIZE = 65536
# data words that start with a letter; read as numbers so the error says "non-finite"
_NON_FINITE_WORDS = {"nan", "inf", "infinity"}
# What a .cube number is: ASCII decimals only (Python's float() also takes "0.5_0",
# "²" and Arabic-Indic digits, which no LUT tool writes).
_ASCII_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_ASCII_INTEGER = re.compile(r"[0-9]+")

def write_cube(path, table, *, title=None, overwrite=True):
    """Write a 3D LUT to an Adobe/Resolve ``.cube`` file (format 1.0).

    The file holds ``TITLE`` (if given), ``LUT_3D_SIZE``, a unit
    ``DOMAIN_MIN``/``DOMAIN_MAX`` and ``N**3`` rows ``r g b`` with red changing
    fastest, then green, then blue. It is written to a temporary file in the same
    directory and moved into place, so `path` never holds a half-written file.
    An existing regular file at `path` is replaced; a symbolic link is written
    through (its target is replaced, the link stays); a device, FIFO or socket
    is refused with a ValueError.

    Parameters
    ----------
    path : str or os.PathLike
        Destination file.
    table : array_like of shape (N, N, N, 3)
        ``table[r, g, b]`` as in :func:`apply_lut`, with ``2 <= N <= 256`` and
        finite values.
    title : str, optional
        Written as ``TITLE "..."``; must not contain double quotes or newlines.
    overwrite : bool, default=True
        Replace an existing file; ``False`` raises ``FileExistsError`` instead.

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "identity.cube")
    >>> write_cube(path, lut_grid(2), title="identity")
    >>> print(open(path).read())  # doctest: +NORMALIZE_WHITESPACE
    TITLE "identity"
    LUT_3D_SIZE 2
    DOMAIN_MIN 0.0 0.0 0.0
    DOMAIN_MAX 1.0 1.0 1.0
    0.000000 0.000000 0.000000
    1.000000 0.000000 0.000000
    0.000000 1.000000 0.000000
    1.000000 1.000000 0.000000
    0.000000 0.000000 1.000000
    1.000000 0.000000 1.000000
    0.000000 1.000000 1.000000
    1.000000 1.000000 1.000000
    """
    table = _check_table(table, max_size=_CUBE_MAX_SIZE)
    header = []
    if title is not None:
        if not isinstance(title, str):
            raise TypeError(f"title must be a string, got {type(title).__name__}")
        if '"' in title or "\n" in title or "\r" in title:
            raise ValueError(f"title must not contain double quotes or newlines, got {title!r}")
        header.append(f'TITLE "{title}"')
    header += [
        f"LUT_3D_SIZE {table.shape[0]}",
        "DOMAIN_MIN 0.0 0.0 0.0",
        "DOMAIN_MAX 1.0 1.0 1.0",
    ]
    rows = table.transpose(2, 1, 0, 3).reshape(-1, 3)  # [b, g, r] C order: red fastest

    with atomic_path(path, overwrite=overwrite) as temporary:
        with open(temporary, "w", encoding="utf-8", newline="\n") as stream:
            stream.write("\n".join(header) + "\n")
            np.savetxt(stream, rows, fmt="%.6f", delimiter=" ")


def read_cube(path):
    """Read a 3D LUT from an Adobe/Resolve ``.cube`` file.

    Parameters
    ----------
    path : str or os.PathLike
        A ``.cube`` file with ``LUT_3D_SIZE N`` and ``N**3`` rows ``r g b``, red
        changing fastest. ``#`` comments, blank lines and ``TITLE`` are ignored;
        ``DOMAIN_MIN``/``DOMAIN_MAX`` (or ``LUT_3D_INPUT_RANGE``) are accepted only
        for the unit domain. Numbers are ASCII decimals (``0.5``, ``-1e-3``).

    Returns
    -------
    table : ndarray of shape (N, N, N, 3), dtype float64
        ``table[r, g, b]`` as in :func:`apply_lut`.

    Raises
    ------
    ValueError
        If the file is not a 3-D ``.cube`` LUT this function supports (1-D LUTs,
        non-unit domains, unknown keywords), or is malformed (missing or repeated
        size, wrong number of rows, bad or out-of-range numbers); the message
        names the file and line.

    Notes
    -----
    The rows are parsed in blocks of a few MB straight into the returned table,
    so reading takes about the table's own memory (400 MB for ``N = 256``).

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "identity.cube")
    >>> write_cube(path, lut_grid(5))
    >>> table = read_cube(path)
    >>> table.shape
    (5, 5, 5, 3)
    >>> bool(np.allclose(table, lut_grid(5)))
    True
    """
    path = os.fspath(path)
    try:
        return _read_cube_fast(path)
    except _SlowPath:
        # Something is wrong with the file, or unusual in it (a non-ASCII comment
        # among the rows): the line-by-line reader names the first problem's
        # line, or reads the table.
        return _check_cube_lines(path, strict=True).table


class _SlowPath(Exception):
    """The block reader met something only the line-by-line reader can explain."""


# Bytes read per block of table rows: bounds the parser's temporaries.
_CUBE_BLOCK_BYTES = 1 << 20


def _read_cube_fast(path):
    """Header line by line, then the rows in blocks through numpy's C parser.

    Raises _SlowPath on anything but a well-formed file; never returns a table
    the line-by-line reader would reject.
    """
    with open(path, "rb") as stream:
        size = None
        first_row = None
        line_number = 0
        for raw in iter(stream.readline, b""):
            line_number += 1
            if line_number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]  # the UTF-8 byte-order mark
            if not raw.isascii():
                if raw.lstrip().startswith(b"TITLE"):
                    continue  # a title may be in any language
                raise _SlowPath
            line = raw.decode("ascii").strip()
            if line.startswith("TITLE"):
                continue
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            keyword = line.split()[0]
            if not keyword[0].isalpha() or keyword.lower() in _NON_FINITE_WORDS:
                first_row = raw
                break
            if keyword == "LUT_3D_SIZE":
                if size is not None:
                    raise _SlowPath
                size = _header_size(line)
            else:
                _header_line(path, line_number, line)  # raises on anything not unit
        if size is None or first_row is None:
            raise _SlowPath
        n_rows = size**3
        table = np.empty((size, size, size, 3))
        flat_table = table.reshape(-1, 3)
        filled = 0
        pending = first_row
        while True:
            # A block of whole lines: about _CUBE_BLOCK_BYTES, up to a newline.
            joined = pending + stream.read(_CUBE_BLOCK_BYTES)
            joined += stream.readline()
            pending = b""
            if not joined:
                break
            if not joined.isascii() or b"_" in joined:
                raise _SlowPath  # loadtxt is strict; these only for a clear message
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("error")  # e.g. "input contained no data"
                    rows = np.loadtxt(
                        io.StringIO(joined.decode("ascii")), dtype=np.float64,
                        comments="#", ndmin=2,
                    )
            except (ValueError, UserWarning):
                raise _SlowPath from None
            if rows.size == 0:
                continue
            if rows.shape[1] != 3 or filled + len(rows) > n_rows:
                raise _SlowPath
            if not np.all(np.abs(rows) <= _MAX_TABLE_MAGNITUDE):
                raise _SlowPath  # NaN, infinity or out of range: name the line
            # Row k is node (r, g, b) = (k % N, k // N % N, k // N**2): scatter the
            # block into the [r, g, b] table rather than transposing a full copy.
            k = np.arange(filled, filled + len(rows))
            red, green, blue = k % size, k // size % size, k // (size * size)
            flat_table[(red * size + green) * size + blue] = rows
            filled += len(rows)
        if filled != n_rows:
            raise _SlowPath
    return table


def _header_size(line):
    words = line.split()
    if len(words) != 2 or not _ASCII_INTEGER.fullmatch(words[1]):
        raise _SlowPath
    size = int(words[1])
    if not 2 <= size <= _CUBE_MAX_SIZE:
        raise _SlowPath
    return size


def _header_line(path, line_number, line):
    """Accept a unit-domain line; anything else goes to the line-by-line reader."""
    keyword, *words = line.split()
    expected = {
        "DOMAIN_MIN": [0.0] * 3,
        "DOMAIN_MAX": [1.0] * 3,
        "LUT_3D_INPUT_RANGE": [0.0, 1.0],
    }.get(keyword)
    if expected is None or len(words) != len(expected):
        raise _SlowPath
    if not all(_ASCII_NUMBER.fullmatch(word) for word in words):
        raise _SlowPath
    if [float(word) for word in words] != expected:
        raise _SlowPath


@dataclass(frozen=True)
class CubeLUT:
    """A .cube LUT with its input domain, as :func:`read_cube_lut` reads it.

    Attributes
    ----------
    table : ndarray of shape (N, N, N, 3) or (N, 3)
        A 3-D table ``table[r, g, b]`` (as :func:`read_cube`), or a 1-D table
        of one row per input level (a shaper).
    domain_min, domain_max : ndarray of shape (3,)
        The input values of the first and last node of each axis.
    title : str or None
        The ``TITLE``.
    """

    table: np.ndarray
    domain_min: np.ndarray
    domain_max: np.ndarray
    title: str | None = None

    @property
    def is_3d(self):
        return self.table.ndim == 4

    @property
    def unit_domain(self):
        return bool(np.all(self.domain_min == 0) and np.all(self.domain_max == 1))

    def apply(self, image):
        """Map the colours of ``image`` through the LUT (tetrahedral for 3-D,
        linear per channel for 1-D, as ffmpeg's ``lut3d`` / ``lut1d``).

        uint8 / uint16 images are read as [0, 1] and come back rounded and
        clipped in the same dtype; float images stay float (not clipped).
        The alpha channel passes through.
        """
        from ..color._lut import apply_lut

        image = np.asarray(image)
        if self.is_3d and self.unit_domain:
            return apply_lut(image, self.table)
        rgb = image[..., :3]
        scale = unit_scale(image.dtype) if image.dtype.kind in "iu" else 1.0
        # The domain mapped onto the table's nodes: [domain_min, domain_max] -> [0, 1].
        coords = (rgb / scale - self.domain_min) / (self.domain_max - self.domain_min)
        if self.is_3d:
            mapped = apply_lut(coords, self.table)
        else:
            nodes = np.linspace(0.0, 1.0, len(self.table))
            mapped = np.stack(
                [np.interp(coords[..., c], nodes, self.table[:, c]) for c in range(3)], axis=-1
            )
        if image.dtype.kind in "iu":
            mapped = np.round(np.clip(mapped, 0.0, 1.0) * scale).astype(image.dtype)
        else:
            mapped = mapped.astype(image.dtype, copy=False)
        if image.shape[-1] == 4:
            mapped = np.concatenate([mapped, image[..., 3:]], axis=-1)
        return mapped


def read_cube_lut(path):
    """Read any .cube LUT skcolorot writes, with its domain.

    Unlike :func:`read_cube` (a 3-D table over the unit cube), this reads a
    3-D table over any ``DOMAIN_MIN`` / ``DOMAIN_MAX`` (``skcolorot lut
    --domain-max``) and a 1-D table (the shaper of ``--shaper log2``).

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    lut : CubeLUT

    Raises
    ------
    ValueError
        If the file is malformed (the message names the file and line), holds
        both a 1-D and a 3-D table, or has a domain whose minimum is not below
        its maximum.

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "wide.cube")
    >>> _ = open(path, "w").write(
    ...     "LUT_3D_SIZE 2\\nDOMAIN_MAX 4 4 4\\n" + "\\n".join(["0 0 0"] * 8) + "\\n")
    >>> lut = read_cube_lut(path)
    >>> lut.table.shape, lut.domain_max.tolist()
    ((2, 2, 2, 3), [4.0, 4.0, 4.0])
    """
    path = os.fspath(path)
    try:
        table = _read_cube_fast(path)  # the common unit-domain 3-D file, quickly
    except _SlowPath:
        return _check_cube_lines(path, strict=False)
    return CubeLUT(table, np.zeros(3), np.ones(3), _cube_file_title(path))


def _cube_file_title(path):
    with open(path, encoding="utf-8-sig", errors="replace") as stream:
        for _, line in zip(range(64), stream):
            if line.strip().startswith("TITLE"):
                return _title_of(line)
    return None


def _title_of(line):
    return line.strip()[len("TITLE"):].strip().strip('"')


def _check_cube_lines(path, *, strict):
    """Read ``path`` line by line: a CubeLUT, or a ValueError naming the first
    problem's line. ``strict``: only a 3-D table over the unit cube (read_cube)."""
    try:
        with open(path, encoding="utf-8-sig") as stream:
            return _check_cube_stream(path, stream, strict)
    except UnicodeDecodeError as error:
        raise ValueError(f"{path}: not a text .cube file ({error})") from None


def _check_cube_stream(path, stream, strict):
    def fail(line_number, message):
        raise ValueError(f"{path}, line {line_number}: {message}")

    def parse_numbers(line_number, words, count):
        if len(words) != count:
            fail(line_number, f"expected {count} numbers, got {len(words)}")
        for word in words:
            if not (_ASCII_NUMBER.fullmatch(word) or word.lower() in _NON_FINITE_WORDS):
                fail(line_number, f"not a number in {' '.join(words)!r}")
        numbers = [float(word) for word in words]
        if not np.isfinite(numbers).all():
            fail(line_number, f"non-finite number in {' '.join(words)!r}")
        if max(abs(number) for number in numbers) > _MAX_TABLE_MAGNITUDE:
            fail(
                line_number,
                f"value out of range in {' '.join(words)!r} (the output colours of a "
                f"LUT must lie within +-{_MAX_TABLE_MAGNITUDE:g})",
            )
        return numbers

    size = kind = title = None
    domain = {"min": [0.0] * 3, "max": [1.0] * 3}
    n_data = 0
    line_number = 0
    rows = None
    for line_number, line in enumerate(stream, start=1):
        line = line.strip()
        if line.startswith("TITLE"):  # before '#' handling: titles may contain '#'
            title = _title_of(line)
            continue
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        keyword, *words = line.split()
        if keyword[0].isalpha() and keyword.lower() not in _NON_FINITE_WORDS:
            if n_data:
                fail(line_number, f"keyword {keyword} after the table data")
            if keyword in ("LUT_3D_SIZE", "LUT_1D_SIZE"):
                if strict and keyword == "LUT_1D_SIZE":
                    fail(line_number, "1-D LUTs are unsupported; only 3-D LUTs "
                                      "(LUT_3D_SIZE) are read")
                if size is not None:
                    fail(line_number, f"a second {keyword} line" if kind == keyword[4:6]
                         else "both a 1-D and a 3-D table; only one table per file is read")
                kind = keyword[4:6]
                limit = _CUBE_MAX_SIZE if kind == "3D" else _CUBE_MAX_1D_SIZE
                if len(words) != 1 or not _ASCII_INTEGER.fullmatch(words[0]):
                    fail(line_number, f"{keyword} needs one integer, got {' '.join(words)!r}")
                size = int(words[0])
                if not 2 <= size <= limit:
                    fail(line_number, f"{keyword} must be in 2..{limit}, got {size}")
            elif keyword in ("DOMAIN_MIN", "DOMAIN_MAX"):
                expected = [0.0] * 3 if keyword == "DOMAIN_MIN" else [1.0] * 3
                numbers = parse_numbers(line_number, words, 3)
                if strict and numbers != expected:
                    fail(line_number, f"non-unit domains are unsupported ({line}); "
                                      "read_cube_lut reads them")
                domain[keyword[-3:].lower()] = numbers
            elif keyword in ("LUT_3D_INPUT_RANGE", "LUT_1D_INPUT_RANGE"):
                numbers = parse_numbers(line_number, words, 2)
                if strict and numbers != [0.0, 1.0]:
                    fail(line_number, f"non-unit domains are unsupported ({line}); "
                                      "read_cube_lut reads them")
                domain = {"min": [numbers[0]] * 3, "max": [numbers[1]] * 3}
            else:
                fail(line_number, f"unsupported keyword {keyword}")
            continue
        if size is None:
            fail(line_number, "table data before LUT_3D_SIZE")
        n_rows = size**3 if kind == "3D" else size
        if rows is None:
            rows = np.empty((n_rows, 3))
        n_data += 1
        if n_data > n_rows:
            fail(line_number, f"expected {n_rows} table rows for LUT_{kind}_SIZE {size}, "
                              "got more")
        rows[n_data - 1] = parse_numbers(line_number, [keyword, *words], 3)
    if size is None:
        raise ValueError(f"{path}: no LUT_3D_SIZE line; not a 3-D .cube LUT")
    n_rows = size**3 if kind == "3D" else size
    if n_data != n_rows:
        fail(line_number, f"expected {n_rows} table rows for LUT_{kind}_SIZE {size}, got {n_data}")
    low, high = np.array(domain["min"]), np.array(domain["max"])
    if not np.all(low < high):
        raise ValueError(f"{path}: DOMAIN_MIN {low.tolist()} is not below DOMAIN_MAX "
                         f"{high.tolist()}")
    if kind == "1D":
        return CubeLUT(rows, low, high, title)
    # rows run red fastest, so in C order they are indexed [b, g, r]
    table = np.ascontiguousarray(rows.reshape(size, size, size, 3).transpose(2, 1, 0, 3))
    return CubeLUT(table, low, high, title)
