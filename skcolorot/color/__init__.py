"""Colour science with no estimator in it: colour spaces (``_spaces``), 3D LUT
tables and their tetrahedral interpolation (``_lut``) and grayscale toning
(``_toning``). Imports nothing of the package above ``_utils``."""

from .._utils._lazy import attach

__getattr__, __dir__, __all__ = attach(
    __name__,
    {
        "lut_grid": "._lut",
        "apply_lut": "._lut",
        "interpolate_tetrahedral": "._lut",
        "COLOR_SPACES": "._spaces",
        "to_color_space": "._spaces",
        "from_color_space": "._spaces",
        "tone_grayscale": "._toning",
    },
)
