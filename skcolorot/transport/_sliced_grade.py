"""The default look's sliced transport without scikit-learn: the colour grade of
:class:`~skcolorot.transport._sliced.SlicedTransport` at its defaults
(:mod:`skcolorot.transport._grade`), fitted by the functions of the estimator's
``fit`` (:mod:`skcolorot.transport._flow`).

``transfer()``'s rounds refit it to the same target: it keeps the target's side
of a fit (its summary and quantiles), which those refits reuse.
"""

from ._flow import apply_flow, fit_flow, flow_directions, target_quantiles
from ._grade import ColorGrade
from .._utils._input import fit_weights, summarize
from ..color._spaces import from_color_space, to_color_space

__all__ = ["SlicedGrade"]

# SlicedTransport's defaults (tests/test_sliced_grade.py compares them): one
# orthonormal basis of directions per iteration, n_iter, n_quantiles, n_samples
# and smoothness (lut_size: the grade's LUT_SIZE).
_N_SLICES = 3
_N_ITER = 20
_N_QUANTILES = 128
_N_SAMPLES = 10_000
_SMOOTHNESS = 0.03


class _TargetSide:
    """What a fit derives from its target alone, for the next fit to the same one."""

    def __init__(self, target, target_weight, color_space, colors, directions, knots):
        self.target = target
        self.target_weight = target_weight
        self.color_space = color_space
        self.colors = colors
        self.directions = directions
        self.knots = knots

    def serves(self, target, target_weight, color_space):
        return (target is self.target and target_weight is self.target_weight
                and color_space == self.color_space)


class SlicedGrade(ColorGrade):
    """``SlicedTransport(color_space=..., random_state=..., t=...)``'s colour grade,
    without the estimator (and scikit-learn); parameters and ``lut_`` as
    :class:`~skcolorot.transport._grade.ColorGrade`'s."""

    _estimator_class = ("skcolorot.transport._sliced", "SlicedTransport")
    _smoothness = _SMOOTHNESS
    _target = None  # the last fit's _TargetSide

    def _fit_colors(self, source_data, pixel_weights, y, target_data, target_weight, rng):
        space = self.color_space
        if self._target is None or not self._target.serves(y, target_weight, space):
            self._target = self._fit_target(y, target_data, target_weight, rng)
        target = self._target
        colors, weights = summarize(source_data, pixel_weights, _N_SAMPLES, rng)
        flow = fit_flow(to_color_space(colors, space), target.colors, weights,
                        target.directions, target.knots)
        return lambda points: from_color_space(
            apply_flow(flow.fields, flow.box, to_color_space(points, space)), space
        )

    def _fit_target(self, y, target_data, target_weight, rng):
        weights = fit_weights(target_data, target_weight, "target_weight")
        colors, weights = summarize(target_data, weights, _N_SAMPLES, rng)
        colors = to_color_space(colors, self.color_space)
        directions = flow_directions(_N_ITER, _N_SLICES)
        knots = target_quantiles(colors, weights, directions, _N_QUANTILES)
        return _TargetSide(y, target_weight, self.color_space, colors, directions, knots)

    def _unfitted_copy(self):
        duplicate = super()._unfitted_copy()
        duplicate._target = self._target
        return duplicate
