"""The bundled example of ``skcolorot demo``: scikit-learn's sample photograph
china.jpg in the colours of flower.jpg."""

import numpy as np

__all__ = ["run_demo"]

_GAP = 8  # white pixels between the pictures of the side-by-side strip


def run_demo(transport, *, regrain, rounds=3, luminance=1.0, side_by_side=False):
    """Grade china.jpg towards flower.jpg with an unfitted ``transport``.

    Its ``t`` is the strength of the grade, applied after regraining (as
    ``skcolorot transfer`` does).

    Returns
    -------
    picture : ndarray
        What to write: the result, or with ``side_by_side`` source | reference |
        result in one strip.
    source, reference, result : ndarray
        The three images, for the scores.
    """
    from sklearn.datasets import load_sample_image

    from ..image._transfer import grade_with

    source, reference = load_sample_image("china.jpg"), load_sample_image("flower.jpg")
    strength = transport.t
    result, _ = grade_with(
        transport.set_params(t=1.0),
        source,
        reference,
        regrain=regrain,
        rounds=rounds,
        t=strength,
        luminance=luminance,
    )
    picture = result
    if side_by_side:
        gap = np.full((source.shape[0], _GAP, 3), 255, dtype=np.uint8)
        picture = np.concatenate([source, gap, reference, gap, result], axis=1)
    return picture, source, reference, result
