"""Reading and writing image files for the command line: Pillow, with tifffile for
16-bit colour TIFF (which Pillow reduces to 8 bits), and atomic, no-clobber writes.

Conventions:

* :func:`read_image` returns ``uint8`` or ``uint16`` arrays of shape ``(H, W, 3)``
  or ``(H, W, 4)`` (RGBA), upright (the EXIF orientation applied).
* **Grayscale files are read as RGB**, the gray value repeated in the three
  channels (gray + alpha as RGBA). As a reference, a gray image makes the result
  monochrome; as the source of a fit it gives the transport nothing to learn off
  the gray axis, so the command line refuses it there (``apply`` takes it).
* 16 bits are kept for TIFF (any channel count) and grayscale PNG. Pillow reads
  16-bit *colour* PNG at 8 bits; :func:`read_image` warns when that happens.
* :func:`write_image` picks the format from the extension, writes a temporary file
  in the destination's directory and moves it into place, so a failure or a
  Ctrl-C never leaves a half-written file; it refuses to replace an existing file
  unless ``overwrite=True``.
"""

import errno
import os
import struct
import tempfile
import warnings
from contextlib import contextmanager

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

__all__ = ["atomic_path", "check_output_path", "read_image", "write_image"]

_TIFF_EXTENSIONS = (".tif", ".tiff")
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Pillow modes of 16-bit grayscale data.
_GRAY16_MODES = ("I;16", "I;16B", "I;16L", "I;16N")
_JPEG_QUALITY = 95  # Pillow's default of 75 visibly degrades a colour grade


def _file_error(path):
    """FileNotFoundError / IsADirectoryError for a path that cannot be an input file."""
    if os.path.isdir(path):
        return IsADirectoryError(errno.EISDIR, "is a directory, not an image file", path)
    return FileNotFoundError(errno.ENOENT, "no such file", path)


def read_image(path):
    """Read an image file as a uint8 or uint16 RGB(A) array.

    Parameters
    ----------
    path : str or path-like
        Any format Pillow reads (PNG, JPEG, TIFF, WebP, BMP, ...).

    Returns
    -------
    image : ndarray of shape (H, W, 3) or (H, W, 4), dtype uint8 or uint16
        RGB, or RGBA when the file has transparency. Grayscale is expanded to RGB;
        palette, CMYK and YCbCr images are converted to RGB by Pillow.

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
    if path.lower().endswith(_TIFF_EXTENSIONS):
        image = _read_tiff(path)
        if image is not None:
            return image
    try:
        with Image.open(path) as opened:
            opened.load()
            image = ImageOps.exif_transpose(opened)
            image.load()
            file_format = opened.format
    except UnidentifiedImageError:
        raise ValueError(f"{path}: not an image file that Pillow can read.") from None
    except (OSError, SyntaxError, ValueError) as error:
        # Truncated or corrupt data; Pillow raises any of these.
        raise ValueError(f"{path}: cannot decode the image ({error}).") from None
    if file_format == "PNG" and image.mode in ("RGB", "RGBA") and _png_bit_depth(path) == 16:
        warnings.warn(
            f"{path}: 16-bit colour PNG read at 8 bits (Pillow's limit); save it as "
            "16-bit TIFF to keep 16 bits.",
            stacklevel=2,
        )
    return _pillow_to_array(image, path)


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


def _read_tiff(path):
    """A uint8/uint16 RGB(A) or gray TIFF through tifffile (keeps 16 bits); None
    for anything else, which Pillow then reads or reports."""
    try:
        import tifffile
    except ImportError:  # a scikit-image dependency, but not ours to require
        return None
    try:
        with tifffile.TiffFile(path) as tiff:
            page = tiff.pages[0]
            photometric = int(page.photometric)
            if page.dtype not in (np.uint8, np.uint16) or photometric not in (
                tifffile.PHOTOMETRIC.MINISBLACK,
                tifffile.PHOTOMETRIC.RGB,
            ):
                return None
            array = page.asarray()
            axes = page.axes
    except Exception:  # noqa: BLE001 - any failure here: let Pillow try and explain
        return None
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

    Checks the directory exists, the file does not (unless ``overwrite``) and, for
    an image, that the extension names a format Pillow writes.
    """
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise FileNotFoundError(errno.ENOENT, "no such directory", directory)
    if os.path.isdir(path):
        raise IsADirectoryError(errno.EISDIR, "is a directory", path)
    if not overwrite and os.path.lexists(path):
        raise FileExistsError(errno.EEXIST, "already exists", path)
    if image:
        _format_for(path)


@contextmanager
def atomic_path(path, *, overwrite=False):
    """A temporary path next to ``path`` that becomes ``path`` on success.

    Write the file to the yielded path; on leaving the block without an error it
    is moved to ``path`` in one step (a hard link when ``overwrite`` is False, so
    a file created meanwhile by someone else is not replaced either). On an error
    or Ctrl-C the temporary file is removed and ``path`` is untouched.

    Raises
    ------
    FileExistsError
        If ``path`` exists and ``overwrite`` is False.
    """
    path = os.fspath(path)
    check_output_path(path, overwrite=overwrite, image=False)
    directory = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(
        dir=directory, prefix="." + os.path.basename(path) + ".", suffix=".tmp"
    )
    os.close(handle)
    try:
        yield temporary
        # mkstemp makes the file private (0600); give it an ordinary file's mode.
        mode = os.stat(path).st_mode & 0o777 if os.path.exists(path) else 0o644
        os.chmod(temporary, mode)
        if overwrite:
            os.replace(temporary, path)
        else:
            _link_new(temporary, path)
    finally:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass


def _link_new(temporary, path):
    """Put ``temporary`` at ``path`` only if nothing is there (atomic check-and-create)."""
    try:
        os.link(temporary, path)
    except FileExistsError:
        raise FileExistsError(errno.EEXIST, "already exists", path) from None
    except OSError:
        # No hard links on this filesystem (some network / FAT mounts).
        if os.path.lexists(path):
            raise FileExistsError(errno.EEXIST, "already exists", path) from None
        os.replace(temporary, path)


def write_image(path, image, *, overwrite=False):
    """Write a uint8 / uint16 image atomically; the format comes from the extension.

    Parameters
    ----------
    path : str or path-like
        Destination; ``.png``, ``.jpg`` (quality 95), ``.tif``, ``.webp``, ...
    image : ndarray of shape (H, W), (H, W, 1), (H, W, 3) or (H, W, 4)
        uint8, or uint16 (written as 16-bit TIFF, or 16-bit grayscale PNG).
    overwrite : bool, default=False
        Replace an existing file; otherwise raise FileExistsError.

    Raises
    ------
    FileExistsError
        If ``path`` exists and ``overwrite`` is False.
    ValueError
        If the format cannot hold the image (16-bit colour PNG, 16 bits or alpha
        in JPEG) or the extension is unknown.
    """
    path = os.fspath(path)
    image = np.asarray(image)
    if image.dtype not in (np.uint8, np.uint16):
        raise TypeError(
            f"image must be uint8 or uint16 to be written to a file, got {image.dtype}."
        )
    if image.ndim == 3 and image.shape[-1] == 1:
        image = image[..., 0]
    if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[-1] not in (3, 4)):
        raise ValueError(
            f"image must be (H, W), (H, W, 3) or (H, W, 4) to be written, got {image.shape}."
        )
    file_format = _format_for(path)
    is_color = image.ndim == 3
    sixteen_bit = image.dtype == np.uint16
    if file_format == "TIFF" and sixteen_bit and is_color:
        import tifffile

        def save(target):
            tifffile.imwrite(target, image, photometric="rgb", compression="zlib")

    else:
        if sixteen_bit and is_color:
            raise ValueError(
                f"{path}: {file_format} cannot hold a 16-bit colour image here (Pillow "
                "writes 16-bit colour only as TIFF); use a .tif file name."
            )
        if file_format == "JPEG" and (sixteen_bit or (is_color and image.shape[-1] == 4)):
            what = "16-bit values" if sixteen_bit else "an alpha channel"
            raise ValueError(f"{path}: JPEG cannot hold {what}; use .png or .tif.")
        pillow_image = Image.fromarray(image)
        options = {"quality": _JPEG_QUALITY} if file_format in ("JPEG", "WEBP") else {}

        def save(target):
            pillow_image.save(target, format=file_format, **options)

    with atomic_path(path, overwrite=overwrite) as temporary:
        save(temporary)
