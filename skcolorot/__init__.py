"""skcolorot: optimal-transport colour transfer and domain adaptation as
scikit-learn estimators.

The public names are imported on first use (PEP 562), so ``import skcolorot``
and ``skcolorot --version`` stay cheap: scikit-learn, POT and scikit-image load
only when an estimator or function that needs them is first touched.
"""

from importlib import import_module

__version__ = "0.1.0"

# public name -> module that defines it
_LAZY = {
    "TransportedArray": "._input",
    "sample_pixels": "._input",
    "make_transport": "._transfer",
    "transfer": "._transfer",
    "AffineTransport": ".affine",
    "barycenter": "._barycenter",
    "DomainAdaptation": ".domain",
    "TargetSample": ".domain",
    "transported_source_scorer": ".domain",
    "LabelAwareTransport": ".class_transport",
    "TransportAdapter": ".da_adapter",
    "CircularValidationScorer": ".da_scoring",
    "CombinedScorer": ".da_scoring",
    "DeepEmbeddedValidationScorer": ".da_scoring",
    "ImportanceWeightedScorer": ".da_scoring",
    "NeighbourConsistencyScorer": ".da_scoring",
    "PredictionEntropyScorer": ".da_scoring",
    "EMDTransport": ".emd",
    "GMMTransport": ".gmm",
    "apply_lut": ".lut",
    "read_cube": ".lut",
    "write_cube": ".lut",
    "color_fidelity": ".metrics",
    "luminance_ssim": ".metrics",
    "sliced_wasserstein": ".metrics",
    "sliced_wasserstein_scorer": ".metrics",
    "Regrainer": ".regrainer",
    "regrain": ".regrainer",
    "SinkhornTransport": ".sinkhorn",
    "SlicedTransport": ".sliced",
    "tone_grayscale": ".toning",
}

__all__ = sorted(_LAZY)


def __getattr__(name):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'skcolorot' has no attribute {name!r}")
    value = getattr(import_module(module, __name__), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))

