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
* Only regular files are ever replaced: a device, FIFO, socket or directory at an
  output path is refused even with ``overwrite=True``, and an output path that is a
  symbolic link is written *through* (its target file is replaced, the link stays).
* Temporary files are named ``.<name>.skcolorot-<pid>.<random>.tmp``; one left
  behind by a killed process (SIGKILL, power loss) is removed by the next write to
  the same name once that process is gone.
* Pillow's decompression-bomb limit applies to every image read (a tiny file may
  declare a gigapixel image); the message says how to lift it.
"""

import errno
import os
import stat
import struct
import tempfile
import time
import warnings
from contextlib import contextmanager

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

__all__ = [
    "atomic_path",
    "check_image_format",
    "check_not_inputs",
    "check_output_path",
    "read_image",
    "write_image",
]

_TIFF_EXTENSIONS = (".tif", ".tiff")
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Pillow modes of 16-bit grayscale data.
_GRAY16_MODES = ("I;16", "I;16B", "I;16L", "I;16N")
_JPEG_QUALITY = 95  # Pillow's default of 75 visibly degrades a colour grade
# Our temporary files: ".<name>.skcolorot-<pid>.<random>.tmp" (the pid tells a
# stale one, whose writer is gone, from one being written right now).
_TEMP_TAG = "skcolorot-"
# A temporary this old is stale even if its pid is alive again (pid reuse, or a
# writer on another host of a shared directory).
_STALE_SECONDS = 24 * 3600


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
            _warn_pages(path, getattr(opened, "n_frames", 1))
            opened.load()
            image = ImageOps.exif_transpose(opened)
            image.load()
            file_format = opened.format
    except Image.DecompressionBombError as error:
        raise ValueError(_bomb_message(path, error)) from None
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
            if page.dtype is not None and page.dtype.kind == "f":
                raise _Refused(
                    f"{path}: floating-point ({page.dtype}) TIFF is not supported; "
                    "save it as 8- or 16-bit."
                )
            if len(page.shape) >= 2:
                _check_pixel_count(path, page.imagelength, page.imagewidth)
            n_pages = len(tiff.pages)
            if page.dtype not in (np.uint8, np.uint16) or photometric not in (
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


def _non_regular_kind(mode):
    """What a non-regular file is ("a FIFO", ...), or None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    kinds = (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISSOCK, "a socket"),
    )
    return next((kind for test, kind in kinds if test(mode)), "not a regular file")


def _destination(path):
    """The file a write to ``path`` replaces: a symbolic link's final target
    (written through, the link kept), else ``path`` itself."""
    if not os.path.islink(path):
        return path
    target = os.path.realpath(path)
    if not os.path.lexists(target):
        raise FileNotFoundError(
            errno.ENOENT, f"is a symbolic link to a missing file ({target})", path
        )
    return target


def check_output_path(path, *, overwrite=False, image=True):
    """Fail early, before any work, if ``path`` cannot receive the output.

    Checks the directory exists and is writable, that nothing but a regular file
    (or a link to one) is at ``path``, that no file is there unless ``overwrite``
    and, for an image, that the extension names a format Pillow writes.

    Returns
    -------
    destination : str
        The file that will be written: ``path``, or a symbolic link's target.
    """
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise FileNotFoundError(errno.ENOENT, "no such directory", directory)
    destination = path
    if os.path.lexists(path):
        destination = _destination(path)
        kind = _non_regular_kind(os.stat(destination).st_mode)
        if kind == "a directory":
            raise IsADirectoryError(errno.EISDIR, "is a directory", path)
        if kind is not None:
            raise ValueError(
                f"{path}: is {kind}, not a regular file; refusing to write over it."
            )
        if not overwrite:
            raise FileExistsError(errno.EEXIST, "already exists", path)
        directory = os.path.dirname(os.path.abspath(destination))
    if not os.access(directory, os.W_OK | os.X_OK):
        raise PermissionError(errno.EACCES, "cannot write in this directory", directory)
    if image:
        _format_for(path)
    return destination


def check_not_inputs(inputs, outputs):
    """Refuse an output that is also an input (even through a link): the write
    would destroy a file the command still reads, or has just read.

    Parameters
    ----------
    inputs, outputs : sequence of str or path-like
        Every file the command reads, every file it writes.
    """
    read = {_identity(os.fspath(path)): os.fspath(path) for path in inputs}
    written = {}
    for output in outputs:
        output = os.fspath(output)
        identity = _identity(output)
        if identity in read:
            raise ValueError(
                f"{output}: is also an input ({read[identity]}); write the output elsewhere."
            )
        if identity in written:
            raise ValueError(f"{output}: given for two outputs ({written[identity]} too).")
        written[identity] = output


def _identity(path):
    """What tells two names of one file apart from names of different files."""
    try:
        status = os.stat(path)
    except OSError:
        return ("path", os.path.normcase(os.path.realpath(path)))
    return ("inode", status.st_dev, status.st_ino)


# Directories already swept by this process: one scan each, not one per file
# (a batch writes thousands of frames into one directory).
_SWEPT = set()


def _remove_stale_temporaries(directory, name):
    """Remove our temporaries in ``directory`` whose writer is gone (killed,
    crashed): scanned once per process and directory."""
    key = os.path.normcase(os.path.abspath(directory))
    if key in _SWEPT:
        return
    _SWEPT.add(key)
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return
    names = {entry.name for entry in entries}
    now = time.time()
    for entry in entries:
        if not (entry.name.startswith(".") and entry.name.endswith(".tmp")):
            continue
        stem = entry.name[1 : -len(".tmp")]
        target, _, tag = stem.rpartition(".")
        owner = target.rpartition(".")[2]
        try:
            age = now - entry.stat(follow_symlinks=False).st_mtime
        except OSError:
            continue
        if owner.startswith(_TEMP_TAG) and owner[len(_TEMP_TAG) :].isdigit():
            pid = int(owner[len(_TEMP_TAG) :])
            stale = pid != os.getpid() and (age > _STALE_SECONDS or not _is_running(pid))
        else:
            # ".NAME.XXXXXXXX.tmp" of an older version (no pid in the name): only
            # next to its output (or the one written now), and only by its age.
            stale = (
                len(tag) == 8
                and (target == name or target in names)
                and age > _STALE_SECONDS
            )
        if stale:
            try:
                os.unlink(entry.path)
            except OSError:
                pass


def _is_running(pid):
    if os.name != "posix":
        return True  # no cheap test: rely on the age alone
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # alive, another user's
    return True


@contextmanager
def atomic_path(path, *, overwrite=False):
    """A temporary path next to ``path`` that becomes ``path`` on success.

    Write the file to the yielded path; on leaving the block without an error it
    is moved to ``path`` in one step (a hard link when ``overwrite`` is False, so
    a file created meanwhile by someone else is not replaced either). On an error
    or Ctrl-C the temporary file is removed and ``path`` is untouched. Only a
    regular file is ever replaced; a symbolic link is written through (its
    target is replaced, the link stays).

    Raises
    ------
    FileExistsError
        If ``path`` exists and ``overwrite`` is False.
    ValueError
        If ``path`` is a device, FIFO or socket (or a link to one).
    """
    path = os.fspath(path)
    destination = check_output_path(path, overwrite=overwrite, image=False)
    directory = os.path.dirname(os.path.abspath(destination))
    name = os.path.basename(destination)
    _remove_stale_temporaries(directory, name)
    try:
        handle, temporary = tempfile.mkstemp(
            dir=directory, prefix=f".{name}.{_TEMP_TAG}{os.getpid()}.", suffix=".tmp"
        )
    except OSError as error:
        # Name the directory, not the hidden temporary nobody asked for.
        raise type(error)(
            error.errno, f"cannot create a file in this directory ({error.strerror})", directory
        ) from None
    os.close(handle)
    try:
        yield temporary
        # mkstemp makes the file private (0600); give it an ordinary file's mode.
        mode = os.stat(destination).st_mode & 0o777 if os.path.exists(destination) else 0o644
        os.chmod(temporary, mode)
        if overwrite:
            # Checked again: something may have appeared there during the work.
            check_output_path(path, overwrite=True, image=False)
            os.replace(temporary, destination)
        else:
            _link_new(temporary, destination)
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


def check_image_format(path, dtype, n_channels):
    """Fail if the format of ``path``'s extension cannot hold such an image.

    Run it as soon as the image's dtype is known (after reading the input),
    before the work whose result could not be written.

    Returns
    -------
    file_format : str
        Pillow's name of the format (``"PNG"``, ``"TIFF"``, ...).
    """
    path = os.fspath(path)
    file_format = _format_for(path)
    sixteen_bit = np.dtype(dtype) == np.uint16
    is_color = n_channels >= 3
    if file_format != "TIFF" and sixteen_bit and is_color:
        raise ValueError(
            f"{path}: {file_format} cannot hold a 16-bit colour image here (Pillow "
            "writes 16-bit colour only as TIFF); use a .tif file name."
        )
    if file_format == "JPEG" and (sixteen_bit or n_channels == 4):
        what = "16-bit values" if sixteen_bit else "an alpha channel"
        raise ValueError(f"{path}: JPEG cannot hold {what}; use .png or .tif.")
    return file_format


@contextmanager
def terminate_as_interrupt():
    """Within the block, SIGTERM and SIGHUP raise :class:`Terminated` (a
    KeyboardInterrupt) like Ctrl-C does, so that temporary files are removed.

    Only in the main thread (elsewhere signals cannot be handled); the previous
    handlers come back on leaving.
    """
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):
        raise Terminated(signum)

    previous = {}
    for name in ("SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is not None:
            previous[number] = signal.signal(number, handler)
    try:
        yield
    finally:
        for number, old in previous.items():
            signal.signal(number, old)


class Terminated(KeyboardInterrupt):
    """SIGTERM / SIGHUP, raised where Ctrl-C's KeyboardInterrupt would be."""

    def __init__(self, signum):
        super().__init__(signum)
        self.signum = signum


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
    n_channels = image.shape[-1] if image.ndim == 3 else 1
    file_format = check_image_format(path, image.dtype, n_channels)
    is_color = image.ndim == 3
    sixteen_bit = image.dtype == np.uint16
    if file_format == "TIFF" and sixteen_bit and is_color:
        import tifffile

        def save(target):
            tifffile.imwrite(target, image, photometric="rgb", compression="zlib")

    else:
        pillow_image = Image.fromarray(image)
        options = {"quality": _JPEG_QUALITY} if file_format in ("JPEG", "WEBP") else {}

        def save(target):
            pillow_image.save(target, format=file_format, **options)

    with atomic_path(path, overwrite=overwrite) as temporary:
        save(temporary)
