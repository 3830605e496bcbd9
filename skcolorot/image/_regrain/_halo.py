"""How far the regrain filter reaches: the halo of a block and its alignment.

A block of an image regrained with this halo around it, and with borders on the
filter's coarse grid, gives exactly the pixels the whole image would. The row
strips of large images and the blocks of a dask array both rely on it, so the
reach is computed from the same coarse grid the filter runs on
(:func:`~skcolorot.image._regrain._guided.coarse_grid`).
"""

from ._guided import coarse_grid


def regrain_halo(*, method="guided", radius=4, n_iter=2, subsample="auto", **_):
    """How far (in pixels) the regrain filter reaches, and the block alignment it needs.

    Parameters
    ----------
    method, radius, n_iter, subsample
        As in :func:`skcolorot.regrain` (same defaults, checked by a test);
        other parameters do not change the reach.

    Returns
    -------
    depth : int or None
        Halo on each side of a block, in full-resolution pixels; ``None`` for
        ``method="pitie"``, whose multi-scale solver reaches across the whole
        frame (thousands of pixels), so frames are regrained whole.
    alignment : int
        Block borders must fall on multiples of this (the coarse grid of the
        fast guided filter), so a block sees the same coarse pixels as the
        whole image.

    Notes
    -----
    The guided filter runs on a grid ``f`` times coarser (``f = subsample``, or
    ``max(1, radius // 2)`` for ``"auto"``) with a box radius
    ``r = max(1, round(radius / f))``. Each iteration chains two box filters
    (statistics, then coefficients): ``2 r`` coarse pixels; bilinear
    upsampling reads one more coarse pixel when ``f > 1``. So
    ``depth = f (2 r n_iter + 1)`` (``2 r n_iter`` when ``f = 1``); with block
    borders on the coarse grid, a halo one coarse pixel narrower changes the
    result.
    """
    if method in ("pitie", "clean"):
        # Pitié's solver, and the clean method's table fitted on the whole image.
        return None, 1
    factor, coarse_radius = coarse_grid(radius, subsample)
    upsampling = 1 if factor > 1 else 0
    return factor * (2 * coarse_radius * n_iter + upsampling), factor
