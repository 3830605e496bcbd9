"""skcolorot: optimal-transport colour transfer and domain adaptation as
scikit-learn estimators."""

from ._input import TransportedArray, sample_pixels
from .affine import AffineTransport
from .metrics import color_fidelity, luminance_ssim, sliced_wasserstein, sliced_wasserstein_scorer
from .sinkhorn import SinkhornTransport

__version__ = "0.1.0"

__all__ = [
    "AffineTransport",
    "SinkhornTransport",
    "TransportedArray",
    "color_fidelity",
    "luminance_ssim",
    "sample_pixels",
    "sliced_wasserstein",
    "sliced_wasserstein_scorer",
]
