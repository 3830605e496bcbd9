"""The default look's transport without scikit-learn: the colour grade of
:class:`~skcolorot.transport._sliced.SlicedTransport` at its defaults.

``transfer()`` and ``skcolorot transfer`` fit the default method once per regrain
round. As the estimator, that costs scikit-learn's import (~2.5 s, most of a
0.3 MP command). :class:`SlicedGrade` fits the same grade through the functions
the estimator's ``fit`` calls - the colour summaries
(:func:`~skcolorot._utils._input.summarize`), the flow
(:mod:`skcolorot.transport._flow`) and the regular table
(:func:`~skcolorot.transport._regular.regular_table`) - so its table and its
output are the estimator's, bit for bit (``tests/test_sliced_grade.py``). It
keeps the target's side of a fit (its summary and quantiles), which the rounds'
refits to the same target reuse.

It takes only what needs no scikit-learn validation: :func:`light_transport`
returns one for ``method="sliced"`` with at most ``color_space``,
``random_state`` and ``t`` given, all valid; any other method or parameter gets
the estimator, which validates them. Data that is no colour grade (not three
channels in [0, 1]) is fitted by the estimator too.
"""

import copy
from numbers import Integral, Real

import numpy as np

from .._utils._input import (
    TransportedArray,
    check_colors,
    check_random_state,
    check_unit_range,
    fit_weights,
    summarize,
)
from ..color._lut import apply_lut
from ..color._spaces import COLOR_SPACES, from_color_space, to_color_space
from ._flow import apply_flow, fit_flow, flow_directions, target_quantiles
from ._regular import SMOOTHING_POINTS, regular_table

__all__ = ["SlicedGrade", "light_transport", "unfitted_copy"]

# SlicedTransport's defaults (tests/test_sliced_grade.py compares them): one
# orthonormal basis of directions per iteration, n_iter, n_quantiles,
# n_samples, lut_size and smoothness.
_N_SLICES = 3
_N_ITER = 20
_N_QUANTILES = 128
_N_SAMPLES = 10_000
_LUT_SIZE = 33
_SMOOTHNESS = 0.03

_PARAMS = ("color_space", "random_state", "t")


class _TargetSide:
    """What a fit derives from its target alone, for the next fit to the same one."""

    def __init__(self, target, target_weight, colors, directions, knots):
        self.target = target
        self.target_weight = target_weight
        self.colors = colors
        self.directions = directions
        self.knots = knots

    def serves(self, target, target_weight):
        return target is self.target and target_weight is self.target_weight


class SlicedGrade:
    """``SlicedTransport(color_space=..., random_state=..., t=...)``'s colour grade,
    without the estimator (and scikit-learn).

    What :func:`~skcolorot.image._transfer.grade_with` and its rounds call:
    ``fit(X, y, sample_weight=, target_weight=)``, ``transform(X)`` (at full
    strength, ``t=1``), ``get_params`` / ``set_params`` and ``random_state``.
    Not an estimator: no ``inverse_transform``, export or pickling; users of
    those get :class:`~skcolorot.transport._sliced.SlicedTransport`.

    Attributes
    ----------
    lut_ : ndarray of shape (33, 33, 33, 3)
        The grade (unclipped RGB at the nodes), as the estimator's ``lut_``.
    """

    def __init__(self, color_space="rgb", random_state=None, t=1.0):
        self.color_space = color_space
        self.random_state = random_state
        self.t = t
        self._target = None
        self._estimator = None

    def get_params(self, deep=True):
        return {name: getattr(self, name) for name in _PARAMS}

    def set_params(self, **params):
        for name, value in params.items():
            if name not in _PARAMS:
                raise ValueError(f"SlicedGrade has no parameter {name!r}.")
            setattr(self, name, value)
        return self

    def fit(self, X, y, *, sample_weight=None, target_weight=None):
        """Fit the grade from the colours of ``X`` to those of ``y`` (as the estimator)."""
        source_data = check_colors(X, "X")
        target_data = check_colors(y, "y (the target sample)", n_channels=source_data.n_channels)
        self._estimator = None
        if not (source_data.is_color and target_data.is_color):
            # Features, or float colours beyond [0, 1]: the estimator's exact map.
            from ._sliced import SlicedTransport

            self._estimator = SlicedTransport(**self.get_params()).fit(
                X, y, sample_weight=sample_weight, target_weight=target_weight
            )
            return self
        space = self.color_space
        pixel_weights = fit_weights(source_data, sample_weight, "sample_weight")
        rng = check_random_state(self.random_state)  # colours draw nothing from it
        if self._target is None or not self._target.serves(y, target_weight):
            self._target = self._fit_target(y, target_data, target_weight, rng)
        target = self._target
        colors, weights = summarize(source_data, pixel_weights, _N_SAMPLES, rng)
        flow = fit_flow(to_color_space(colors, space), target.colors, weights,
                        target.directions, target.knots)
        points, point_weights = summarize(source_data, pixel_weights, SMOOTHING_POINTS, rng)
        if point_weights is None:
            point_weights = np.full(len(points), 1.0 / len(points))
        mapped = from_color_space(
            apply_flow(flow.fields, flow.box, to_color_space(points, space)), space
        )
        self.lut_ = regular_table(points, mapped, point_weights, _LUT_SIZE, _SMOOTHNESS)
        return self

    def _fit_target(self, y, target_data, target_weight, rng):
        weights = fit_weights(target_data, target_weight, "target_weight")
        colors, weights = summarize(target_data, weights, _N_SAMPLES, rng)
        colors = to_color_space(colors, self.color_space)
        directions = flow_directions(_N_ITER, _N_SLICES)
        knots = target_quantiles(colors, weights, directions, _N_QUANTILES)
        return _TargetSide(y, target_weight, colors, directions, knots)

    def transform(self, X):
        """The grade of ``X`` at full strength (the estimator's ``transform`` at ``t=1``)."""
        if self._estimator is not None:
            return self._estimator.transform(X)
        if self.t != 1:
            raise ValueError(f"SlicedGrade grades at t=1 (fade the result); got t={self.t!r}.")
        data = check_colors(X, "X", n_channels=3, min_pixels=1)
        check_unit_range(data)
        clip = data.is_image or data.is_integer
        out = data.empty_output()
        apply_lut(data.array, np.clip(self.lut_, 0.0, 1.0) if clip else self.lut_, out=out)
        if getattr(X, "dtype", None) == np.float16:
            out = out.astype(np.float16)  # computed in float32, returned as given
        return TransportedArray(out, source=X) if data.is_image else out


def _valid_seed(value):
    # scikit-learn's "random_state" constraint; booleans are left to it.
    if value is None or isinstance(value, np.random.RandomState):
        return True
    return isinstance(value, Integral) and not isinstance(value, bool) and 0 <= value < 2**32


def light_transport(method, params):
    """A :class:`SlicedGrade` for ``method`` and ``params`` when it can stand for the
    estimator, else None.

    It can for ``method="sliced"`` with parameters among ``color_space``,
    ``random_state`` and ``t``, each valid (what scikit-learn's constraints of
    SlicedTransport accept); anything else is the estimator's to validate.
    """
    if method != "sliced" or not set(params) <= set(_PARAMS):
        return None
    space = params.get("color_space", "rgb")
    t = params.get("t", 1.0)
    valid = (
        isinstance(space, str)
        and space in COLOR_SPACES
        and _valid_seed(params.get("random_state"))
        and isinstance(t, Real)
        and not isinstance(t, bool)
        and 0 <= t <= 1
    )
    return SlicedGrade(**params) if valid else None


def unfitted_copy(transport):
    """An unfitted copy of ``transport`` with its parameters: scikit-learn's ``clone``
    of an estimator; a :class:`SlicedGrade`'s copy keeps the target's side, for a
    refit to the same target."""
    if isinstance(transport, SlicedGrade):
        duplicate = SlicedGrade(**copy.deepcopy(transport.get_params()))
        duplicate._target = transport._target
        return duplicate
    from sklearn.base import clone

    return clone(transport)
