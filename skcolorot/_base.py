"""The shared base of every transport: input handling, sub-sampling, colour spaces,
displacement interpolation, LUT / chunked application, inverse and ``score``.

A transport only supplies

* ``_fit_map(source, target, source_weights, target_weights, rng)`` on float64
  ``(n, d)`` / ``(m, d)`` samples already in the working colour space, and
* ``_transport(Z)`` (and optionally ``_inverse_transport(Z)``) mapping float64
  ``(k, d)`` points of that space with ``t = 1``.

Transports whose geodesic is not the straight line ``(1 - t) x + t T(x)`` override
``_interpolate``.
"""

from abc import ABCMeta, abstractmethod
from numbers import Integral, Real

import numpy as np
from scipy.ndimage import binary_dilation
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils._set_output import _get_output_config
from sklearn.utils.validation import _check_feature_names, check_is_fitted

from ._input import (
    TransportedArray,
    check_colors,
    check_sample_weight,
    draw_indices,
    is_dask_array,
)
from .color import COLOR_SPACES, from_color_space, to_color_space
from .lut import apply_lut, lut_grid
from .metrics import sliced_wasserstein

__all__ = ["BaseTransport"]


def _ndim(values):
    # Not np.ndim: it dispatches through __array_function__, which array-likes
    # need not support; and a (lazy) array's own ndim costs nothing.
    return values.ndim if hasattr(values, "ndim") else np.asarray(values).ndim


def _resolve_target(y, target):
    """The target sample: ``target=`` if given, else ``y`` unless it looks like labels."""
    if target is not None:
        return target
    if y is None:
        raise ValueError(
            "fit requires y to be passed, but the target y is None: call "
            "fit(source, target), or fit(source, y_labels, target=target_sample) "
            "when y carries labels."
        )
    if _ndim(y) == 1:
        raise ValueError(
            "y is 1-D, which looks like labels, but fit takes the target sample as y. "
            "Pass the target colours / features as fit(X, target=X_target) (in a "
            "Pipeline: pipe.fit(X, y, <step>__target=X_target), or "
            "set_fit_request(target=True) with metadata routing on)."
        )
    return y


# Variance (in [0, 1] units) under which a source direction counts as flat: half
# an 8-bit level of standard deviation.
_FLAT_VARIANCE = (0.5 / 255) ** 2


def _check_float_image_range(data):
    """Refuse float images on a 0-255 scale, which clipping would turn white.

    Values a little outside [0, 1] (over-exposure, a previous grade) are fine
    and take the exact path; beyond 2 the image is on another scale.
    """
    if not data.is_image or data.is_integer:
        return
    low, high = data.value_range
    if low < -1.0 or high > 2.0:
        raise ValueError(
            f"{data.name} is a float image with values in [{low:g}, {high:g}], but float "
            "images are read as [0, 1]: divide by 255 (8-bit) or 65535 (16-bit), or "
            "pass clip=False to map values outside [0, 1] unclipped."
        )


def _nodes_needed(data, size):
    """Boolean mask over the ``size**3`` LUT nodes that interpolating ``data`` reads.

    Each pixel's nearest node and its 26 neighbours: a superset of the 8 corners
    of its cell, whatever rounding the interpolation (Pillow's fixed point or
    ours) uses at cell borders.
    """
    nearest = np.zeros((size,) * 3, dtype=bool)
    flat_nearest = nearest.reshape(-1)
    if data.scale == 255.0:
        # A 256-entry table replaces per-pixel arithmetic for 8-bit images.
        levels = np.rint(np.arange(256) * (size - 1) / 255.0).astype(np.intp)
        strides = (levels * size * size, levels * size, levels)
    chunk = 1 << 20
    for start in range(0, data.n_pixels, chunk):
        pixels = data.pixels[start : start + chunk, :3]
        if data.scale == 255.0:
            flat = strides[0][pixels[:, 0]] + strides[1][pixels[:, 1]] + strides[2][pixels[:, 2]]
        else:
            scale = (size - 1) / (data.scale or 1.0)
            index = np.rint(pixels.astype(np.float32) * np.float32(scale)).astype(np.intp)
            np.clip(index, 0, size - 1, out=index)
            flat = (index[:, 0] * size + index[:, 1]) * size + index[:, 2]
        flat_nearest[flat] = True
    return binary_dilation(nearest, structure=np.ones((3, 3, 3), dtype=bool)).reshape(-1)


class BaseTransport(OneToOneFeatureMixin, TransformerMixin, BaseEstimator, metaclass=ABCMeta):
    """Base class of the transports. Not for direct use."""

    _parameter_constraints: dict = {
        "color_space": [StrOptions(set(COLOR_SPACES))],
        "t": [Interval(Real, 0, 1, closed="both")],
        "n_samples": [Interval(Integral, 2, None, closed="left"), None],
        "lut_size": [Interval(Integral, 2, 256, closed="both"), None],
        "clip": ["boolean", StrOptions({"auto"})],
        "random_state": ["random_state"],
    }

    # Bound on the float64 temporaries of one chunk of the exact path, in values.
    _chunk_budget = 1 << 22

    # Bumped whenever fitted attributes change meaning, so an old pickle fails
    # loudly instead of mapping colours wrongly.
    _pickle_format = 1

    # ------------------------------------------------------------------ hooks
    @abstractmethod
    def _fit_map(self, source, target, source_weights, target_weights, rng):
        """Fit the map between float64 samples of the working colour space.

        ``source_weights`` / ``target_weights`` are ``None`` (uniform) or
        non-negative float64 arrays summing to one; ``rng`` is the
        ``RandomState`` the sub-sampling already drew from.
        """

    @abstractmethod
    def _transport(self, Z):
        """The full (t = 1) map of float64 points of the working space."""

    def _inverse_transport(self, Z):
        raise NotImplementedError(
            f"{type(self).__name__} has no inverse map; fit a second transport "
            "from the target to the source instead."
        )

    def _interpolate(self, Z, t, inverse=False):
        """Displacement interpolation ``(1 - t) Z + t T(Z)`` (McCann)."""
        mapped = self._inverse_transport(Z) if inverse else self._transport(Z)
        if t == 1:
            return mapped
        return Z + t * (mapped - Z)

    def _map_cost_per_row(self):
        """How many float64 temporaries mapping one row costs (sets the chunk size)."""
        return 64

    # -------------------------------------------------------------------- fit
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None, *, target=None, sample_weight=None):
        """Fit the transport from the source sample ``X`` to the target sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), (H, W, C) or (N, H, W, C)
            Source samples or image(s). ``uint8`` / ``uint16`` are read as [0, 1].
        y : array-like of shape (m_samples, n_features) or image, default=None
            The target sample (``fit(source, target)``). Ignored when ``target`` is
            given, so that ``y`` can carry labels for a later Pipeline step.
        target : array-like, default=None
            The target sample, when ``y`` holds labels (domain adaptation).
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the source samples (of the pixels, for an image).

        Returns
        -------
        self : object
            The fitted transport.
        """
        target = _resolve_target(y, target)
        target_name = "target" if target is not y else "y (the target sample)"
        _check_feature_names(self, X, reset=True)
        source_data = check_colors(X, "X")
        target_data = check_colors(target, target_name, n_channels=source_data.n_channels)
        if self.color_space != "rgb" and source_data.n_channels != 3:
            raise ValueError(
                f"color_space={self.color_space!r} needs 3-channel RGB data, got "
                f"{source_data.n_channels} features; use color_space='rgb'."
            )
        if self.clip == "auto":
            _check_float_image_range(source_data)
            _check_float_image_range(target_data)
        weights = (
            None
            if sample_weight is None
            else check_sample_weight(sample_weight, source_data.n_pixels)
        )

        rng = check_random_state(self.random_state)
        source_index = self._subsample_index(source_data.n_pixels, rng)
        target_index = self._subsample_index(target_data.n_pixels, rng)
        source = to_color_space(source_data.colors(source_index), self.color_space)
        target_colors = to_color_space(target_data.colors(target_index), self.color_space)
        if weights is not None:
            weights = weights if source_index is None else weights[source_index]
            if weights.sum() <= 0:
                raise ValueError("sample_weight of the sub-sampled source sums to zero.")
            weights = weights / weights.sum()

        self.n_features_in_ = source_data.n_channels
        # One generator for the sub-sampling above and the transport's own draws.
        self._fit_map(source, target_colors, weights, None, rng)
        # A source with (almost) no spread in some direction (a grey or constant
        # image) leaves the map unconstrained off its support, where LUT nodes
        # lie and blend into the pixels: such fits always take the exact path.
        spread = np.linalg.eigvalsh(np.atleast_2d(np.cov(source.T))).min()
        self._lut_safe = bool(spread > _FLAT_VARIANCE)
        # Grids already evaluated for the LUT path, per (t, inverse, clip, size).
        self._lut_cache = {}
        return self

    def _subsample_index(self, n_pixels, rng):
        if self.n_samples is None or n_pixels <= self.n_samples:
            return None
        return draw_indices(n_pixels, self.n_samples, rng)

    # -------------------------------------------------------------- transform
    def transform(self, X):
        """Map samples of the source distribution towards the target.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), (H, W, C) or (N, H, W, C)
            Same last axis as the data given to ``fit`` (an RGB image may carry
            an alpha channel, which passes through). A ``dask.array.Array`` gives
            a lazy dask array computed block by block.

        Returns
        -------
        X_new : ndarray of the same shape and dtype as ``X``
            ``(1 - t) X + t T(X)``. For an image, a :class:`TransportedArray`
            that carries ``X`` as ``.source`` for a following ``Regrainer``.
        """
        return self._apply(X, inverse=False)

    def inverse_transform(self, X):
        """Map samples of the target distribution back towards the source.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), (H, W, C) or (N, H, W, C)
            Samples of the target distribution.

        Returns
        -------
        X_new : ndarray of the same shape and dtype as ``X``
        """
        return self._apply(X, inverse=True)

    def _check_t(self):
        t = self.t
        if isinstance(t, bool) or not isinstance(t, Real) or not 0 <= t <= 1:
            raise ValueError(f"t must be a number in [0, 1], got {t!r}.")
        return float(t)

    def _apply(self, X, inverse, *, use_lut=None):
        # use_lut: the LUT-or-exact choice made once for a whole dask array, so
        # that its blocks take the path the in-memory call would (None: decide here).
        check_is_fitted(self)
        t = self._check_t()
        if is_dask_array(X):
            from ._dask import transform_dask

            return transform_dask(self, X, inverse=inverse)
        _check_feature_names(self, X, reset=False)
        data = check_colors(X, "X", n_channels=self.n_features_in_, min_pixels=1)
        container = _get_output_config("transform", self)["dense"]
        if data.is_image and not inverse and container != "default":
            # Otherwise pandas fails later with "Must pass 2-d input".
            raise ValueError(
                "set_output(transform='pandas'/'polars') needs (n_samples, n_features) "
                "samples, but X is an image: use the default output for images, or "
                "pass image.reshape(-1, n_channels)."
            )
        if self.clip == "auto":
            _check_float_image_range(data)
        clip = data.is_image or data.is_integer if self.clip == "auto" else bool(self.clip)
        out = data.empty_output()
        out_pixels = out.reshape(-1, out.shape[-1])
        if t == 0:
            # The identity, exactly: no colour-space round trip, no clipping.
            out_pixels[:, : data.n_channels] = data.pixels[:, : data.n_channels]
        elif self._use_lut(data) if use_lut is None else use_lut:
            table = self._lut_table(t, inverse, clip, data)
            apply_lut(data.array, table, out=out)
        else:
            step = max(1, self._chunk_budget // self._map_cost_per_row())
            for start in range(0, data.n_pixels, step):
                rows = slice(start, start + step)
                mapped = self._map_colors(data.colors(rows), t, inverse, clip)
                data.encode_into(out_pixels[rows], mapped)
        if getattr(X, "dtype", None) == np.float16:
            out = out.astype(np.float16)  # computed in float32, returned as given
        if data.is_image:
            return TransportedArray(out, source=X)
        return out

    def _map_colors(self, colors, t, inverse, clip):
        """Map float colours of the caller's space: to working space, map, back, clip."""
        working = to_color_space(colors, self.color_space)
        mapped = from_color_space(self._interpolate(working, t, inverse), self.color_space)
        if clip:
            mapped = np.clip(mapped, 0.0, 1.0)
        return mapped

    def _use_lut(self, data):
        # A grid costs lut_size**3 map evaluations: only worth it (and only as
        # accurate as needed) for images bigger than the grid, inside its domain.
        return (
            self.lut_size is not None
            and self._lut_safe
            and data.is_image
            and data.n_channels == 3
            and data.n_pixels > self.lut_size**3
            and data.in_unit_range()
        )

    def _lut_table(self, t, inverse, clip, data):
        """The LUT for this (t, inverse, clip), evaluated at least where ``data`` needs it.

        Nodes are evaluated lazily and kept: a map with sharp features (a small
        entropic ``reg``) needs a fine grid, but one photograph touches only a
        small part of it (about 20 % of a 65^3 grid for china.jpg), and the next
        frame of the same scene mostly the same part.
        """
        size = self.lut_size
        key = (t, inverse, clip, size)
        if key not in self._lut_cache:
            self._lut_cache[key] = (
                np.zeros((size**3, 3)),
                np.zeros(size**3, dtype=bool),
            )
        table, evaluated = self._lut_cache[key]
        missing = np.flatnonzero(_nodes_needed(data, size) & ~evaluated)
        if missing.size:
            nodes = np.stack(np.unravel_index(missing, (size,) * 3), axis=1) / (size - 1)
            step = max(1, self._chunk_budget // self._map_cost_per_row())
            for start in range(0, len(nodes), step):
                rows = slice(start, start + step)
                table[missing[rows]] = self._map_colors(nodes[rows], t, inverse, clip)
            evaluated[missing] = True
        return table.reshape(size, size, size, 3)

    def to_lut(self, size=33, *, inverse=False):
        """The fitted grade (at the current ``t``) as a 3D LUT table.

        Parameters
        ----------
        size : int, default=33
            Nodes per colour axis.
        inverse : bool, default=False
            Tabulate the inverse map instead.

        Returns
        -------
        table : ndarray of shape (size, size, size, 3)
            ``table[r, g, b]`` is the output for ``(r, g, b) / (size - 1)``,
            clipped to [0, 1]; see :mod:`skcolorot.lut`.
        """
        check_is_fitted(self)
        if self.n_features_in_ != 3:
            raise ValueError(
                f"A 3D LUT needs a transport fitted on RGB colours, this one has "
                f"{self.n_features_in_} features."
            )
        if isinstance(size, bool) or not isinstance(size, Integral) or not 2 <= size <= 256:
            raise ValueError(f"size must be an integer in [2, 256], got {size!r}.")
        t = self._check_t()
        grid = lut_grid(size).reshape(-1, 3)
        table = grid if t == 0 else self._map_colors(grid, t, inverse, clip=True)
        return table.reshape(size, size, size, 3)

    def to_cube(self, path, size=33, *, title=None, overwrite=False):
        """Write the fitted grade as an Adobe/Resolve ``.cube`` 3D LUT file.

        The file applies the same grade in ffmpeg (``-vf lut3d=grade.cube``),
        DaVinci Resolve, Photoshop or OBS.

        Parameters
        ----------
        path : str or path-like
            Output file (written atomically).
        size : int, default=33
            Nodes per colour axis.
        title : str, default=None
            ``TITLE`` line of the file; by default the estimator's class, ``t``
            and parameters (:func:`skcolorot.lut_formats.cube_title`).
        overwrite : bool, default=False
            Replace an existing file; otherwise raise ``FileExistsError``.
        """
        from ._io import atomic_path
        from .lut import write_cube
        from .lut_formats import cube_title

        table = self.to_lut(size)
        with atomic_path(path, overwrite=overwrite) as temporary:
            write_cube(temporary, table, title=cube_title(self) if title is None else title)

    # ------------------------------------------------------------------ score
    def score(self, X, y=None, sample_weight=None):
        """Minus the sliced Wasserstein-2 distance between ``transform(X)`` and ``y``.

        Directions are fixed, so the value is deterministic; higher is better, as
        ``GridSearchCV`` expects. Use equal-size shuffled pixel samples (see
        :func:`skcolorot.sample_pixels`) so that CV folds split both alike.

        Parameters
        ----------
        X : array-like
            Held-out source samples.
        y : array-like
            Held-out target samples (same last axis).
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the rows of ``X``.

        Returns
        -------
        score : float
        """
        if y is None:
            raise ValueError("score needs the held-out target sample as y: score(X, y).")
        if _ndim(y) == 1:
            raise ValueError("y must be target samples (2-D or an image), not 1-D labels.")
        mapped = self.transform(X)
        target = check_colors(y, "y", n_channels=self.n_features_in_)
        return -sliced_wasserstein(mapped, target.array, sample_weight=sample_weight)

    def __getstate__(self):
        state = super().__getstate__()
        state["_skcolorot_pickle_format"] = self._pickle_format
        return state

    def __setstate__(self, state):
        found = state.pop("_skcolorot_pickle_format", None)
        if found != self._pickle_format:
            raise ValueError(
                f"This {type(self).__name__} was pickled by a skcolorot with pickle "
                f"format {found}, this version reads format {self._pickle_format}; "
                "refit it with this version (or load it with the version that saved it)."
            )
        super().__setstate__(state)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        tags.target_tags.required = True
        return tags
