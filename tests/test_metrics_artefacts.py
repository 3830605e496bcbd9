"""Each artefact measure catches its artefact on a synthetic image and stays quiet
on a clean global grade (an affine colour change) of the same image."""

import numpy as np
import pytest
from scipy import ndimage

from skcolorot.metrics import (
    artefact_report,
    false_contours,
    flat_noise,
    halo_width,
    haze,
    ms_swd,
    new_edges,
    rare_color_collapse,
    region_splits,
)

MATRIX = np.array([[0.9, 0.06, 0.0], [0.0, 0.85, 0.05], [0.05, 0.0, 0.8]])


def affine(image):
    """A clean global grade: an affine change of the RGB values."""
    return np.clip(image @ MATRIX.T + 0.06, 0, 1)


def textured(shape=(128, 160), seed=0):
    """A smooth colourful image with fine texture (every measure has something to see)."""
    rng = np.random.default_rng(seed)
    coarse = ndimage.gaussian_filter(rng.random((*shape, 3)), (12, 12, 0))
    fine = ndimage.gaussian_filter(rng.random((*shape, 3)), (1.2, 1.2, 0))
    image = 0.25 + 2.5 * (coarse - coarse.mean()) + 0.8 * (fine - fine.mean())
    return np.clip(image, 0, 1)


def gradient(shape=(128, 160)):
    """A smooth two-colour ramp, as a sky."""
    t = np.linspace(0, 1, shape[1])[None, :, None]
    return np.broadcast_to((1 - t) * [0.2, 0.35, 0.7] + t * [0.6, 0.75, 0.9], (*shape, 3)).copy()


def test_region_splits_sees_a_uniform_patch_split_in_two():
    source = np.full((96, 192, 3), [0.55, 0.6, 0.7])
    split = source.copy()
    split[:, 120:] = [0.7, 0.55, 0.5]  # within a 16 px block and a 48 px one
    report = region_splits(source, split)
    assert report.score > 0.1
    assert report.worst > 15
    assert report.map[:, 112:128].min() > 8 and report.map[:, :90].max() == 0
    clean = region_splits(gradient(), affine(gradient()))
    assert clean.score == 0 and clean.worst < 4


def test_region_splits_reads_no_gap_in_a_block_of_one_colour():
    # A constant block has all its points on one side of the 2-means cut; its gap
    # is zero, not the distance of its mean colour from Lab's origin (a grey
    # constant corner once read as a 26 dE split).
    source = np.full((64, 64, 3), [11, 10, 18], dtype=np.uint8)
    result = np.full((64, 64, 3), 74, dtype=np.uint8)
    report = region_splits(source, result)
    assert report.score == 0 and report.worst == 0


def test_region_splits_takes_a_global_contrast_stretch_for_no_split():
    # Fog: a faint gradation (under 2.5 dE a block) stretched 6x by one global map is
    # the grade, not a split; the same fog turned teal on one side and salmon on the
    # other is.
    rng = np.random.default_rng(3)
    ramp = np.linspace(0, 0.12, 192)[None, :, None]
    grain = 0.03 * ndimage.gaussian_filter(rng.standard_normal((144, 192, 1)), 2)
    fog = np.clip(np.repeat(0.55 + ramp + grain, 3, axis=2) + [0.0, 0.01, 0.02], 0, 1)
    stretched = np.clip(0.5 + 6 * (fog - fog.mean()), 0, 1)
    assert region_splits(fog, stretched).score < 0.02
    split = stretched.copy()
    split[:, 100:] += [0.15, -0.05, -0.12]
    split[:, :100] += [-0.1, 0.05, 0.08]
    assert region_splits(fog, np.clip(split, 0, 1)).worst > 15


def test_halo_width_sees_a_halo_along_an_edge():
    source = textured(seed=1) * 0.3 + 0.05
    source[:, 80:] += 0.6  # a strong vertical edge
    # unsharp mask: a bright / dark band some 10 px wide on either side of the edge
    blurred = ndimage.gaussian_filter(source, (0, 6, 0))
    halo = np.clip(source + 0.8 * (source - blurred), 0, 1)
    report = halo_width(source, halo)
    assert 4 <= report.score <= 20
    assert report.peak > 3
    assert report.map[:, 70:90].mean() > 5 * report.map[:, :30].mean()
    assert halo_width(source, affine(source)).score == 0


def test_haze_sees_lost_detail_not_a_strong_grade():
    source = textured(seed=2)
    hazy = ndimage.gaussian_filter(source, (2, 2, 0)) * 0.8 + 0.1
    assert haze(source, hazy).score < 0.7
    assert haze(source, affine(source)).score == pytest.approx(1, abs=0.05)
    # a strong brightening (gamma) scales detail with it: still in proportion
    assert haze(source, source**0.5).score == pytest.approx(1, abs=0.08)


def test_false_contours_sees_a_posterised_gradient():
    ramp = gradient()
    posterised = np.round(ramp * 12) / 12
    report = false_contours(ramp, posterised)
    assert report.score > 0.02
    assert report.contours >= 3
    clean = false_contours(ramp, affine(ramp))
    assert clean.score == 0 and clean.contours == 0


def test_rare_color_collapse_sees_a_crushed_saturated_blob():
    source = np.full((96, 96, 3), 0.5) + 0.1 * gradient((96, 96))
    source[30:42, 50:62] = [0.9, 0.15, 0.1]
    crushed = affine(source)
    crushed[30:42, 50:62] = [0.6, 0.45, 0.42]
    report = rare_color_collapse(source, crushed)
    assert report.n_clusters == 1
    assert report.score < 0.4 and report.relative < 0.6
    assert report.map[30:42, 50:62].mean() > 0.5 and report.map[:20].max() == 0
    kept = rare_color_collapse(source, affine(source))
    assert kept.score > 0.7 and kept.relative > 3 * report.relative
    assert abs(kept.delta_lightness) < 5


def test_flat_noise_sees_amplified_noise():
    rng = np.random.default_rng(3)
    source = gradient() + 0.004 * rng.standard_normal((128, 160, 3))
    noisy = source + 0.03 * rng.standard_normal(source.shape)
    report = flat_noise(source, noisy)
    assert report.flat > 0.5
    assert report.score > 2.5
    assert flat_noise(source, affine(source)).score == pytest.approx(1, abs=0.2)


def test_new_edges_sees_an_edge_from_nowhere():
    source = gradient()
    stepped = affine(source)
    stepped[:, 100:] = np.clip(stepped[:, 100:] + 0.2, 0, 1)
    report = new_edges(source, stepped)
    assert report.score > 1000
    assert report.map[:, 96:104].max() > 4 and report.map[:, :90].max() == 0
    assert new_edges(source, affine(source)).score == 0


def test_ms_swd_is_a_deterministic_distance():
    source, reference = textured((64, 80), seed=4), textured((64, 80), seed=5)[:50]
    kw = {"n_projections": 32, "n_scales": 3}
    assert ms_swd(source, source, **kw) == 0
    far = ms_swd(source, reference, **kw)
    assert far == ms_swd(source, reference, **kw)  # fixed directions
    assert far == pytest.approx(ms_swd(reference, source, **kw), rel=1e-5)
    # halfway toward the reference's colours is nearer to it than the source is
    moved = np.clip(source - source.mean((0, 1)) + reference.mean((0, 1)), 0, 1)
    assert ms_swd(0.5 * source + 0.5 * moved, reference, **kw) < far
    # patches, not only colours: the same pixels shuffled are far apart
    shuffled = np.random.default_rng(0).permutation(source.reshape(-1, 3)).reshape(source.shape)
    assert ms_swd(source, shuffled, **kw) > 0.5


def test_report_and_input_checks():
    image = (textured() * 255).astype(np.uint8)
    report = artefact_report(image, image)
    assert set(report) == {"region_splits", "halo_width", "haze", "false_contours",
                           "rare_color_collapse", "flat_noise", "new_edges"}
    for name, bunch in report.items():
        assert bunch.map.shape == image.shape[:2], name
    assert report["region_splits"].score == 0 and report["new_edges"].score == 0
    with pytest.raises(ValueError, match="same height and width"):
        haze(image, image[:64])
    with pytest.raises(ValueError, match="RGB image"):
        halo_width(image[..., 0], image[..., 0])
    with pytest.raises(ValueError, match="NaN"):
        region_splits(np.full((16, 16, 3), np.nan), image[:16, :16])


def test_reports_read_as_attributes_and_keys_and_pickle():
    import pickle

    report = region_splits(gradient(), affine(gradient()))
    assert report.score == report["score"] == 0
    assert set(report) == {"score", "worst", "uniform", "map"} <= set(dir(report))
    report.extra = 1
    assert report["extra"] == 1
    with pytest.raises(AttributeError, match="missing"):
        report.missing
    copy = pickle.loads(pickle.dumps(report))
    assert type(copy) is type(report) and copy.worst == report.worst
    np.testing.assert_array_equal(copy.map, report.map)


def test_region_splits_blurs_small_images_as_scipy(monkeypatch):
    """Thumbnails (method="auto") are blurred by the numpy filter, larger images by
    scipy's: the same numbers, so the same splits."""
    from skcolorot._utils import _filters

    rng = np.random.default_rng(1)
    source = (textured((96, 128)) * 255).astype(np.uint8)
    result = np.clip(source * [1.1, 0.9, 1.0] + rng.normal(0, 6, source.shape), 0, 255)
    result[20:60, 30:90] = [200, 90, 40]
    numpy_blur = region_splits(source, result.astype(np.uint8))
    monkeypatch.setattr(_filters, "COMPILED_MIN_VALUES", 0)
    scipy_blur = region_splits(source, result.astype(np.uint8))
    assert numpy_blur.worst == scipy_blur.worst and numpy_blur.score == scipy_blur.score
    np.testing.assert_array_equal(numpy_blur.map, scipy_blur.map)
