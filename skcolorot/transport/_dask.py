"""Lazy, block-by-block application of fitted transports to ``dask.array.Array``
inputs (the ``skcolorot[dask]`` extra).

Colour transport is a per-pixel map, so every block of an image (or of an
``(n, d)`` sample array) is mapped on its own with ``dask.array.map_blocks``; the
grade is fixed at fit (one table for colours), so a dask result equals the
in-memory one.

Nothing here imports dask at package import time: :class:`BaseTransport`
dispatches here only when it is given a dask array.
"""

import dask
import dask.array as da
import numpy as np
from .._utils._compat import _check_feature_names
from .._utils._input import split_alpha, working_dtype

__all__ = ["transform_dask"]


def _check_dask_colors(X, n_channels):
    """Validate what can be checked without computing: ndim, dtype, channels.

    Returns the array with the dtype the in-memory path would use. Values (NaN,
    infinities) are checked per block at compute time by the in-memory code.
    """
    working = working_dtype(X.dtype, X.shape, "X")
    if any(np.isnan(size) for size in X.shape):
        raise ValueError(
            "X has unknown chunk sizes; call X.compute_chunk_sizes() first."
        )
    if X.size == 0:
        raise ValueError(f"X is empty (shape {X.shape}); it needs data.")
    if working != X.dtype:
        X = X.astype(working)
    split_alpha(X.shape[-1], n_channels, X.ndim >= 3, "X")
    return X


def _transform_block(block, estimator, inverse):
    # The block is a plain ndarray: no TransportedArray (no guide reference) and
    # nothing dask-specific reaches the estimator.
    return np.asarray(estimator._apply(block, inverse))


def transform_dask(estimator, X, *, inverse=False):
    """Map a dask array with a fitted transport, lazily and block by block.

    Called by ``transform`` / ``inverse_transform`` of every transport when ``X``
    is a ``dask.array.Array``; use those rather than this function.

    Parameters
    ----------
    estimator : BaseTransport
        A fitted transport (shipped once per graph, as one shared task).
    X : dask.array.Array of shape (n_samples, n_features), (H, W, C) or (N, H, W, C)
        Chunked along any leading axes; the channel axis is made a single chunk.
    inverse : bool, default=False
        Apply the inverse map.

    Returns
    -------
    X_new : dask.array.Array
        Same shape, chunks and dtype as ``X`` (with the dtype rules of the
        in-memory ``transform``). For images it carries ``X`` as ``.source``, for a
        following :class:`~skcolorot.Regrainer`.

    Notes
    -----
    Every block is mapped by the estimator's in-memory ``transform``: a colour
    grade is one table applied pixel by pixel, so the result equals the
    in-memory ``transform(X.compute())`` whatever the chunks (bit for bit for
    integer images; float results of the exact, table-free path may differ by
    rounding error below ``1e-12``).
    """
    _check_feature_names(estimator, X, reset=False)
    X = _check_dask_colors(X, estimator.n_features_in_)
    if len(X.chunks[-1]) > 1:
        X = X.rechunk({X.ndim - 1: -1})

    shared_estimator = dask.delayed(estimator, pure=True, traverse=False)
    result = da.map_blocks(
        _transform_block,
        X,
        shared_estimator,
        inverse,
        dtype=X.dtype,
        meta=np.empty((0,) * X.ndim, dtype=X.dtype),
        token=f"{type(estimator).__name__.lower()}-{'inverse' if inverse else 'transform'}",
    )
    if X.ndim >= 3:
        # The guide of a following Regrainer, as TransportedArray.source in memory.
        result.source = X
    return result
