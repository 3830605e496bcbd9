"""Reading and writing image files for the command line: Pillow, with tifffile for
16-bit colour TIFF and OpenCV (when installed) for 16-bit colour PNG, both of which
Pillow reduces to 8 bits; atomic, no-clobber writes; ICC profile and EXIF kept.

Conventions:

* :func:`read_image` returns ``uint8`` or ``uint16`` arrays of shape ``(H, W, 3)``
  or ``(H, W, 4)`` (RGBA), upright (the EXIF orientation applied). With
  ``metadata=True`` it also returns an :class:`ImageMetadata`: the embedded ICC
  profile (bytes), the EXIF block (orientation reset, since the pixels are now
  upright), the file's bit depth and whether it was a grayscale file.
* **Grayscale files are read as RGB**, the gray value repeated in the three
  channels (gray + alpha as RGBA).
* 16 bits are kept for TIFF (any channel count), grayscale PNG and, with OpenCV
  installed (``pip install opencv-python-headless``), colour PNG. Without OpenCV a
  16-bit colour PNG is read at 8 bits with a warning.
* :func:`write_image` picks the format from the extension and writes through
  :func:`skcolorot.io._atomic.atomic_path` (a temporary file moved into place, so a
  failure or a Ctrl-C never leaves a half-written file); it refuses to replace an
  existing file unless ``overwrite=True``. A 16-bit image written to a format that holds only
  8 bits (JPEG, WebP, ...) is converted down with a :class:`BitDepthNote`; ICC
  profile and EXIF are written where the format carries them (JPEG, PNG, WebP,
  TIFF; EXIF is not written to 16-bit TIFF).
* Only regular files are ever replaced, symbolic links are written through, and
  stale temporaries of killed writers are cleaned up: see :mod:`skcolorot.io._atomic`.
* Pillow's decompression-bomb limit applies to every image read (a tiny file may
  declare a gigapixel image); the message says how to lift it.
"""

import errno
import os
import struct
import warnings
import zlib
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from ._atomic import atomic_path, check_writable
from .._utils._dtypes import unit_scale

__all__ = [
    "BitDepthNote",
    "ImageMetadata",
    "can_hold_16_bits",
    "check_output_format",
    "check_output_path",
    "read_image",
    "to_16_bits",
    "to_8_bits",
    "write_image",
    "written_bit_depth",
]

_TIFF_EXTENSIONS = (".tif", ".tiff")
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Pillow modes of 16-bit grayscale data.
_GRAY16_MODES = ("I;16", "I;16B", "I;16L", "I;16N")
_JPEG_QUALITY = 95  # Pillow's default of 75 visibly degrades a colour grade
_JPEG_SUBSAMPLING = ("4:4:4", "4:2:2", "4:2:0")
# Formats whose Pillow writer takes ``icc_profile=`` and ``exif=``.
_METADATA_FORMATS = ("JPEG", "PNG", "WEBP", "TIFF")
# EXIF tags that describe the pixel layout of the file they came from (a TIFF's
# strips, sizes, sample format, predictor, its own ICC tag) or hold an editor's
# private data (Photoshop resources and layers, which can be huge): not carried
# to another file.
_LAYOUT_TAGS = frozenset(
    (0x0100, 0x0101, 0x0102, 0x0103, 0x0106, 0x0111, 0x0115, 0x0116, 0x0117, 0x0118,
     0x0119, 0x011C, 0x013D, 0x0140, 0x0142, 0x0143, 0x0144, 0x0145, 0x0152, 0x0153,
     0x0201, 0x0202, 0x8649, 0x8773, 0x935C)
)
_JPEG_MAX_EXIF = 65533  # one APP1 segment
_ORIENTATION = 0x0112
_TIFF_DTYPES = (np.uint8, np.uint16, np.float16, np.float32, np.float64)
_EXIF_IFD, _GPS_IFD = 0x8769, 0x8825


class BitDepthNote(UserWarning):
    """Issued when an image is written at fewer bits than it has (16 -> 8)."""


@dataclass(frozen=True)
class ImageMetadata:
    """What :func:`read_image` found around the pixels of a file.

    Attributes
    ----------
    icc_profile : bytes or None
        The embedded ICC profile, None when the file has none (untagged).
    exif : bytes or None
        The EXIF block, orientation reset to upright; None when absent.
    bit_depth : int
        Bits per sample of the array read (8 or 16; 32 for a float TIFF, read
        as float32).
    grayscale : bool
        The file held gray (or gray + alpha) samples, expanded to RGB(A).
    file_format : str
        Pillow's name of the format (``"PNG"``, ``"JPEG"``, ``"TIFF"``, ...).
    """

    icc_profile: bytes | None = None
    exif: bytes | None = None
    bit_depth: int = 8
    grayscale: bool = False
    file_format: str = ""


def _file_error(path):
    """FileNotFoundError / IsADirectoryError for a path that cannot be an input file."""
    if os.path.isdir(path):
        return IsADirectoryError(errno.EISDIR, "is a directory, not an image file", path)
    return FileNotFoundError(errno.ENOENT, "no such file", path)


def read_image(path, *, metadata=False):
    """Read an image file as a uint8 or uint16 RGB(A) array.

    Parameters
    ----------
    path : str or path-like
        Any format Pillow reads (PNG, JPEG, TIFF, WebP, BMP, ...).
    metadata : bool, default=False
        Also return the file's :class:`ImageMetadata` (ICC profile, EXIF, ...).

    Returns
    -------
    image : ndarray of shape (H, W, 3) or (H, W, 4), dtype uint8 or uint16
        RGB, or RGBA when the file has transparency. Grayscale is expanded to RGB;
        palette, CMYK and YCbCr images are converted to RGB by Pillow.
    info : ImageMetadata
        Only when ``metadata=True``.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist (IsADirectoryError for a directory).
    ValueError
        If the file is not an image Pillow can decode, or holds floating-point or
        32-bit samples.
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise _file_error(path)
    image, info = _read(path)
    return (image, info) if metadata else image


def _read(path):
    icc_profile, exif, orientation, file_format, gray_file = _read_metadata(path)
    image = None
    if path.lower().endswith(_TIFF_EXTENSIONS):
        image = _read_tiff(path)
        if icc_profile is None and image is not None:
            icc_profile = _tiff_icc_profile(path)  # Pillow cannot open float TIFF
    elif file_format == "PNG" and not gray_file and _png_bit_depth(path) == 16:
        image = _read_png16(path)
    if image is not None:
        image = _orient(image, orientation)
    else:
        image = _read_pillow(path, file_format)
    info = ImageMetadata(
        icc_profile=icc_profile,
        exif=exif,
        bit_depth=32 if image.dtype.kind == "f" else 8 * image.dtype.itemsize,
        grayscale=gray_file,
        file_format=file_format or "",
    )
    return image, info


def _read_pillow(path, file_format):
    try:
        with Image.open(path) as opened:
            _warn_pages(path, getattr(opened, "n_frames", 1))
            opened.load()
            image = ImageOps.exif_transpose(opened)
            image.load()
            file_format = file_format or opened.format
    except Image.DecompressionBombError as error:
        raise ValueError(_bomb_message(path, error)) from None
    except UnidentifiedImageError:
        raise ValueError(f"{path}: not an image file that Pillow can read.") from None
    except (OSError, SyntaxError, ValueError) as error:
        # Truncated or corrupt data; Pillow raises any of these.
        raise ValueError(f"{path}: cannot decode the image ({error}).") from None
    if file_format == "PNG" and image.mode in ("RGB", "RGBA") and _png_bit_depth(path) == 16:
        warnings.warn(
            f"{path}: 16-bit colour PNG read at 8 bits (Pillow's limit); install "
            "opencv-python-headless to keep 16 bits.",
            stacklevel=3,
        )
    return _pillow_to_array(image, path)


def _bomb_message(path, detail):
    return (
        f"{path}: refused as a possible decompression bomb ({_one_line(detail)}); "
        "if the file is trusted, raise PIL.Image.MAX_IMAGE_PIXELS."
    )


def _one_line(text):
    return " ".join(str(text).split())


def _check_pixel_count(path, height, width):
    """Pillow's decompression-bomb limit, for files read without Pillow (tifffile)."""
    limit = Image.MAX_IMAGE_PIXELS
    if limit is not None and height * width > 2 * limit:
        raise _Refused(
            _bomb_message(
                path, f"{width} x {height} = {height * width} pixels, more than {2 * limit}"
            )
        )


def _warn_pages(path, n_pages):
    if n_pages > 1:
        warnings.warn(
            f"{path}: holds {n_pages} pages / frames; only the first is read.",
            stacklevel=3,
        )


def _read_metadata(path):
    """(icc_profile, exif, orientation, format, grayscale) without decoding pixels;
    all None / False when Pillow cannot open the file (the pixel reader explains)."""
    try:
        with Image.open(path) as opened:
            icc_profile = opened.info.get("icc_profile") or None
            exif = opened.getexif()
            file_format = opened.format
            gray = opened.mode in ("1", "L", "LA", "La", "I", "F") or opened.mode.startswith("I;")
    except MemoryError:
        raise
    except Exception:  # noqa: BLE001 - unreadable: reported by the pixel reader
        return None, None, 1, None, False
    orientation = exif.get(_ORIENTATION, 1)
    return icc_profile, _portable_exif(exif), orientation, file_format, gray


def _portable_exif(exif):
    """EXIF bytes to carry to another file: camera data kept, upright orientation,
    layout tags of the source file dropped; None when nothing is left."""
    try:
        # Load the sub-directories so that tobytes() writes them out again.
        sub_ifds = {tag: exif.get_ifd(tag) for tag in (_EXIF_IFD, _GPS_IFD) if tag in exif}
        for tag in list(exif):
            if tag in _LAYOUT_TAGS or tag == _ORIENTATION:
                del exif[tag]
        if not len(exif) and not any(sub_ifds.values()):
            return None
        return exif.tobytes()
    except Exception:  # noqa: BLE001 - a malformed EXIF block is dropped, not fatal
        return None


def _orient(image, orientation):
    """Apply an EXIF orientation (1-8) to an array, as ImageOps.exif_transpose does."""
    transforms = {
        2: lambda a: a[:, ::-1],
        3: lambda a: a[::-1, ::-1],
        4: lambda a: a[::-1],
        5: lambda a: np.swapaxes(a, 0, 1),  # transpose
        6: lambda a: np.rot90(a, -1),  # 90 degrees clockwise
        7: lambda a: np.swapaxes(a[::-1, ::-1], 0, 1),  # transverse
        8: lambda a: np.rot90(a, 1),
    }
    transform = transforms.get(orientation)
    return image if transform is None else np.ascontiguousarray(transform(image))


def _read_png16(path):
    """A 16-bit colour PNG at 16 bits through OpenCV; None without OpenCV."""
    try:
        import cv2
    except ImportError:
        return None
    data = np.fromfile(path, dtype=np.uint8)  # imdecode: any path, no cv2 path quirks
    image = cv2.imdecode(data, cv2.IMREAD_UNCHANGED | cv2.IMREAD_IGNORE_ORIENTATION)
    if image is None or image.dtype != np.uint16 or image.ndim != 3:
        return None  # Pillow then reads (or explains) it
    if image.shape[-1] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2RGBA)
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


def _pillow_to_array(image, path):
    mode = image.mode
    if mode in ("RGB", "RGBA"):
        return np.asarray(image).copy()
    if mode in ("L", "LA", "1"):
        gray = np.asarray(image.convert("LA" if mode == "LA" else "L"))
        return _gray_to_rgb(gray)
    if mode in _GRAY16_MODES or mode == "I":
        gray = np.asarray(image)
        if mode == "I" and (gray.min() < 0 or gray.max() > 65535):
            raise ValueError(f"{path}: 32-bit integer images are not supported.")
        return _gray_to_rgb(gray.astype(np.uint16))
    if mode in ("F", "I;16S", "I;32"):
        raise ValueError(
            f"{path}: {mode!r} (floating-point or 32-bit) images are not supported; "
            "save as 8- or 16-bit."
        )
    transparent = mode in ("PA", "RGBa", "La") or "transparency" in image.info
    try:
        return np.asarray(image.convert("RGBA" if transparent else "RGB"))
    except ValueError as error:
        raise ValueError(f"{path}: cannot convert {mode!r} pixels to RGB ({error}).") from None


def _gray_to_rgb(gray):
    """(H, W) -> (H, W, 3); (H, W, 2) gray + alpha -> (H, W, 4)."""
    if gray.ndim == 2:
        return np.repeat(gray[..., np.newaxis], 3, axis=-1)
    return np.concatenate([np.repeat(gray[..., :1], 3, axis=-1), gray[..., 1:2]], axis=-1)


def _png_bit_depth(path):
    # IHDR is the first chunk: 8-byte signature, length, b"IHDR", width, height, depth.
    with open(path, "rb") as stream:
        header = stream.read(25)
    if len(header) < 25 or not header.startswith(_PNG_SIGNATURE) or header[12:16] != b"IHDR":
        return None
    return struct.unpack("B", header[24:25])[0]


class _Refused(Exception):
    """A TIFF that tifffile read well enough to know it is not supported."""


def _read_tiff(path):
    """A uint8/uint16/float RGB(A) or gray TIFF through tifffile (keeps 16 bits;
    float samples come back as float32, unscaled); None for anything else, which
    Pillow then reads or reports."""
    try:
        import tifffile
    except ImportError:  # a scikit-image dependency, but not ours to require
        return None
    try:
        with tifffile.TiffFile(path) as tiff:
            page = tiff.pages[0]
            photometric = int(page.photometric)
            if len(page.shape) >= 2:
                _check_pixel_count(path, page.imagelength, page.imagewidth)
            n_pages = len(tiff.pages)
            if page.dtype not in _TIFF_DTYPES or photometric not in (
                tifffile.PHOTOMETRIC.MINISBLACK,
                tifffile.PHOTOMETRIC.RGB,
            ):
                return None
            array = page.asarray()
            axes = page.axes
    except _Refused as error:
        raise ValueError(str(error)) from None
    except MemoryError:
        raise
    except Exception:  # noqa: BLE001 - any failure here: let Pillow try and explain
        return None
    image = _tiff_to_rgb(array, axes, photometric, tifffile)
    if image is not None:
        _warn_pages(path, n_pages)
    return image


def _tiff_to_rgb(array, axes, photometric, tifffile):
    if array.dtype.kind == "f":
        array = array.astype(np.float32, copy=False)
    if "S" in axes:
        array = np.moveaxis(array, axes.index("S"), -1)
        axes = axes.replace("S", "") + "S"
    if axes not in ("YX", "YXS"):
        return None
    if photometric == tifffile.PHOTOMETRIC.MINISBLACK:
        if array.ndim == 3 and array.shape[-1] == 1:
            array = array[..., 0]
        if array.ndim == 3 and array.shape[-1] > 2:
            return None
        return _gray_to_rgb(array)
    if array.shape[-1] not in (3, 4):
        return None
    return np.ascontiguousarray(array)


def _tiff_icc_profile(path):
    import tifffile

    try:
        with tifffile.TiffFile(path) as tiff:
            tag = tiff.pages[0].tags.get(34675)  # InterColorProfile
            return bytes(tag.value) if tag is not None else None
    except Exception:  # noqa: BLE001 - no readable profile: untagged
        return None


def _format_for(path):
    """The Pillow format name for a path's extension (``"TIFF"``, ``"PNG"``, ...)."""
    extension = os.path.splitext(os.fspath(path))[1].lower()
    Image.init()
    file_format = Image.registered_extensions().get(extension)
    if file_format is None or file_format not in Image.SAVE:
        shown = extension or "no extension"
        raise ValueError(
            f"{os.fspath(path)}: cannot tell the image format from {shown!r}; use "
            ".png, .jpg, .tif, .webp or another extension Pillow writes."
        )
    return file_format


def check_output_path(path, *, overwrite=False, image=True):
    """Fail early, before any work, if ``path`` cannot receive the output.

    As :func:`skcolorot.io._atomic.check_writable` (the directory is writable, only
    a regular file or a link to one is there, none unless ``overwrite``) and,
    for an image, the extension names a format Pillow writes.

    Returns
    -------
    destination : str
        The file that will be written: ``path``, or a symbolic link's target.
    """
    destination = check_writable(path, overwrite=overwrite)
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
    holds_16 = can_hold_16_bits(path, image.ndim)
    if bit_depth == 32 and file_format != "TIFF":
        raise ValueError(f"{path}: only TIFF holds float samples here; use a .tif file name.")
    if image.dtype.kind == "f" and file_format == "TIFF" and bit_depth in (None, 32):
        _write_float_tiff(path, image, icc_profile, overwrite)
        return
    if bit_depth == 32:
        image = image.astype(np.float32) / np.float32(unit_scale(image.dtype))
        _write_float_tiff(path, image, icc_profile, overwrite)
        return
    if image.dtype.kind == "f":
        depth = bit_depth or (16 if holds_16 else 8)
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
    if bit_depth == 16 and not holds_16:
        raise ValueError(
            f"{path}: {file_format} cannot hold 16-bit samples here; use .tif or .png "
            "(16-bit colour PNG needs opencv-python-headless)."
        )
    if bit_depth == 16:
        image = to_16_bits(image)
    elif image.dtype == np.uint16 and (bit_depth == 8 or not holds_16):
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

    with atomic_path(path, overwrite=overwrite) as temporary:
        save(temporary)


def _write_float_tiff(path, image, icc_profile, overwrite):
    import tifffile

    photometric = "rgb" if image.ndim == 3 else "minisblack"
    with atomic_path(path, overwrite=overwrite) as temporary:
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
