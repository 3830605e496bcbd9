"""Colour spaces the transports can work in.

Inputs and outputs of every estimator stay in the caller's (s)RGB; a transport
with ``color_space="lab"`` or ``"oklab"`` converts its samples here, fits and maps
in that space, and converts back. CIELab is scaled by 1/100 so that distances in
every space are of the same order as in RGB ``[0, 1]``; the entropic ``reg`` and
other scale-dependent parameters then mean roughly the same in each space.
"""

import warnings

import numpy as np

__all__ = ["COLOR_SPACES", "from_color_space", "to_color_space"]

COLOR_SPACES = ("rgb", "lab", "oklab")

_LAB_SCALE = 100.0

# Björn Ottosson's Oklab (2020) matrices; scikit-image has no Oklab conversion.
_RGB_TO_LMS = np.array(
    [
        [0.4122214708, 0.5363325363, 0.0514459929],
        [0.2119034982, 0.6806995451, 0.1073969566],
        [0.0883024619, 0.2817188376, 0.6299787005],
    ]
)
_LMS_TO_OKLAB = np.array(
    [
        [0.2104542553, 0.7936177850, -0.0040720468],
        [1.9779984951, -2.4285922050, 0.4505937099],
        [0.0259040371, 0.7827717662, -0.8086757660],
    ]
)
# Exact inverses, so that rgb -> oklab -> rgb is the identity to rounding.
_LMS_TO_RGB = np.linalg.inv(_RGB_TO_LMS)
_OKLAB_TO_LMS = np.linalg.inv(_LMS_TO_OKLAB)


def _srgb_to_linear(values):
    # Odd extension keeps out-of-range values (from a transport) invertible.
    magnitude = np.abs(values)
    linear = np.where(
        magnitude <= 0.04045, magnitude / 12.92, ((magnitude + 0.055) / 1.055) ** 2.4
    )
    return np.copysign(linear, values)


def _linear_to_srgb(values):
    magnitude = np.abs(values)
    encoded = np.where(
        magnitude <= 0.0031308,
        12.92 * magnitude,
        1.055 * magnitude ** (1 / 2.4) - 0.055,
    )
    return np.copysign(encoded, values)


def to_color_space(rgb, color_space):
    """Convert ``(n, 3)`` sRGB colours in ``[0, 1]`` to ``color_space``.

    Parameters
    ----------
    rgb : ndarray of shape (n, 3)
        sRGB colours, float.
    color_space : {"rgb", "lab", "oklab"}
        Target space. ``"lab"`` is CIELab (D65) divided by 100.

    Returns
    -------
    ndarray of shape (n, 3)

    Examples
    --------
    >>> import numpy as np
    >>> from skcolorot.color._spaces import to_color_space
    >>> white = to_color_space(np.array([[1.0, 1.0, 1.0]]), "oklab")
    >>> bool(np.allclose(white, [[1.0, 0.0, 0.0]], atol=1e-6))
    True
    """
    if color_space == "rgb":
        return rgb
    _check_three_channels(rgb, color_space)
    if color_space == "lab":
        from skimage.color import rgb2lab  # here: RGB and Oklab never load scikit-image

        return rgb2lab(rgb) / _LAB_SCALE
    if color_space == "oklab":
        lms = _srgb_to_linear(rgb) @ _RGB_TO_LMS.T
        return np.cbrt(lms) @ _LMS_TO_OKLAB.T
    raise ValueError(f"color_space must be one of {COLOR_SPACES}, got {color_space!r}.")


def from_color_space(values, color_space):
    """Convert ``(n, 3)`` colours from ``color_space`` back to sRGB.

    Values are not clipped here (except by scikit-image's CIELab conversion, which
    clips to the sRGB gamut); the estimator decides about clipping.

    Examples
    --------
    >>> import numpy as np
    >>> from skcolorot.color._spaces import from_color_space, to_color_space
    >>> rgb = np.array([[0.2, 0.5, 0.7]])
    >>> bool(np.allclose(from_color_space(to_color_space(rgb, "lab"), "lab"), rgb))
    True
    """
    if color_space == "rgb":
        return values
    _check_three_channels(values, color_space)
    if color_space == "lab":
        from skimage.color import lab2rgb

        with warnings.catch_warnings():
            # A transport may leave the gamut (negative Z); the clip that
            # follows is the answer, a warning per call would be a storm.
            warnings.simplefilter("ignore", UserWarning)
            return lab2rgb(values * _LAB_SCALE)
    if color_space == "oklab":
        lms = (values @ _OKLAB_TO_LMS.T) ** 3
        return _linear_to_srgb(lms @ _LMS_TO_RGB.T)
    raise ValueError(f"color_space must be one of {COLOR_SPACES}, got {color_space!r}.")


def _check_three_channels(values, color_space):
    if values.shape[-1] != 3:
        raise ValueError(
            f"color_space={color_space!r} needs 3-channel RGB data, got "
            f"{values.shape[-1]} channels; use color_space='rgb' for other data."
        )
