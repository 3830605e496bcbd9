"""What an image file format can hold, and checks of an output path before any work.

* :func:`check_output_path`: the output can be written (see
  :func:`skcolorot.io._atomic.check_writable`) and its extension names a format
  Pillow writes; :func:`check_output_format`: that format can hold the image
  (alpha, 16-bit or float samples).
* :func:`can_hold_16_bits` and :func:`written_bit_depth`: the bit depth
  :func:`~skcolorot.io._image_write.write_image` writes; :func:`to_8_bits` and
  :func:`to_16_bits` convert between 8- and 16-bit samples; a
  :class:`BitDepthNote` tells of a conversion down.
"""

import os

import numpy as np
from PIL import Image

from ._atomic import check_writable

__all__ = [
    "BitDepthNote",
    "can_hold_16_bits",
    "check_output_format",
    "check_output_path",
    "to_16_bits",
    "to_8_bits",
    "written_bit_depth",
]

_TIFF_EXTENSIONS = (".tif", ".tiff")
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class BitDepthNote(UserWarning):
    """Issued when an image is written at fewer bits than it has (16 -> 8)."""


def registered_format(extension):
    """Pillow's format name for a lower-case ``extension`` (``".jpg"`` -> ``"JPEG"``),
    or None; the same as ``Image.registered_extensions().get(extension)``.

    As ``Image.open`` and ``Image.save`` do, the five common formats (BMP, GIF,
    JPEG, PPM, PNG) are looked up first and every other plugin (some 45 modules,
    about 50 ms of start-up) is loaded only for an extension they do not know.
    """
    Image.preinit()
    file_format = Image.EXTENSION.get(extension)
    if file_format is None or file_format not in Image.SAVE:
        Image.init()
        file_format = Image.EXTENSION.get(extension)
    return file_format


def _format_for(path):
    """The Pillow format name for a path's extension (``"TIFF"``, ``"PNG"``, ...)."""
    extension = os.path.splitext(os.fspath(path))[1].lower()
    file_format = registered_format(extension)
    if file_format is None or file_format not in Image.SAVE:
        shown = extension or "no extension"
        raise ValueError(
            f"{os.fspath(path)}: cannot tell the image format from {shown!r}; use "
            ".png, .jpg, .tif, .webp or another extension Pillow writes."
        )
    return file_format


def check_output_path(path, *, overwrite=False, image=True, within=None):
    """Fail early, before any work, if ``path`` cannot receive the output.

    As :func:`skcolorot.io._atomic.check_writable` (the directory is writable, only
    a regular file or a link to one is there, none unless ``overwrite``) and,
    for an image, the extension names a format Pillow writes.

    Returns
    -------
    destination : str
        The file that will be written: ``path``, or a symbolic link's target.
    """
    destination = check_writable(path, overwrite=overwrite, within=within)
    if image:
        _format_for(path)
    return destination


def check_output_format(path, dtype, n_channels, *, bit_depth=None):
    """Fail if the file format of ``path``'s extension cannot hold such an image.

    Run it as soon as the image's dtype is known (after reading the input),
    before the work whose result could not be written. What :func:`write_image`
    converts (16 bits or float to a format of fewer bits, with a
    :class:`BitDepthNote`) passes; what it refuses fails here: an alpha channel
    in JPEG, ``bit_depth=16`` for a format without 16-bit samples, ``bit_depth=32``
    (float) for anything but TIFF.

    Parameters
    ----------
    path : str or path-like
        The output file; its extension names the format.
    dtype : dtype
        The image's dtype (uint8, uint16 or float).
    n_channels : int
        1 (gray), 3 (RGB) or 4 (RGBA).
    bit_depth : {None, 8, 16, 32}, default=None
        As :func:`write_image`.

    Returns
    -------
    file_format : str
        Pillow's name of the format (``"PNG"``, ``"TIFF"``, ...).
    """
    path = os.fspath(path)
    if bit_depth not in (None, 8, 16, 32):
        raise ValueError(f"bit_depth must be None, 8, 16 or 32 (float), got {bit_depth!r}.")
    file_format = _format_for(path)
    if bit_depth == 32 and file_format != "TIFF":
        raise ValueError(f"{path}: only TIFF holds float samples here; use a .tif file name.")
    if bit_depth == 16 and not can_hold_16_bits(path, 2 if n_channels == 1 else 3):
        raise ValueError(
            f"{path}: {file_format} cannot hold 16-bit samples here; use .tif or .png "
            "(16-bit colour PNG needs opencv-python-headless)."
        )
    if file_format == "JPEG" and n_channels == 4:
        raise ValueError(f"{path}: JPEG cannot hold an alpha channel; use .png or .tif.")
    return file_format


def can_hold_16_bits(path, image_ndim=3):
    """Whether :func:`write_image` writes 16-bit samples to ``path``'s format."""
    file_format = _format_for(path)
    if file_format == "TIFF":
        return True
    if file_format == "PNG":
        return image_ndim == 2 or _has_cv2()
    return False


def written_bit_depth(path, dtype, image_ndim=3, *, bit_depth=None):
    """Bits per sample :func:`write_image` writes to ``path`` (32: float), for an
    image of this dtype: ``bit_depth`` when given, else the image's own where the
    format holds it, else what it is converted to."""
    dtype = np.dtype(dtype)
    if bit_depth is not None:
        return bit_depth
    depth = 32 if dtype.kind == "f" else 8 * dtype.itemsize
    if depth == 32 and not os.fspath(path).lower().endswith(_TIFF_EXTENSIONS):
        return 16 if can_hold_16_bits(path, image_ndim) else 8
    if depth == 16 and not can_hold_16_bits(path, image_ndim):
        return 8
    return depth


def _has_cv2():
    try:
        import cv2  # noqa: F401
    except ImportError:
        return False
    return True


def to_8_bits(image):
    """uint16 -> uint8, rounded to the nearest level (v / 257); uint8 unchanged."""
    image = np.asarray(image)
    if image.dtype == np.uint8:
        return image
    return ((image.astype(np.uint32) + 128) // 257).astype(np.uint8)


def to_16_bits(image):
    """uint8 -> uint16 (v * 257, so 255 -> 65535); uint16 unchanged."""
    image = np.asarray(image)
    if image.dtype == np.uint16:
        return image
    return image.astype(np.uint16) * np.uint16(257)
