"""Quality measures of a colour transfer: colour fidelity, luminance structure
and sliced Wasserstein distances (``_distances``)."""

from ._distances import color_fidelity, luminance_ssim, sliced_wasserstein, sliced_wasserstein_scorer

__all__ = ["color_fidelity", "luminance_ssim", "sliced_wasserstein", "sliced_wasserstein_scorer"]
