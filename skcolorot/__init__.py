"""skcolorot: optimal-transport colour transfer and domain adaptation as
scikit-learn estimators."""

from ._input import TransportedArray, sample_pixels
from ._transfer import make_transport, transfer
from .affine import AffineTransport
from .class_transport import LabelAwareTransport
from .da_adapter import TransportAdapter
from .da_scoring import (
    CircularValidationScorer,
    CombinedScorer,
    DeepEmbeddedValidationScorer,
    ImportanceWeightedScorer,
    NeighbourConsistencyScorer,
    PredictionEntropyScorer,
)
from .domain import DomainAdaptation, TargetSample, transported_source_scorer
from .gmm import GMMTransport
from .lut import apply_lut, read_cube, write_cube
from .metrics import color_fidelity, luminance_ssim, sliced_wasserstein, sliced_wasserstein_scorer
from .regrain import Regrainer, regrain
from .sinkhorn import SinkhornTransport
from .sliced import SlicedTransport

__version__ = "0.1.0"

__all__ = [
    "AffineTransport",
    "CircularValidationScorer",
    "CombinedScorer",
    "DeepEmbeddedValidationScorer",
    "DomainAdaptation",
    "GMMTransport",
    "ImportanceWeightedScorer",
    "LabelAwareTransport",
    "NeighbourConsistencyScorer",
    "PredictionEntropyScorer",
    "Regrainer",
    "SinkhornTransport",
    "SlicedTransport",
    "TargetSample",
    "TransportAdapter",
    "TransportedArray",
    "apply_lut",
    "color_fidelity",
    "luminance_ssim",
    "make_transport",
    "read_cube",
    "regrain",
    "sample_pixels",
    "sliced_wasserstein",
    "sliced_wasserstein_scorer",
    "transfer",
    "transported_source_scorer",
    "write_cube",
]
