"""The checks of the look's adjustments, apart from :mod:`skcolorot.image._look`:
``transfer()`` checks ``intensity`` and ``neutralize`` on every call, and the
look's module loads scikit-learn (its :class:`~skcolorot.image._look.Look` is an
estimator), which a plain grade does without."""

from numbers import Real

__all__ = ["check_look", "check_number"]

_MAX_INTENSITY = 2.0


def check_number(value, name, high):
    """``value`` as a float if it is a number in [0, ``high``], else a ValueError
    naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, Real) or not 0 <= value <= high:
        raise ValueError(f"{name} must be a number in [0, {high:g}], got {value!r}.")
    return float(value)


def check_look(intensity=1.0, neutralize=0.0):
    """``intensity`` in [0, 2] and ``neutralize`` in [0, 1] as floats, or a
    ValueError naming the argument."""
    return (
        check_number(intensity, "intensity", _MAX_INTENSITY),
        check_number(neutralize, "neutralize", 1),
    )
