"""Regrain in-memory images with validated parameters.

Checks the two images (shapes, dtypes, range), then regrains each image of a
batch: the guided filter on the coarse grid, its coefficients upsampled and
applied row block by row block, in row strips with the filter's halo for large
images so that the temporaries stay bounded; Pitié's solver on the whole
frame; or the clean method (one table of the mapped colours, applied to the
source's edge-preserving base). The output has the mapped image's dtype and
alpha channel. Parameters are validated by the public
:func:`skcolorot.regrain` and :class:`skcolorot.Regrainer`, not here.
"""

import numpy as np

from ..._utils._dtypes import INTEGER_SCALES
from ..._utils._input import check_colors, check_unit_range, is_dask_array
from ._guided import coarse_grid, guide_planes, guided_coefficients
from ._halo import regrain_halo
from ._pitie import pitie
from ._resample import Upsampler, block_rows, downsample_image, planar

# Pixels per row strip of the guided filter. Whole-image temporaries came to ~17x
# a 12 MP uint8 image (tracemalloc); strips with the filter's halo give the same
# result with temporaries bounded by the strip.
_STRIP_PIXELS = 1 << 21


def _encode_into(values, out, scale):
    """Clip planar float colours to [0, 1] and write them into interleaved ``out``."""
    if scale:
        values *= np.float32(scale)
        np.clip(values, 0, scale, out=values)
        np.rint(values, out=values)
    else:
        np.clip(values, 0, 1, out=values)
    out[...] = np.moveaxis(values, 0, -1)


def _regrain_one(src, mapped, out, n_channels, params):
    """Regrain one (H, W, C) image into the colour channels ``out`` (H, W, n_channels)."""
    if params["method"] == "clean":
        _clean_one(src, mapped, out, n_channels)
        return
    depth, alignment = regrain_halo(**params)
    height, width = src.shape[:2]
    rows = max(alignment, _STRIP_PIXELS // max(width, 1) // alignment * alignment)
    if depth is None or height <= rows + 2 * depth:
        _regrain_strip(src, mapped, out, n_channels, params)
        return
    # Strips start on the coarse grid (rows and depth are multiples of it), so
    # each sees the coarse pixels the whole image would: identical output.
    for start in range(0, height, rows):
        stop = min(start + rows, height)
        low, high = max(0, start - depth), min(height, stop + depth)
        strip_out = np.empty((high - low, width, n_channels), out.dtype)
        _regrain_strip(src[low:high], mapped[low:high], strip_out, n_channels, params)
        out[start:stop] = strip_out[start - low : stop - low]


def _clean_one(src, mapped, out, n_channels):
    """``method="clean"``: the colours of ``mapped`` as one table, applied to the
    source as the default look applies its own (:mod:`skcolorot.image._clean`)."""
    from .._clean import clean_regrain

    if n_channels != 3:
        raise ValueError(
            f"method='clean' regrains colour images (3 channels); got {n_channels}. "
            "Use method='guided' for other images."
        )
    source_data = check_colors(src, "source")
    result = clean_regrain(source_data, mapped[..., :n_channels])[..., :n_channels]
    values = planar(result, INTEGER_SCALES.get(result.dtype))
    _encode_into(values, out, INTEGER_SCALES.get(out.dtype))


def _regrain_strip(src, mapped, out, n_channels, params):
    """Regrain a whole (H, W, C) image or strip into ``out`` (H, W, n_channels)."""
    src_scale = INTEGER_SCALES.get(src.dtype)
    map_scale = INTEGER_SCALES.get(mapped.dtype)
    out_scale = INTEGER_SCALES.get(out.dtype)
    src = src[..., :n_channels]
    mapped = mapped[..., :n_channels]
    height, width = src.shape[:2]
    if params["method"] == "pitie":
        result = pitie(planar(src, src_scale), planar(mapped, map_scale), params["smoothness"])
        for start in range(0, height, block_rows(width)):
            stop = min(start + block_rows(width), height)
            _encode_into(result[:, start:stop], out[start:stop], out_scale)
        return

    factor, radius = coarse_grid(params["radius"], params["subsample"])
    guide = params["guide"]
    # Box-downsampling is linear, so the coarse difference map is the difference of
    # the coarse images.
    u_low = downsample_image(src, src_scale, factor)
    diff_low = downsample_image(mapped, map_scale, factor)
    diff_low -= u_low
    coef = guided_coefficients(
        guide_planes(u_low, guide), diff_low, radius, params["eps"], params["n_iter"]
    )
    k = coef.shape[0] - 1
    upsampler = Upsampler(coef.reshape(-1, *coef.shape[2:]), factor, height, width)
    step = block_rows(width)
    for start in range(0, height, step):
        stop = min(start + step, height)
        block = upsampler.block(start, stop).reshape(k + 1, n_channels, stop - start, width)
        u = planar(src[start:stop], src_scale)
        values = u + block[k]
        for i, plane in enumerate(guide_planes(u, guide)):
            values += plane * block[i]
        _encode_into(values, out[start:stop], out_scale)


def check_image(X, name):
    """``X`` as an array of 3 or 4 dimensions (an image or a batch of images)."""
    # A dask array is checked by its shape only: np.asarray would compute it.
    array = X if is_dask_array(X) else np.asarray(X)
    if array.ndim not in (3, 4):
        if array.ndim == 2:
            hint = (
                " (n_samples, n_features) samples have no pixel neighbourhoods to filter; "
                "regraining works on images only. For a grayscale image pass "
                "image[..., np.newaxis]."
            )
        else:
            hint = ""
        raise ValueError(
            f"{name} must be an image (H, W, C) or a batch of images (N, H, W, C); "
            f"got an array of shape {array.shape}.{hint}"
        )
    return array


def regrain_arrays(source, mapped, params):
    """Regrain in-memory ``mapped`` guided by ``source`` (images or batches of them).

    ``params`` holds every parameter of :func:`skcolorot.regrain`, already validated.
    """
    source = check_image(source, "source")
    mapped = check_image(mapped, "mapped")
    out_dtype = mapped.dtype
    src = check_colors(source, "source", min_pixels=1)
    dst = check_colors(mapped, "mapped", n_channels=src.n_channels, min_pixels=1)
    if source.shape[:-1] != mapped.shape[:-1]:
        raise ValueError(
            "source and mapped must have the same image size: mapped must be the "
            f"transport's output for source; got shapes {source.shape} and {mapped.shape}."
        )
    check_unit_range(src)
    out = np.empty(dst.shape, dtype=dst.dtype)
    n_channels = src.n_channels
    if dst.has_alpha:
        out[..., n_channels:] = dst.array[..., n_channels:]
    if source.ndim == 3:
        _regrain_one(src.array, dst.array, out[..., :n_channels], n_channels, params)
    else:
        for i in range(source.shape[0]):
            _regrain_one(src.array[i], dst.array[i], out[i, ..., :n_channels], n_channels, params)
    return out.astype(out_dtype, copy=False)
