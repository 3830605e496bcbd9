"""Regraining with parameters that need no checking.

:func:`skcolorot.regrain` checks its parameters against the
:class:`~skcolorot.Regrainer`'s constraints, which load scikit-learn.
``transfer()``'s rounds pass their own fixed filter (unless the caller gives
``regrain_params``): :func:`regrain_known` takes such parameters as they are, so
that the default look runs without scikit-learn.
"""

from ._driver import regrain_arrays

__all__ = ["REGRAIN_DEFAULTS", "regrain_known"]

# skcolorot.regrain's defaults (tests/test_sliced_grade.py compares them).
REGRAIN_DEFAULTS = {
    "method": "guided",
    "radius": 4,
    "eps": 0.03,
    "guide": "luminance",
    "n_iter": 2,
    "subsample": "auto",
    "smoothness": 1.0,
}


def regrain_known(source, mapped, **params):
    """:func:`skcolorot.regrain` of in-memory images with ``params`` known to be valid
    (the rest at their defaults), unchecked."""
    return regrain_arrays(source, mapped, {**REGRAIN_DEFAULTS, **params})
