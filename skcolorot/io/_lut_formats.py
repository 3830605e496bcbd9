"""3D LUT files other tools read, besides the ``.cube`` of :mod:`skcolorot.color._lut`:

* **HaldCLUT** PNG (ffmpeg's ``haldclut`` filter, G'MIC, darktable, RawTherapee):
  a square image of ``level**3`` pixels per side holding the table, red fastest;
* **.3dl** (Autodesk / Lustre / Nuke, ffmpeg's ``lut3d``): a mesh line then
  integer rows, blue fastest.

And, for scene-linear input, :func:`write_domain_cube`: a .cube over a domain
beyond [0, 1], optionally after a 1D log2 shaper. Also :func:`cube_title`, the
one-line description skcolorot writes as a .cube ``TITLE`` (estimator, ``t`` and
parameters).
"""

import os

import numpy as np

from .._utils._dtypes import unit_scale

__all__ = [
    "SHAPERS",
    "cube_title",
    "hald_level",
    "log2_shaper",
    "read_hald",
    "shaper_path",
    "write_3dl",
    "write_domain_cube",
    "write_hald",
]


def cube_title(transport, detail=None):
    """A one-line ``TITLE`` for a fitted transport: class, ``t`` and parameters.

    Parameters
    ----------
    transport : estimator
        Anything with ``get_params``.
    detail : str, default=None
        Appended after `` | `` (e.g. ``"photo.jpg -> look.jpg"``).

    Returns
    -------
    title : str
        No double quotes or newlines (a .cube TITLE is one quoted line).

    Examples
    --------
    >>> from skcolorot import AffineTransport
    >>> cube_title(AffineTransport(t=0.5), "a.png -> b.png")  # doctest: +ELLIPSIS
    'skcolorot AffineTransport(t=0.5, clip=..., color_space=rgb, ...) | a.png -> b.png'
    """
    params = transport.get_params(deep=False)
    items = []
    if "t" in params:
        items.append(f"t={params.pop('t')!r}")
    items += [f"{key}={_short(value)}" for key, value in sorted(params.items())]
    title = f"skcolorot {type(transport).__name__}({', '.join(items)})"
    if detail:
        title += f" | {detail}"
    return " ".join(title.replace('"', "'").split())


def _short(value):
    if isinstance(value, str):
        return value
    if hasattr(value, "get_params"):
        return type(value).__name__
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


# ------------------------------------------------------------------- HaldCLUT
def hald_level(size):
    """The HaldCLUT level nearest to ``size`` nodes per axis (a level ``L`` has
    ``L**2`` nodes per axis and is an image of ``L**3`` pixels square), in 2..16."""
    return int(min(16, max(2, round(float(size) ** 0.5))))


def write_hald(path, table, *, overwrite=False, bit_depth=16):
    """Write a 3D LUT as a HaldCLUT PNG (ffmpeg's ``haldclut``, G'MIC, darktable).

    Parameters
    ----------
    path : str or path-like
        A ``.png`` (or ``.tif``) file, written atomically.
    table : array_like of shape (N, N, N, 3)
        ``table[r, g, b]`` as in :func:`skcolorot.color._lut.apply_lut`, values in
        [0, 1]; ``N`` must be a square ``L**2`` (``L`` in 2..16).
    overwrite : bool, default=False
        Replace an existing file; otherwise raise ``FileExistsError``.
    bit_depth : {8, 16}, default=16
        Samples of the image (16 needs OpenCV for PNG, else it is 8 with a note).

    Examples
    --------
    >>> import os, tempfile
    >>> from skcolorot.color._lut import lut_grid
    >>> path = os.path.join(tempfile.mkdtemp(), "identity.png")
    >>> write_hald(path, lut_grid(16), bit_depth=8)  # level 4: a 64 x 64 image
    >>> read_hald(path).shape
    (16, 16, 16, 3)
    """
    from ._image_formats import can_hold_16_bits
    from ._image_write import write_image
    from ..color._lut import _check_table

    table = _check_table(table)
    size = table.shape[0]
    level = int(round(size ** 0.5))
    if level * level != size or not 2 <= level <= 16:
        raise ValueError(f"a HaldCLUT needs N = L**2 nodes per axis (L in 2..16), got N={size}.")
    if bit_depth not in (8, 16):
        raise ValueError(f"bit_depth must be 8 or 16, got {bit_depth!r}.")
    side = level**3
    # pixel r + g*N + b*N*N holds table[r, g, b]: red fastest, then green, then blue
    pixels = table.transpose(2, 1, 0, 3).reshape(side, side, 3)
    depth = 16 if bit_depth == 16 and can_hold_16_bits(path) else 8
    scale = 65535 if depth == 16 else 255
    image = np.round(np.clip(pixels, 0, 1) * scale).astype(np.uint16 if depth == 16 else np.uint8)
    write_image(path, image, overwrite=overwrite)


def read_hald(path):
    """Read a HaldCLUT image as a table of shape (N, N, N, 3), values in [0, 1]
    (``N = L**2`` for an image of ``L**3`` pixels square, ``L`` in 2..16)."""
    from ._image_read import read_image

    image = read_image(path)[..., :3]
    side = image.shape[0]
    level = int(round(side ** (1 / 3)))
    if image.shape[1] != side or level**3 != side or not 2 <= level <= 16:
        # The levels write_hald writes (and ffmpeg's haldclut reads): 2..16.
        raise ValueError(f"{path}: a HaldCLUT is a square image of L**3 pixels with L "
                         f"in 2..16 (8x8 to 4096x4096), got {image.shape[1]}x{side}.")
    size = level * level
    table = image.reshape(size, size, size, 3).transpose(2, 1, 0, 3)
    return table / unit_scale(image.dtype)


# ------------------------------------------------------------------------ .3dl
def write_3dl(path, table, *, overwrite=False):
    """Write a 3D LUT as an Autodesk / Lustre ``.3dl`` file.

    The file is a mesh line (the 10-bit input levels of the nodes) and ``N**3``
    rows of 12-bit output values, blue fastest. ffmpeg's ``lut3d`` reads only
    17-node .3dl files; Nuke, Resolve and Flame take 17, 33 or 65.

    Parameters
    ----------
    path : str or path-like
        Destination, written atomically.
    table : array_like of shape (N, N, N, 3)
        ``table[r, g, b]`` as in :func:`skcolorot.color._lut.apply_lut`, values in [0, 1].
    overwrite : bool, default=False
        Replace an existing file; otherwise raise ``FileExistsError``.

    Examples
    --------
    >>> import os, tempfile
    >>> from skcolorot.color._lut import lut_grid
    >>> path = os.path.join(tempfile.mkdtemp(), "identity.3dl")
    >>> write_3dl(path, lut_grid(17))
    >>> open(path).read().splitlines()[:2]
    ['0 64 128 192 256 320 384 448 512 575 639 703 767 831 895 959 1023', '0 0 0']
    """
    from ._atomic import atomic_path
    from ..color._lut import _check_table

    table = _check_table(table)
    size = table.shape[0]
    mesh = np.round(np.arange(size) / (size - 1) * 1023).astype(int)
    rows = np.round(np.clip(table, 0, 1) * 4095).astype(int).reshape(-1, 3)  # [r, g, b] C order
    with atomic_path(path, overwrite=overwrite) as temporary:
        with open(temporary, "w", encoding="ascii", newline="\n") as stream:
            stream.write(" ".join(map(str, mesh)) + "\n")
            np.savetxt(stream, rows, fmt="%d", delimiter=" ")


# ------------------------------------------- scene-linear domains and shapers
SHAPERS = (None, "log2")
_SHAPER_STOPS = 12  # the log2 shaper resolves 12 stops below the top of the domain
_SHAPER_POINTS = 4096


def log2_shaper(x, domain_max, inverse=False):
    """The log2 shaper of :func:`write_domain_cube`: [0, domain_max] -> [0, 1].

    ``u = log2(1 + x / e) / log2(1 + domain_max / e)`` with
    ``e = domain_max / 2**12``: close to linear near 0 (no infinite slope at
    black), logarithmic above, so a 3D LUT after it spends its nodes evenly over
    the stops of a scene-linear image rather than on its highlights.
    """
    x = np.asarray(x, dtype=np.float64)
    epsilon = domain_max / 2.0**_SHAPER_STOPS
    scale = np.log2(1.0 + domain_max / epsilon)
    if inverse:
        return epsilon * (np.exp2(x * scale) - 1.0)
    return np.log2(1.0 + np.maximum(x, 0.0) / epsilon) / scale


def _cube_text(rows, kind, size, domain, title):
    lines = [] if title is None else [f'TITLE "{" ".join(title.replace(chr(34), "").split())}"']
    lines += [f"LUT_{kind}_SIZE {size}",
              "DOMAIN_MIN {0!r} {0!r} {0!r}".format(float(domain[0])),
              "DOMAIN_MAX {0!r} {0!r} {0!r}".format(float(domain[1]))]
    body = "\n".join(" ".join(f"{v:.7g}" for v in row) for row in rows)
    return "\n".join(lines) + "\n" + body + "\n"


def shaper_path(path):
    """The 1D shaper file written beside a 3D .cube: ``grade.cube`` ->
    ``grade.shaper.cube``."""
    stem, extension = os.path.splitext(os.fspath(path))
    return f"{stem}.shaper{extension or '.cube'}"


def write_domain_cube(path, transport, *, size=33, domain_max=1.0, shaper=None,
                      overwrite=False, title=None):
    """A .cube of a fitted transport over the input range [0, ``domain_max``].

    For scene-linear data (values above 1: EXR or float TIFF renders, linear
    camera exports) a LUT over [0, 1] clips. This writes the map ``x ->
    transport.transform(x)`` for ``x`` in ``[0, domain_max]**3`` (evaluated on
    colour samples, so nothing is clipped to [0, 1]):

    * ``shaper=None``: one 3D .cube with ``DOMAIN_MAX domain_max``, nodes evenly
      spaced (ffmpeg ``lut3d``, Resolve and OCIO honour the domain);
    * ``shaper="log2"``: a 1D shaper file (:func:`shaper_path`, the
      :func:`log2_shaper` over ``DOMAIN_MAX domain_max``) and a 3D .cube in the
      shaped [0, 1] coordinates, to be applied one after the other
      (``ffmpeg -vf lut1d=grade.shaper.cube,lut3d=grade.cube``); the 3D nodes are
      then spread evenly over stops, as scene-linear images need.

    Fit the transport on samples of the same encoding (e.g. scene-linear pixels
    as an ``(n, 3)`` array, so that no [0, 1] image clipping applies).

    Parameters
    ----------
    path : str or path-like
        The 3D .cube, written atomically.
    transport : BaseTransport
        A fitted transport of RGB colours.
    size : int, default=33
        Nodes per axis of the 3D LUT.
    domain_max : float, default=1.0
        The largest input value.
    shaper : {None, "log2"}, default=None
    overwrite : bool, default=False
        Replace existing files; otherwise raise ``FileExistsError``.
    title : str, default=None
        ``TITLE`` of the 3D file (default: :func:`cube_title`).

    Returns
    -------
    paths : list of str
        The files written: the shaper first (when there is one), then the 3D LUT.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from skcolorot import AffineTransport
    >>> rng = np.random.default_rng(0)
    >>> linear = rng.random((500, 3)) * 8  # scene-linear samples, up to 8
    >>> grade = AffineTransport().fit(linear, linear * [1.2, 1.0, 0.8])
    >>> folder = tempfile.mkdtemp()
    >>> written = write_domain_cube(os.path.join(folder, "grade.cube"), grade,
    ...                             size=9, domain_max=8.0, shaper="log2")
    >>> [os.path.basename(p) for p in written]
    ['grade.shaper.cube', 'grade.cube']
    """
    from ._atomic import atomic_path, check_writable
    from ..color._lut import lut_grid

    if shaper not in SHAPERS:
        raise ValueError(f"shaper must be None or 'log2', got {shaper!r}.")
    domain_max = float(domain_max)
    if not np.isfinite(domain_max) or domain_max <= 0:
        raise ValueError(f"domain_max must be a positive number, got {domain_max!r}.")
    path = os.fspath(path)
    grid = lut_grid(size).reshape(-1, 3)
    if shaper is None:
        nodes, domain = grid * domain_max, (0.0, domain_max)
    else:
        nodes, domain = log2_shaper(grid, domain_max, inverse=True), (0.0, 1.0)
    mapped = np.asarray(transport.transform(nodes), dtype=np.float64)
    if not np.all(np.isfinite(mapped)):
        raise ValueError("the transport maps part of the domain to NaN or infinity.")
    # lut_grid is [r, g, b] C order (blue fastest); .cube rows run red fastest.
    rows = mapped.reshape(size, size, size, 3).transpose(2, 1, 0, 3).reshape(-1, 3)
    title = cube_title(transport, f"domain 0..{domain_max:g}" + (
        f", after {os.path.basename(shaper_path(path))}" if shaper else "")) if title is None \
        else title
    files = [(path, _cube_text(rows, "3D", size, domain, title))]
    if shaper is not None:
        levels = np.linspace(0.0, domain_max, _SHAPER_POINTS)
        shaped = np.repeat(log2_shaper(levels, domain_max)[:, None], 3, axis=1)
        text = _cube_text(shaped, "1D", _SHAPER_POINTS, (0.0, domain_max),
                          f"skcolorot log2 shaper 0..{domain_max:g}")
        files.insert(0, (shaper_path(path), text))
    for target, _ in files:  # refuse before writing anything
        check_writable(target, overwrite=overwrite)
    for target, text in files:
        with atomic_path(target, overwrite=overwrite) as temporary:
            with open(temporary, "w", encoding="utf-8", newline="\n") as stream:
                stream.write(text)
    return [target for target, _ in files]
