"""Colour management: what the numbers of an image file mean, and a common working
space to fit and apply a grade in.

An RGB value means a colour only with a profile: the ICC profile a file embeds
(or the one the user names for an untagged file; sRGB when neither). A source in
Display P3 and a reference in sRGB must be brought into one **working space**
before their colours are compared, or the grade learns the difference of the
encodings instead of that of the looks. The command line therefore converts
every image from its profile to the working space (sRGB by default), fits and
applies the grade there, and converts the result to the output profile (the
source's, unless another is named), which it embeds in the file.

Conversions are relative colorimetric (white maps to white, no gamut
compression; colours outside the target gamut are clipped):

* 8-bit images go through littleCMS (Pillow's :mod:`PIL.ImageCms`), which reads
  every kind of ICC profile;
* 16-bit and float images go through the profiles' matrix and tone curves in
  numpy at float precision (littleCMS through Pillow works on 8 bits only);
  such images need matrix/TRC profiles, which all the usual RGB working spaces
  are (sRGB, Display P3, Adobe RGB, ProPhoto, Rec. 2020 and camera exports).

Named profiles (:data:`PROFILE_NAMES`) are built here as small ICC v2
matrix/TRC profiles from the published primaries, white points and transfer
functions (sRGB is littleCMS's own).
"""

import io
import os
import struct

import numpy as np

from .._utils._dtypes import unit_scale

__all__ = [
    "PROFILE_NAMES",
    "check_profile",
    "convert_profile",
    "is_rgb_profile",
    "load_profile",
    "named_profile",
    "profile_description",
    "same_profile",
]

# Chromaticities (x, y) of the red, green, blue primaries and the white point.
_D65 = (0.3127, 0.3290)
_D50_XY = (0.3457, 0.3585)
_SRGB_PRIMARIES = ((0.64, 0.33), (0.30, 0.60), (0.15, 0.06))


def _srgb_curve(x):
    """IEC 61966-2-1 decoding (encoded -> linear)."""
    return np.where(x <= 0.04045, x / 12.92, ((x + 0.055) / 1.055) ** 2.4)


def _bt709_curve(x):
    """Inverse of the BT.709 / BT.2020 camera curve (encoded -> linear)."""
    return np.where(x < 0.081, x / 4.5, ((x + 0.099) / 1.099) ** (1 / 0.45))


# name -> (description, primaries, white, decoding curve or gamma)
_NAMED = {
    "srgb": ("sRGB IEC61966-2.1", _SRGB_PRIMARIES, _D65, _srgb_curve),
    "display-p3": ("Display P3", ((0.680, 0.320), (0.265, 0.690), (0.150, 0.060)), _D65,
                   _srgb_curve),
    "adobe-rgb": ("Adobe RGB (1998) compatible", ((0.64, 0.33), (0.21, 0.71), (0.15, 0.06)),
                  _D65, 563 / 256),
    "prophoto": ("ProPhoto RGB (ROMM) compatible",
                 ((0.7347, 0.2653), (0.1596, 0.8404), (0.0366, 0.0001)), _D50_XY, 1.8),
    "rec2020": ("Rec. ITU-R BT.2020", ((0.708, 0.292), (0.170, 0.797), (0.131, 0.046)), _D65,
                _bt709_curve),
    "linear-srgb": ("Linear sRGB (scene-linear Rec. 709 primaries)", _SRGB_PRIMARIES, _D65, 1.0),
}
PROFILE_NAMES = tuple(_NAMED)

_ICC_D50 = np.array([0.9642, 1.0, 0.8249])  # the ICC profile connection space white
_BRADFORD = np.array(
    [[0.8951, 0.2664, -0.1614], [-0.7502, 1.7135, 0.0367], [0.0389, -0.0685, 1.0296]]
)
_CURVE_POINTS = 4096  # entries of a sampled tone curve in a profile we write


# ------------------------------------------------------------------ profiles
def _xy_to_xyz(x, y):
    return np.array([x / y, 1.0, (1 - x - y) / y])


def _colorants(primaries, white):
    """RGB -> XYZ (D50-adapted, Bradford) matrix; its columns are rXYZ, gXYZ, bXYZ."""
    primaries_xyz = np.stack([_xy_to_xyz(*xy) for xy in primaries], axis=1)
    white_xyz = _xy_to_xyz(*white)
    matrix = primaries_xyz * np.linalg.solve(primaries_xyz, white_xyz)
    cone_ratio = (_BRADFORD @ _ICC_D50) / (_BRADFORD @ white_xyz)
    adaptation = np.linalg.inv(_BRADFORD) @ np.diag(cone_ratio) @ _BRADFORD
    return adaptation @ matrix


def _s15f16(values):
    return b"".join(struct.pack(">i", int(round(v * 65536))) for v in values)


def _tag_xyz(xyz):
    return b"XYZ \0\0\0\0" + _s15f16(xyz)


def _tag_curve(curve):
    if isinstance(curve, (int, float)):
        gamma = int(round(curve * 256))
        return b"curv\0\0\0\0" + struct.pack(">IH", 1, gamma) + b"\0\0"
    samples = curve(np.linspace(0.0, 1.0, _CURVE_POINTS))
    table = np.round(np.clip(samples, 0, 1) * 65535).astype(">u2").tobytes()
    return b"curv\0\0\0\0" + struct.pack(">I", _CURVE_POINTS) + table


def _tag_desc(text):
    ascii_text = text.encode("ascii") + b"\0"
    # ICC v2 textDescriptionType: ASCII, then empty Unicode and ScriptCode parts.
    return (b"desc\0\0\0\0" + struct.pack(">I", len(ascii_text)) + ascii_text
            + struct.pack(">II", 0, 0) + struct.pack(">HB", 0, 0) + b"\0" * 67)


def _build_profile(description, primaries, white, curve):
    """An ICC v2 display-class RGB matrix/TRC profile, as bytes."""
    matrix = _colorants(primaries, white)
    trc = _tag_curve(curve)
    tags = [
        (b"desc", _tag_desc(description)),
        (b"cprt", b"text\0\0\0\0No copyright, use freely\0"),
        (b"wtpt", _tag_xyz(_ICC_D50)),
        (b"rXYZ", _tag_xyz(matrix[:, 0])),
        (b"gXYZ", _tag_xyz(matrix[:, 1])),
        (b"bXYZ", _tag_xyz(matrix[:, 2])),
        (b"rTRC", trc),
    ]
    offset = 128 + 4 + 12 * (len(tags) + 2)
    table, data = [], b""
    for signature, body in tags:
        table.append(struct.pack(">4sII", signature, offset + len(data), len(body)))
        data += body + b"\0" * (-len(body) % 4)
    trc_entry = table[-1][4:]  # the three channels share one curve
    table += [b"gTRC" + trc_entry, b"bTRC" + trc_entry]
    body = struct.pack(">I", len(table)) + b"".join(table) + data
    header = bytearray(128)
    struct.pack_into(">I4sI4s4s4s", header, 0, 128 + len(body), b"lcms", 0x02100000,
                     b"mntr", b"RGB ", b"XYZ ")
    struct.pack_into(">6H", header, 24, 2026, 1, 1, 0, 0, 0)
    header[36:40] = b"acsp"
    header[68:80] = _s15f16(_ICC_D50)
    return bytes(header) + body


def named_profile(name):
    """The ICC profile (bytes) of a named RGB space.

    Parameters
    ----------
    name : str
        One of :data:`PROFILE_NAMES`: ``"srgb"``, ``"display-p3"``,
        ``"adobe-rgb"``, ``"prophoto"``, ``"rec2020"``, ``"linear-srgb"``
        (case and ``_`` / ``-`` do not matter).

    Returns
    -------
    profile : bytes

    Examples
    --------
    >>> from skcolorot.io._colormanage import named_profile, profile_description
    >>> profile_description(named_profile("display-p3"))
    'Display P3'
    """
    key = str(name).lower().replace("_", "-").replace(" ", "-")
    if key not in _NAMED:
        raise ValueError(
            f"unknown profile name {name!r}; use one of {', '.join(PROFILE_NAMES)} "
            "or the path of an .icc / .icm file."
        )
    if key == "srgb":
        from PIL import ImageCms

        return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    return _build_profile(*_NAMED[key])


def _cms_profile(profile, what="profile"):
    from PIL import ImageCms

    try:
        return ImageCms.ImageCmsProfile(io.BytesIO(profile))
    except (OSError, ImageCms.PyCMSError, TypeError, ValueError) as error:
        raise ValueError(f"{what}: not a valid ICC profile ({error}).") from None


def check_profile(profile, what="profile"):
    """Raise ValueError (naming ``what``) unless littleCMS reads ``profile``."""
    _cms_profile(profile, what)


def load_profile(spec):
    """ICC profile bytes from a profile name, a file path or bytes (checked).

    Parameters
    ----------
    spec : str, path-like or bytes
        A name of :data:`PROFILE_NAMES`, the path of an ``.icc`` / ``.icm`` file,
        or the profile itself.

    Returns
    -------
    profile : bytes

    Raises
    ------
    ValueError
        For an unknown name or data littleCMS cannot read as a profile.
    FileNotFoundError
        For a path that does not exist.
    """
    if isinstance(spec, (bytes, bytearray)):
        profile, what = bytes(spec), "profile"
    else:
        text = os.fspath(spec)
        if os.path.isfile(text):
            with open(text, "rb") as stream:
                profile, what = stream.read(), text
        elif text.lower().endswith((".icc", ".icm")) or os.sep in text:
            raise FileNotFoundError(2, "no such profile file", text)
        else:
            return named_profile(text)
    _cms_profile(profile, what)
    return profile


def profile_description(profile):
    """The profile's own name (its ``desc`` tag), e.g. ``'sRGB IEC61966-2.1'``."""
    from PIL import ImageCms

    return ImageCms.getProfileDescription(_cms_profile(profile)).strip()


def is_rgb_profile(profile):
    """Whether ``profile`` describes RGB data (not gray, CMYK, Lab, ...)."""
    return len(profile) >= 20 and profile[16:20] == b"RGB "


# ------------------------------------------------------ matrix/TRC in numpy
def _tags(profile):
    (count,) = struct.unpack_from(">I", profile, 128)
    tags = {}
    for index in range(count):
        signature, offset, size = struct.unpack_from(">4sII", profile, 132 + 12 * index)
        tags[signature] = profile[offset:offset + size]
    return tags


def _parse_curve(data):
    """A tone curve (``curv`` or ``para``) as a decoding function on [0, 1]."""
    kind = data[:4]
    if kind == b"curv":
        (count,) = struct.unpack_from(">I", data, 8)
        if count == 0:
            return lambda x: x
        if count == 1:
            gamma = struct.unpack_from(">H", data, 12)[0] / 256
            return lambda x: np.power(x, gamma)
        table = np.frombuffer(data, dtype=">u2", count=count, offset=12) / 65535
        nodes = np.linspace(0.0, 1.0, count)
        return lambda x: np.interp(x, nodes, table)
    if kind == b"para":
        (function,) = struct.unpack_from(">H", data, 8)
        n_params = {0: 1, 1: 3, 2: 4, 3: 5, 4: 7}.get(function)
        if n_params is None:
            raise ValueError(f"unknown parametric curve type {function}")
        p = [v / 65536 for v in struct.unpack_from(f">{n_params}i", data, 12)]
        g, a, b, c, d, e, f = (p + [0.0] * 7)[:7] if n_params > 1 else (p[0], 1, 0, 0, 0, 0, 0)

        def decode(x):
            if function == 0:
                return np.power(x, g)
            if function == 1:
                return np.where(x >= -b / a, np.power(np.maximum(a * x + b, 0), g), 0.0)
            if function == 2:
                return np.where(x >= -b / a, np.power(np.maximum(a * x + b, 0), g) + c, c)
            if function == 3:
                return np.where(x >= d, np.power(np.maximum(a * x + b, 0), g), c * x)
            return np.where(x >= d, np.power(np.maximum(a * x + b, 0), g) + e, c * x + f)

        return decode
    raise ValueError(f"unknown tone curve type {kind!r}")


class _MatrixShaper:
    """Decode / encode through a matrix/TRC profile; inverse curves by dense tables."""

    def __init__(self, profile, what):
        try:
            tags = _tags(profile)
            self.matrix = np.stack(
                [np.array(struct.unpack_from(">3i", tags[name], 8)) / 65536
                 for name in (b"rXYZ", b"gXYZ", b"bXYZ")],
                axis=1,
            )
            self.curves = [_parse_curve(tags[name]) for name in (b"rTRC", b"gTRC", b"bTRC")]
        except (KeyError, struct.error, ValueError) as error:
            raise ValueError(
                f"{what}: 16-bit and float images need a matrix/TRC RGB profile; this "
                f"one is not ({error}); convert the file to 8 bits or another profile."
            ) from None
        grid = np.linspace(0.0, 1.0, 65536)
        self._grid = grid
        self._forward = [np.maximum.accumulate(np.clip(c(grid), 0, None)) for c in self.curves]

    def to_xyz(self, rgb):
        linear = np.stack(
            [np.interp(rgb[..., i], self._grid, self._forward[i]) for i in range(3)], axis=-1
        )
        return linear @ self.matrix.T

    def from_xyz(self, xyz):
        linear = np.clip(xyz @ np.linalg.inv(self.matrix).T, 0, None)
        return np.stack(
            [np.interp(linear[..., i], self._forward[i], self._grid) for i in range(3)], axis=-1
        )


# ----------------------------------------------------------------- conversion
def same_profile(a, b):
    """Whether two profiles describe the same encoding (byte-equal, or equal
    colorants and tone curves); None counts as sRGB."""
    if a == b:  # two untagged images (None): no sRGB profile to build, no littleCMS
        return True
    a = a or named_profile("srgb")
    b = b or named_profile("srgb")
    if a == b:
        return True
    try:
        tags_a, tags_b = _tags(a), _tags(b)
        names = (b"rXYZ", b"gXYZ", b"bXYZ", b"rTRC", b"gTRC", b"bTRC")
        if not all(n in tags_a and n in tags_b for n in names):
            return False
        first, second = _MatrixShaper(a, "a"), _MatrixShaper(b, "b")
    except (ValueError, struct.error):
        return False
    return np.allclose(first.matrix, second.matrix, atol=2e-4) and all(
        np.allclose(f, s, atol=2e-4) for f, s in zip(first._forward, second._forward)
    )


def convert_profile(image, source_profile, target_profile):
    """Convert RGB(A) pixels from one ICC profile to another.

    Parameters
    ----------
    image : ndarray of shape (..., 3) or (..., 4)
        ``uint8`` (through littleCMS), ``uint16`` or float in [0, 1] (through the
        profiles' matrices and curves); a fourth (alpha) channel is kept as is.
    source_profile, target_profile : bytes or None
        ICC profiles; None means sRGB.

    Returns
    -------
    converted : ndarray
        Same shape and dtype; out-of-gamut colours clipped to [0, 1].

    Examples
    --------
    >>> import numpy as np
    >>> from skcolorot.io._colormanage import convert_profile, named_profile
    >>> red = np.array([[[255, 0, 0]]], dtype=np.uint8)
    >>> convert_profile(red, None, named_profile("display-p3"))  # sRGB red in P3
    array([[[234,  51,  35]]], dtype=uint8)
    """
    image = np.asarray(image)
    if same_profile(source_profile, target_profile):
        return image
    source_profile = source_profile or named_profile("srgb")
    target_profile = target_profile or named_profile("srgb")
    for profile, what in ((source_profile, "source profile"), (target_profile, "target profile")):
        if not is_rgb_profile(profile):
            raise ValueError(f"{what}: not an RGB profile; only RGB images are converted.")
    rgb, alpha = image[..., :3], image[..., 3:]
    if image.dtype == np.uint8:
        converted = _convert_lcms(rgb, source_profile, target_profile)
    else:
        scale = unit_scale(image.dtype)
        source = _MatrixShaper(source_profile, "source profile")
        target = _MatrixShaper(target_profile, "target profile")
        values = target.from_xyz(source.to_xyz(np.clip(rgb / scale, 0, 1)))
        values = np.clip(values, 0, 1)
        if image.dtype.kind in "iu":
            converted = np.round(values * scale).astype(image.dtype)
        else:
            converted = values.astype(image.dtype)
    return np.concatenate([converted, alpha], axis=-1) if alpha.size else converted


def _convert_lcms(rgb, source_profile, target_profile):
    from PIL import Image, ImageCms

    transform = ImageCms.buildTransform(
        _cms_profile(source_profile, "source profile"),
        _cms_profile(target_profile, "target profile"),
        "RGB",
        "RGB",
        renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
    )
    shape = rgb.shape
    picture = Image.fromarray(np.ascontiguousarray(rgb.reshape(-1, 1, 3)), "RGB")
    return np.asarray(ImageCms.applyTransform(picture, transform)).reshape(shape)
