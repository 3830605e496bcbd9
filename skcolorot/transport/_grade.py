"""Colour grades without the estimators (and scikit-learn), for the default look.

``transfer()`` and ``skcolorot transfer`` with ``method="auto"`` fit the sliced
transport once per regrain round and the affine map once. As estimators, that
costs scikit-learn's import (~2.5 s, most of a 0.3 MP command). A
:class:`ColorGrade` fits the same colour grade through the functions the
estimator's ``fit`` calls - the colour summaries
(:func:`~skcolorot._utils._input.summarize`), the transport's own fit and the
grade's table (:func:`~skcolorot.transport._regular.grade_table`) - so its table
and its output are the estimator's, bit for bit (``tests/test_sliced_grade.py``,
``tests/test_affine_grade.py``). :class:`~skcolorot.transport._sliced_grade.SlicedGrade`
and :class:`~skcolorot.transport._affine_grade.AffineGrade` supply the map.

They take only what needs no scikit-learn validation: :func:`light_transport`
returns one for ``method="sliced"`` or ``"affine"`` with at most ``color_space``,
``random_state`` and ``t`` given, all valid; any other method or parameter gets
the estimator, which validates them. Data that is no colour grade (not three
channels in [0, 1]) is fitted by the estimator too.
"""

import copy
from importlib import import_module
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
from ..color._spaces import COLOR_SPACES
from ._regular import SMOOTHING_POINTS, grade_table

__all__ = ["ColorGrade", "light_transport", "unfitted_copy"]

# The estimators' default lut_size, shared by both grades.
LUT_SIZE = 33

_PARAMS = ("color_space", "random_state", "t")

# method -> (module, class) of its grade, imported on first use (each imports
# this module).
_GRADES = {
    "sliced": ("skcolorot.transport._sliced_grade", "SlicedGrade"),
    "affine": ("skcolorot.transport._affine_grade", "AffineGrade"),
}


class ColorGrade:
    """The colour grade of a transport at its defaults, without the estimator.

    What :func:`~skcolorot.image._transfer.grade_with`, its rounds and
    :func:`~skcolorot.image._transfer.grade_auto` call: ``fit(X, y,
    sample_weight=, target_weight=)``, ``transform(X)`` (at full strength,
    ``t=1``), ``get_params`` / ``set_params`` and ``random_state``. Not an
    estimator: no ``inverse_transform``, export or pickling; users of those get
    the estimator.

    A subclass names its estimator (``_estimator_class``: module and class), its
    table's ``_smoothness`` (the estimator's, ``None`` for a map regular by
    construction) and fits the map in ``_fit_colors``.

    Parameters
    ----------
    color_space : {"rgb", "lab", "oklab"}, default="rgb"
    random_state : int, RandomState instance or None, default=None
    t : float in [0, 1], default=1.0
        As the estimator's; ``transform`` grades at ``t=1`` only (a caller fades
        the result).

    Attributes
    ----------
    lut_ : ndarray of shape (33, 33, 33, 3)
        The grade (unclipped RGB at the nodes), as the estimator's ``lut_``.
    """

    _estimator_class = None
    _smoothness = None
    _estimator = None  # the estimator itself, for data that is no colour grade

    def __init__(self, color_space="rgb", random_state=None, t=1.0):
        self.color_space = color_space
        self.random_state = random_state
        self.t = t

    def get_params(self, deep=True):
        return {name: getattr(self, name) for name in _PARAMS}

    def set_params(self, **params):
        for name, value in params.items():
            if name not in _PARAMS:
                raise ValueError(f"{type(self).__name__} has no parameter {name!r}.")
            setattr(self, name, value)
        return self

    def fit(self, X, y, *, sample_weight=None, target_weight=None):
        """Fit the grade from the colours of ``X`` to those of ``y`` (as the estimator)."""
        source_data = check_colors(X, "X")
        target_data = check_colors(y, "y (the target sample)", n_channels=source_data.n_channels)
        self._estimator = None
        if not (source_data.is_color and target_data.is_color):
            # Features, or float colours beyond [0, 1]: the estimator's exact map
            # (its module, and scikit-learn, load only then).
            module, name = self._estimator_class
            estimator = getattr(import_module(module), name)(**self.get_params())
            self._estimator = estimator.fit(
                X, y, sample_weight=sample_weight, target_weight=target_weight
            )
            return self
        pixel_weights = fit_weights(source_data, sample_weight, "sample_weight")
        rng = check_random_state(self.random_state)  # colours draw nothing from it
        map_colors = self._fit_colors(source_data, pixel_weights, y, target_data,
                                      target_weight, rng)
        points, point_weights = summarize(source_data, pixel_weights, SMOOTHING_POINTS, rng)
        if point_weights is None:
            point_weights = np.full(len(points), 1.0 / len(points))
        self.lut_, _ = grade_table(map_colors, points, point_weights, LUT_SIZE,
                                   self._smoothness)
        return self

    def _fit_colors(self, source_data, pixel_weights, y, target_data, target_weight, rng):
        """Fit the map; return it as a function of float64 RGB colours ``(k, 3)``."""
        raise NotImplementedError

    def transform(self, X):
        """The grade of ``X`` at full strength (the estimator's ``transform`` at ``t=1``)."""
        if self._estimator is not None:
            return self._estimator.transform(X)
        if self.t != 1:
            raise ValueError(
                f"{type(self).__name__} grades at t=1 (fade the result); got t={self.t!r}."
            )
        data = check_colors(X, "X", n_channels=3, min_pixels=1)
        check_unit_range(data)
        clip = data.is_image or data.is_integer
        out = data.empty_output()
        apply_lut(data.array, np.clip(self.lut_, 0.0, 1.0) if clip else self.lut_, out=out)
        if getattr(X, "dtype", None) == np.float16:
            out = out.astype(np.float16)  # computed in float32, returned as given
        return TransportedArray(out, source=X) if data.is_image else out

    def _unfitted_copy(self):
        return type(self)(**copy.deepcopy(self.get_params()))


def _valid_seed(value):
    # scikit-learn's "random_state" constraint; booleans are left to it.
    if value is None or isinstance(value, np.random.RandomState):
        return True
    return isinstance(value, Integral) and not isinstance(value, bool) and 0 <= value < 2**32


def light_transport(method, params):
    """A :class:`ColorGrade` for ``method`` and ``params`` when it can stand for the
    estimator, else None.

    It can for ``method="sliced"`` or ``"affine"`` with parameters among
    ``color_space``, ``random_state`` and ``t``, each valid (what scikit-learn's
    constraints of the estimator accept); anything else is the estimator's to
    validate.
    """
    if method not in _GRADES or not set(params) <= set(_PARAMS):
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
    if not valid:
        return None
    module, name = _GRADES[method]
    return getattr(import_module(module), name)(**params)


def unfitted_copy(transport):
    """An unfitted copy of ``transport`` with its parameters: scikit-learn's ``clone``
    of an estimator; a :class:`ColorGrade`'s copy (a sliced one keeps the target's
    side, for a refit to the same target)."""
    if isinstance(transport, ColorGrade):
        return transport._unfitted_copy()
    from sklearn.base import clone  # an estimator has loaded scikit-learn already

    return clone(transport)
