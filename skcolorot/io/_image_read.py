"""Reading image files: Pillow, with tifffile for 16-bit colour TIFF and OpenCV
(when installed) for 16-bit colour PNG, both of which Pillow reduces to 8 bits;
ICC profile and EXIF kept.

Conventions:

* :func:`read_image` returns ``uint8`` or ``uint16`` arrays of shape ``(H, W, 3)``
  or ``(H, W, 4)`` (RGBA), upright (the EXIF orientation applied). With
  ``metadata=True`` it also returns an :class:`ImageMetadata`: the embedded ICC
  profile (bytes), the EXIF block (orientation reset, since the pixels are now
  upright), the file's bit depth and whether it was a grayscale file.
* **Grayscale files are read as RGB**, the gray value repeated in the three
  channels (gray + alpha as RGBA).
* Camera RAW files (DNG, CR2, CR3, NEF, ARW, ...) are developed by rawpy (the
  ``skcolorot[raw]`` extra): camera white balance, 16 bits, sRGB, upright, EXIF
  kept where Pillow can read it (the TIFF-based formats).
* 16 bits are kept for TIFF (any channel count), grayscale PNG and, with OpenCV
  installed (``pip install opencv-python-headless``), colour PNG. Without OpenCV a
  16-bit colour PNG is read at 8 bits with a warning.
* Pillow's decompression-bomb limit applies to every image read (a tiny file may
  declare a gigapixel image); the message says how to lift it.
* What Pillow, tifffile and libtiff say while reading (warnings, log lines) never
  reaches the user directly: it is folded into the error, or repeated as one
  warning naming the file (see :mod:`skcolorot.io._quiet`). A TIFF whose data
  runs past the end of the file is reported as truncated.

Writing: :mod:`skcolorot.io._image_write`; formats, output checks and bit
depths: :mod:`skcolorot.io._image_formats`.
"""

import errno
import os
import struct
import warnings
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from ._image_formats import _PNG_SIGNATURE, _TIFF_EXTENSIONS
from ._quiet import Notes, quiet

__all__ = ["ImageMetadata", "RAW_EXTENSIONS", "read_image"]

# Camera RAW files, read through rawpy (LibRaw) rather than Pillow.
RAW_EXTENSIONS = (".dng", ".cr2", ".cr3", ".crw", ".nef", ".nrw", ".arw", ".srf", ".sr2",
                  ".raf", ".orf", ".rw2", ".pef", ".srw", ".x3f", ".3fr", ".iiq", ".erf")

# Pillow modes of 16-bit grayscale data.
_GRAY16_MODES = ("I;16", "I;16B", "I;16L", "I;16N")
# EXIF tags that describe the pixel layout of the file they came from (a TIFF's
# strips, sizes, sample format, predictor, its own ICC tag) or hold an editor's
# private data (Photoshop resources and layers, which can be huge): not carried
# to another file.
_LAYOUT_TAGS = frozenset(
    (0x0100, 0x0101, 0x0102, 0x0103, 0x0106, 0x0111, 0x0115, 0x0116, 0x0117, 0x0118,
     0x0119, 0x011C, 0x013D, 0x0140, 0x0142, 0x0143, 0x0144, 0x0145, 0x0152, 0x0153,
     0x0201, 0x0202, 0x8649, 0x8773, 0x935C)
)
_ORIENTATION = 0x0112
_TIFF_DTYPES = (np.uint8, np.uint16, np.float16, np.float32, np.float64)
_EXIF_IFD, _GPS_IFD = 0x8769, 0x8825


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
    notes = Notes()
    with quiet(notes):
        icc_profile, exif, orientation, file_format, gray_file = _read_metadata(path)
    if path.lower().endswith(RAW_EXTENSIONS):
        from ._raw import raw_exif, read_raw

        # Developed upright, in sRGB, by LibRaw: no orientation or profile to apply.
        image = read_raw(path)
        exif = exif or raw_exif(path)
        return image, ImageMetadata(exif=exif, bit_depth=16, file_format="RAW")
    image = None
    tiff = path.lower().endswith(_TIFF_EXTENSIONS) or _is_tiff(path)
    if tiff:
        image = _read_tiff(path, notes)
        if icc_profile is None and image is not None:
            icc_profile = _tiff_icc_profile(path)  # Pillow cannot open float TIFF
    elif file_format == "PNG" and not gray_file and _png_bit_depth(path) == 16:
        image = _read_png16(path)
    if image is not None:
        image = _orient(image, orientation)
    else:
        image = _read_pillow(path, file_format, notes, tiff)
    notes.warn(path, stacklevel=4)
    info = ImageMetadata(
        icc_profile=icc_profile,
        exif=exif,
        bit_depth=32 if image.dtype.kind == "f" else 8 * image.dtype.itemsize,
        grayscale=gray_file,
        file_format=file_format or "",
    )
    return image, info


def _read_pillow(path, file_format, notes, tiff=False):
    try:
        # libtiff prints its complaints on the C stderr: caught there too.
        with quiet(notes, c_stderr=tiff), Image.open(path) as opened:
            n_pages = getattr(opened, "n_frames", 1)
            opened.load()
            image = ImageOps.exif_transpose(opened)
            image.load()
            file_format = file_format or opened.format
    except Image.DecompressionBombError as error:
        raise ValueError(_bomb_message(path, error)) from None
    except UnidentifiedImageError:
        if tiff:
            detail = notes.detail() or "no readable image directory"
            raise ValueError(f"{path}: damaged or truncated TIFF ({detail}).") from None
        detail = f" ({notes.detail()})" if notes else ""
        raise ValueError(f"{path}: not an image file that Pillow can read{detail}.") from None
    except (OSError, SyntaxError, ValueError) as error:
        # Truncated or corrupt data; Pillow raises any of these.
        detail = "; ".join([_one_line(error), *notes[:2]])
        kind = "damaged TIFF" if tiff else "image"
        raise ValueError(f"{path}: cannot decode the {kind} ({detail}).") from None
    _warn_pages(path, n_pages)
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


def _is_tiff(path):
    """A TIFF by its first bytes, whatever the name."""
    with open(path, "rb") as stream:
        return stream.read(4) in (b"II*\0", b"MM\0*", b"II+\0", b"MM\0+")


def _check_header(path):
    """A TIFF whose first image directory lies past the end of the file (a
    download or copy cut short: writers often put the directory last)."""
    with open(path, "rb") as stream:
        header = stream.read(16)
    order = "<" if header[:2] == b"II" else ">"
    if len(header) < 8:
        raise _Refused(f"{path}: truncated TIFF ({len(header)} bytes).")
    big = struct.unpack(order + "H", header[2:4])[0] == 43
    if big and len(header) < 16:
        raise _Refused(f"{path}: truncated TIFF ({len(header)} bytes).")
    offset = struct.unpack(order + ("Q" if big else "I"), header[8:16] if big else header[4:8])[0]
    size = os.path.getsize(path)
    if offset >= size:
        raise _Refused(
            f"{path}: truncated TIFF (its image directory is at byte {offset}, the file "
            f"ends at byte {size})."
        )


def _check_complete(path, page):
    """A TIFF whose image data runs past the end of the file is truncated: say
    so, rather than let a decoder fail on it (libtiff prints on the C stderr)."""
    ends = [offset + count for offset, count in zip(page.dataoffsets, page.databytecounts)
            if count]
    size = os.path.getsize(path)
    if ends and max(ends) > size:
        raise _Refused(
            f"{path}: truncated TIFF (its image data runs to byte {max(ends)}, the file "
            f"ends at byte {size})."
        )


def _read_tiff(path, notes):
    """A uint8/uint16/float RGB(A) or gray TIFF through tifffile (keeps 16 bits;
    float samples come back as float32, unscaled); None for anything else, which
    Pillow then reads or reports (tifffile's complaints go to ``notes``)."""
    try:
        import tifffile
    except ImportError:  # a scikit-image dependency, but not ours to require
        return None
    try:
        _check_header(path)
        with quiet(notes), tifffile.TiffFile(path) as tiff:
            if not len(tiff.pages):
                return None  # no readable directory: Pillow tries, notes explain
            page = tiff.pages[0]
            _check_complete(path, page)
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
    except Exception as error:  # noqa: BLE001 - any failure: let Pillow try and explain
        if "imagecodecs" not in str(error):  # a missing codec is no fault of the file
            notes.add(f"tifffile: {error}")
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
