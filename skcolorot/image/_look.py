"""The look of a fitted grade: colour intensity, neutralisation, luminance and
strength as one table, the same in ``transfer``, ``skcolorot lut`` and the
browser preview.

A look is a function of colour only, so it is a 3D table like the grade itself
(what makes a slider answer at once, and the exported ``.cube`` exact):

1. *neutralise* (a pre-step): the source's colour cast, the mean a*, b* of its
   near-neutral mid-tones, is taken out of every colour (in CIELab, fading to
   nothing at black and white, which stay neutral);
2. the fitted grade (at full strength) maps the neutralised colour;
3. *luminance*: the lightness (CIELab L*) moves from the source's by this
   fraction of the grade's change, as ``transfer(luminance=...)``;
4. *intensity*: the chroma of the graded colour is scaled (CIELab a*, b*), as
   an image editor's saturation of the result; it rides on the grade, so it
   fades with it;
5. *strength* ``t``: a fade from the source along the transport's own path
   (straight lines in its working colour space), as the transport's ``t``.

A regrained result (spatial, not in any table) keeps the regrain's correction,
``regrained - graded``, added on top: its lightness part scaled by
``luminance``, its colour part by ``intensity``, all by ``t``.
"""

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from .._utils._dtypes import unit_scale
from ..color._lut import apply_lut, interpolate_tetrahedral, lut_grid, tetrahedral_resample
from ..color._spaces import from_color_space, to_color_space
from ._look_checks import check_look, check_number

__all__ = ["Look", "add_correction", "check_look", "color_cast", "is_neutral"]

# Rec. 709 luma weights: the lightness part of an RGB correction.
_LUMA = np.array([0.2126, 0.7152, 0.0722])
# Pixels the cast is estimated on (evenly strided, so it is deterministic).
_CAST_SAMPLES = 1 << 16
# Chroma (CIELab units) at which a pixel counts half as "near-neutral" for the cast.
_NEUTRAL_CHROMA = 20.0


def is_neutral(intensity=1.0, neutralize=0.0, luminance=1.0):
    """Whether the adjustments leave the grade as it is."""
    return intensity == 1 and neutralize == 0 and luminance == 1


def _midtone_weight(lightness):
    # 1 at mid-grey, 0 at black and white: a cast shows (and is removed) in the
    # mid-tones, while black stays black and white stays white.
    return np.sin(np.pi * np.clip(lightness, 0.0, 1.0))


def color_cast(image):
    """The colour cast of an image: the mean CIELab (a*, b*) of its near-neutral
    mid-tones.

    Parameters
    ----------
    image : ndarray of shape (H, W, 3), (H, W, 4) or (n, 3)
        uint8, uint16 or float in [0, 1]; transparent pixels do not count.

    Returns
    -------
    cast : ndarray of shape (2,)
        a*, b* on the 1/100 scale of :func:`skcolorot.color._spaces.to_color_space`.

    Examples
    --------
    >>> import numpy as np
    >>> bluish = np.full((8, 8, 3), [0.4, 0.45, 0.6])
    >>> a, b = color_cast(bluish)
    >>> bool(b < 0)
    True
    """
    pixels = np.asarray(image)
    flat = pixels.reshape(-1, pixels.shape[-1])
    if flat.shape[1] == 4:
        flat = flat[flat[:, 3] > 0]
    step = max(1, len(flat) // _CAST_SAMPLES)
    colors = flat[::step, :3] / unit_scale(flat.dtype)
    if len(colors) == 0:
        return np.zeros(2)
    lab = to_color_space(np.clip(colors.astype(np.float64), 0.0, 1.0), "lab")
    chroma = np.hypot(lab[:, 1], lab[:, 2]) * 100
    weights = _midtone_weight(lab[:, 0]) / (1 + (chroma / _NEUTRAL_CHROMA) ** 2)
    if weights.sum() <= 0:
        return np.zeros(2)
    return np.average(lab[:, 1:], axis=0, weights=weights)


def neutralize_colors(colors, cast, amount):
    """``(n, 3)`` float colours with ``amount`` of ``cast`` taken out (CIELab)."""
    if amount == 0 or not np.any(cast):
        return colors
    lab = to_color_space(np.clip(colors, 0.0, 1.0), "lab")
    lab[:, 1:] -= amount * _midtone_weight(lab[:, :1]) * cast
    return np.clip(from_color_space(lab, "lab"), 0.0, 1.0)


class Look(BaseEstimator):
    """A fitted grade with adjustments, as one table: what every pixel goes through.

    Parameters
    ----------
    transport : BaseTransport
        A fitted colour transport (three channels).
    t : float in [0, 1], default=1.0
        Strength: a fade from the source along the transport's own path.
    luminance : float in [0, 1], default=1.0
        Fraction of the grade's change of lightness (CIELab L*) kept.
    intensity : float in [0, 2], default=1.0
        Chroma of the graded colours, scaled (0: grey, 1: as graded).
    neutralize : float in [0, 1], default=0.0
        How much of the source's colour cast (:func:`color_cast`) is removed
        before grading.

    Attributes
    ----------
    cast_ : ndarray of shape (2,)
        The source's cast (CIELab a*, b* / 100), set by :meth:`fit`.
    table_ : ndarray of shape (N, N, N, 3)
        The look at the transport's table size (33 when it has none).

    Examples
    --------
    >>> import numpy as np
    >>> from skcolorot import AffineTransport
    >>> rng = np.random.default_rng(0)
    >>> source, target = rng.random((500, 3)) * 0.5, 0.5 + rng.random((500, 3)) * 0.5
    >>> transport = AffineTransport().fit(source, target)
    >>> look = Look(transport, intensity=0.5, neutralize=1.0).fit(source)
    >>> look.to_lut(17).shape
    (17, 17, 17, 3)
    """

    def __init__(self, transport, *, t=1.0, luminance=1.0, intensity=1.0, neutralize=0.0):
        self.transport = transport
        self.t = t
        self.luminance = luminance
        self.intensity = intensity
        self.neutralize = neutralize

    def fit(self, source, y=None):
        """Take the cast from ``source`` (the image the grade was fitted on) and
        tabulate the look."""
        self.cast_ = color_cast(source)
        self.table_ = self.look_table()
        return self

    def _checked(self):
        t = check_number(self.t, "t", 1)
        luminance = check_number(self.luminance, "luminance", 1)
        return (t, luminance, *check_look(self.intensity, self.neutralize))

    def full_grade(self, colors):
        """The transport's full-strength grade of ``(n, 3)`` float colours, clipped."""
        transport = self.transport
        if getattr(transport, "_fits_colors", False):
            return np.clip(interpolate_tetrahedral(colors, np.clip(transport.lut_, 0, 1)), 0, 1)
        return transport._map_in_chunks(colors, 1.0, False, True)

    def look_table(self, *, t=None, luminance=None, intensity=None, neutralize=None):
        """The look's table at the transport's size; keywords override the
        parameters (the preview's sliders: a few tens of milliseconds)."""
        check_is_fitted(self.transport)
        base = self._checked()
        given = (t, luminance, intensity, neutralize)
        t, luminance, intensity, neutralize = (b if g is None else g for g, b in zip(given, base))
        transport = self.transport
        size = getattr(transport, "lut_size", None) or 33
        nodes = lut_grid(size).reshape(-1, 3)
        if neutralize == 0 and getattr(transport, "_fits_colors", False):
            end = np.clip(transport.lut_, 0.0, 1.0).reshape(-1, 3)  # exactly the grade's
        else:
            end = self.full_grade(neutralize_colors(nodes, self.cast_, neutralize))
        if luminance != 1 or intensity != 1:
            lab_end = to_color_space(end, "lab")
            if luminance != 1:
                lab_nodes = to_color_space(nodes, "lab")
                lab_end[:, 0] = lab_nodes[:, 0] + luminance * (lab_end[:, 0] - lab_nodes[:, 0])
            lab_end[:, 1:] *= intensity
            end = np.clip(from_color_space(lab_end, "lab"), 0.0, 1.0)
        if t != 1:
            space = getattr(transport, "color_space_", "rgb")
            start, finish = to_color_space(nodes, space), to_color_space(end, space)
            end = from_color_space(start + t * (finish - start), space)
            if space != "rgb":
                end = np.clip(end, 0.0, 1.0)
        return end.reshape(size, size, size, 3)

    def to_lut(self, size=33):
        """The look as a ``(size, size, size, 3)`` 3D LUT (as ``BaseTransport.to_lut``)."""
        check_is_fitted(self)
        if isinstance(size, bool) or not isinstance(size, int) or not 2 <= size <= 256:
            raise ValueError(f"size must be an integer in [2, 256], got {size!r}.")
        return tetrahedral_resample(self.table_, size)

    def to_cube(self, path, size=33, *, title=None, overwrite=False):
        """Write the look as a ``.cube`` file (as ``BaseTransport.to_cube``)."""
        from ..io._cube import write_cube
        from ..io._lut_formats import cube_title

        title = cube_title(self) if title is None else title
        write_cube(path, self.to_lut(size), title=title, overwrite=overwrite)

    def correction(self, source, regrained):
        """``regrained - graded``: the regrain's correction of the full grade, float."""
        check_is_fitted(self)
        source = np.asarray(source)
        colors = source[..., :3].reshape(-1, 3) / unit_scale(source.dtype)
        graded = self.full_grade(colors).reshape(source.shape[:-1] + (3,))
        regrained = np.asarray(regrained)
        regrained = regrained[..., :3] / unit_scale(regrained.dtype)
        return (regrained - graded).astype(np.float32)

    def apply(self, image, *, correction=None, detail=1.0, mask=None, table=None):
        """The look of ``image`` (the source): its table, plus ``detail`` times a
        regrain ``correction`` (see :meth:`correction`), faded by ``mask``.

        Returns an array of the shape and dtype of ``image`` (alpha passes through).
        """
        check_is_fitted(self)
        table = self.table_ if table is None else table
        image = np.asarray(image)
        out = apply_lut(image, table)
        if correction is None and mask is None:
            return out
        t, luminance, intensity, _ = self._checked()
        scale = unit_scale(image.dtype)
        result = out[..., :3].astype(np.float32) / scale
        if correction is not None:
            add_correction(result, correction, t * detail, luminance, intensity)
        if mask is not None:
            before = image[..., :3].astype(np.float32) / scale
            weight = np.asarray(mask, dtype=np.float32)[..., None]
            result = before + weight * (result - before)
        result = np.clip(result, 0.0, 1.0)
        if image.dtype.kind in "iu":
            out[..., :3] = np.rint(result * scale)
            if mask is not None:
                untouched = np.asarray(mask) == 0  # exactly the source there
                out[untouched] = image[untouched]
        else:
            out[..., :3] = result
        return out


def add_correction(colors, correction, weight, luminance, intensity):
    """Add ``weight`` times a regrain correction to float ``colors``, in place:
    its lightness part (Rec. 709 luma) scaled by ``luminance``, the rest by
    ``intensity``, as the look scales the grade's own change."""
    if weight:
        light = correction @ _LUMA.astype(np.float32)
        colors += weight * (intensity * correction + (luminance - intensity) * light[..., None])
    return colors

