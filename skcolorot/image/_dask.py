"""Lazy regrain of ``dask.array.Array`` images (the ``skcolorot[dask]`` extra).

Regraining filters a neighbourhood, so it runs with ``dask.array.map_overlap``
and a halo as wide as the filter reaches. Nothing here imports dask at package
import time: the Regrainer dispatches here only when it is given a dask array.
"""


import dask.array as da
import numpy as np

from ._regrain import regrain_arrays, regrain_halo

__all__ = ["regrain_dask", "regrain_halo"]


def _aligned_chunks(chunks, length, depth, alignment):
    """Chunks along one spatial axis: multiples of ``alignment``, none below ``depth``."""
    size = max(max(chunks), depth, alignment)
    size = -(-size // alignment) * alignment
    if size >= length:
        return (length,)
    sizes = [size] * (length // size)
    rest = length - size * len(sizes)
    if rest:
        if rest < depth:
            sizes[-1] += rest  # a short last block could not hold the halo
        else:
            sizes.append(rest)
    return tuple(sizes)


def _regrain_block(source, mapped, params):
    return np.asarray(regrain_arrays(source, mapped, params))


def regrain_dask(source, mapped, params):
    """Regrain dask images lazily: :func:`skcolorot.regrain` with a halo per block.

    Parameters
    ----------
    source : dask.array.Array or ndarray of shape (H, W, C) or (N, H, W, C)
        The image(s) before colour transfer (the guide).
    mapped : dask.array.Array or ndarray of the same image size
        The transport's output for ``source`` (alpha channel allowed).
    params : dict
        Every parameter of :func:`skcolorot.regrain` (``method``, ``radius``,
        ``eps``, ``guide``, ``n_iter``, ``subsample``, ``smoothness``), already
        validated: :func:`skcolorot.regrain` and :class:`~skcolorot.Regrainer`
        call this with theirs.

    Returns
    -------
    regrained : dask.array.Array
        Shape, chunks (on the frame axis) and dtype of ``mapped``.

    Notes
    -----
    The guided filter (``method="guided"``) runs with ``dask.array.map_overlap``
    on the spatial axes only, with the halo of :func:`regrain_halo` and no
    padding at the image borders, so each block sees what the whole-image filter
    sees. Spatial chunks are re-aligned to the filter's coarse grid (and made at
    least one halo wide). The result equals the in-memory :func:`regrain` to
    float32 rounding (at most one level for integer images, and rarely that).
    ``method="pitie"`` reaches across the whole frame, so each frame is one block.

    Examples
    --------
    >>> import dask.array as da
    >>> import numpy as np
    >>> from skcolorot import regrain
    >>> src = np.random.default_rng(0).random((64, 64, 3))
    >>> lazy = regrain(da.from_array(src, chunks=32), np.clip(src + 0.1, 0, 1))
    >>> lazy.compute().shape
    (64, 64, 3)
    """
    if not isinstance(mapped, da.Array):
        mapped = da.from_array(np.asarray(mapped), chunks=getattr(source, "chunks", "auto"))
    if not isinstance(source, da.Array):
        source = da.from_array(np.asarray(source), chunks=mapped.chunks[:-1] + (-1,))
    for name, array in (("source", source), ("mapped", mapped)):
        if array.ndim not in (3, 4):
            raise ValueError(
                f"{name} must be an image (H, W, C) or a batch of images (N, H, W, C); "
                f"got a dask array of shape {array.shape}."
            )
    if source.shape[:-1] != mapped.shape[:-1]:
        raise ValueError(
            "source and mapped must have the same image size: mapped must be the "
            f"transport's output for source; got shapes {source.shape} and {mapped.shape}."
        )

    ndim = mapped.ndim
    spatial = (ndim - 3, ndim - 2)
    depth, alignment = regrain_halo(**params)
    chunks = list(mapped.chunks)
    chunks[-1] = (mapped.shape[-1],)
    for axis in spatial:
        if depth is None:
            chunks[axis] = (mapped.shape[axis],)
        else:
            chunks[axis] = _aligned_chunks(chunks[axis], mapped.shape[axis], depth, alignment)
    mapped = mapped.rechunk(tuple(chunks))
    source = source.rechunk(tuple(chunks[:-1]) + ((source.shape[-1],),))
    meta = np.empty((0,) * ndim, dtype=mapped.dtype)
    if depth is None:
        return da.map_blocks(
            _regrain_block, source, mapped, params, dtype=mapped.dtype, meta=meta,
            token="regrain",
        )
    halo = {axis: 0 for axis in range(ndim)}
    halo.update({axis: depth for axis in spatial})
    return da.map_overlap(
        _regrain_block,
        source,
        mapped,
        depth=halo,
        # No padding at the image border: the block sees the true edge and the
        # filter's own edge handling applies, as for the whole image.
        boundary="none",
        trim=True,
        align_arrays=False,
        params=params,
        dtype=mapped.dtype,
        meta=meta,
        token="regrain",
    )
