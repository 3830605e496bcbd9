"""3D LUT files other tools read, besides the ``.cube`` of :mod:`skcolorot.lut`:

* **HaldCLUT** PNG (ffmpeg's ``haldclut`` filter, G'MIC, darktable, RawTherapee):
  a square image of ``level**3`` pixels per side holding the table, red fastest;
* **.3dl** (Autodesk / Lustre / Nuke, ffmpeg's ``lut3d``): a mesh line then
  integer rows, blue fastest.

Also :func:`cube_title`, the one-line description skcolorot writes as a .cube
``TITLE`` (estimator, ``t`` and parameters).
"""

import numpy as np

__all__ = ["cube_title", "read_hald", "write_3dl", "write_hald"]


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
