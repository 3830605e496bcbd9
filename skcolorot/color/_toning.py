"""Toning a grayscale image with the colours of a reference.

A gray image has no colour distribution to transport: every pixel lies on the
gray axis, and a colour map fitted on it is undefined off that axis. What a
colour reference can still give it is a *toning*, the way a print is sepia- or
split-toned. The map, in CIELab:

1. **lightness** - the source's L* is matched to the reference's L* histogram
   (monotone quantile mapping, so the tonal order of the photograph is kept);
2. **colour for each lightness** - the reference's pixels are binned by L*, and
   every output pixel takes the mean a*, b* of the reference's pixels of its
   (matched) lightness, interpolated between bins and held constant beyond the
   darkest and lightest bins.

Shadows thus take the colour of the reference's shadows and highlights that of
its highlights (a split tone when the two differ). ``t`` blends the lightness
towards the matched one and scales the chroma, from 0 (the gray source) to 1.
"""

import numpy as np

from .._utils._dtypes import unit_scale

__all__ = ["tone_grayscale"]

_N_BINS = 64  # lightness bins over [0, 100]: a smooth tone curve, no banding
_N_SAMPLES = 100_000  # reference pixels used; enough for stable bin means


def _as_unit_float(image, name):
    image = np.asarray(image)
    if image.dtype == np.uint8 or image.dtype == np.uint16:
        return image / unit_scale(image.dtype), image.dtype
    if image.dtype.kind == "f":
        if not np.all(np.isfinite(image)):
            raise ValueError(f"{name} contains NaN or infinity.")
        return np.clip(image.astype(np.float64), 0, 1), image.dtype
    raise TypeError(f"{name} must be uint8, uint16 or float, got {image.dtype}.")


def tone_grayscale(source, reference, *, t=1.0, random_state=0):
    """Tone a grayscale image with a colour reference (see the module notes).

    Parameters
    ----------
    source : ndarray of shape (H, W), (H, W, 1), (H, W, 3) or (H, W, 4)
        The gray image (RGB with equal channels, or 2-D); uint8, uint16 or float
        in [0, 1]. A colour image is reduced to the mean of its channels first.
        A fourth channel (alpha) is kept.
    reference : ndarray of shape (h, w, 3) or (h, w, 4)
        The colour image whose toning to take (alpha ignored).
    t : float in [0, 1] or None, default=1.0
        Strength; None means 1.
    random_state : int or None, default=0
        Draws the reference sample when it has more than 100 000 pixels.

    Returns
    -------
    toned : ndarray of shape (H, W, 3) or (H, W, 4)
        RGB (sRGB) in the source's dtype.

    Examples
    --------
    >>> import numpy as np
    >>> gray = np.tile(np.linspace(0, 255, 64).astype(np.uint8), (8, 1))
    >>> warm = np.zeros((8, 64, 3), dtype=np.uint8)
    >>> warm[...] = np.linspace(0, 1, 64)[:, None] * [255, 200, 140]
    >>> toned = tone_grayscale(gray, warm)
    >>> toned.shape, toned.dtype
    ((8, 64, 3), dtype('uint8'))
    >>> bool(toned[4, 40, 0] > toned[4, 40, 2])  # warm: more red than blue
    True
    """
    from skimage import color

    t = 1.0 if t is None else float(t)
    if not 0.0 <= t <= 1.0:
        raise ValueError(f"t must be in [0, 1], got {t}.")
    gray, dtype = _as_unit_float(source, "source")
    alpha = None
    if gray.ndim == 3:
        if gray.shape[-1] not in (1, 3, 4):
            raise ValueError(f"source must have 1, 3 or 4 channels, got {gray.shape[-1]}.")
        if gray.shape[-1] == 4:
            alpha = np.asarray(source)[..., 3:]
        gray = gray[..., 0] if gray.shape[-1] == 1 else gray[..., :3].mean(axis=-1)
    elif gray.ndim != 2:
        raise ValueError(f"source must be an image (H, W) or (H, W, C), got {gray.shape}.")
    ref, _ = _as_unit_float(reference, "reference")
    if ref.ndim != 3 or ref.shape[-1] not in (3, 4) or ref.shape[0] * ref.shape[1] < 2:
        raise ValueError(f"reference must be an RGB(A) image, got shape {ref.shape}.")
    ref = ref[..., :3].reshape(-1, 3)
    if len(ref) > _N_SAMPLES:
        rng = np.random.default_rng(random_state)
        ref = ref[rng.choice(len(ref), _N_SAMPLES, replace=False)]
    ref_lab = color.rgb2lab(ref[np.newaxis])[0]

    # 1. lightness: quantile mapping of the source's L* onto the reference's
    lightness = color.rgb2lab(np.repeat(gray[..., np.newaxis], 3, axis=-1))[..., 0]
    levels, inverse, counts = np.unique(lightness, return_inverse=True, return_counts=True)
    quantiles = (np.cumsum(counts) - 0.5 * counts) / counts.sum()
    matched_levels = np.quantile(ref_lab[:, 0], quantiles)
    matched = matched_levels[inverse.reshape(lightness.shape)]
    out_l = (1 - t) * lightness + t * matched

    # 2. mean chroma of the reference for each lightness
    edges = np.linspace(0.0, 100.0, _N_BINS + 1)
    bins = np.clip(np.digitize(ref_lab[:, 0], edges) - 1, 0, _N_BINS - 1)
    counts = np.bincount(bins, minlength=_N_BINS)
    filled = counts > 0
    centres = np.bincount(bins, ref_lab[:, 0], _N_BINS)[filled] / counts[filled]
    mean_a = np.bincount(bins, ref_lab[:, 1], _N_BINS)[filled] / counts[filled]
    mean_b = np.bincount(bins, ref_lab[:, 2], _N_BINS)[filled] / counts[filled]
    out_a = t * np.interp(out_l, centres, mean_a)
    out_b = t * np.interp(out_l, centres, mean_b)

    rgb = np.clip(color.lab2rgb(np.stack([out_l, out_a, out_b], axis=-1)), 0, 1)
    if dtype.kind == "u":
        rgb = np.round(rgb * unit_scale(dtype)).astype(dtype)
    else:
        rgb = rgb.astype(dtype)
    return rgb if alpha is None else np.concatenate([rgb, alpha.astype(dtype)], axis=-1)
