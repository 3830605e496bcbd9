"""3D LUT files other tools read, besides the ``.cube`` of :mod:`skcolorot.lut`:

* **HaldCLUT** PNG (ffmpeg's ``haldclut`` filter, G'MIC, darktable, RawTherapee):
  a square image of ``level**3`` pixels per side holding the table, red fastest;
* **.3dl** (Autodesk / Lustre / Nuke, ffmpeg's ``lut3d``): a mesh line then
  integer rows, blue fastest.

Also :func:`cube_title`, the one-line description skcolorot writes as a .cube
``TITLE`` (estimator, ``t`` and parameters).
"""

import numpy as np

__all__ = ["cube_title", "hald_level", "read_hald", "write_3dl", "write_hald"]


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
        ``table[r, g, b]`` as in :func:`skcolorot.lut.apply_lut`, values in
        [0, 1]; ``N`` must be a square ``L**2`` (``L`` in 2..16).
    overwrite : bool, default=False
        Replace an existing file; otherwise raise ``FileExistsError``.
    bit_depth : {8, 16}, default=16
        Samples of the image (16 needs OpenCV for PNG, else it is 8 with a note).

    Examples
    --------
    >>> import os, tempfile
    >>> from skcolorot.lut import lut_grid
    >>> path = os.path.join(tempfile.mkdtemp(), "identity.png")
    >>> write_hald(path, lut_grid(16), bit_depth=8)  # level 4: a 64 x 64 image
    >>> read_hald(path).shape
    (16, 16, 16, 3)
    """
    from ._io import can_hold_16_bits, write_image
    from .lut import _check_table

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
    """Read a HaldCLUT image as a table of shape (N, N, N, 3), values in [0, 1]."""
    from ._io import read_image

    image = read_image(path)[..., :3]
    side = image.shape[0]
    level = int(round(side ** (1 / 3)))
    if image.shape[1] != side or level**3 != side:
        raise ValueError(f"{path}: a HaldCLUT is a square image of L**3 pixels, got "
                         f"{image.shape[1]}x{side}.")
    size = level * level
    table = image.reshape(size, size, size, 3).transpose(2, 1, 0, 3)
    return table / np.iinfo(image.dtype).max


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
        ``table[r, g, b]`` as in :func:`skcolorot.lut.apply_lut`, values in [0, 1].
    overwrite : bool, default=False
        Replace an existing file; otherwise raise ``FileExistsError``.

    Examples
    --------
    >>> import os, tempfile
    >>> from skcolorot.lut import lut_grid
    >>> path = os.path.join(tempfile.mkdtemp(), "identity.3dl")
    >>> write_3dl(path, lut_grid(17))
    >>> open(path).read().splitlines()[:2]
    ['0 64 128 192 256 320 384 448 512 575 639 703 767 831 895 959 1023', '0 0 0']
    """
    from ._io import atomic_path
    from .lut import _check_table

    table = _check_table(table)
    size = table.shape[0]
    mesh = np.round(np.arange(size) / (size - 1) * 1023).astype(int)
    rows = np.round(np.clip(table, 0, 1) * 4095).astype(int).reshape(-1, 3)  # [r, g, b] C order
    with atomic_path(path, overwrite=overwrite) as temporary:
        with open(temporary, "w", encoding="ascii", newline="\n") as stream:
            stream.write(" ".join(map(str, mesh)) + "\n")
            np.savetxt(stream, rows, fmt="%d", delimiter=" ")
