"""The shared base of every transport: input handling, colour summaries, colour
spaces, the regular grid map of colour grades, displacement interpolation, inverse
and ``score``.

A transport supplies

* ``_fit_map(source, target, source_weights, target_weights, rng)`` on float64
  ``(n, d)`` / ``(m, d)`` samples already in the working colour space (weights
  ``None`` or summing to one; ``rng`` the fit's one random generator), and
* ``_transport(Z)`` (and optionally ``_inverse_transport(Z)``) mapping float64
  ``(k, d)`` points of that space with ``t = 1``.

Optional hooks: ``_interpolate`` (transports whose geodesic is not the straight
line ``(1 - t) x + t T(x)``), ``_map_cost_per_row`` (float64 temporaries per row,
which sets the chunk size of the exact path) and ``_has_grid_map`` (False for a
map that is not a function of colour, such as GMM's random draws).

Colour data (three channels in [0, 1]) is fitted on its colour histogram, and the
fitted map becomes a table (:mod:`skcolorot.transport._regular`) that every pixel goes
through; other data goes through ``_transport`` exactly, in bounded chunks.
"""

import warnings
from abc import ABCMeta, abstractmethod
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from .._utils._compat import (
    Interval,
    StrOptions,
    _check_feature_names,
    _fit_context,
    _get_output_config,
)
from .._utils._input import (
    TransportedArray,
    check_colors,
    check_unit_range,
    fit_weights,
    is_dask_array,
    summarize,
)
from ._regular import (
    INVERSE_BANDWIDTH,
    SMOOTHING_POINTS,
    grade_table,
    smooth_map_table,
)
from ..color._spaces import COLOR_SPACES, from_color_space, to_color_space
from ..color._lut import apply_lut, interpolate_tetrahedral, lut_grid, tetrahedral_resample

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
            "set_fit_request(target=True) with metadata routing on). For domain "
            "adaptation use DomainAdaptation(transport, estimator); in skada's "
            "make_da_pipeline, which passes the labels as y, wrap the transport: "
            "TransportAdapter(transport)."
        )
    return y


# What a transport accepts besides float images on the [0, 1] scale.
_CLIP_HINT = ", or pass clip=False to map values outside [0, 1] unclipped"


class BaseTransport(OneToOneFeatureMixin, TransformerMixin, BaseEstimator, metaclass=ABCMeta):
    """Base class of the transports. Not for direct use.

    The base owns everything but the map: parameter and input validation, the
    colour summary (:func:`~skcolorot._utils._input.summarize`), colour spaces, the
    regular table of a colour grade (``lut_``), ``t``, clipping, chunking, dask,
    pickling and ``to_cube``. A transport subclasses it, extends
    ``_parameter_constraints`` with its own parameters, and overrides:

    ``_fit_map(source, target, source_weights, target_weights, rng)``
        Required. Fit the map on float64 samples of the working space and set the
        transport's own fitted attributes.
    ``_transport(Z)``
        Required. The full (``t = 1``) map of float64 points of the working space.
    ``_inverse_transport(Z)``
        Optional (the default raises): the inverse map, for ``inverse_transform``.
    ``_map_cost_per_row()``
        Optional: float64 temporaries one row of ``_transport`` needs (default 64);
        sets the chunk size of the exact path and of tabulating the grade.
    ``_tabulate(size, inverse)``
        Optional: the map at the nodes of a ``size**3`` table, where a transport
        has a quicker way than mapping them as points.
    ``_has_grid_map()``
        Optional: ``False`` where the map is not a function of the colour (GMM's
        ``map="rand"``), so that no table stands for it.
    ``_full_fit_warning_pixels``
        Class attribute: ``n_samples=None`` on more pixels than this warns that
        the fit will be slow; ``None`` where the fit is cheap or guarded itself.

    ``_fits_colors`` (read-only) tells the hooks whether this fit is a colour
    grade (three channels in [0, 1]) or feature data.
    """

    _parameter_constraints: dict = {
        "color_space": [StrOptions(set(COLOR_SPACES))],
        "t": [Interval(Real, 0, 1, closed="both")],
        "n_samples": [Interval(Integral, 2, None, closed="left"), None],
        "lut_size": [Interval(Integral, 2, 256, closed="both"), None],
        "clip": ["boolean", StrOptions({"auto"})],
        "random_state": ["random_state"],
    }

    # n_samples=None on more pixels than this warns that the fit will be slow
    # (None: the transport's fit is linear and cheap, or refuses big fits itself).
    _full_fit_warning_pixels = 1_000_000

    # Bound on the float64 temporaries of one chunk of the exact path, in values.
    _chunk_budget = 1 << 22

    # Bumped whenever fitted attributes change meaning, so an old pickle fails
    # loudly instead of mapping colours wrongly.
    _pickle_format = 2  # 2: colour grades are tables (lut_, inverse_lut_)

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
    def fit(self, X, y=None, *, target=None, sample_weight=None, target_weight=None):
        """Fit the transport from the source sample ``X`` to the target sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), (H, W, C) or (N, H, W, C)
            Source samples or image(s). ``uint8`` / ``uint16`` are read as [0, 1].
            An alpha channel weights its pixels (transparent ones count for nothing).
        y : array-like of shape (m_samples, n_features) or image, default=None
            The target sample (``fit(source, target)``). Ignored when ``target`` is
            given, so that ``y`` can carry labels for a later Pipeline step.
        target : array-like, default=None
            The target sample, when ``y`` holds labels (domain adaptation).
        sample_weight : array-like of shape (n_samples,) or (H, W), default=None
            Weights of the source samples, or a mask (bool, or float in [0, 1])
            of the source image: only the pixels it covers set the grade.
        target_weight : array-like of shape (m_samples,) or (H', W'), default=None
            The same for the target: e.g. take the colours of one region of the
            reference.

        Returns
        -------
        self : object
            The fitted transport.
        """
        # Fitted state is committed only when the whole fit succeeds: a failing
        # fit leaves the estimator as it was (unfitted, or with its old map).
        snapshot = dict(vars(self))
        for key in getattr(self, "_fitted_attributes", ()):
            delattr(self, key)  # the previous fit's state: none of it may linger
        before = set(vars(self))
        try:
            self._fit_all(X, y, target, sample_weight, target_weight)
        except BaseException:
            vars(self).clear()
            vars(self).update(snapshot)
            raise
        self._fitted_attributes = tuple(sorted(set(vars(self)) - before))
        return self

    def _fit_all(self, X, y, target, sample_weight, target_weight):
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
            check_unit_range(source_data, hint=_CLIP_HINT)
            check_unit_range(target_data, hint=_CLIP_HINT)
        pixel_weights = fit_weights(source_data, sample_weight, "sample_weight")
        target_weights = fit_weights(target_data, target_weight, "target_weight")

        # One generator for the sub-sampling and the transport's own draws.
        rng = check_random_state(self.random_state)
        self._warn_full_fit(source_data.n_pixels, "X")
        self._warn_full_fit(target_data.n_pixels, target_name)
        source_colors, source_weights = summarize(source_data, pixel_weights, self.n_samples, rng)
        target_colors, target_weights = summarize(
            target_data, target_weights, self.n_samples, rng
        )
        # What transform reads is captured here: set_params after fit changes
        # nothing until the next fit (t, a position along the fitted grade, aside).
        self.color_space_ = self.color_space
        self.clip_ = self.clip
        self.n_features_in_ = source_data.n_channels
        # Colours get a regular grid map (one table for every pixel); other data
        # (features) the transport's own map, evaluated exactly.
        self._fits_colors = bool(
            self.lut_size is not None
            and source_data.is_color
            and target_data.is_color
            and self._has_grid_map()
        )
        self._fit_map(
            to_color_space(source_colors, self.color_space),
            to_color_space(target_colors, self.color_space),
            source_weights,
            target_weights,
            rng,
        )
        self.lut_ = self.inverse_lut_ = None
        if self._fits_colors:
            points, weights = summarize(source_data, pixel_weights, SMOOTHING_POINTS, rng)
            self._fit_tables(points, weights)

    def _has_grid_map(self):
        """Whether this configuration's map is a deterministic function of colour."""
        return True

    def _fit_tables(self, points, weights):
        """The regular forward and inverse tables of the grade (caller's RGB)."""
        size = self.lut_size
        if weights is None:
            weights = np.full(len(points), 1.0 / len(points))
        self.lut_, smoothness = grade_table(
            lambda colors: self._map_in_chunks(colors, 1.0, False, False),
            points,
            weights,
            size,
            getattr(self, "smoothness", None),
            getattr(self, "slope_range", None),
            tabulate=lambda size: self._tabulate(size, inverse=False),
        )
        if smoothness == 0:
            # The map as it is, tabulated (affine maps: exactly, both ways).
            try:
                self.inverse_lut_ = self._tabulate(size, inverse=True)
                return
            except NotImplementedError:
                pass  # no inverse map of its own: the regression below
            except ValueError:
                # Not invertible (e.g. AffineTransport(reg=0) onto a flat
                # target): inverse_transform raises the transport's own error.
                self.inverse_lut_ = None
                return
        # The inverse grade regresses the source colours on where the forward
        # grade sends them, so the two tables undo each other on the colours
        # that matter; elsewhere it continues their affine part.
        graded = interpolate_tetrahedral(points, self.lut_)
        self.inverse_lut_ = smooth_map_table(
            graded, points, weights, size, max(smoothness, INVERSE_BANDWIDTH)
        )

    def _tabulate(self, size, inverse):
        """The map (``t = 1``, unclipped) at the ``size**3`` nodes of a table.

        A hook: a transport whose map has a quicker form on a grid overrides it.
        """
        nodes = lut_grid(size).reshape(-1, 3)
        return self._map_in_chunks(nodes, 1.0, inverse, False).reshape(size, size, size, 3)

    def _warn_full_fit(self, n_pixels, name):
        limit = self._full_fit_warning_pixels
        if self.n_samples is None and limit is not None and n_pixels > limit:
            warnings.warn(
                f"n_samples=None fits {type(self).__name__} on all {n_pixels:,} pixels / "
                f"samples of {name}, which takes minutes and GBs (12 MP: about 2 min and "
                f"1.6 GB for SlicedTransport); pass n_samples=200_000 to fit on a colour "
                "histogram (a sub-sample for other data).",
                UserWarning,
                stacklevel=5,
            )

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
            that carries ``X`` (by a weak reference) as ``.source`` for a following
            ``Regrainer``.
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

    def _apply(self, X, inverse):
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
        if self.clip_ == "auto":
            check_unit_range(data, hint=_CLIP_HINT)
        clip = data.is_image or data.is_integer if self.clip_ == "auto" else bool(self.clip_)
        out = data.empty_output()
        out_pixels = out.reshape(-1, out.shape[-1])
        if t == 0:
            # The identity, exactly: no colour-space round trip, no clipping.
            out_pixels[:, : data.n_channels] = data.pixels[:, : data.n_channels]
        elif self._fits_colors:
            apply_lut(data.array, self._grade_table(t, inverse, clip), out=out)
        else:
            for rows in self._chunks(data.n_pixels):
                mapped = self._map_colors(data.colors(rows), t, inverse, clip)
                data.encode_into(out_pixels[rows], mapped)
        if getattr(X, "dtype", None) == np.float16:
            out = out.astype(np.float16)  # computed in float32, returned as given
        if data.is_image:
            return TransportedArray(out, source=X)
        return out

    def _chunks(self, n_rows):
        """Row slices whose float64 temporaries stay within ``_chunk_budget``."""
        step = max(1, self._chunk_budget // self._map_cost_per_row())
        return [slice(start, start + step) for start in range(0, n_rows, step)]

    def _map_in_chunks(self, colors, t, inverse, clip):
        out = np.empty_like(colors)
        for rows in self._chunks(len(colors)):
            out[rows] = colors[rows] if t == 0 else self._map_colors(colors[rows], t, inverse, clip)
        return out

    def _map_colors(self, colors, t, inverse, clip):
        """The transport's own map of float colours of the caller's space (no table)."""
        working = to_color_space(colors, self.color_space_)
        mapped = from_color_space(self._interpolate(working, t, inverse), self.color_space_)
        if clip:
            mapped = np.clip(mapped, 0.0, 1.0)
        return mapped

    def _grade_table(self, t, inverse, clip):
        """The table of the grade at ``t``: what every colour pixel goes through.

        A few milliseconds from the fitted tables (nothing is cached): ``t``
        moves each node along the straight line of the working colour space.
        """
        table = self.inverse_lut_ if inverse else self.lut_
        if table is None:
            self._inverse_transport(np.full((1, 3), 0.5))  # raises why there is none
            raise ValueError(f"This {type(self).__name__} has no inverse grade.")
        if clip:
            table = np.clip(table, 0.0, 1.0)
        if t != 1:
            size = table.shape[0]
            nodes = lut_grid(size).reshape(-1, 3)
            if not clip or self.color_space_ == "rgb":
                # Straight lines in RGB need no round trip (and no clipping).
                end = table.reshape(-1, 3)
                table = (nodes + t * (end - nodes)).reshape(size, size, size, 3)
            else:
                start = to_color_space(nodes, self.color_space_)
                end = to_color_space(table.reshape(-1, 3), self.color_space_)
                table = from_color_space(start + t * (end - start), self.color_space_)
                table = np.clip(table, 0.0, 1.0).reshape(size, size, size, 3)
        return table

    def to_lut(self, size=33, *, inverse=False):
        """The fitted grade (at the current ``t``) as a 3D LUT table.

        Parameters
        ----------
        size : int, default=33
            Nodes per colour axis. At the estimator's ``lut_size`` (or a size
            whose cells halve its cells: 65 for 33) the table is exactly the grade
            ``transform`` applies, interpolated tetrahedrally.
        inverse : bool, default=False
            Tabulate the inverse map instead.

        Returns
        -------
        table : ndarray of shape (size, size, size, 3)
            ``table[r, g, b]`` is the output for ``(r, g, b) / (size - 1)``,
            clipped to [0, 1]; see :mod:`skcolorot.color._lut`.
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
        if self._fits_colors:
            return tetrahedral_resample(self._grade_table(t, inverse, clip=True), size)
        table = self._map_in_chunks(lut_grid(size).reshape(-1, 3), t, inverse, clip=True)
        return table.reshape(size, size, size, 3)

    def to_cube(self, path, size=33, *, title=None, overwrite=False):
        """Write the fitted grade as an Adobe/Resolve ``.cube`` 3D LUT file.

        The file applies the same grade in ffmpeg (``-vf lut3d=grade.cube``, whose
        default tetrahedral interpolation is the one ``transform`` uses),
        DaVinci Resolve, Photoshop or OBS.

        Parameters
        ----------
        path : str or path-like
            Output file (written atomically).
        size : int, default=33
            Nodes per colour axis.
        title : str, default=None
            ``TITLE`` line of the file; by default the estimator's class, ``t``
            and parameters (:func:`skcolorot.io._lut_formats.cube_title`).
        overwrite : bool, default=False
            Replace an existing file; otherwise raise ``FileExistsError``.
        """
        from ..io._cube import write_cube
        from ..io._lut_formats import cube_title

        title = cube_title(self) if title is None else title
        write_cube(path, self.to_lut(size), title=title, overwrite=overwrite)

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
        from ..metrics._distances import sliced_wasserstein

        mapped = self.transform(X)
        target = check_colors(y, "y", n_channels=self.n_features_in_)
        if self.clip_ == "auto":
            check_unit_range(target, hint=_CLIP_HINT)  # as fit checks its target
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
