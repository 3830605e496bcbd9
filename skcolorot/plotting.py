"""Figures for colour transfers: images side by side with their colour distributions,
and the displacement interpolation ``t`` as a strip.

matplotlib is an optional dependency (``pip install skcolorot[plot]``); it is
imported only when a function here is called.
"""

import copy

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._utils._input import check_colors

__all__ = ["plot_interpolation", "plot_transfer"]

# CIELab chroma plane shown by plot_transfer: a* and b* within +-_AB_LIMIT unless
# the images need more; sRGB colours reach about +-100 at most.
_AB_LIMIT = 60.0
_AB_BINS = 64


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as error:
        raise ImportError(
            "skcolorot.plotting needs matplotlib: pip install skcolorot[plot]"
        ) from error
    return plt


def _display_image(image, name):
    """The array imshow gets: uint8 as is, other dtypes as float RGB(A) in [0, 1]."""
    data = check_colors(image, name)
    if data.array.ndim != 3 or data.n_channels != 3:
        raise ValueError(
            f"{name} must be an RGB or RGBA image of shape (H, W, 3) or (H, W, 4), "
            f"got shape {np.shape(image)}."
        )
    if data.dtype == np.uint8:
        return data.array
    shown = data.array.astype(np.float64)
    if data.is_integer:
        shown = shown / data.scale
    return np.clip(shown, 0.0, 1.0)


def _chroma_histogram(image, extent, n_samples, rng):
    """An RGBA picture of the a*b* histogram: each bin in the mean colour of its
    pixels, opacity growing with the log of its count."""
    from skimage.color import rgb2lab

    rgb = check_colors(image, "image").colors()
    if len(rgb) > n_samples:
        rgb = rgb[rng.choice(len(rgb), n_samples, replace=False)]
    lab = rgb2lab(rgb.reshape(1, -1, 3)).reshape(-1, 3)
    edges = np.linspace(-extent, extent, _AB_BINS + 1)
    # Rows of the picture run over b* (vertical axis), columns over a*.
    counts, _, _ = np.histogram2d(lab[:, 2], lab[:, 1], bins=(edges, edges))
    picture = np.zeros((_AB_BINS, _AB_BINS, 4))
    for channel in range(3):
        sums, _, _ = np.histogram2d(
            lab[:, 2], lab[:, 1], bins=(edges, edges), weights=rgb[:, channel]
        )
        picture[..., channel] = np.divide(sums, counts, out=np.zeros_like(sums), where=counts > 0)
    picture[..., 3] = np.log1p(counts) / np.log1p(counts.max())
    return picture


def _ab_extent(images, n_samples, rng):
    """One symmetric a*b* range for every panel, so that they compare directly."""
    from skimage.color import rgb2lab

    reach = _AB_LIMIT
    for image in images:
        rgb = check_colors(image, "image").colors()
        if len(rgb) > n_samples:
            rgb = rgb[rng.choice(len(rgb), n_samples, replace=False)]
        ab = rgb2lab(rgb.reshape(1, -1, 3)).reshape(-1, 3)[:, 1:]
        reach = max(reach, float(np.percentile(np.abs(ab), 99.9)))
    return reach


def plot_transfer(
    source,
    target,
    result,
    *,
    fig=None,
    titles=("source", "target", "result"),
    n_samples=20_000,
    random_state=0,
):
    """Show source, target and result side by side, with their colour distributions.

    The top row shows the three images; the bottom row the 2-D histogram of each
    image's chroma (CIELab a* horizontally, b* vertically) on a common scale,
    each bin drawn in the mean colour of its pixels, more opaque where more
    pixels fall. A good transfer makes the result's histogram look like the
    target's.

    Parameters
    ----------
    source, target, result : array-like of shape (H, W, 3) or (H, W, 4)
        RGB(A) images: uint8, uint16, or float in [0, 1]. Sizes may differ.
    fig : matplotlib.figure.Figure, default=None
        Figure to draw into (it should be empty); a new one if None.
    titles : tuple of 3 str, default=("source", "target", "result")
        Titles of the columns.
    n_samples : int, default=20_000
        Pixels per image used for the histograms.
    random_state : int, RandomState instance or None, default=0
        Seed of the pixel sub-sample.

    Returns
    -------
    fig : matplotlib.figure.Figure
        With 6 axes: the images, then the histograms, left to right.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_sample_image
    >>> from skcolorot import AffineTransport
    >>> from skcolorot.plotting import plot_transfer
    >>> china, flower = load_sample_image("china.jpg"), load_sample_image("flower.jpg")
    >>> result = AffineTransport().fit(china, flower).transform(china)
    >>> fig = plot_transfer(china, flower, result)
    >>> len(fig.axes)
    6
    """
    from sklearn.utils import check_random_state

    plt = _pyplot()
    images = [
        _display_image(image, name)
        for image, name in zip(
            (source, target, result), ("source", "target", "result"), strict=True
        )
    ]
    rng = check_random_state(random_state)
    extent = _ab_extent((source, target, result), n_samples, rng)
    if fig is None:
        fig = plt.figure(figsize=(12, 7.5), layout="constrained")
    axes = fig.subplots(2, 3, height_ratios=(1, 1))
    for column, (image, shown, title) in enumerate(
        zip((source, target, result), images, titles, strict=True)
    ):
        top, bottom = axes[0, column], axes[1, column]
        top.imshow(shown)
        top.set_title(title)
        top.set_axis_off()
        bottom.set_facecolor("0.5")  # mid gray: dark and light bins both stand out
        bottom.imshow(
            _chroma_histogram(image, extent, n_samples, rng),
            origin="lower",
            extent=(-extent, extent, -extent, extent),
            interpolation="nearest",
        )
        bottom.axhline(0, color="0.35", linewidth=0.6)
        bottom.axvline(0, color="0.35", linewidth=0.6)
        bottom.set_title(f"{title}: chroma (a*, b*)", fontsize="medium")
        bottom.set_xlabel("a*  (green - red)")
        if column == 0:
            bottom.set_ylabel("b*  (blue - yellow)")
    return fig


def plot_interpolation(transport, source, ts=(0, 0.25, 0.5, 0.75, 1), *, fig=None):
    """A strip of the displacement interpolation: ``source`` mapped at several ``t``.

    ``t = 0`` is the source, ``t = 1`` the full transfer. The fitted transport is
    not refitted: ``t`` only changes how far along the fitted map the colours
    move, on a shallow copy of ``transport`` (the caller's ``t`` is untouched).

    Parameters
    ----------
    transport : fitted transport (e.g. :class:`~skcolorot.AffineTransport`)
        Fitted on colours of ``source``'s kind.
    source : array-like of shape (H, W, 3) or (H, W, 4)
        The image to map.
    ts : sequence of float in [0, 1], default=(0, 0.25, 0.5, 0.75, 1)
        The values of ``t``, one panel each.
    fig : matplotlib.figure.Figure, default=None
        Figure to draw into (it should be empty); a new one if None.

    Returns
    -------
    fig : matplotlib.figure.Figure
        With one axes per value of ``t``, titled ``"t = ..."``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_sample_image
    >>> from skcolorot import AffineTransport
    >>> from skcolorot.plotting import plot_interpolation
    >>> china, flower = load_sample_image("china.jpg"), load_sample_image("flower.jpg")
    >>> fig = plot_interpolation(AffineTransport().fit(china, flower), china, ts=(0, 0.5, 1))
    >>> [ax.get_title() for ax in fig.axes]
    ['t = 0', 't = 0.5', 't = 1']
    """
    plt = _pyplot()
    check_is_fitted(transport)
    ts = list(ts)
    if not ts:
        raise ValueError("ts must hold at least one value of t.")
    _display_image(source, "source")  # validates before any mapping
    # A shallow copy shares the fitted state (and its LUT cache, keyed by t) and
    # takes set_params without touching the caller's estimator.
    moving = copy.copy(transport)
    frames = [_display_image(moving.set_params(t=t).transform(source), "result") for t in ts]
    if fig is None:
        height, width = np.shape(source)[:2]
        panel = 3.0
        fig = plt.figure(
            figsize=(panel * len(ts), panel * height / width + 0.5), layout="constrained"
        )
    axes = np.atleast_1d(fig.subplots(1, len(ts)))
    for ax, t, frame in zip(axes, ts, frames, strict=True):
        ax.imshow(frame)
        ax.set_title(f"t = {t:g}")
        ax.set_axis_off()
    return fig
