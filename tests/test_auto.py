"""method="auto" (skcolorot.image._auto): the sliced look unless it splits a uniform
region that the affine map keeps whole, and it says which."""

import numpy as np
import pytest
from PIL import Image

from skcolorot import cli, transfer
from skcolorot.image._auto import AutoChoice, choose_method, thumbnail
from skcolorot.image._clean import CLEAN_DETAIL
from skcolorot.image._transfer import grade_auto, grade_with, make_transport


def _sky_over_ground(seed=0):
    """A smooth sky over a patchwork ground, and a reference whose sky is half
    orange, half blue: a monotone map of the sky's one hue to the reference's two
    cuts the sky in two; an affine map cannot."""
    rng = np.random.default_rng(seed)
    height, width = 192, 256
    rows = np.linspace(0, 1, height)[:, None, None]
    source = np.concatenate([0.45 + 0.15 * rows, 0.5 + 0.12 * rows, 0.7 + 0.05 * rows], -1)
    source = source * np.ones((1, width, 1))
    source[120:] = rng.random((6, 8, 3)).repeat(12, 0).repeat(32, 1) * 0.8 + 0.1
    source = np.clip(source + rng.normal(0, 0.004, source.shape), 0, 1)
    reference = np.empty((96, 96, 3))
    reference[:, :48], reference[:, 48:] = [0.95, 0.6, 0.3], [0.2, 0.4, 0.8]
    reference[64:] = rng.random((4, 12, 3)).repeat(8, 0).repeat(8, 1)
    reference = np.clip(reference + rng.normal(0, 0.02, reference.shape), 0, 1)
    return [(image * 255).round().astype(np.uint8) for image in (source, reference)]


def _make(method):
    return make_transport(method, random_state=0)


def test_a_look_that_splits_the_sky_gives_way_to_the_affine_map_applied_cleanly():
    source, reference = _sky_over_ground()
    result, fitted, choice = grade_auto(_make, source, reference, regrain="auto",
                                        grade=grade_with)
    assert choice.method == "affine" and type(fitted).__name__ == "AffineTransport"
    look_area, affine_area = choice.splits["sliced"][0], choice.splits["affine"][0]
    assert look_area > 0.2 and affine_area == 0
    assert "the affine map 0.0 %" in str(choice)
    # The affine candidate is the affine map on the edge-preserving base: the
    # source's noise stays noise (clean_grade), exactly what transfer() gives for it.
    expected = transfer(source, reference, "affine", regrain="detail",
                        regrain_params=dict(CLEAN_DETAIL))
    np.testing.assert_array_equal(result, expected)
    np.testing.assert_array_equal(transfer(source, reference), expected)  # the default


def test_a_look_that_splits_nothing_is_kept():
    source, _ = _sky_over_ground()
    reference = (source * np.array([1.0, 0.85, 0.7])).astype(np.uint8)  # a warm version
    result, fitted, choice = grade_auto(_make, source, reference, regrain="auto",
                                        grade=grade_with)
    assert choice.method == "sliced" and choice.splits["sliced"][0] < 0.02
    assert "under 2 %" in choice.reason
    np.testing.assert_array_equal(result, transfer(source, reference, "sliced"))


def test_an_explicit_regrain_applies_to_both_candidates():
    source, reference = _sky_over_ground()
    result, _, choice = grade_auto(_make, source, reference, regrain=False, grade=grade_with)
    assert choice.method == "affine"
    np.testing.assert_array_equal(result, transfer(source, reference, "affine", regrain=False))


def test_transport_parameters_configure_the_sliced_transport_as_before():
    source, reference = _sky_over_ground()
    np.testing.assert_array_equal(
        transfer(source[::2, ::2], reference, n_slices=4, regrain=False),
        transfer(source[::2, ::2], reference, "sliced", n_slices=4, regrain=False),
    )


def test_a_single_channel_image_has_nothing_to_split_and_gets_the_sliced_look():
    rng = np.random.default_rng(0)
    source = rng.integers(0, 200, (32, 40, 1), dtype=np.uint8)
    reference = rng.integers(50, 256, (30, 30, 1), dtype=np.uint8)
    result, _, choice = grade_auto(_make, source, reference, regrain="auto", grade=grade_with)
    assert choice.method == "sliced" and choice.splits == {}
    assert "no colour" in choice.reason
    np.testing.assert_array_equal(result, transfer(source, reference, "sliced"))


def test_choose_method_reads_thumbnails_of_any_dtype():
    source, reference = _sky_over_ground()
    small = thumbnail(np.repeat(np.repeat(source, 3, 0), 3, 1))  # 576 x 768 -> 288 x 384
    assert small.shape == (288, 384, 3) and small.dtype == np.float32
    np.testing.assert_allclose(thumbnail(source.astype(np.uint16) * 257), source / 255, atol=1e-6)
    sky = source[:100].astype(np.float32) / 255
    flat = np.full_like(sky, 0.5)
    choice = choose_method(sky, {"sliced": flat, "affine": flat})
    assert isinstance(choice, AutoChoice) and choice.method == "sliced"
    assert repr(choice).startswith("AutoChoice(method='sliced'")


@pytest.mark.parametrize("regrain", ["auto", True])
def test_candidates_side_by_side_give_what_one_after_the_other_gives(monkeypatch, regrain):
    # A small source: the affine candidate in a thread, the edge-preserving base
    # shared; the same result and choice, bit for bit, as each graded alone.
    from skcolorot.image import _transfer

    source, reference = _sky_over_ground()
    side_by_side = grade_auto(_make, source, reference, regrain=regrain, grade=grade_with)
    monkeypatch.setattr(_transfer, "_SIDE_BY_SIDE_PIXELS", 0)
    alone = grade_auto(_make, source, reference, regrain=regrain, grade=grade_with)
    np.testing.assert_array_equal(side_by_side[0], alone[0])
    assert side_by_side[2].method == alone[2].method and side_by_side[2].splits == alone[2].splits


def test_a_shared_generator_grades_the_candidates_in_turn():
    # A RandomState is drawn from in call order: no thread, the same result each time.
    source, reference = _sky_over_ground()

    def make(method):
        return make_transport(method, random_state=np.random.RandomState(0))

    first, again = (grade_auto(make, source, reference, regrain="auto", grade=grade_with)[0]
                    for _ in range(2))
    np.testing.assert_array_equal(first, again)

@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32])
@pytest.mark.parametrize("side", [300, 700, 1000, 2500])
def test_thumbnail_is_the_block_mean_bit_for_bit(dtype, side):
    # Integer images take added views instead of the strided mean: the same numbers.
    rng = np.random.default_rng(side)
    top = 1.0 if dtype == np.float32 else np.iinfo(dtype).max
    image = (rng.random((side * 3 // 4 + 1, side, 4)) * top).astype(dtype)
    factor = -(-side // 384)
    h, w = image.shape[0] // factor * factor, side // factor * factor
    blocks = image[:h, :w, :3].reshape(h // factor, factor, w // factor, factor, 3)
    means = blocks.mean(axis=(1, 3), dtype=np.float32) / np.float32(top)
    np.testing.assert_array_equal(thumbnail(image), means.clip(0, 1))


def _write_pair(tmp_path):
    source, reference = _sky_over_ground()
    for name, image in (("src.png", source), ("ref.png", reference)):
        Image.fromarray(image).save(tmp_path / name)
    return [str(tmp_path / "src.png"), str(tmp_path / "ref.png")]


def test_the_command_line_says_what_auto_chose_and_exports_that_grade(tmp_path, capsys):
    pair = _write_pair(tmp_path)
    cubes = [str(tmp_path / "auto.cube"), str(tmp_path / "affine.cube")]
    assert cli.main(["transfer", *pair, "-o", str(tmp_path / "a.png"), "--lut-out", cubes[0]]) == 0
    captured = capsys.readouterr()
    assert "affine + regrain (auto: the sliced look split" in captured.out
    assert "holds the colour map only" in captured.err
    assert cli.main(["transfer", *pair, "-o", str(tmp_path / "b.png"), "-q", "-m", "affine",
                     "--lut-out", cubes[1]]) == 0
    auto_cube, affine_cube = (open(path).read().splitlines() for path in cubes)
    assert auto_cube[1:] == affine_cube[1:]  # all but the TITLE line


def test_a_param_on_the_command_line_means_the_sliced_transport(tmp_path, capsys):
    pair = _write_pair(tmp_path)
    out = str(tmp_path / "out.png")
    assert cli.main(["transfer", *pair, "-o", out, "--param", "n_slices=4",
                     "--no-regrain"]) == 0
    assert "; sliced, " in capsys.readouterr().out
