"""Image files in and out of the working space: read a file, convert it from its
ICC profile to the working space; write a result converted to the output profile,
with the profile and the source's EXIF embedded, at the chosen bit depth.

One :class:`FileIO` holds the choices of a command (working space, profiles for
untagged files, output profile, bit depth, JPEG quality); it is small and
picklable, so that batch workers receive it with the transport.
"""

import warnings
from dataclasses import dataclass

import numpy as np

from .._utils._dtypes import unit_scale
from ._image_read import read_image
from ._image_write import write_image

__all__ = ["FileIO", "Loaded", "color_samples", "is_gray", "read_mask"]


@dataclass(frozen=True)
class Loaded:
    """An image in the working space and what is needed to write its result."""

    pixels: np.ndarray
    profile: bytes | None  # the file's (or assumed) profile; None: untagged sRGB
    exif: bytes | None
    grayscale: bool
    bit_depth: int


@dataclass(frozen=True)
class FileIO:
    """How a command reads and writes image files.

    Parameters
    ----------
    working_profile : bytes or None
        The space grades are fitted and applied in; None is sRGB.
    input_profile : bytes or None
        Assumed for inputs that embed no profile; None is sRGB.
    output_profile : bytes or None
        Profile of the outputs; None keeps each source's (or the assumed) one.
    bit_depth : {None, 8, 16, 32}
        As :func:`skcolorot.io._image_write.write_image`.
    quality : int or None
        JPEG / WebP quality.
    subsampling : str or None
        JPEG chroma subsampling.
    keep_exif : bool
        Copy the source's EXIF block to its output.
    """

    working_profile: bytes | None = None
    input_profile: bytes | None = None
    output_profile: bytes | None = None
    bit_depth: int | None = None
    quality: int | None = None
    subsampling: str | None = None
    keep_exif: bool = True

    def read(self, path, *, assume=None):
        """Read ``path`` into the working space; ``assume`` overrides
        ``input_profile`` for an untagged file (e.g. sRGB for a reference)."""
        from ._colormanage import check_profile, convert_profile, is_rgb_profile

        pixels, info = read_image(path, metadata=True)
        profile = info.icc_profile
        if profile is not None:
            try:
                check_profile(profile, f"{path}: embedded profile")
            except ValueError as error:
                # As colour-managed viewers do: ignore it, say so, read as untagged.
                warnings.warn(f"{error} Read as untagged.", stacklevel=2)
                profile = None
        if profile is not None and not is_rgb_profile(profile):
            if not info.grayscale:
                kind = profile[16:20].decode("latin-1").strip()
                warnings.warn(f"{path}: embedded {kind} profile not used for RGB pixels; "
                              "read as untagged.", stacklevel=2)
            profile = None  # a gray profile of a gray file: its values are kept
        if profile is None:
            profile = assume if assume is not None else self.input_profile
        try:
            working = convert_profile(pixels, profile, self.working_profile)
        except ValueError as error:
            raise ValueError(f"{path}: {error}") from None
        return Loaded(working, profile, info.exif, info.grayscale, info.bit_depth)

    def write(self, path, image, loaded=None, *, overwrite=False, within=None):
        """Write a working-space ``image`` (the result of ``loaded``) to ``path``
        (``within``: the output folder a symbolic link may not lead out of)."""
        from ._colormanage import convert_profile

        target = self.output_profile
        if target is None and loaded is not None:
            target = loaded.profile
        try:
            pixels = convert_profile(np.asarray(image), self.working_profile, target)
        except ValueError as error:
            raise ValueError(f"{path}: {error}") from None
        write_image(
            path,
            pixels,
            overwrite=overwrite,
            bit_depth=self.bit_depth,
            icc_profile=target,
            exif=loaded.exif if (loaded is not None and self.keep_exif) else None,
            quality=self.quality,
            subsampling=self.subsampling,
            within=within,
        )


def is_gray(pixels):
    """Whether every pixel of an RGB(A) image or colour sample lies on the gray
    axis (R = G = B): no colour distribution to fit a grade on."""
    rgb = pixels[..., :3]
    return bool((rgb[..., 0] == rgb[..., 1]).all() and (rgb[..., 1] == rgb[..., 2]).all())


def color_samples(pixels):
    """Pixels as float (n, 3) colour samples: a fit on them clips nothing to [0, 1]."""
    rgb = pixels[..., :3].reshape(-1, 3)
    if rgb.dtype.kind in "iu":
        return rgb / unit_scale(rgb.dtype)
    return rgb.astype(np.float64)


def read_mask(path, shape, what="mask"):
    """A grey-level image file as an (H, W) float mask in [0, 1] (its first
    channel); ``shape`` is the (H, W) of the image it masks, ``what`` names the
    mask in the error."""
    image = read_image(path)
    scale = unit_scale(image.dtype)
    mask = image[..., 0] / scale if image.ndim == 3 else image / scale
    if mask.shape != tuple(shape):
        raise ValueError(
            f"{what} {path}: the mask is {mask.shape[1]}x{mask.shape[0]} pixels, the image "
            f"it masks {shape[1]}x{shape[0]}"
        )
    return mask
