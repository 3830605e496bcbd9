"""Shared pieces of the artefact measures: their report (``Bunch``), image checks,
a fast float32 CIELab, Gaussian gradients and block reductions.

Everything works in float32 on whole images: at 1 MP one measure must stay well
under a second, and the benchmark calls several per result. An image is wrapped
once as :class:`Prepared`, whose derived planes (Lab, gradients) are computed on
first use and shared by every measure that needs them.
"""

from functools import cached_property

import numpy as np

from .._utils._filters import reflected_gaussian

__all__ = ["Bunch", "Prepared", "prepare", "check_pair", "block_view", "grid_repeat"]


class Bunch(dict):
    """A measure's report: a dict whose keys read as attributes too
    (``report.score``, ``report["score"]``), as scikit-learn's ``Bunch`` - here
    so that ``method="auto"``'s split measure does not import scikit-learn (~2.5 s)."""

    def __init__(self, **fields):
        super().__init__(fields)

    def __getattr__(self, key):
        try:
            return self[key]
        except KeyError:
            raise AttributeError(key) from None

    def __setattr__(self, key, value):
        self[key] = value

    def __dir__(self):
        return list(self.keys())


# sRGB (D65) -> XYZ, rows divided by the D65 white so that Lab needs no further scaling.
_RGB_TO_XYZ = np.array(
    [
        [0.4124564, 0.3575761, 0.1804375],
        [0.2126729, 0.7151522, 0.0721750],
        [0.0193339, 0.1191920, 0.9503041],
    ],
    dtype=np.float64,
)
_WHITE = np.array([0.95047, 1.0, 1.08883])
_RGB_TO_XYZN = (_RGB_TO_XYZ / _WHITE[:, None]).astype(np.float32)
_DELTA = 6 / 29
# uint8 -> linear light: a table beats the power law on a megapixel.
_LINEAR_TABLE = None


def _linear_table():
    global _LINEAR_TABLE
    if _LINEAR_TABLE is None:
        c = np.arange(256, dtype=np.float64) / 255
        _LINEAR_TABLE = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4).astype(
            np.float32
        )
    return _LINEAR_TABLE


def _as_rgb(image, name):
    """``image`` as an (H, W, 3) array: uint8 kept (read through a table), anything
    else float32 in [0, 1]."""
    if isinstance(image, Prepared):
        return image
    array = np.asarray(image)
    if array.ndim != 3 or array.shape[-1] not in (3, 4):
        raise ValueError(f"{name} must be an (H, W, 3) RGB image, got shape {array.shape}.")
    array = array[..., :3]
    if min(array.shape[:2]) < 8:
        raise ValueError(f"{name} must be at least 8x8 pixels, got {array.shape[:2]}.")
    if array.dtype == np.uint8:
        return array
    if array.dtype == np.uint16:
        return (array / np.float32(65535)).astype(np.float32)
    if array.dtype.kind not in "fiub":
        raise TypeError(f"{name} must be a numeric image, got dtype {array.dtype}.")
    array = array.astype(np.float32)
    if not np.isfinite(array).all():
        raise ValueError(f"{name} contains NaN or infinite values.")
    return np.clip(array, 0.0, 1.0)


def rgb_to_lab(rgb):
    """sRGB (uint8, or float in [0, 1]) -> CIELab (D65), float32, shape kept.

    Written here rather than skimage's ``rgb2lab`` because the measures convert
    every image of a benchmark run several times: on a 1 MP uint8 image this
    takes 0.10 s against 0.31 s, within 0.005 ΔE of it.
    """
    if rgb.dtype == np.uint8:
        linear = _linear_table()[rgb]
    else:
        c = rgb.astype(np.float32, copy=False)
        linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    xyz = linear.reshape(-1, 3) @ _RGB_TO_XYZN.T
    f = np.cbrt(xyz)
    low = xyz <= _DELTA**3  # the linear toe (near black): few pixels, patched in place
    if low.any():
        f[low] = xyz[low] * np.float32(1 / (3 * _DELTA**2)) + np.float32(4 / 29)
    lab = np.empty_like(f)
    lab[:, 0] = 116 * f[:, 1] - 16
    lab[:, 1] = 500 * (f[:, 0] - f[:, 1])
    lab[:, 2] = 200 * (f[:, 1] - f[:, 2])
    return lab.reshape(rgb.shape)


def blur(planes, sigma):
    """Gaussian blur over the two image axes of an (H, W) or (H, W, C) array.

    method="auto"'s thumbnails (at most 384 px a side) are blurred by the numpy
    filter, the same numbers as scipy's at 3x its time (20 against 6 ms) and far
    under scipy.ndimage's import; the benchmarks' measures at 1:1 pay the
    import once (:func:`skcolorot._utils._filters.reflected_gaussian`)."""
    if sigma <= 0:
        return planes
    sigmas = (sigma, sigma) + (0,) * (planes.ndim - 2)
    return reflected_gaussian(planes, sigmas, truncate=3.0)


def gradient_magnitude(planes):
    """Colour gradient magnitude (per pixel, summed over channels): ΔE per pixel
    when ``planes`` is Lab."""
    gy, gx = np.gradient(planes, axis=(0, 1))
    squared = gx * gx + gy * gy
    if squared.ndim == 3:
        squared = squared.sum(axis=-1)
    return np.sqrt(squared)


class Prepared:
    """One image and the planes the measures derive from it, each computed once."""

    def __init__(self, image, name="image"):
        self.rgb = _as_rgb(image, name)
        self.shape = self.rgb.shape[:2]

    @cached_property
    def lab(self):
        return rgb_to_lab(self.rgb)

    @cached_property
    def lightness(self):
        return np.ascontiguousarray(self.lab[..., 0])

    @cached_property
    def chroma(self):
        return np.hypot(self.lab[..., 1], self.lab[..., 2])

    def smooth_lab(self, sigma):
        key = ("smooth_lab", sigma)
        cache = self.__dict__.setdefault("_cache", {})
        if key not in cache:
            cache[key] = blur(self.lab, sigma)
        return cache[key]

    def gradient(self, sigma=1.0):
        """ΔE per pixel of the Lab image blurred by ``sigma``."""
        key = ("gradient", sigma)
        cache = self.__dict__.setdefault("_cache", {})
        if key not in cache:
            cache[key] = gradient_magnitude(self.smooth_lab(sigma))
        return cache[key]


def prepare(image, name="image"):
    """``image`` wrapped as :class:`Prepared` (a Prepared passes through)."""
    return image if isinstance(image, Prepared) else Prepared(image, name)


def check_pair(source, result):
    """The two images as :class:`Prepared`, with the same height and width."""
    src, out = prepare(source, "source"), prepare(result, "result")
    if src.shape != out.shape:
        raise ValueError(
            f"source and result must have the same height and width, got {src.shape} "
            f"and {out.shape}."
        )
    return src, out


def block_view(planes, block, step=1):
    """Non-overlapping ``block`` x ``block`` tiles of ``planes`` (the bottom and right
    remainders dropped), every ``step``-th pixel: shape (rows, cols, n_pixels, ...)."""
    rows, cols = planes.shape[0] // block, planes.shape[1] // block
    tail = planes.shape[2:]
    tiles = planes[: rows * block, : cols * block].reshape(rows, block, cols, block, *tail)
    tiles = tiles[:, ::step, :, ::step]
    tiles = np.moveaxis(tiles, 2, 1)
    return tiles.reshape(rows, cols, -1, *tail)


def grid_repeat(values, block, shape, fill=0.0):
    """A per-block (rows, cols) array as a per-pixel map of ``shape`` (remainders: ``fill``)."""
    full = np.full(shape, fill, dtype=np.float32)
    upsampled = np.repeat(np.repeat(values, block, axis=0), block, axis=1)
    full[: upsampled.shape[0], : upsampled.shape[1]] = upsampled
    return full
