"""Domain adaptation: :class:`DomainAdaptation` (``_domain``), the target
sample it is given (``_target``), the label-free choice of ``transport="auto"``
(``_selection``) and its scorers (``_scoring``), the label-aware transport
(``_label_aware``) and the skada adapter (``_adapter``)."""

from .._utils._lazy import attach

__getattr__, __dir__, __all__ = attach(
    __name__,
    {
        "DomainAdaptation": "._domain",
        "TargetSample": "._target",
        "transported_source_scorer": "._scoring",
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
