"""Input handling shared by every estimator: what an array means and how it goes back.

The conventions (the user guide's "Data conventions"):

* the last axis is the feature / channel axis;
* ``(n, d)`` arrays are samples, ``(H, W, C)`` images and ``(N, H, W, C)`` batches
  of images;
* ``uint8`` / ``uint16`` values are read as ``[0, 1]`` and written back in the same
  dtype, rounded and clipped; floating point stays floating point;
* a 4th (alpha) channel of an RGB image passes through untouched.
"""

import sys
import weakref
from functools import cached_property
from itertools import product
from numbers import Integral

import numpy as np

from ._dtypes import INTEGER_SCALES

__all__ = [
    "ColorInput",
    "TransportedArray",
    "check_colors",
    "check_random_state",
    "check_unit_range",
    "draw_indices",
    "fit_weights",
    "sample_pixels",
    "summarize",
]

# Largest magnitude of a float input: squares and sums of squares must stay far
# from float64's 1.8e308 (1e300 gave "Eigenvalues did not converge").
_MAX_MAGNITUDE = 1e100

# Bound of the seeds draw_indices takes from a RandomState for numpy's Generator.
_SEED_BOUND = np.iinfo(np.int32).max

# How far the values of a float image may lie outside [0, 1]: over-exposure, a
# previous grade and colour-space rounding stay within it, an image on a 0-255 or
# 0-65535 scale (which clipping to [0, 1] would turn white) does not. One bound
# for every step (transports, barycentres, transfer, regrain), so that a Pipeline
# never accepts an image in one step and refuses it in the next.
_UNIT_RANGE_TOLERANCE = 1.0


def is_dask_array(X):
    """Whether ``X`` is a dask array (told apart without importing dask)."""
    return type(X).__module__.startswith("dask.") and hasattr(X, "chunks")


class TransportedArray(np.ndarray):
    """The output of a transport's ``transform``, carrying its input as ``.source``.

    A :class:`~skcolorot.Regrainer` placed right after a transport in a Pipeline
    reads ``.source`` as the guide image. Any step that copies into a plain array
    (a scaler, pandas output) drops it, which the Regrainer reports clearly.

    The guide is held by a weak reference, so graded frames kept in a list do not
    keep their originals in memory: ``.source`` is ``None`` once nothing else holds
    the input. Pickling (``Pipeline(memory=...)``'s cache, joblib workers) ships the
    guide along while it is alive, so a cached transport step still feeds the
    Regrainer that follows it.
    """

    def __new__(cls, values, source=None):
        obj = np.asarray(values).view(cls)
        obj.source = source
        return obj

    def __array_finalize__(self, obj):
        # Slices and arithmetic results are no longer the transport's output:
        # only the exact array returned by ``transform`` keeps a guide.
        self._guide = None

    @property
    def source(self):
        """The image this array was transported from, or ``None``."""
        guide = self._guide
        return guide() if isinstance(guide, weakref.ref) else guide

    @property
    def source_released(self):
        """Whether the input had a guide that has since been freed."""
        guide = self._guide
        return isinstance(guide, weakref.ref) and guide() is None

    @source.setter
    def source(self, value):
        try:
            self._guide = None if value is None else weakref.ref(value)
        except TypeError:
            # Lists and other objects without weak references: numpy made its own
            # copy of them anyway, so holding them costs no more.
            self._guide = value

    def __reduce__(self):
        return (_rebuild_transported, (np.asarray(self), self.source))


def _rebuild_transported(values, source):
    obj = TransportedArray(values)
    # The unpickled guide has no other owner: hold it, or it is gone at once.
    obj._guide = source
    return obj


class ColorInput:
    """A validated colour / sample array, viewed as ``(n_pixels, n_channels)``.

    Nothing is converted to float up front: a 12 MP ``uint8`` image stays a view
    until a sub-sample or a chunk of it is needed.
    """

    def __init__(self, array, name, n_channels, has_alpha):
        self.array = array
        self.name = name
        self.shape = array.shape
        self.dtype = array.dtype
        self.is_image = array.ndim >= 3
        self.pixels = array.reshape(-1, array.shape[-1])
        self.n_channels = n_channels
        self.has_alpha = has_alpha
        self.scale = INTEGER_SCALES.get(array.dtype)

    @property
    def n_pixels(self):
        return self.pixels.shape[0]

    @property
    def is_integer(self):
        return self.scale is not None

    def colors(self, index=None, dtype=np.float64):
        """Float colours (alpha dropped), optionally only rows ``index``; float32
        halves the copy of a 12 MP image where the caller works in float32."""
        rows = self.pixels if index is None else self.pixels[index]
        if self.scale is not None:  # converted and scaled in one pass
            return np.divide(rows[:, : self.n_channels], self.scale, dtype=dtype)
        return np.asarray(rows[:, : self.n_channels], dtype=dtype)

    @cached_property
    def value_range(self):
        """``(min, max)`` of the colour channels on the [0, 1] scale.

        Cached: the range check and the LUT-or-exact choice both need it, and on
        a 12 MP float image each pass costs tens of milliseconds.
        """
        if self.is_integer:
            return 0.0, 1.0
        channels = self.pixels[:, : self.n_channels]
        return float(channels.min()), float(channels.max())

    @property
    def is_color(self):
        """Three channels in [0, 1]: colours, which get a histogram and a regular grid map."""
        return self.n_channels == 3 and self.in_unit_range()

    def in_unit_range(self):
        """Whether every colour lies in ``[0, 1]`` (always true for integer images)."""
        low, high = self.value_range
        return low >= 0.0 and high <= 1.0

    def color_histogram(self, weights, max_bins=None):
        """:func:`_color_histogram` of these pixels, or (``max_bins``) the finest of
        its merges with at most that many occupied bins (or 1 bit a channel).

        Returns ``(counts, sums)``. Each level is computed once per ``weights``: a
        fit summarises its source twice (for the transport, and finer for the
        smoothing of its table), and both usually stop at the same level.
        """
        cached = getattr(self, "_histogram", None)
        if cached is None or cached[0] is not weights:
            counts, sums = _color_histogram(self, weights)
            cached = self._histogram = (weights, [(counts, sums, np.count_nonzero(counts))])
        levels = cached[1]  # levels[k]: _HISTOGRAM_BITS - k bits a channel
        for bits in range(_HISTOGRAM_BITS, 0, -1):
            counts, sums, n_occupied = levels[_HISTOGRAM_BITS - bits]
            if max_bins is None or n_occupied <= max_bins or bits == 1:
                return counts, sums
            if len(levels) == _HISTOGRAM_BITS - bits + 1:
                merged = _merge_bins(counts, sums, bits)
                levels.append((*merged, np.count_nonzero(merged[0])))

    def alpha(self):
        return self.pixels[:, self.n_channels :] if self.has_alpha else None

    def empty_output(self):
        """An output array of the input's shape and dtype (alpha copied in)."""
        out = np.empty(self.shape, dtype=self.dtype)
        if self.has_alpha:
            out[..., self.n_channels :] = self.array[..., self.n_channels :]
        return out

    def encode_into(self, out_pixels, values):
        """Write float colours ``values`` into rows of ``out_pixels`` in the input dtype."""
        if self.scale is not None:  # one temporary, rounded and clipped in place
            values = np.multiply(values, self.scale)
            np.clip(np.rint(values, out=values), 0, self.scale, out=values)
        out_pixels[:, : self.n_channels] = values


def working_dtype(dtype, shape, name):
    """The dtype an array of ``dtype`` and ``shape`` is read in, or a clear error.

    Shared by in-memory and dask inputs (the latter checked without computing).
    """
    if dtype.kind == "b" or dtype.kind in "OUSVcmM":
        kind = {"b": "bool", "c": "complex", "O": "object"}.get(dtype.kind, str(dtype))
        raise TypeError(
            f"{name} has unsupported dtype {kind}; expected uint8 or uint16 images, "
            "or floating point values."
        )
    if len(shape) not in (2, 3, 4):
        hint = (
            " A 1-D array is ambiguous. Reshape your data: X.reshape(-1, 1) for one "
            "feature."
            if len(shape) == 1
            else ""
        )
        raise ValueError(
            f"{name} must be samples (n_samples, n_features), an image (H, W, C) or "
            f"a batch of images (N, H, W, C); got an array of shape {shape}.{hint}"
        )
    if dtype.kind in "iu" and dtype not in INTEGER_SCALES:
        if len(shape) >= 3:
            raise TypeError(
                f"{name} is an image of dtype {dtype}; integer images must be uint8 or "
                "uint16 (e.g. X.astype(np.uint8)), other values floating point in [0, 1]."
            )
        # Integer samples are plain numbers (scikit-learn's convention).
        return np.dtype(np.float64)
    if dtype.kind == "f" and dtype.itemsize < 4:
        return np.dtype(np.float32)
    return dtype


def split_alpha(channels, n_channels, is_image, name):
    """``(colour channels, has_alpha)`` of an input with ``channels`` on its last axis.

    ``n_channels`` is what the estimator was fitted on (``None`` in ``fit``); an
    RGB image may carry a 4th (alpha) channel.
    """
    if n_channels is None:
        if is_image and channels == 4:
            return 3, True
        return channels, False
    if channels == n_channels:
        return n_channels, False
    if is_image and n_channels == 3 and channels == 4:
        return 3, True
    raise ValueError(
        f"{name} has {channels} channels (features) but the estimator works on "
        f"{n_channels}; the last axis must match the data the transport was fitted on."
    )


def check_colors(X, name="X", *, n_channels=None, min_pixels=2):
    """Validate ``X`` and wrap it as a :class:`ColorInput`.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features), (H, W, C) or (N, H, W, C)
        Samples or image(s).
    name : str
        Name of the argument, used in error messages.
    n_channels : int or None
        The number of colour channels the caller expects (from ``fit``). An image
        may carry one extra (alpha) channel when ``n_channels == 3``.
    min_pixels : int
        Fewest samples / pixels accepted.
    """
    if X is None:
        raise ValueError(f"{name} is required, got None.")
    if is_dask_array(X):
        raise TypeError(f"{name} is a dask array; only transform accepts dask arrays.")
    # A sparse matrix exists only once scipy.sparse is loaded: no import for the test.
    sparse = sys.modules.get("scipy.sparse")
    if sparse is not None and sparse.issparse(X):
        raise TypeError(
            f"{name} is a sparse matrix, but sparse input is not supported; pass a "
            "dense array (X.toarray())."
        )
    array = _as_array(X, name)
    if not array.dtype.isnative:
        # Big-endian data (FITS, some TIFF readers): same values, native order,
        # so that '>u2' is recognised as uint16 below.
        array = array.astype(array.dtype.newbyteorder("="))
    working = working_dtype(array.dtype, array.shape, name)
    is_image = array.ndim >= 3
    if working != array.dtype:
        array = array.astype(working)
    channels = array.shape[-1]
    if array.ndim == 2 and array.dtype in INTEGER_SCALES and channels > 4:
        raise ValueError(
            f"{name} is a 2-D {array.dtype} array with {channels} columns, which looks "
            "like a grayscale image; pass image[..., np.newaxis] for an (H, W, 1) image, "
            "or float samples of shape (n_samples, n_features)."
        )
    if channels == 0 or array.size == 0:
        what = "feature(s)" if channels == 0 else "sample(s)"
        raise ValueError(
            f"{name} is empty: 0 {what} (shape={array.shape}) while a minimum of 1 "
            "is required."
        )
    if array.dtype.kind == "f":
        # min / max: one pass each and no temporary (isfinite made a bool copy);
        # NaN propagates through both.
        low, high = float(array.min()), float(array.max())
        if not (np.isfinite(low) and np.isfinite(high)):
            raise ValueError(f"{name} contains NaN or infinity; all values must be finite.")
        if max(-low, high) > _MAX_MAGNITUDE:
            raise ValueError(
                f"{name} has values of magnitude up to {max(-low, high):.3g}; squared "
                f"distances and covariances of such values overflow float64 (limit "
                f"{_MAX_MAGNITUDE:g}): scale the features down (e.g. StandardScaler)."
            )

    n_channels, has_alpha = split_alpha(channels, n_channels, is_image, name)
    result = ColorInput(array, name, n_channels, has_alpha)
    if result.n_pixels < min_pixels:
        raise ValueError(
            f"{name} has {result.n_pixels} sample(s)/pixel(s); at least {min_pixels} "
            "are needed to estimate a colour distribution."
        )
    return result


def check_unit_range(data, *, hint=""):
    """Refuse a float image whose values are not on the [0, 1] scale.

    Float images are read as [0, 1]; values up to ``_UNIT_RANGE_TOLERANCE``
    beyond it pass (and are clipped or mapped exactly by the caller). Integer
    images and ``(n, d)`` samples always pass: samples are features on any scale.

    Parameters
    ----------
    data : ColorInput
        From :func:`check_colors`; its name goes into the message.
    hint : str, default=""
        Appended to the message: what else the caller accepts (e.g.
        ``", or pass clip=False ..."``).
    """
    if not data.is_image or data.is_integer:
        return
    low, high = data.value_range
    if low < -_UNIT_RANGE_TOLERANCE or high > 1.0 + _UNIT_RANGE_TOLERANCE:
        raise ValueError(
            f"{data.name} is a float image with values in [{low:g}, {high:g}], outside "
            f"[0, 1] by more than {_UNIT_RANGE_TOLERANCE:g}, but float images are read "
            f"as [0, 1]: divide by 255 (8-bit) or 65535 (16-bit){hint}."
        )


def _as_array(values, name):
    try:
        return np.asarray(values)
    except ValueError as error:
        # numpy's "inhomogeneous shape after 1 dimensions" names nothing we know.
        raise ValueError(
            f"{name} is not a rectangular array (rows of different lengths, or a "
            f"mix of numbers and sequences): {' '.join(str(error).split()[:12])}..."
        ) from None


def check_sample_weight(sample_weight, n_pixels, name="sample_weight", data_name="X"):
    """Per-sample (per-pixel) weights as float64 ``(n_pixels,)``, or a clear error.

    Any shape with ``n_pixels`` values is accepted: ``(n_samples,)``, or an
    ``(H, W)`` mask (bool or float in [0, 1]) of an image. The weights are
    returned divided by their largest value (relative weights are all that
    matter), so that huge finite ones (1e308) cannot overflow a sum.
    """
    try:
        weights = np.asarray(_as_array(sample_weight, name), dtype=np.float64).ravel()
    except (TypeError, ValueError) as error:
        if "rectangular" in str(error):
            raise
        raise TypeError(
            f"{name} must be numbers (per sample / pixel, or an (H, W) mask), got "
            f"{type(sample_weight).__name__} ({' '.join(str(error).split())})."
        ) from None
    if weights.shape[0] != n_pixels:
        raise ValueError(
            f"{name} has {weights.shape[0]} values but {data_name} has {n_pixels} "
            "samples / pixels."
        )
    if not np.all(np.isfinite(weights)) or np.any(weights < 0) or weights.max() <= 0:
        raise ValueError(
            f"{name} must be {n_pixels} finite, non-negative weights with a "
            "positive sum (not all zero)."
        )
    return weights / weights.max()


def fit_weights(data, sample_weight, name):
    """The weight of each pixel in a fit: ``sample_weight`` times the alpha channel.

    ``None`` when every pixel counts the same. Fully transparent pixels count for
    nothing, so the colour hidden under them does not leak into the grade.
    """
    weights = (
        None
        if sample_weight is None
        else check_sample_weight(sample_weight, data.n_pixels, name, data.name)
    )
    alpha = data.alpha()
    if alpha is not None:
        opacity = np.asarray(alpha[:, 0], dtype=np.float64) / (data.scale or 1.0)
        opacity = np.clip(opacity, 0.0, 1.0)
        weights = opacity if weights is None else weights * opacity
        if weights.sum() <= 0:
            raise ValueError(
                f"{data.name} has no visible pixel to fit on: its alpha channel (times "
                f"{name}, if given) is zero everywhere."
            )
    return weights


# Bits per channel of the finest colour histogram (4 levels of 8 bits a bin).
_HISTOGRAM_BITS = 6


# Pixels a histogram reads at most: a larger image is read at a fixed stride
# (every k-th pixel, no draw), which changes its bins by a fraction of a percent
# and keeps the fit's cost flat (12 MP: 0.5 s -> 0.1 s per histogram).
_HISTOGRAM_PIXELS = 1 << 21


def _compiled_histogram():
    """The compiled histogram of skcolorot.color._lut_c, or None where it is not built."""
    try:
        from ..color._lut_c import histogram
    except ImportError:
        return None
    return histogram


def _color_histogram(data, weights):
    """Weighted pixel count and colour sums of the 2**18 bins of a 6-bit histogram."""
    n_bins = 1 << (3 * _HISTOGRAM_BITS)
    counts = np.zeros(n_bins)
    sums = np.zeros((n_bins, 3))
    stride = -(-data.n_pixels // _HISTOGRAM_PIXELS)
    source = data.pixels[::stride, :3]
    weights = None if weights is None else weights[::stride]
    compiled = _compiled_histogram()
    if compiled is not None and data.pixels.flags.c_contiguous and data.pixels.dtype.isnative:
        # One pass in C over the strided pixels instead of four bincounts a chunk.
        if weights is not None:
            weights = np.ascontiguousarray(weights, dtype=np.float64)
        compiled(data.pixels, data.pixels.shape[1], stride, _HISTOGRAM_BITS, weights, counts, sums)
        return counts, sums
    chunk = 1 << 20
    for start in range(0, len(source), chunk):
        pixels = source[start : start + chunk]
        if data.scale is not None:
            shift = 8 - _HISTOGRAM_BITS if data.scale == 255.0 else 16 - _HISTOGRAM_BITS
            levels = pixels.astype(np.intp) >> shift
        else:
            levels = np.clip(pixels * (1 << _HISTOGRAM_BITS), 0, (1 << _HISTOGRAM_BITS) - 1)
            levels = levels.astype(np.intp)
        key = (levels[:, 0] << (2 * _HISTOGRAM_BITS)) | (levels[:, 1] << _HISTOGRAM_BITS) | levels[:, 2]
        w = None if weights is None else weights[start : start + chunk]
        counts += np.bincount(key, weights=w, minlength=n_bins)
        colors = pixels.astype(np.float64)
        if data.scale is not None:
            colors /= data.scale
        for channel in range(3):
            values = colors[:, channel] if w is None else colors[:, channel] * w
            sums[:, channel] += np.bincount(key, weights=values, minlength=n_bins)
    return counts, sums


def _merge_bins(counts, sums, bits):
    """The histogram of ``bits`` per channel merged into one bit less: the bins of
    each 2 x 2 x 2 block added up.

    The additions, in their order, of ``counts.reshape(h, 2, h, 2, h, 2).sum(axis=(1,
    3, 5))`` and of the sums' (numpy adds a count's last pair first, a colour sum's
    eight bins one after the other), so the same roundings; numpy's strided
    reduction takes 3x as long.
    """
    half = 1 << (bits - 1)
    pairs = counts.reshape(half, 2, half, 2, half, 2)
    pairs = pairs[..., 0] + pairs[..., 1]
    blocks = sums.reshape(half, 2, half, 2, half, 2, 3)
    merged_counts, merged_sums = pairs[:, 0, :, 0].copy(), blocks[:, 0, :, 0, :, 0].copy()
    for i, j in ((0, 1), (1, 0), (1, 1)):
        merged_counts += pairs[:, i, :, j]
    for i, j, k in list(product((0, 1), repeat=3))[1:]:
        merged_sums += blocks[:, i, :, j, :, k]
    return merged_counts.ravel(), merged_sums.reshape(-1, 3)


def summarize(data, sample_weight, n_points, rng):
    """A weighted sample that stands for the colours of ``data`` in a fit.

    * at most ``n_points`` pixels / samples: all of them;
    * colours (3 channels in [0, 1]): the finest colour histogram with at most
      ``n_points`` occupied bins, each bin its mean colour weighted by its share
      of the pixels: every pixel has its say and nothing depends on a draw;
    * other data: ``n_points`` rows drawn with ``rng``.

    Returns
    -------
    colors : ndarray of shape (k, n_channels), float64 in the [0, 1] scale
    weights : ndarray of shape (k,) or None
        Non-negative, summing to one; ``None`` for equal weights.
    """
    # A mask: what counts is how many pixels it keeps, as for a crop.
    kept = (
        np.flatnonzero(sample_weight)
        if sample_weight is not None and n_points is not None and data.n_pixels > n_points
        else None
    )
    if kept is not None and len(kept) <= n_points:
        colors, weights = data.colors(kept), sample_weight[kept]
    elif n_points is None or data.n_pixels <= n_points:
        colors, weights = data.colors(), sample_weight
    elif data.is_color:
        counts, sums = data.color_histogram(sample_weight, n_points)
        occupied = counts > counts.max() * 1e-12
        return sums[occupied] / counts[occupied, np.newaxis], counts[occupied] / counts[occupied].sum()
    else:
        index = draw_indices(data.n_pixels, n_points, rng)
        colors = data.colors(index)
        weights = None if sample_weight is None else sample_weight[index]
    if weights is not None:
        if weights.sum() <= 0:
            raise ValueError(f"The weights of the sub-sampled {data.name} sum to zero.")
        # Weights a trillion times below the largest only add rounding trouble
        # (a 1e-229 alpha is transparent).
        keep = weights > weights.max() * 1e-12
        colors, weights = colors[keep], weights[keep] / weights[keep].sum()
    return colors, weights


def check_random_state(seed):
    """``sklearn.utils.check_random_state``, without importing scikit-learn (2 s).

    ``None``: numpy's global RandomState; an int: a new RandomState seeded with
    it; a RandomState: itself.
    """
    if seed is None or seed is np.random:
        return np.random.mtrand._rand
    if isinstance(seed, Integral):
        return np.random.RandomState(seed)
    if isinstance(seed, np.random.RandomState):
        return seed
    raise ValueError(f"{seed!r} cannot be used to seed a numpy.random.RandomState instance")


def draw_indices(n_population, n_draws, random_state, *, replace=False, p=None, sort=True):
    """Indices of ``n_draws`` rows out of ``n_population``: every sub-sample's draw.

    numpy's Generator draws 200k of 12M pixels in ~15 ms where
    ``sklearn.utils.random.sample_without_replacement`` takes ~1 s and
    ``RandomState.choice(..., replace=False)``, which permutes the whole
    population, ~1.6 s (measured here); the Generator is seeded from
    ``random_state`` so results stay deterministic for a fixed seed.

    Parameters
    ----------
    n_population, n_draws : int
    random_state : int, RandomState instance or None
        One seed is taken from it per call.
    replace : bool, default=False
        Draw with replacement (rows may repeat), e.g. more draws than rows.
    p : ndarray of shape (n_population,), default=None
        Probability of each row (summing to one); ``None``: uniform.
    sort : bool, default=True
        Sorted indices, so that gathers walk memory forwards; ``False`` keeps
        the draw's random order (every part of it is a random sub-sample too).
    """
    seed = check_random_state(random_state).randint(_SEED_BOUND)
    generator = np.random.default_rng(seed)
    index = generator.choice(n_population, size=n_draws, replace=replace, p=p)
    return np.sort(index) if sort else index


def sample_pixels(source, target, n_samples=10_000, random_state=None):
    """Draw equal-size random pixel samples from a source and a target image.

    Cross-validation splits ``X`` and ``y`` with the same indices; with two shuffled
    samples of equal size, every fold is a random sub-sample of both colour
    distributions, so ``GridSearchCV`` with the transports' default ``score`` works.

    Parameters
    ----------
    source, target : array-like of shape (..., C)
        Images or samples; the last axis is the channel axis.
    n_samples : int, default=10_000
        Pixels drawn from each (with replacement only when an input is smaller).
    random_state : int, RandomState instance or None
        Seed for the draw.

    Returns
    -------
    source_pixels, target_pixels : ndarray of shape (n_samples, C)
        Samples in the inputs' dtypes.

    Examples
    --------
    >>> import numpy as np
    >>> from skcolorot import sample_pixels
    >>> src = np.zeros((8, 8, 3), np.uint8); ref = np.ones((4, 4, 3), np.uint8)
    >>> xs, xt = sample_pixels(src, ref, n_samples=32, random_state=0)
    >>> xs.shape, xt.shape
    ((32, 3), (32, 3))
    """
    if not isinstance(n_samples, Integral) or n_samples < 2:
        raise ValueError(f"n_samples must be an integer >= 2, got {n_samples!r}.")
    rng = check_random_state(random_state)
    src = check_colors(source, "source")
    tgt = check_colors(target, "target", n_channels=src.n_channels)
    out = []
    for data in (src, tgt):
        # In random order: cross-validation folds are contiguous parts.
        index = draw_indices(
            data.n_pixels, n_samples, rng, replace=data.n_pixels < n_samples, sort=False
        )
        out.append(np.array(data.pixels[index, : data.n_channels]))
    return out[0], out[1]
