"""Camera RAW files (DNG, CR2, CR3, NEF, ARW, ...) developed by rawpy (LibRaw),
the optional ``skcolorot[raw]`` extra: camera white balance, 16 bits per
sample, sRGB primaries and transfer curve, the camera's orientation applied.
"""

__all__ = ["raw_exif", "read_raw"]

# dcraw's "-g 2.4 12.92": the sRGB transfer curve (LibRaw's default is BT.709's).
_SRGB_GAMMA = (2.4, 12.92)


def read_raw(path):
    """Develop a camera RAW file into a uint16 (H, W, 3) sRGB array.

    Raises
    ------
    ImportError
        Without rawpy, naming the extra that installs it.
    ValueError
        If LibRaw cannot read the file (damaged, or a camera it does not know).
    """
    try:
        import rawpy
    except ImportError:
        raise ImportError(
            f'{path}: camera RAW files need rawpy: pip install "skcolorot[raw]"'
        ) from None
    try:
        with rawpy.imread(path) as raw:
            return raw.postprocess(
                use_camera_wb=True,
                output_bps=16,
                output_color=rawpy.ColorSpace.sRGB,
                gamma=_SRGB_GAMMA,
                no_auto_bright=True,  # the exposure the photographer chose
            )
    except (rawpy.LibRawError, OSError, ValueError) as error:
        detail = error.args[0] if error.args else type(error).__name__
        if isinstance(detail, bytes):  # LibRaw's messages arrive as bytes
            detail = detail.decode("utf-8", "replace")
        detail = " ".join(str(detail).split())
        raise ValueError(f"{path}: cannot develop the RAW file ({detail}).") from None


# The camera's description in the first directory of a TIFF-based RAW file.
_CAMERA_TAGS = (271, 272, 305, 306, 315, 33432)  # Make, Model, Software, DateTime, ...
_EXIF_IFD = 0x8769


def raw_exif(path):
    """EXIF bytes of a TIFF-based RAW file (DNG, CR2, NEF, ARW) that Pillow
    cannot open (its pixels are a colour mosaic): the camera's tags of the first
    directory and the EXIF directory; None when there are none, or for other
    formats (CR3, RAF)."""
    try:
        import tifffile
        from PIL import Image

        with tifffile.TiffFile(path) as tiff:
            tags = tiff.pages[0].tags
            exif = Image.Exif()
            for code in _CAMERA_TAGS:
                if code in tags and isinstance(tags[code].value, str):
                    exif[code] = tags[code].value
            sub = tags[_EXIF_IFD].value if _EXIF_IFD in tags else {}
            if isinstance(sub, dict) and sub:
                ifd = exif.get_ifd(_EXIF_IFD)
                for name, value in sub.items():
                    code = tifffile.TIFF.TAGS.get(name)
                    if isinstance(code, int) and isinstance(value, (str, int, float)):
                        ifd[code] = value
            return exif.tobytes() if len(exif) or exif.get_ifd(_EXIF_IFD) else None
    except Exception:  # noqa: BLE001 - metadata is a courtesy: none rather than an error
        return None
