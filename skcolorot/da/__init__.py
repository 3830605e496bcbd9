"""Domain adaptation: :class:`DomainAdaptation` (``_domain``), label-free
selection scorers (``_scoring``), the label-aware transport (``_label_aware``)
and the skada adapter (``_adapter``)."""

from .._utils._lazy import attach

__getattr__, __dir__, __all__ = attach(
    __name__,
    {
        "DomainAdaptation": "._domain",
        "TargetSample": "._domain",
        "transported_source_scorer": "._domain",
        "LabelAwareTransport": "._label_aware",
        "TransportAdapter": "._adapter",
        "CircularValidationScorer": "._scoring",
        "CombinedScorer": "._scoring",
        "DeepEmbeddedValidationScorer": "._scoring",
        "ImportanceWeightedScorer": "._scoring",
        "NeighbourConsistencyScorer": "._scoring",
        "PredictionEntropyScorer": "._scoring",
    },
)
