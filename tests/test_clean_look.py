"""transfer()'s default look (skcolorot.image._clean): the rounds' colours in one
table, applied by the base-and-detail regrain: no halo, one colour per colour,
the flat noise kept near the source's."""

import numpy as np
import pytest
from scipy import ndimage

from skcolorot._utils import _filters
from skcolorot.image._clean import distil_table
from skcolorot.image._transfer import transfer
from skcolorot.metrics import flat_noise, halo_width


def sky_with_a_pier(shape=(120, 180), seed=0):
    """A pale, slightly noisy sky with a dark post and rail through it: strong edges
    on which a wide filter of the colour change glows."""
    rng = np.random.default_rng(seed)
    ramp = np.linspace(0.0, 0.15, shape[0])[:, None, None]
    image = np.broadcast_to([0.62, 0.7, 0.78] - ramp, (*shape, 3)).copy()
    image[:, 80:92] = [0.12, 0.1, 0.09]  # the post
    image[70:78, :] = [0.15, 0.12, 0.1]  # the rail
    image += rng.normal(0, 0.008, image.shape)
    return np.clip(image, 0, 1)


def warm_target(shape=(90, 120), seed=1):
    rng = np.random.default_rng(seed)
    base = ndimage.gaussian_filter(rng.random((*shape, 3)), (6, 6, 0))
    return np.clip(0.25 + 1.5 * (base - base.mean()) + [0.35, 0.15, 0.0], 0, 1)


@pytest.fixture(scope="module")
def looks():
    source, target = sky_with_a_pier(), warm_target()
    return source, transfer(source, target), transfer(source, target, regrain="rounds")


def test_the_default_look_has_no_halo_where_the_rounds_glow(looks):
    source, clean, rounds = looks
    assert halo_width(source, rounds).score > 3  # what the clean look removes
    assert halo_width(source, clean).score <= 2


def test_one_source_colour_gets_one_output_colour(looks):
    source, clean, _ = looks
    # The noiseless post far up and far down: the same colour, the same output,
    # whatever the sky round it does (the rounds paint it by its neighbourhood).
    top, bottom = clean[5:25, 83:89], clean[95:115, 83:89]
    src_top, src_bottom = source[5:25, 83:89], source[95:115, 83:89]
    assert np.abs(src_top.mean((0, 1)) - src_bottom.mean((0, 1))).max() < 0.01
    assert np.abs(top.mean((0, 1)) - bottom.mean((0, 1))).max() < 0.02


def test_flat_noise_stays_near_the_sources(looks):
    source, clean, _ = looks
    assert flat_noise(source, clean).raw < 1.6


def test_the_look_moves_the_colours_and_keeps_types():
    source = (sky_with_a_pier() * 65535).astype(np.uint16)
    target = (warm_target() * 255).astype(np.uint8)
    result = transfer(source, target)
    assert result.dtype == np.uint16 and result.shape == source.shape
    # the sky (blue in the source) comes out warm, as the target
    sky = result[:60, :60].reshape(-1, 3).mean(0)
    assert sky[0] > sky[2]
    rgba = np.concatenate([source, np.full((*source.shape[:2], 1), 7, np.uint16)], axis=2)
    graded = transfer(rgba, target)
    assert (graded[..., 3] == 7).all()
    np.testing.assert_array_equal(graded[..., :3], result)


def test_distil_table_is_the_mean_output_of_each_colour():
    from skcolorot.color._lut import interpolate_tetrahedral

    rng = np.random.default_rng(0)
    palette = rng.uniform(0.2, 0.8, (40, 3))
    colors = np.repeat(palette, 500, axis=0)
    # Half the pixels of every colour went one way, half the other (a split): the
    # table takes their mean, the colour itself, not either side.
    look = colors.copy()
    look[::2, 0] += 0.2
    look[1::2, 0] -= 0.2
    table = distil_table(colors, look)
    np.testing.assert_allclose(interpolate_tetrahedral(palette, table), palette, atol=0.01)
    # and a plain shift comes out as that shift
    shifted = distil_table(colors, colors + [0.05, 0.0, -0.05])
    np.testing.assert_allclose(interpolate_tetrahedral(palette, shifted),
                               palette + [0.05, 0.0, -0.05], atol=0.005)


def test_luminance_residual_keeps_noise_grey_and_drops_chroma_blocks():
    from skcolorot.image._regrain._detail import detail_regrain, edge_preserving_base

    rng = np.random.default_rng(4)
    # 16 px chroma blocks a level or two apart, as a heavy JPEG leaves in a sky,
    # and a grey grain of a level
    blocks = np.kron(rng.integers(-2, 3, (4, 4)), np.ones((16, 16)))[..., None] / 255
    u = np.float32(0.5) + blocks * np.array([1.0, -0.5, -0.5], np.float32)
    u = (u + rng.normal(0, 1 / 255, (64, 64, 1))).astype(np.float32)

    def steep(image):  # a grade that stretches chroma ten times
        mean = image.mean(axis=-1, keepdims=True)
        return (mean + 10 * (image - mean) + [0.1, 0.0, -0.1]).astype(np.float32)

    params = {"radius": 6, "eps": (12 / 255) ** 2}
    graded_base = steep(np.clip(edge_preserving_base(u, **params), 0, 1))
    colour = detail_regrain(u, steep, **params) - graded_base
    luma = detail_regrain(u, steep, **params, residual="luminance") - graded_base
    # what the residual adds: with "luminance", grey (no chroma carried at all)...
    assert np.abs(luma - luma.mean(axis=-1, keepdims=True)).max() < 1e-6
    assert np.abs(colour - colour.mean(axis=-1, keepdims=True)).max() > 1 / 255
    # ...and the grain at about its own amplitude (the gain clipped to [0.5, 1.2])
    assert 0.4 / 255 < luma[..., 0].std() < 1.5 / 255


def test_batch_and_video_regrain_apply_the_grade_without_halo():
    from skcolorot import SlicedTransport
    from skcolorot.io._batch import grade_frames

    source = (sky_with_a_pier() * 255).round().astype(np.uint8)
    target = (warm_target() * 255).round().astype(np.uint8)
    grade = SlicedTransport(random_state=0).fit(source, target)
    frames = np.stack([source, source[:, ::-1]])
    clean = grade_frames(grade, frames, regrain=True)
    guided = grade_frames(grade, frames, regrain={})  # the Pipeline's regrain (radius 4)
    plain = grade_frames(grade, frames)
    assert halo_width(source, guided[0]).score > 3  # what regrain=True no longer does
    assert halo_width(source, clean[0]).score <= 2
    assert flat_noise(source, clean[0]).raw < 1.2 < flat_noise(source, plain[0]).raw
    # The frame flipped is graded as the flip of the graded frame: nothing spatial
    # but the image's own edges.
    np.testing.assert_allclose(clean[1].astype(int), clean[0][:, ::-1].astype(int), atol=1)


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32])
def test_detail_regrain_in_strips_is_the_whole_images(monkeypatch, dtype):
    from skcolorot._utils._input import check_colors
    from skcolorot.image._clean import CLEAN_DETAIL
    from skcolorot.image._regrain import _detail

    image = sky_with_a_pier((97, 60))
    image = (image * np.iinfo(dtype).max).round().astype(dtype) if dtype != np.float32 else (
        image.astype(dtype))
    data = check_colors(image, "image")

    def grade(colors):
        return np.clip(colors ** 0.6 * [1.1, 0.9, 0.7], 0, 1).astype(np.float32)

    whole = _detail.detail_regrain_data(data, grade, CLEAN_DETAIL)
    # Strips of 10 rows: each needs 12 rows of context on either side.
    monkeypatch.setattr(_detail, "_STRIP_PIXELS", 600)
    in_strips = _detail.detail_regrain_data(data, grade, CLEAN_DETAIL)
    np.testing.assert_array_equal(in_strips, whole)
    u = data.colors(dtype=np.float32).reshape(image.shape)
    np.testing.assert_array_equal(_detail.detail_regrain_data(data, grade, CLEAN_DETAIL, u=u), whole)



@pytest.mark.parametrize("strip_pixels", [None, 600])
def test_a_shared_base_gives_each_grade_its_own_result(monkeypatch, strip_pixels):
    # grade_auto's candidates share the source's bases: each result is the one
    # computed alone, bit for bit, in one strip or several.
    from skcolorot._utils._input import check_colors
    from skcolorot.image._clean import CLEAN_DETAIL
    from skcolorot.image._regrain import _detail

    if strip_pixels:
        monkeypatch.setattr(_detail, "_STRIP_PIXELS", strip_pixels)
    data = check_colors((sky_with_a_pier((97, 60)) * 255).round().astype(np.uint8), "image")

    def warm(colors):
        return np.clip(colors ** 0.6 * [1.1, 0.9, 0.7], 0, 1).astype(np.float32)

    def cool(colors):
        return np.clip(colors[..., ::-1] * 1.2, 0, 1).astype(np.float32)

    bases = {}
    for grade in (warm, cool):
        alone = _detail.detail_regrain_data(data, grade, CLEAN_DETAIL)
        shared = _detail.detail_regrain_data(data, grade, CLEAN_DETAIL, bases=bases)
        np.testing.assert_array_equal(shared, alone)
    assert (len(bases) > 1) == bool(strip_pixels)  # a base per strip

def test_the_base_is_the_same_with_opencvs_box_filter(monkeypatch):
    pytest.importorskip("cv2")
    from skcolorot.image._regrain import _detail

    u = sky_with_a_pier((90, 70)).astype(np.float32)
    monkeypatch.setattr(_filters, "COMPILED_MIN_VALUES", 1 << 60)
    with_scipy = _detail.edge_preserving_base(u, 6, (12 / 255) ** 2)
    monkeypatch.setattr(_filters, "COMPILED_MIN_VALUES", 0)
    with_opencv = _detail.edge_preserving_base(u, 6, (12 / 255) ** 2)
    np.testing.assert_allclose(with_opencv, with_scipy, atol=1e-6)


def test_regrainer_clean_gives_a_pipeline_the_halo_free_regrain():
    import dask.array as da
    from sklearn.pipeline import make_pipeline

    from skcolorot import Regrainer, SlicedTransport, regrain
    from skcolorot._utils._input import check_colors
    from skcolorot.image._clean import clean_regrain

    source = (sky_with_a_pier() * 255).round().astype(np.uint8)
    target = (warm_target() * 255).round().astype(np.uint8)
    guided = make_pipeline(SlicedTransport(random_state=0), Regrainer())
    clean = make_pipeline(SlicedTransport(random_state=0), Regrainer(method="clean"))
    with_guided = guided.fit(source, target).transform(source)
    with_clean = clean.fit(source, target).transform(source)
    assert halo_width(source, with_guided).score > 3
    assert halo_width(source, with_clean).score <= 2
    assert flat_noise(source, with_clean).raw < 1.2
    # It is the default look's last step, on the one grade's result ...
    mapped = np.asarray(clean[0].transform(source))
    expected = clean_regrain(check_colors(source, "source"), mapped)
    np.testing.assert_array_equal(with_clean, expected)
    # ... in the mapped image's dtype, for batches, and lazily (whole frames).
    as_float = regrain(source, mapped / 255.0, method="clean")
    assert as_float.dtype == np.float64 and np.abs(as_float * 255 - expected).max() < 1e-3
    batch = regrain(np.stack([source, source[::-1]]), np.stack([mapped, mapped[::-1]]),
                    method="clean")
    np.testing.assert_array_equal(batch[0], expected)
    lazy = regrain(da.from_array(source, chunks=(40, 50, 3)), mapped, method="clean")
    np.testing.assert_array_equal(lazy.compute(), expected)
    with pytest.raises(ValueError, match="colour images"):
        regrain(source[..., :1], mapped[..., :1], method="clean")


def _former_clean_grade(image, grade, box):
    """The clean application of a grade as written before it was made faster
    (image-sized temporaries, luminances of differences), whole image at once."""
    from skcolorot.image._regrain._guided import _LUMA

    scale = np.iinfo(image.dtype).max
    u = image.astype(np.float32) / scale
    mean = box(u)
    variance = box(u * u) - mean * mean
    gain = variance / (variance + np.float32((12 / 255) ** 2))
    base = np.clip(box(gain) * u + box(mean - gain * mean), 0, 1)
    graded_base = np.asarray(grade(base), dtype=np.float32)
    change = np.asarray(grade(u), dtype=np.float32) - graded_base
    change_luma, detail_luma = change @ _LUMA, (u - base) @ _LUMA
    gain = np.abs(change_luma) / np.maximum(np.abs(detail_luma), np.float32(1e-6))
    graded = graded_base + (np.clip(gain, 0.5, 1.2) * detail_luma)[..., np.newaxis]
    return graded, np.clip(np.rint(graded * scale), 0, scale).astype(image.dtype)


@pytest.mark.parametrize("opencv", [False, True])
def test_clean_grade_is_the_former_arithmetic_within_float_rounding(monkeypatch, china, flower,
                                                                    opencv):
    # The regrain of batch and video, made faster (buffers reused, strips graded
    # only where they are kept, luminances taken before the differences): the same
    # picture on a real photograph, in strips as whole.
    from scipy.ndimage import uniform_filter

    from skcolorot import SlicedTransport
    from skcolorot._utils._input import check_colors
    from skcolorot.color._lut import apply_lut
    from skcolorot.image._clean import CLEAN_DETAIL, clean_grade
    from skcolorot.image._regrain import _detail

    if opencv:
        cv2 = pytest.importorskip("cv2")
        monkeypatch.setattr(_filters, "COMPILED_MIN_VALUES", 0)

        def box(x):
            return cv2.boxFilter(x, -1, (13, 13), borderType=cv2.BORDER_REFLECT)
    else:
        monkeypatch.setattr(_filters, "COMPILED_MIN_VALUES", 1 << 60)

        def box(x):
            return uniform_filter(x, (13, 13, 1), mode="reflect")

    monkeypatch.setattr(_detail, "_STRIP_PIXELS", 100 * china.shape[1])  # 5 strips
    table = SlicedTransport(random_state=0).fit(china, flower)._grade_table(1.0, False, True)

    def grade(image):
        return apply_lut(image, table)

    for image in (china, china.astype(np.uint16) * 257):
        scale = np.iinfo(image.dtype).max
        former_float, former = _former_clean_grade(image, grade, box)
        graded = _detail.detail_regrain(
            check_colors(image, "image").colors(dtype=np.float32).reshape(image.shape), grade,
            **CLEAN_DETAIL)
        assert np.abs(graded - former_float).max() * 255 < 0.01  # levels of 8 bits
        difference = np.abs(clean_grade(image, grade).astype(int) - former)
        # a value on a half-level may round either way
        assert difference.max() <= 1 and (difference > 0).mean() < 1e-4 * scale / 255


def test_a_grade_that_returns_its_input_leaves_the_shared_base_alone():
    """A shared base (method="auto"'s candidates) is added to in place unless the
    grade's output is a new array: an identity grade must not change it."""
    from skcolorot._utils._input import check_colors
    from skcolorot.image._clean import CLEAN_DETAIL
    from skcolorot.image._regrain import _detail

    data = check_colors((sky_with_a_pier((40, 30)) * 255).astype(np.uint8), "image")
    bases = {}
    first = _detail.detail_regrain_data(data, lambda image: image, CLEAN_DETAIL, bases=bases)
    kept = {key: base.copy() for key, base in bases.items()}
    second = _detail.detail_regrain_data(data, lambda image: image, CLEAN_DETAIL, bases=bases)
    for key, base in bases.items():
        np.testing.assert_array_equal(base, kept[key])
    np.testing.assert_array_equal(first, second)
