"""One fitted grade applied to an image with the regrain ``batch`` and ``video``
ask for: none, the clean look's application
(:func:`~skcolorot.image._clean.clean_grade`) or the guided regrain.

Apart from :mod:`skcolorot.image._clean` so that the clean look itself does not
depend on the regrainer (which depends on it through ``method="clean"``).
"""

import numpy as np

from ._clean import clean_grade

__all__ = ["CLEAN", "regrained_grade"]

# ``regrain`` of batch and video when it is True: the clean look's application.
CLEAN = "clean"


def regrained_grade(image, grade, regrain):
    """``grade`` applied to one image with the regrain ``regrain`` names.

    ``regrain``: None (the grade alone), :data:`CLEAN`
    (:func:`~skcolorot.image._clean.clean_grade`; a grayscale image, which has no
    colour base to grade, gets the guided regrain with its defaults), or a dict of
    :func:`skcolorot.regrain`'s parameters (the guided regrain of the graded
    image, as ``make_pipeline(transport, Regrainer(**params))`` does).
    """
    image = np.asarray(image)
    if regrain == CLEAN and image.ndim == 3 and image.shape[-1] in (3, 4):
        return clean_grade(image, grade)
    graded = np.asarray(grade(image))
    if regrain is None:
        return graded
    from ._regrainer import regrain as guided_regrain

    return guided_regrain(image, graded, **({} if regrain == CLEAN else regrain))
