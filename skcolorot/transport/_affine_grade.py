"""The default look's affine candidate without scikit-learn: the colour grade of
:class:`~skcolorot.transport._affine.AffineTransport` at its defaults
(:mod:`skcolorot.transport._grade`), fitted by the estimator's own function
(:func:`~skcolorot.transport._gaussian.fit_gaussian_map`).
"""

from ._gaussian import fit_gaussian_map
from ._grade import ColorGrade
from .._utils._input import fit_weights, summarize
from ..color._spaces import from_color_space, to_color_space

__all__ = ["AffineGrade"]

# AffineTransport's defaults (tests/test_affine_grade.py compares them).
_COVARIANCE = "full"
_REG = 1e-6
_N_SAMPLES = 200_000


class AffineGrade(ColorGrade):
    """``AffineTransport(color_space=..., random_state=..., t=...)``'s colour grade,
    without the estimator (and scikit-learn); parameters and ``lut_`` as
    :class:`~skcolorot.transport._grade.ColorGrade`'s."""

    _estimator_class = ("skcolorot.transport._affine", "AffineTransport")
    _smoothness = None  # regular by construction: tabulated as it is

    def _fit_colors(self, source_data, pixel_weights, y, target_data, target_weight, rng):
        space = self.color_space
        target_weights = fit_weights(target_data, target_weight, "target_weight")
        source_colors, source_weights = summarize(source_data, pixel_weights, _N_SAMPLES, rng)
        target_colors, target_weights = summarize(target_data, target_weights, _N_SAMPLES, rng)
        fitted = fit_gaussian_map(
            to_color_space(source_colors, space), to_color_space(target_colors, space),
            source_weights, target_weights, reg=_REG, covariance=_COVARIANCE,
        )
        return lambda colors: from_color_space(
            to_color_space(colors, space) @ fitted.matrix + fitted.offset, space
        )
