"""Source -> reference pairs of the quality benchmark, by category, built from a
folder of photographs plus synthetic stress images derived from them.

Every synthetic image is a deterministic function of its photo (fixed seeds), so
pairs are the same on every run and outputs can be cached. The photos themselves
are never copied anywhere; only the folder given on the command line is read.

Categories (what a photographer's grade must survive):

sky          a clear-sky gradient (deep blue to pale, slight noise, JPEG) above a photo
fog          a photo veiled toward grey, blurred, a little noise, JPEG q60
night        a photo darkened in linear light, gamma, shot + read noise, JPEG
foliage      irregular leafy shapes cut from a green photo against a bright sky
objects      small saturated pieces of photos pasted on a plain, slightly graded wall
renders      the smooth renders and gradients of the folder as they are
grey         near-grey and black-and-white versions of photos
jpeg         photos at JPEG quality 20-40 (blocks, ringing)
photos       ordinary photos, and exposure shifts of +-1.5 stops

Skin is missing: no photo of the folder shows skin, and a synthetic face would not
be an honest stand-in.
"""

import io
from pathlib import Path

import numpy as np
from PIL import Image
from scipy import ndimage

__all__ = ["CATEGORIES", "PAIRS", "PhotoSet", "pair_id"]


# ------------------------------------------------------------------ primitives
def _to_float(image):
    return image.astype(np.float32) / 255


def _to_uint8(image):
    return np.clip(np.round(image * 255), 0, 255).astype(np.uint8)


def _linear(image):
    return np.where(image <= 0.04045, image / 12.92, ((image + 0.055) / 1.055) ** 2.4)


def _srgb(linear):
    linear = np.clip(linear, 0, 1)
    return np.where(linear <= 0.0031308, 12.92 * linear, 1.055 * linear ** (1 / 2.4) - 0.055)


def jpeg(image, quality):
    """A JPEG round trip (4:2:0 chroma, as cameras and the web do)."""
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="JPEG", quality=quality)
    buffer.seek(0)
    with Image.open(buffer) as decoded:
        return np.asarray(decoded.convert("RGB"))


def _seed(name):
    # hash() is salted per process: a stable seed from the name's bytes.
    return int.from_bytes(name.encode()[:8].ljust(8, b"\0"), "little") % 2**32


# ------------------------------------------------------------------ stress images
def fog(image, name):
    """Veil toward a light grey, soften, add a little noise, JPEG q60."""
    rng = np.random.default_rng(_seed("fog" + name))
    x = _to_float(image)
    veil = np.float32(0.72)
    depth = np.linspace(0.55, 0.8, x.shape[0], dtype=np.float32)[:, None, None]  # thicker up
    x = x * (1 - depth) + veil * depth
    x = ndimage.gaussian_filter(x, (1.5, 1.5, 0))
    x = x + rng.normal(0, 1.2 / 255, x.shape).astype(np.float32)
    return jpeg(_to_uint8(x), 60)


def night(image, name):
    """Underexposed by ~5 stops in linear light, pushed back (gamma), with sensor
    noise (shot noise ~ sqrt(signal) plus read noise), JPEG q85."""
    rng = np.random.default_rng(_seed("night" + name))
    linear = _linear(_to_float(image)) * 0.03
    photons = 2500.0  # full-well-ish scale: few photons in the dark, visible shot noise
    noisy = rng.poisson(linear * photons) / photons + rng.normal(0, 0.001, linear.shape)
    pushed = _srgb(np.clip(noisy, 0, None) * 2.0) ** 1.3  # a camera's push, kept dark
    return jpeg(_to_uint8(pushed), 85)


def exposure(image, stops):
    return _to_uint8(_srgb(_linear(_to_float(image)) * 2.0**stops))


def clear_sky(image, name):
    """A smooth clear sky (zenith blue to a pale horizon, slight noise) above the
    lower half of the photo, JPEG q85."""
    rng = np.random.default_rng(_seed("sky" + name))
    height, width = image.shape[:2]
    horizon = int(height * 0.55)
    t = np.linspace(0, 1, horizon, dtype=np.float32)[:, None, None] ** 1.4
    zenith, pale = np.array([0.16, 0.36, 0.72]), np.array([0.70, 0.82, 0.92])
    across = np.linspace(-0.03, 0.03, width, dtype=np.float32)[None, :, None]  # sun side
    sky = zenith * (1 - t) + pale * t + across
    sky = sky + rng.normal(0, 0.8 / 255, sky.shape)
    out = _to_float(image).copy()
    out[:horizon] = sky
    return jpeg(_to_uint8(out), 85)


def foliage(image, name):
    """Leafy shapes cut from a (green) photo against a bright, slightly blue sky:
    many high-contrast edges where halos show."""
    rng = np.random.default_rng(_seed("foliage" + name))
    height, width = image.shape[:2]
    x = _to_float(image)
    coarse = ndimage.gaussian_filter(rng.standard_normal((height, width)), 40)
    fine = ndimage.gaussian_filter(rng.standard_normal((height, width)), 3)
    rows = np.linspace(1, -1, height)[:, None]  # denser canopy at the bottom and sides
    sides = np.abs(np.linspace(-1, 1, width))[None, :]
    field = coarse / coarse.std() + 0.35 * fine / fine.std() - 1.2 * rows + 1.2 * sides
    leaves = field > 0.6
    # holes through the canopy where the photo is bright
    leaves &= x.mean(axis=-1) < np.quantile(x.mean(axis=-1), 0.9)
    t = np.linspace(0, 1, height, dtype=np.float32)[:, None, None]
    sky = np.array([0.72, 0.84, 0.96]) * (1 - t) + np.array([0.93, 0.95, 0.97]) * t
    out = np.where(leaves[..., None], x * 0.8, sky)
    return jpeg(_to_uint8(ndimage.gaussian_filter(out, (0.6, 0.6, 0))), 90)


def small_objects(images, name, shape):
    """Small saturated pieces (discs of 30-70 px) of several photos on a plain wall."""
    rng = np.random.default_rng(_seed("objects" + name))
    height, width = shape
    t = np.linspace(0, 1, width, dtype=np.float32)[None, :, None]
    base = rng.choice([np.array([0.80, 0.77, 0.72]), np.array([0.55, 0.57, 0.60])])
    wall = base * (0.92 + 0.1 * t) + rng.normal(0, 1.0 / 255, (height, width, 3))
    out = np.broadcast_to(wall, (height, width, 3)).astype(np.float32).copy()
    for k in range(9):
        photo = _to_float(images[k % len(images)])
        chroma = photo.max(axis=-1) - photo.min(axis=-1)
        chroma = ndimage.uniform_filter(chroma, 25)[::8, ::8]
        r = int(rng.integers(15, 36))
        margin = r // 8 + 1
        inner = chroma[margin:-margin, margin:-margin]
        # the k-th most saturated places of the photo, far enough apart
        order = np.argsort(inner, axis=None)[::-1]
        cy, cx = np.unravel_index(order[min(12 * k, len(order) - 1)], inner.shape)
        cy, cx = (cy + margin) * 8, (cx + margin) * 8
        piece = photo[cy - r : cy + r, cx - r : cx + r]
        yy, xx = np.mgrid[-r:r, -r:r]
        disc = ((yy**2 + xx**2) <= r * r)[..., None]
        py = int(rng.integers(r, height - r))
        px = int(rng.integers(r, width - r))
        window = out[py - r : py + r, px - r : px + r]
        window[:] = np.where(disc, piece, window)
    return jpeg(_to_uint8(out), 90)


def near_grey(image, amount=0.12):
    x = _to_float(image)
    grey = x @ np.array([0.2126, 0.7152, 0.0722], dtype=np.float32)
    return _to_uint8(grey[..., None] + amount * (x - grey[..., None]))


# ------------------------------------------------------------------ the pairs
# (category, source recipe, reference recipe); a recipe is "photo" or "kind:photo[:arg]".
PAIRS = [
    ("sky", "sky:dune", "storm"),
    ("sky", "sky:greenmeadow", "yellowflower"),
    ("sky", "sky:wood", "goldfish"),
    ("sky", "storm", "sky:dune"),
    ("fog", "fog:greenmeadow", "garden"),
    ("fog", "fog:dune", "aqua"),
    ("fog", "fog:storm", "yellowflower"),
    ("fog", "garden", "fog:greenmeadow"),
    ("night", "night:garden", "dune"),
    ("night", "night:yellowflower", "wood"),
    ("night", "night:blinds", "raindrops"),
    ("night", "dune", "night:wood"),
    ("foliage", "foliage:greenmeadow", "dune"),
    ("foliage", "foliage:garden", "storm"),
    ("foliage", "foliage:freshflower", "fluent"),
    ("objects", "objects:1", "storm"),
    ("objects", "objects:2", "wood"),
    ("objects", "objects:3", "calla"),
    ("renders", "fluent", "goldfish"),
    ("renders", "string", "storm"),
    ("renders", "traditional", "calla"),
    ("renders", "gulp", "greenmeadow"),
    ("renders", "ribbon", "wood"),
    ("renders", "calla", "traditional"),
    ("grey", "grey:storm", "yellowflower"),
    ("grey", "bw:wood", "garden"),
    ("grey", "traditional", "storm"),
    ("grey", "aqua", "bw:dune"),
    ("jpeg", "jpeg:aqua:20", "yellowflower"),
    ("jpeg", "jpeg:fluent:30", "goldfish"),
    ("jpeg", "jpeg:blinds:25", "ladybird"),
    ("jpeg", "jpeg:gulp:40", "greenmeadow"),
    ("photos", "storm", "dune"),
    ("photos", "wood", "garden"),
    ("photos", "aqua", "yellowflower"),
    ("photos", "blinds", "ladybird"),
    ("photos", "twowings", "raindrops"),
    ("photos", "exposure:dune:1.5", "fluent"),
    ("photos", "exposure:garden:-1.5", "wood"),
]
CATEGORIES = list(dict.fromkeys(category for category, _, _ in PAIRS))
OBJECT_SOURCES = {"1": ("ladybird", "yellowflower", "freshflower"),
                  "2": ("raindrops", "twowings", "aqua"),
                  "3": ("goldfish", "calla", "garden")}


def pair_id(pair):
    """A short, file-name-safe name of a pair: ``source>reference``."""
    _, source, reference = pair
    return f"{source}>{reference}".replace(":", "-")


class PhotoSet:
    """The folder's photos (optionally resized so the long side is ``size``) and the
    images the recipes derive from them, each built once."""

    def __init__(self, folder, size=None):
        self.folder = Path(folder)
        self.size = size
        self._photos, self._made = {}, {}

    def photo(self, name):
        if name not in self._photos:
            path = self.folder / f"{name}.jpg"
            if not path.is_file():
                raise FileNotFoundError(f"--photos {self.folder}: no {name}.jpg")
            with Image.open(path) as image:
                image = image.convert("RGB")
                if self.size and max(image.size) > self.size:
                    image.thumbnail((self.size, self.size), Image.LANCZOS)
                self._photos[name] = np.asarray(image)
        return self._photos[name]

    def image(self, recipe):
        if recipe not in self._made:
            self._made[recipe] = self._make(recipe)
        return self._made[recipe]

    def _make(self, recipe):
        kind, _, rest = recipe.partition(":")
        if not rest:
            return self.photo(kind)
        name, _, arg = rest.partition(":")
        if kind == "objects":
            photos = [self.photo(p) for p in OBJECT_SOURCES[name]]
            return small_objects(photos, name, self.photo("storm").shape[:2])
        photo = self.photo(name)
        makers = {
            "sky": lambda: clear_sky(photo, name),
            "fog": lambda: fog(photo, name),
            "night": lambda: night(photo, name),
            "foliage": lambda: foliage(photo, name),
            "grey": lambda: near_grey(photo),
            "bw": lambda: near_grey(photo, 0.0),
            "jpeg": lambda: jpeg(photo, int(arg)),
            "exposure": lambda: exposure(photo, float(arg)),
        }
        if kind not in makers:
            raise ValueError(f"unknown recipe {recipe!r}")
        return makers[kind]()

    def pair(self, pair):
        _, source, reference = pair
        return self.image(source), self.image(reference)
