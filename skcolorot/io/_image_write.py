"""Writing image files: the format comes from the extension; atomic, no-clobber
writes; ICC profile and EXIF kept.

* :func:`write_image` writes through :func:`skcolorot.io._atomic.atomic_path` (a
  temporary file moved into place, so a failure or a Ctrl-C never leaves a
  half-written file); it refuses to replace an existing file unless
  ``overwrite=True``. A 16-bit image written to a format that holds only 8 bits
  (JPEG, WebP, ...) is converted down with a
  :class:`~skcolorot.io._image_formats.BitDepthNote`; ICC profile and EXIF are
  written where the format carries them (JPEG, PNG, WebP, TIFF; EXIF is not
  written to 16-bit TIFF). 16-bit colour TIFF goes through tifffile, 16-bit
  colour PNG through OpenCV (Pillow writes neither).
* Only regular files are ever replaced, symbolic links are written through, and
  stale temporaries of killed writers are cleaned up: see :mod:`skcolorot.io._atomic`.

Reading: :mod:`skcolorot.io._image_read`; formats, output checks and bit
depths: :mod:`skcolorot.io._image_formats`.
"""

import os
import struct
import warnings
import zlib

import numpy as np
from PIL import Image

from ._atomic import atomic_path
from .._utils._dtypes import unit_scale
from ._image_formats import (
    _PNG_SIGNATURE,
    BitDepthNote,
    can_hold_16_bits,
    check_output_format,
    to_8_bits,
    to_16_bits,
)

__all__ = ["write_image"]

_JPEG_QUALITY = 95  # Pillow's default of 75 visibly degrades a colour grade
_JPEG_SUBSAMPLING = ("4:4:4", "4:2:2", "4:2:0")
# Formats whose Pillow writer takes ``icc_profile=`` and ``exif=``.
_METADATA_FORMATS = ("JPEG", "PNG", "WEBP", "TIFF")
_JPEG_MAX_EXIF = 65533  # one APP1 segment
# zlib level of 8-bit PNGs: level 4 writes a graded 0.3 MP photo in about half the
# time of Pillow's default 6 (~85 against ~160 ms) for a file 1-3 % larger;
# lossless either way.
_PNG_COMPRESS_LEVEL = 4


def write_image(
    path,
    image,
    *,
    overwrite=False,
    bit_depth=None,
    icc_profile=None,
    exif=None,
    quality=None,
    subsampling=None,
    within=None,
):
    """Write a uint8 / uint16 image atomically; the format comes from the extension.

    Parameters
    ----------
    path : str or path-like
        Destination; ``.png``, ``.jpg``, ``.tif``, ``.webp``, ...
    image : ndarray of shape (H, W), (H, W, 1), (H, W, 3) or (H, W, 4)
        uint8, uint16 or float (values in [0, 1] unless written as float TIFF).
    overwrite : bool, default=False
        Replace an existing file; otherwise raise FileExistsError.
    bit_depth : {None, 8, 16, 32}, default=None
        Bits per sample in the file (32: float32 TIFF). None keeps the image's
        depth where the format holds it and otherwise converts (16 to 8 bits for
        JPEG, WebP, ...; float to 16 bits for PNG, 8 for JPEG) with a
        :class:`BitDepthNote` warning; a depth the format cannot hold raises
        ValueError.
    icc_profile, exif : bytes, default=None
        Embedded where the format carries them (JPEG, PNG, WebP, TIFF).
    quality : int in [1, 100], default=None
        JPEG / WebP quality (95 when None).
    subsampling : {"4:4:4", "4:2:2", "4:2:0"}, default=None
        JPEG chroma subsampling (Pillow's 4:2:0 when None).
    within : str or path-like, default=None
        The output folder: a symbolic link at ``path`` is written through only
        when its target lies inside it (see
        :func:`skcolorot.io._atomic.atomic_path`).

    Raises
    ------
    FileExistsError
        If ``path`` exists and ``overwrite`` is False.
    ValueError
        If the format cannot hold the image (alpha in JPEG, 16 bits asked of an
        8-bit format) or the extension is unknown.
    """
    path = os.fspath(path)
    image = np.asarray(image)
    if image.dtype not in (np.uint8, np.uint16) and image.dtype.kind != "f":
        raise TypeError(
            f"image must be uint8, uint16 or float to be written to a file, got {image.dtype}."
        )
    if image.ndim == 3 and image.shape[-1] == 1:
        image = image[..., 0]
    if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[-1] not in (3, 4)):
        raise ValueError(
            f"image must be (H, W), (H, W, 3) or (H, W, 4) to be written, got {image.shape}."
        )
    if bit_depth not in (None, 8, 16, 32):
        raise ValueError(f"bit_depth must be None, 8, 16 or 32 (float), got {bit_depth!r}.")
    if quality is not None and (
        isinstance(quality, bool) or not isinstance(quality, (int, np.integer))
        or not 1 <= quality <= 100
    ):
        raise ValueError(f"quality must be an integer in [1, 100], got {quality!r}.")
    if subsampling is not None and subsampling not in _JPEG_SUBSAMPLING:
        raise ValueError(
            f"subsampling must be one of {', '.join(_JPEG_SUBSAMPLING)}, got {subsampling!r}."
        )
    n_channels = image.shape[-1] if image.ndim == 3 else 1
    file_format = check_output_format(path, image.dtype, n_channels, bit_depth=bit_depth)
    is_color = image.ndim == 3

    def holds_16(ndim=image.ndim):
        # Asked only of float, 16-bit or bit_depth=16 images: for a PNG it imports
        # OpenCV (some 50 ms), which an 8-bit write does not need.
        return can_hold_16_bits(path, ndim)

    if bit_depth == 32 and file_format != "TIFF":
        raise ValueError(f"{path}: only TIFF holds float samples here; use a .tif file name.")
    if image.dtype.kind == "f" and file_format == "TIFF" and bit_depth in (None, 32):
        _write_float_tiff(path, image, icc_profile, overwrite, within)
        return
    if bit_depth == 32:
        image = image.astype(np.float32) / np.float32(unit_scale(image.dtype))
        _write_float_tiff(path, image, icc_profile, overwrite, within)
        return
    if image.dtype.kind == "f":
        depth = bit_depth or (16 if holds_16() else 8)
        if bit_depth is None:
            warnings.warn(
                f"{path}: {file_format} holds no float samples; the image was converted to "
                f"{depth}-bit integers (values clipped to [0, 1])",
                BitDepthNote,
                stacklevel=2,
            )
        scale = 65535 if depth == 16 else 255
        finite = np.nan_to_num(image.astype(np.float64), nan=0.0)
        image = np.round(np.clip(finite, 0, 1) * scale).astype(
            np.uint16 if depth == 16 else np.uint8
        )
    if bit_depth == 16 and not holds_16():
        raise ValueError(
            f"{path}: {file_format} cannot hold 16-bit samples here; use .tif or .png "
            "(16-bit colour PNG needs opencv-python-headless)."
        )
    if bit_depth == 16:
        image = to_16_bits(image)
    elif image.dtype == np.uint16 and (bit_depth == 8 or not holds_16()):
        if bit_depth is None:
            warnings.warn(
                f"{path}: {file_format} holds 8 bits per sample; the 16-bit image was "
                "converted to 8 bits",
                BitDepthNote,
                stacklevel=2,
            )
        image = to_8_bits(image)
    if file_format == "JPEG" and is_color and image.shape[-1] == 4:
        raise ValueError(f"{path}: JPEG cannot hold an alpha channel; use .png or .tif.")
    if file_format not in _METADATA_FORMATS:
        icc_profile = exif = None
    sixteen_bit = image.dtype == np.uint16
    if file_format == "TIFF" and sixteen_bit and is_color:
        import tifffile

        def save(target):
            # tifffile writes no EXIF block; the ICC profile goes in its own tag.
            tifffile.imwrite(
                target, image, photometric="rgb", compression="zlib", iccprofile=icc_profile
            )

    elif file_format == "PNG" and sixteen_bit and is_color:

        def save(target):
            _write_png16(target, image, icc_profile, exif)

    else:
        pillow_image = Image.fromarray(image)
        options = {}
        if file_format in ("JPEG", "WEBP"):
            options["quality"] = _JPEG_QUALITY if quality is None else int(quality)
        if file_format == "JPEG" and subsampling is not None:
            options["subsampling"] = subsampling
        if file_format == "PNG":
            options["compress_level"] = _PNG_COMPRESS_LEVEL
        if icc_profile:
            options["icc_profile"] = icc_profile
        if exif and file_format == "JPEG" and len(exif) > _JPEG_MAX_EXIF:
            warnings.warn(
                f"{path}: the source's EXIF block ({len(exif)} bytes) does not fit in a "
                "JPEG; written without EXIF",
                stacklevel=2,
            )
            exif = None
        if exif:
            options["exif"] = exif

        def save(target):
            pillow_image.save(target, format=file_format, **options)

    with atomic_path(path, overwrite=overwrite, within=within) as temporary:
        save(temporary)


def _write_float_tiff(path, image, icc_profile, overwrite, within=None):
    import tifffile

    photometric = "rgb" if image.ndim == 3 else "minisblack"
    with atomic_path(path, overwrite=overwrite, within=within) as temporary:
        tifffile.imwrite(temporary, image.astype(np.float32, copy=False),
                         photometric=photometric, compression="zlib", iccprofile=icc_profile)


def _png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _write_png16(target, image, icc_profile, exif):
    """16-bit colour PNG: OpenCV encodes the pixels (Pillow cannot), then the ICC
    profile (iCCP) and EXIF (eXIf) chunks go in right after the header."""
    import cv2

    code = cv2.COLOR_RGBA2BGRA if image.shape[-1] == 4 else cv2.COLOR_RGB2BGR
    ok, encoded = cv2.imencode(".png", cv2.cvtColor(image, code))
    if not ok:
        raise ValueError(f"{target}: OpenCV could not encode the 16-bit PNG.")
    data = encoded.tobytes()
    chunks = b""
    if icc_profile:
        chunks += _png_chunk(b"iCCP", b"ICC profile\0\0" + zlib.compress(icc_profile))
    if exif:
        # PNG's eXIf holds the TIFF structure without JPEG's "Exif\0\0" prefix.
        chunks += _png_chunk(b"eXIf", exif[6:] if exif.startswith(b"Exif\0\0") else exif)
    header_end = len(_PNG_SIGNATURE) + 25  # signature + IHDR chunk (13 data bytes)
    with open(target, "wb") as stream:
        stream.write(data[:header_end] + chunks + data[header_end:])
