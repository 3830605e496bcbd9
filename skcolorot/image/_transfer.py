"""One-call colour transfer for images, and the factory behind the CLI's ``--method``."""

from functools import partial
from importlib import import_module
from numbers import Integral, Real

import numpy as np

from .._utils._input import check_colors, check_unit_range

__all__ = [
    "METHODS",
    "grade_auto",
    "grade_with",
    "make_grade",
    "make_transport",
    "needs_regrain",
    "regrain_rounds",
    "regrained_look",
    "transfer",
]

# method name -> (module, class). Imported on first use: a method's module (and
# its dependencies) load only when someone asks for that method.
_TRANSPORTS = {
    "affine": ("skcolorot.transport._affine", "AffineTransport"),
    "sinkhorn": ("skcolorot.transport._sinkhorn", "SinkhornTransport"),
    "sliced": ("skcolorot.transport._sliced", "SlicedTransport"),
    "gmm": ("skcolorot.transport._gmm", "GMMTransport"),
    "emd": ("skcolorot.transport._emd", "EMDTransport"),
}
METHODS = tuple(_TRANSPORTS)
# transfer()'s per-image choice between methods (skcolorot.image._auto).
AUTO = "auto"


def _transport_class(method):
    if not isinstance(method, str) or method not in _TRANSPORTS:
        raise ValueError(f"method must be one of {', '.join(map(repr, METHODS))}; got {method!r}.")
    module_name, class_name = _TRANSPORTS[method]
    return getattr(import_module(module_name), class_name)


def make_transport(method="sliced", **params):
    """An unfitted transport estimator, chosen by name.

    Parameters
    ----------
    method : {"affine", "sinkhorn", "sliced", "gmm", "emd"}, default="sliced"
        :class:`AffineTransport`, :class:`SinkhornTransport`,
        :class:`SlicedTransport`, :class:`GMMTransport` or :class:`EMDTransport`.
    **params
        Parameters of that estimator (e.g. ``reg=0.01`` for ``"sinkhorn"``,
        ``n_slices=8`` for ``"sliced"``). A name the estimator does not have
        raises its ``set_params`` error, which lists the valid ones.

    Returns
    -------
    transport : BaseTransport
        The estimator, not fitted.

    Examples
    --------
    >>> from skcolorot.image._transfer import make_transport
    >>> make_transport("affine", covariance="diag", color_space="lab")
    AffineTransport(color_space='lab', covariance='diag')
    """
    return _transport_class(method)().set_params(**params)


def make_grade(method, *, light=False, **params):
    """:func:`make_transport`, or with ``light`` a grade without scikit-learn where
    one can stand for the estimator
    (:func:`~skcolorot.transport._grade.light_transport`): for a caller
    that only fits and applies it."""
    if light:
        from ..transport._grade import light_transport

        transport = light_transport(method, params)
        if transport is not None:
            return transport
    return make_transport(method, **params)


def light_grade_serves(intensity, neutralize, *, exports_table=False):
    """Whether :func:`make_grade`'s light grade can stand for the estimator: no
    look adjustment (their table needs the estimator) and no table to export."""
    return intensity == 1 and neutralize == 0 and not exports_table


def transfer(
    source,
    target,
    method="auto",
    *,
    regrain="auto",
    rounds=3,
    color_space="rgb",
    t=1.0,
    luminance=1.0,
    source_mask=None,
    target_mask=None,
    mask=None,
    random_state=0,
    regrain_params=None,
    weights=None,
    intensity=1.0,
    neutralize=0.0,
    **params,
):
    """Give ``source`` the colours of ``target``, in one call.

    Fits a transport from the colours of ``source`` to those of ``target``,
    applies it to ``source`` and, by default, regrains the result: the grade's
    colours with the source's own fine detail, so noise, JPEG blocks and
    banding that a colour map amplifies do not show. With regraining, the
    transport is fitted again from the regrained image to the target and the
    result regrained again, ``rounds`` times in all: each round moves the colours
    closer to the target while the detail stays the source's; the colours the
    rounds reached are then distilled into one table and applied without halo
    (``regrain`` below). Measured on 18 benchmark pairs, the distilled look's
    colour fidelity is 0.175 after one round, 0.136 after two and 0.134 after
    three, its worst colour split 10.0, 12.7 and 12.6 ΔE.

    Parameters
    ----------
    source : array-like of shape (H, W, 3) or (H, W, 4)
        The image to recolour: uint8, uint16 or float in [0, 1]. An alpha channel
        passes through untouched, and transparent pixels do not count in the fit.
    target : array-like of shape (H', W', 3) or (H', W', 4), or a list of them
        The image whose colours to take; any size. A list or tuple of arrays
        is several references: the target is their Wasserstein barycentre
        (:func:`skcolorot.barycenter`, ``method="sliced"``) with ``weights``.
    method : {"auto", "affine", "sinkhorn", "sliced", "gmm", "emd"}, default="auto"
        The transport (see :func:`make_transport`). ``"auto"``: the sliced look,
        unless it splits a uniform region of the source in two colours (2 % of
        the uniform area or more, on thumbnails) where the affine map splits at
        most half as much; then the affine map, applied on the source's
        edge-preserving base like the look (:mod:`skcolorot.image._auto`; the CLI
        prints the choice). With transport parameters (``**params``), ``"auto"``
        is the sliced transport they configure.
    regrain : bool, "auto", "rounds" or "detail", default="auto"
        How the source's detail comes back after the colour map. ``"auto"``:
        ``True`` for every method but ``"affine"``, whose map adds no grain.
        ``True``: the clean look (:mod:`skcolorot.image._clean`): ``rounds`` of
        transport and regrain (:func:`skcolorot.regrain`, refitting each time)
        reach the reference's colours; their colours are then distilled into one
        table (one output colour per source colour, everywhere), which is applied
        to an edge-preserving base of the source at full slope while the finer
        residual keeps close to its own amplitude - no halo, no colour painted
        across a uniform region, the noise gain bounded. ``"rounds"``: the rounds'
        result as it is (the look of skcolorot 0.1: closer colours, but halos of
        15-40 px along strong edges and colour drift in grey or foggy sources).
        ``False`` is the faithful option: the grade exactly as an exported
        ``.cube`` applies it. ``"detail"``: one grade, no rounds, applied by the
        base-and-detail regrain (:mod:`skcolorot.image._regrain._detail`).
        Figures of each on 39 benchmark pairs: README, "Quality".
    rounds : int, default=3
        Transport-and-regrain rounds when regraining (``1``: one grade, one
        regrain).
    color_space : {"rgb", "lab", "oklab"}, default="rgb"
        Space in which the transport is fitted and applied.
    t : float in [0, 1], default=1.0
        Strength (a fade): ``0`` returns the source, ``1`` the full transfer.
    luminance : float in [0, 1], default=1.0
        Strength of the change of lightness (CIELab L*), separately from ``t``:
        ``0`` keeps the source's luminance and transfers only the colour.
    source_mask : array-like of shape (H, W), default=None
        Which source pixels set the grade (bool, or float weights in [0, 1]).
    target_mask : array-like of shape (H', W'), default=None
        Which target pixels to take the colours from.
    mask : array-like of shape (H, W), default=None
        Where the grade applies, per pixel (a spatial ``t`` in [0, 1]): ``0``
        leaves a pixel exactly as it was, soft edges blend.
    random_state : int, RandomState instance or None, default=0
        Seed of the transport's sub-sampling (and random parts); fixed by default
        so that the same call gives the same image.
    regrain_params : dict, default=None
        Keyword arguments of :func:`skcolorot.regrain` for the rounds' filter
        (``regrain=True`` or ``"rounds"``). ``None`` (and any key left out):
        ``radius=10, guide="color"`` and the regrain's other defaults, a wider
        filter than a single regrain's, which the rounds pay for (the clean
        look's own base-and-detail step is fixed: radius 6, eps 12 levels). With
        ``regrain="detail"``: ``radius=2``, ``eps=(6/255)**2`` (what counts as
        noise), ``cap=1.2`` and ``floor=0.5`` (the residual's gain),
        ``residual="color"`` (or ``"luminance"``: the residual as grey).
    weights : array-like of shape (n_references,), default=None
        Weights of several references (``None``: equal).
    intensity : float in [0, 2], default=1.0
        Colour intensity: the chroma (CIELab a*, b*) of the graded colours,
        scaled; ``0`` is a grey result, ``1`` the grade as it is. It fades with ``t``.
    neutralize : float in [0, 1], default=0.0
        How much of the source's colour cast (the mean hue of its near-neutral
        mid-tones) is removed before grading; black and white stay neutral.
        Either adjustment makes the grade one table with the strength and the
        luminance (:mod:`skcolorot.image._look`), the table ``skcolorot lut
        --intensity --neutralize`` writes; a regrain's correction is added on top.
    **params
        Other parameters of the transport, e.g. ``reg=0.01``.

    Returns
    -------
    result : ndarray of the same shape and dtype as ``source``

    Examples
    --------
    >>> import numpy as np
    >>> from skcolorot.image._transfer import transfer
    >>> rng = np.random.default_rng(0)
    >>> source = (rng.random((32, 32, 3)) * 100).astype(np.uint8)
    >>> target = (155 + rng.random((16, 16, 3)) * 100).astype(np.uint8)
    >>> result = transfer(source, target, method="affine")
    >>> result.shape, result.dtype, bool(result.mean() > 150)
    ((32, 32, 3), dtype('uint8'), True)
    """
    from ._look_checks import check_look

    intensity, neutralize = check_look(intensity, neutralize)
    # The default grade without scikit-learn; the look's table needs the estimator.
    make = partial(make_grade, light=light_grade_serves(intensity, neutralize),
                   color_space=color_space, random_state=random_state)
    if method == AUTO and params:
        method = "sliced"  # transport parameters configure the default method, as before
    if method != AUTO:
        transport = make(method, **params)
    if isinstance(target, (list, tuple)) and all(hasattr(r, "shape") for r in target):
        from ..transport._barycenter import barycenter

        target = barycenter(target, weights, color_space=color_space, random_state=random_state)
    elif weights is not None:
        raise ValueError("weights are for several references: pass target as a list of images.")
    grade = grade_with
    if intensity != 1 or neutralize != 0:  # the look's table (skcolorot.image._look)
        grade = partial(grade_look, intensity=intensity, neutralize=neutralize)
    options = dict(rounds=rounds, t=t, luminance=luminance, source_mask=source_mask,
                   target_mask=target_mask, mask=mask, regrain_params=regrain_params)
    if method == AUTO:
        result, _, _ = grade_auto(make, source, target, regrain=regrain, grade=grade, **options)
    else:
        result, _ = grade(transport, source, target, regrain=needs_regrain(method, regrain),
                          **options)
    return result


def grade_with(
    transport,
    source,
    target,
    *,
    regrain,
    rounds=3,
    t=1.0,
    luminance=1.0,
    source_mask=None,
    target_mask=None,
    mask=None,
    regrain_params=None,
    source_bases=None,
):
    """What :func:`transfer` does once its transport is chosen (the CLI's path too).

    ``source_bases``: a dict shared by several grades of the same ``source``
    (:func:`grade_auto`'s candidates), in which its regrain's edge-preserving
    base is computed once (:func:`~skcolorot.image._regrain._detail.detail_regrain_data`).
    Returns the result (a plain array) and the fitted transport.
    """
    if isinstance(t, bool) or not isinstance(t, Real) or not 0 <= t <= 1:
        raise ValueError(f"t must be a number in [0, 1], got {t!r}.")
    if isinstance(luminance, bool) or not isinstance(luminance, Real) or not 0 <= luminance <= 1:
        raise ValueError(f"luminance must be a number in [0, 1], got {luminance!r}.")
    if isinstance(rounds, bool) or not isinstance(rounds, Integral) or rounds < 1:
        raise ValueError(f"rounds must be an integer >= 1, got {rounds!r}.")
    _check_regrain(regrain)
    source_data = check_colors(source, "source")
    target_data = check_colors(target, "target", n_channels=source_data.n_channels)
    for data in (source_data, target_data):
        # Checked whatever the transport's clip: 0-255 floats would come back white.
        check_unit_range(data, hint=", or pass uint8 / uint16 images")
    strength = None if mask is None else _check_mask(mask, source_data, "mask")
    if regrain_params and not regrain:
        raise ValueError("regrain_params were given but regrain=False; pass regrain=True.")
    if regrain == "detail":
        # Before the fit: a misspelt parameter fails at once.
        unknown = set(regrain_params or {}) - {"radius", "eps", "cap", "floor", "residual"}
        if unknown:
            raise ValueError(
                f"regrain_params for regrain='detail' take radius, eps, cap, floor and "
                f"residual; got {sorted(unknown)}."
            )
        if (regrain_params or {}).get("residual", "color") not in ("color", "luminance"):
            raise ValueError(
                "regrain_params['residual'] must be 'color' or 'luminance', got "
                f"{regrain_params['residual']!r}."
            )
    fit_masks = {"sample_weight": source_mask, "target_weight": target_mask}
    transport.fit(source, target, **fit_masks)
    if regrain == "detail":
        mapped = detail_regrained(transport, source_data, regrain_params or {}, source_bases)
    elif regrain:
        mapped = regrained_look(transport, source, target, rounds, regrain_params, fit_masks,
                                clean=regrain is True, bases=source_bases)
    else:
        mapped = transport.transform(source)
    if t == 1 and luminance == 1 and strength is None:
        # A plain array: the guide reference of TransportedArray is for Pipelines only.
        return np.asarray(mapped), transport
    return _blend(source_data, np.asarray(mapped), t, luminance, strength), transport


# Up to this many pixels grade_auto's candidates run side by side, the affine one
# (~0.2 s of CPU at 0.3 MP) in a thread while the sliced look fits (numpy
# releases the GIL; only a free core gains), and share the source's
# edge-preserving base. Both candidates' buffers are then live at once: the peak
# grows by ~30 MB at 0.3 MP, by ~85 MB (175 -> 260 MB) at 1.9 MP.
_SIDE_BY_SIDE_PIXELS = 1 << 20


def grade_auto(make_transport, source, target, *, regrain, grade, regrain_params=None,
               **grade_params):
    """``method="auto"``: grade with each candidate and keep one
    (:func:`skcolorot.image._auto.choose_method`; each candidate's splits are
    measured as soon as it is graded).

    Parameters
    ----------
    make_transport : callable
        ``make_transport(method)`` -> an unfitted transport of that method with the
        caller's shared parameters (colour space, seed).
    source, target : array-like
        As :func:`grade_with` takes them.
    regrain : bool or str
        :func:`transfer`'s ``regrain``. ``"auto"``: the sliced look's regrain and
        the affine map applied by :func:`~skcolorot.image._clean.clean_grade`;
        anything else applies to both.
    grade : callable
        :func:`grade_with` or the look's :func:`grade_look`.
    regrain_params : dict, default=None
        For the sliced look's rounds (and for both with an explicit ``regrain``).
    **grade_params
        The rest of ``grade``'s parameters (``rounds``, ``t``, masks...).

    Returns
    -------
    result : ndarray
    fitted : the fitted transport (or look) of the kept candidate
    choice : AutoChoice
    """
    from ._auto import CANDIDATES, AutoChoice, choose_from_splits, source_thumbnail, split_measure
    from ._clean import CLEAN_DETAIL

    shape = np.shape(source)
    colour = len(shape) == 3 and shape[-1] >= 3
    transports = {method: make_transport(method)  # grayscale: nothing to split
                  for method in (CANDIDATES if colour else CANDIDATES[:1])}
    side_by_side = colour and shape[0] * shape[1] <= _SIDE_BY_SIDE_PIXELS
    bases = {} if side_by_side else None
    small_source = source_thumbnail(source) if colour else None

    def candidate(method):
        """The candidate's result, its fitted transport and its splits."""
        method_regrain, params = needs_regrain(method, regrain), regrain_params
        if method == "affine" and regrain == "auto":
            method_regrain, params = "detail", dict(CLEAN_DETAIL)
        result, fitted = grade(transports[method], source, target, regrain=method_regrain,
                               regrain_params=params, source_bases=bases, **grade_params)
        return result, fitted, split_measure(small_source, result) if colour else None

    # Seeds, not shared generators: the candidates draw the same in any order.
    if side_by_side and all(isinstance(t.random_state, Integral) for t in transports.values()):
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(1, thread_name_prefix="skcolorot-auto") as pool:
            affine = pool.submit(candidate, "affine")
            graded = {"sliced": candidate("sliced"), "affine": affine.result()}
    else:
        graded = {method: candidate(method) for method in transports}
    if colour:
        choice = choose_from_splits({method: splits for method, (_, _, splits) in graded.items()})
    else:
        choice = AutoChoice(CANDIDATES[0], {})
    result, fitted, _ = graded[choice.method]
    return result, fitted, choice


def needs_regrain(method, regrain):
    """``regrain`` with ``"auto"`` resolved: every method but the affine one."""
    if regrain == "auto":
        return method != "affine"
    _check_regrain(regrain)
    return regrain if isinstance(regrain, str) else bool(regrain)


def _check_regrain(regrain):
    """``regrain`` once ``"auto"`` is resolved: True, False, "rounds" or "detail"."""
    if regrain not in _REGRAIN_CHOICES:
        raise ValueError(
            f"regrain must be True, False, 'auto', 'rounds' or 'detail', got {regrain!r}."
        )


_REGRAIN_CHOICES = (True, False, "rounds", "detail")


# The filter of transfer()'s rounds: wider than a single regrain's (the Regrainer's
# radius 4, luminance guide), because each round's refit wins back the colour a
# wider filter smooths away, and guided by colour so that it keeps to colour
# edges. On the eight tuning pairs, three rounds (mean fidelity / SSIM): radius 4
# 0.063 / 0.760, radius 10 with the colour guide 0.079 / 0.784, against Pitie's
# IDT + regrain's 0.121 / 0.779 (better on both); radius 12 gives little more
# structure (0.787) for more colour (0.084).
_ROUNDS_REGRAIN = {"radius": 10, "guide": "color"}


def regrain_rounds(transport, source, target, rounds=3, regrain_params=None, fit_params=None):
    """The regrained grade of ``source`` by a fitted ``transport``, in ``rounds`` rounds.

    Each round after the first fits a copy of the transport from the regrained
    image to ``target`` again and regrains its result: the regrained image's
    colours are the grade's smoothed, so the next fit closes the gap the
    smoothing left, while the detail stays the source's.
    """
    from ..transport._grade import unfitted_copy

    if regrain_params:  # the caller's: checked by the Regrainer's constraints
        from ._regrainer import regrain as regrain_image
    else:
        from ._regrain import regrain_known as regrain_image

    params = {**_ROUNDS_REGRAIN, **(regrain_params or {})}
    mapped = regrain_image(source, transport.transform(source), **params)
    for _ in range(rounds - 1):
        refit = unfitted_copy(transport).fit(mapped, target, **(fit_params or {}))
        mapped = regrain_image(source, refit.transform(mapped), **params)
    return np.asarray(mapped)


def regrained_look(transport, source, target, rounds=3, regrain_params=None, fit_params=None,
                   *, clean=True, bases=None):
    """The regrained look: :func:`regrain_rounds`, then (``clean``, RGB images) the
    rounds' colours distilled into one table applied by the base-and-detail
    regrain (:mod:`skcolorot.image._clean`, sharing ``bases``). ``transfer()``'s
    and the preview's."""
    mapped = regrain_rounds(transport, source, target, rounds, regrain_params, fit_params)
    source_data = check_colors(source, "source")
    if clean and len(source_data.shape) == 3 and source_data.n_channels == 3:
        from ._clean import clean_regrain

        seed = getattr(transport, "random_state", 0)
        mapped = clean_regrain(source_data, mapped, random_state=seed, bases=bases)
    return mapped


def detail_regrained(transport, source_data, regrain_params, bases=None):
    """The fitted grade applied by the base-and-detail regrain (one grade, no refit).

    See :mod:`skcolorot.image._regrain._detail`: the grade at its full slope on
    the source's edge-preserving base (shared in ``bases``), the finer
    residual's gain kept in ``[floor, cap]``.
    """
    from ._regrain._detail import detail_regrain_data

    return detail_regrain_data(source_data, transport.transform, regrain_params, bases=bases)


def _check_mask(mask, data, name):
    """A per-pixel strength in [0, 1] of shape (H, W) for an (H, W, C) image."""
    values = np.asarray(mask, dtype=np.float64)
    if values.shape != data.shape[:-1]:
        raise ValueError(
            f"{name} must have the image's shape {data.shape[:-1]} (one value per pixel), "
            f"got {values.shape}."
        )
    if not np.isfinite(values).all() or values.min() < 0 or values.max() > 1:
        raise ValueError(f"{name} must hold finite values in [0, 1] (bool or float).")
    return values.reshape(-1, 1)


def _blend(source_data, mapped, t, luminance, strength):
    """Fade towards the source: overall (``t``), in lightness only, and per pixel."""
    from ..color._spaces import from_color_space, to_color_space

    before = source_data.colors()
    after = check_colors(mapped, "result", n_channels=source_data.n_channels).colors()
    if luminance != 1:
        lab_before, lab_after = to_color_space(before, "lab"), to_color_space(after, "lab")
        lab_after[:, 0] = lab_before[:, 0] + luminance * (lab_after[:, 0] - lab_before[:, 0])
        after = np.clip(from_color_space(lab_after, "lab"), 0.0, 1.0)
    weight = t if strength is None else t * strength
    blended = before + weight * (after - before)
    out = source_data.empty_output()
    source_data.encode_into(out.reshape(-1, out.shape[-1]), blended)
    if strength is not None:
        # Exactly the source where the mask is zero (no colour-space round trip).
        untouched = strength[:, 0] == 0
        out.reshape(-1, out.shape[-1])[untouched] = source_data.pixels[untouched]
    return out


def grade_look(
    transport,
    source,
    target,
    *,
    regrain,
    rounds=3,
    t=1.0,
    luminance=1.0,
    intensity=1.0,
    neutralize=0.0,
    source_mask=None,
    target_mask=None,
    mask=None,
    regrain_params=None,
    source_bases=None,
):
    """:func:`grade_with` with the look's adjustments.

    Fits (and regrains) at full strength, then applies the :class:`Look`; returns
    the result and the fitted look (whose ``.transport`` is the fitted transport).
    """
    from ._look import Look

    look = Look(transport, t=t, luminance=luminance, intensity=intensity, neutralize=neutralize)
    look._checked()  # a bad value fails before the fit
    strength = None
    if mask is not None:
        strength = _check_mask(mask, check_colors(source, "source"), "mask")
        strength = strength.reshape(np.shape(source)[:-1])
    graded, transport = grade_with(
        transport, source, target, regrain=regrain, rounds=rounds, source_mask=source_mask,
        target_mask=target_mask, regrain_params=regrain_params, source_bases=source_bases,
    )
    look.set_params(transport=transport).fit(source)
    correction = look.correction(source, graded) if regrain else None
    return look.apply(np.asarray(source), correction=correction, mask=strength), look
