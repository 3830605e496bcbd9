"""What the preview page looks at: one source, its references, a grade fitted once
per method, and the look's sliders applied as a table to a screen-size proxy.

Every number the page sends is a :class:`Settings`; nothing it sends names a
file. Files come from the command line, or as uploads decoded by the CLI's own
reader (:meth:`PreviewSession.replace`).
"""

import io
import os
import shlex
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, fields

import numpy as np
from PIL import Image

from .._utils._dtypes import unit_scale
from ..color._lut import gather_tetrahedra, uint8_tetrahedra
from ..image._look import Look, add_correction, is_neutral
from ..image._transfer import METHODS, make_transport, needs_regrain, regrained_look

__all__ = ["PreviewSession", "Settings", "parse_settings"]

PROXY_PIXELS = 1_000_000  # a screen's worth: what a slider re-renders
THUMB_PIXELS = 40_000  # a candidate's thumbnail
MEASURE_PIXELS = 160_000
_RANGES = {"t": 1, "luminance": 1, "intensity": 2, "neutralize": 1, "detail": 1}
IMAGE_FORMATS = {"png": ".png", "jpg": ".jpg", "tif": ".tif"}


@dataclass(frozen=True)
class Settings:
    """The page's controls: the method and the look's sliders."""

    method: str = "sliced"
    t: float = 1.0
    luminance: float = 1.0
    intensity: float = 1.0
    neutralize: float = 0.0
    detail: float = 1.0  # the regrain's correction: 0 the faithful grade, 1 regrained


def parse_settings(query, defaults=Settings(), extra=()):
    """Settings from a parsed query string ``{name: [value]}``; unknown names
    (a file path, say) are refused, as are values out of range."""
    values = asdict(defaults)
    for key, given in query.items():
        if key in extra:
            continue
        if key not in values:
            raise ValueError(f"unknown parameter {key!r}")
        text = given[-1]
        if key == "method":
            if text not in METHODS:
                raise ValueError(f"method must be one of {', '.join(METHODS)}")
            values[key] = text
            continue
        try:
            number = float(text)
        except ValueError:
            number = None
        if number is None or not 0 <= number <= _RANGES[key]:
            raise ValueError(f"{key} must be a number in [0, {_RANGES[key]}]")
        values[key] = number
    return Settings(**values)


def _shrink(pixels, max_pixels):
    """An 8-bit RGB copy of at most ``max_pixels`` (area-averaged): what the page shows."""
    rgb = np.asarray(pixels)[..., :3]
    if rgb.dtype != np.uint8:
        rgb = np.rint(np.clip(rgb / unit_scale(rgb.dtype), 0, 1) * 255).astype(np.uint8)
    height, width = rgb.shape[:2]
    factor = (max_pixels / (height * width)) ** 0.5
    if factor >= 1:
        return np.ascontiguousarray(rgb)
    size = (max(1, round(width * factor)), max(1, round(height * factor)))
    return np.asarray(Image.fromarray(rgb).resize(size, Image.Resampling.BOX))


class _Proxy:
    """A fixed 8-bit image whose tetrahedral weights are computed once, so that a
    new table costs four gathers per pixel (the same arithmetic as ``apply_lut``)."""

    def __init__(self, pixels, n_nodes):
        self.pixels = pixels
        self.corners, self.weights = uint8_tetrahedra(pixels.reshape(-1, 3), n_nodes)

    def colors(self, table):
        planar = np.ascontiguousarray(table.reshape(-1, 3).T, dtype=np.float32)
        return gather_tetrahedra(planar, self.corners, self.weights).T.reshape(self.pixels.shape)


def encode_jpeg(colors, quality=90):
    """Float colours in [0, 1] (or uint8) as JPEG bytes."""
    if colors.dtype != np.uint8:
        colors = np.rint(np.clip(colors, 0, 1) * 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(colors).save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


class _Fit:
    """One method's grade, and what is derived from it on demand."""

    def __init__(self, transport, look):
        self.transport, self.look = transport, look
        self.corrections = {}  # proxy name -> regrain correction


class PreviewSession:
    """The state behind one preview page.

    Parameters
    ----------
    source : Loaded
        The image to grade, read by a :class:`~skcolorot.io._files.FileIO`.
    references : list of ndarray
        Reference pixels in the same working space.
    files : FileIO
        How the source was read, and how an exported image is written.
    names : tuple of str
        Display names of the source and the references (files: their paths,
        repeated in the command the page prints).
    method, params, color_space, random_state, weights
        As the CLI's ``--method``, ``--param``, ``--color-space``, ``--seed`` and
        ``--weights``; ``params`` apply to ``method`` only.
    """

    def __init__(self, source, references, files, names, *, method="sliced", params=None,
                 color_space=None, random_state=0, weights=None, rounds=3,
                 proxy_pixels=PROXY_PIXELS):
        if method not in METHODS:
            raise ValueError(f"method must be one of {', '.join(map(repr, METHODS))}; got {method!r}.")
        self.files, self.names = files, tuple(names)
        self.method, self.params = method, dict(params or {})
        self.color_space, self.random_state = color_space, random_state
        self.weights, self.rounds, self.proxy_pixels = weights, rounds, proxy_pixels
        self.lock = threading.RLock()  # one heavy computation at a time (fits, exports)
        self._renderer = ThreadPoolExecutor(1, thread_name_prefix="skcolorot-render")
        self.defaults = Settings(method=method, detail=float(needs_regrain(method, "auto")))
        self._set_images(source, references)

    # ------------------------------------------------------------- state
    def _set_images(self, source, references):
        with self.lock:
            self.source, self.references = source, list(references)
            self.reference = None  # the fit's target: one image or a barycentre
            self.fits = {}
            size = 33
            self.proxies = {
                "proxy": _Proxy(_shrink(source.pixels, self.proxy_pixels), size),
                "thumb": _Proxy(_shrink(source.pixels, THUMB_PIXELS), size),
                "measure": _Proxy(_shrink(source.pixels, MEASURE_PIXELS), size),
            }

    def replace(self, role, loaded, name):
        """A new source (``role="source"``), the only reference (``"reference"``)
        or one more (``"add-reference"``), from an upload."""
        names = list(self.names)
        if role == "source":
            self._set_images(loaded, self.references)
            names[0] = name
        elif role == "reference":
            self._set_images(self.source, [loaded.pixels])
            names = [names[0], name]
        elif role == "add-reference":
            self._set_images(self.source, [*self.references, loaded.pixels])
            names.append(name)
        else:
            raise ValueError("role must be source, reference or add-reference")
        self.names = tuple(names)
        if role != "source":
            self.weights = None

    def _transport(self, method):
        # As the CLI's _transport_from: the named options, random_state 0 by default.
        params = dict(self.params) if method == self.method else {}
        if self.color_space is not None:
            params["color_space"] = self.color_space
        params.setdefault("random_state", self.random_state)
        return make_transport(method, **params)

    def _target(self, transport):
        if self.reference is None:
            if len(self.references) == 1:
                self.reference = self.references[0]
            else:
                from ..transport._barycenter import barycenter

                params = transport.get_params()
                self.reference = barycenter(self.references, self.weights,
                                            color_space=params["color_space"],
                                            random_state=params["random_state"])
        return self.reference

    def fit(self, method):
        """The grade of ``method`` (fitted once, on the full-size source, as ``lut``)."""
        fitted = self.fits.get(method)
        if fitted is not None:  # a slider does not wait for another method's fit
            return fitted
        with self.lock:
            if method not in self.fits:
                transport = self._transport(method)
                transport.fit(self.source.pixels, self._target(transport))
                look = Look(transport).fit(self.source.pixels)  # the cast, once
                self.fits[method] = _Fit(transport, look)
            return self.fits[method]

    def _correction(self, fitted, proxy_name):
        if proxy_name in fitted.corrections:
            return fitted.corrections[proxy_name]
        with self.lock:
            if proxy_name not in fitted.corrections:
                pixels = self.proxies[proxy_name].pixels
                regrained = regrained_look(fitted.transport, pixels, self.reference, self.rounds)
                fitted.corrections[proxy_name] = fitted.look.correction(pixels, regrained)
            return fitted.corrections[proxy_name]

    # ------------------------------------------------------------ looking
    def table(self, settings):
        """The look's table at the grade's size."""
        fitted = self.fit(settings.method)
        return fitted.look.look_table(t=settings.t, luminance=settings.luminance,
                                      intensity=settings.intensity,
                                      neutralize=settings.neutralize)

    def colors(self, settings, proxy_name="proxy"):
        """The look of a proxy, float (H, W, 3) in [0, 1]."""
        fitted = self.fit(settings.method)
        colors = self.proxies[proxy_name].colors(self.table(settings))
        if settings.detail > 0:
            add_correction(colors, self._correction(fitted, proxy_name),
                           settings.t * settings.detail, settings.luminance, settings.intensity)
        return np.clip(colors, 0.0, 1.0)

    def render(self, settings, proxy_name="proxy"):
        """JPEG bytes of the look of a proxy."""
        # On one long-lived thread: the server's thread per request would get
        # fresh memory (page faults) for every megapixel buffer, measured 2.5x slower.
        fitted = self.fit(settings.method)  # fits stay off the render thread
        if settings.detail > 0:
            self._correction(fitted, proxy_name)
        task = self._renderer.submit(lambda: encode_jpeg(self.colors(settings, proxy_name)))
        return task.result()

    def before(self):
        return encode_jpeg(self.proxies["proxy"].pixels)

    def curves(self, settings):
        """The look along the grey axis, per channel: ``table[i, i, i]``."""
        table = self.table(settings)
        diagonal = table[np.arange(len(table)), np.arange(len(table)), np.arange(len(table))]
        return {"x": np.linspace(0, 1, len(table)).round(4).tolist(),
                **{c: diagonal[:, i].round(4).tolist() for i, c in enumerate("rgb")}}

    def measures(self, settings):
        """Hook for artefact measures: today colour fidelity and luminance SSIM of
        :mod:`skcolorot.metrics`, on a small proxy; the measures being added to
        that module belong here too."""
        from ..metrics import color_fidelity, luminance_ssim

        result = self.colors(settings, "measure")
        source = self.proxies["measure"].pixels
        reference = self._target(self.fit(settings.method).transport)
        return {"color_fidelity": float(color_fidelity(result, reference, source)),
                "luminance_ssim": float(luminance_ssim(result, source)),
                "pixels": int(source.shape[0] * source.shape[1])}

    # ------------------------------------------------------------- export
    def _grade(self, settings):
        """What ``skcolorot lut`` writes for these settings: the transport at ``t``
        or, with an adjustment, its look."""
        import copy

        fitted = self.fit(settings.method)
        if is_neutral(settings.intensity, settings.neutralize, settings.luminance):
            return copy.copy(fitted.transport).set_params(t=settings.t)
        return Look(fitted.transport, t=settings.t, luminance=settings.luminance,
                    intensity=settings.intensity, neutralize=settings.neutralize
                    ).fit(self.source.pixels)

    def cube(self, settings, size=33):
        """The look as ``.cube`` text, byte for byte what ``skcolorot lut`` writes."""
        from ..io._lut_formats import cube_title

        refs = " + ".join(os.path.basename(name) for name in self.names[1:])
        title = cube_title(self._grade(settings), f"{os.path.basename(self.names[0])} -> {refs}")
        with tempfile.TemporaryDirectory(prefix="skcolorot-preview-") as folder:
            path = os.path.join(folder, "look.cube")
            self._grade(settings).to_cube(path, size=size, title=title)
            with open(path, "rb") as file:
                return file.read()

    def image(self, settings, file_format="png"):
        """The full-size look through the CLI's colour-managed writer: bytes."""
        with self.lock:
            fitted = self.fit(settings.method)
            pixels = self.source.pixels
            look = self._grade(settings)
            if not isinstance(look, Look):
                look = Look(fitted.transport, t=settings.t).fit(pixels)
            correction = None
            if settings.detail > 0:
                regrained = regrained_look(fitted.transport, pixels, self.reference, self.rounds)
                correction = look.correction(pixels, regrained)
            result = look.apply(pixels, correction=correction, detail=settings.detail)
            with tempfile.TemporaryDirectory(prefix="skcolorot-preview-") as folder:
                path = os.path.join(folder, "look" + IMAGE_FORMATS[file_format])
                self.files.write(path, result, self.source)
                with open(path, "rb") as file:
                    return file.read()

    def command(self, settings):
        """The commands (and the Python call) that reproduce the look."""
        quoted = " ".join(shlex.quote(name) for name in self.names)
        options = [f"--method {settings.method}"]
        if self.color_space is not None:
            options.append(f"--color-space {self.color_space}")
        if self.random_state != 0:
            options.append(f"--seed {self.random_state}")
        if settings.method == self.method:
            options += [f"--param {key}={value}" for key, value in self.params.items()]
        if self.weights is not None and len(self.names) > 2:
            options.append("--weights " + " ".join(f"{w:g}" for w in self.weights))
        options += list(self.file_options)
        look = [f"--strength {settings.t:g}"] if settings.t != 1 else []
        for key in ("luminance", "intensity", "neutralize"):
            if getattr(settings, key) != getattr(Settings, key):
                look.append(f"--{key} {getattr(settings, key):g}")
        regrain = "--regrain" if settings.detail > 0 else "--no-regrain"
        base = " ".join(options + look)
        stem = os.path.splitext(os.path.basename(self.names[0]))[0]
        note = ""
        if 0 < settings.detail < 1:
            note = (f"regrain detail {settings.detail:g} is a blend the commands do not "
                    "take: they regrain fully (detail 1); export the image for this one.")
        return {
            "lut": f"skcolorot lut {quoted} -o {shlex.quote(stem + '_look.cube')} {base}",
            "transfer": f"skcolorot transfer {quoted} -o {shlex.quote(stem + '_look.png')} "
                        f"{base} {regrain}",
            "note": note,
        }

    file_options = ()  # the CLI's --working-space / --input-profile, as typed

    def info(self):
        height, width = self.source.pixels.shape[:2]
        proxy = self.proxies["proxy"].pixels.shape
        return {"names": list(self.names), "size": [width, height],
                "proxy": [proxy[1], proxy[0]], "methods": list(METHODS),
                "defaults": asdict(self.defaults),
                "settings": [f.name for f in fields(Settings)]}
