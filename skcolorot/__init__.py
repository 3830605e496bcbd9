"""skcolorot: optimal-transport colour transfer and domain adaptation as
scikit-learn estimators.

The public names are imported on first use (PEP 562), so ``import skcolorot``
and ``skcolorot --version`` stay cheap: scikit-learn, POT and scikit-image load
only when an estimator or function that needs them is first touched.
"""

from ._utils._lazy import attach

__version__ = "0.1.0"

# public name -> module that defines it
_LAZY = {
    "TransportedArray": "._utils._input",
    "sample_pixels": "._utils._input",
    "make_transport": ".image._transfer",
    "transfer": ".image._transfer",
    "AffineTransport": ".transport._affine",
    "barycenter": ".transport._barycenter",
    "DomainAdaptation": ".da._domain",
    "TargetSample": ".da._target",
    "transported_source_scorer": ".da._scoring",
    "LabelAwareTransport": ".da._label_aware",
    "TransportAdapter": ".da._adapter",
    "CircularValidationScorer": ".da._scoring",
    "CombinedScorer": ".da._scoring",
    "DeepEmbeddedValidationScorer": ".da._scoring",
    "ImportanceWeightedScorer": ".da._scoring",
    "NeighbourConsistencyScorer": ".da._scoring",
    "PredictionEntropyScorer": ".da._scoring",
    "EMDTransport": ".transport._emd",
    "GMMTransport": ".transport._gmm",
    "apply_lut": ".color._lut",
    "read_cube": ".io._cube",
    "write_cube": ".io._cube",
    "color_fidelity": ".metrics",
    "luminance_ssim": ".metrics",
    "sliced_wasserstein": ".metrics",
    "sliced_wasserstein_scorer": ".metrics",
    "preview": "._preview._server",
    "Regrainer": ".image._regrainer",
    "regrain": ".image._regrainer",
    "SinkhornTransport": ".transport._sinkhorn",
    "SlicedTransport": ".transport._sliced",
    "tone_grayscale": ".color._toning",
}

__getattr__, __dir__, __all__ = attach(__name__, _LAZY)
