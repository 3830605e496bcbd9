"""Tests for skcolorot.color._lut: grid, application (Pillow and numpy paths), .cube I/O."""

import os
import shutil
import subprocess

import numpy as np
import pytest
from PIL import Image

import skcolorot.color._lut as lut_module
from skcolorot import apply_lut, read_cube, write_cube
from skcolorot.color._lut import lut_grid

RNG = np.random.default_rng(20240601)


def rotate_channels(rgb):
    """(r, g, b) -> (b, r, g): linear, so trilinear interpolation reproduces it exactly."""
    return rgb[..., [2, 0, 1]]


def nonlinear_grade(rgb):
    """A smooth map where each output depends on a different input axis."""
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    return np.stack([g**2, 0.3 + 0.6 * b**3, 0.2 + 0.5 * r * b + 0.3 * r**2], axis=-1)


def interpolation_error_bound(size):
    # Trilinear interpolation error is at most h**2 / 8 * |f''| summed over the axes
    # (mixed terms like r * b are reproduced exactly); |f''| <= 3.6 for
    # nonlinear_grade, so 3 axes x 6 is generous yet far below an axis mix-up.
    step = 1 / (size - 1)
    return 3 * step**2 / 8 * 6


def all_levels_image(dtype):
    """(H, W, 3) image whose channels take every uint8 level, in different orders."""
    levels = np.arange(256)
    pixels = np.stack([levels, levels[::-1], RNG.permutation(256)], axis=-1).reshape(16, 16, 3)
    if dtype == np.uint8:
        return pixels.astype(np.uint8)
    if dtype == np.uint16:
        return (pixels * 257).astype(np.uint16)
    return (pixels / 255).astype(dtype)


def random_image(shape, dtype):
    if np.dtype(dtype).kind == "u":
        return RNG.integers(0, np.iinfo(dtype).max + 1, size=shape, dtype=dtype)
    return RNG.random(shape).astype(dtype)


def as_unit_float(image):
    if image.dtype.kind == "u":
        return image / np.iinfo(image.dtype).max
    return image.astype(np.float64)


# ----------------------------------------------------------------------------- grid


def test_lut_grid_values_and_axis_order():
    grid = lut_grid(5)
    assert grid.shape == (5, 5, 5, 3)
    assert grid.dtype == np.float64
    np.testing.assert_array_equal(grid[1, 2, 3], np.array([1, 2, 3]) / 4)
    np.testing.assert_array_equal(grid[4, 0, 0], [1.0, 0.0, 0.0])  # red is the first index
    np.testing.assert_array_equal(grid[0, 0, 4], [0.0, 0.0, 1.0])


@pytest.mark.parametrize("size", [1, 0, -3])
def test_lut_grid_rejects_small_sizes(size):
    with pytest.raises(ValueError, match="size"):
        lut_grid(size)


# ----------------------------------------------------------------------------- identity


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32, np.float64])
@pytest.mark.parametrize("shape", [(7, 11, 3), (2, 5, 6, 3), (40, 3), (7, 11, 4)])
def test_identity_table_maps_images_to_themselves(dtype, shape):
    image = random_image(shape, dtype)
    mapped = apply_lut(image, lut_grid(9))
    assert mapped.shape == image.shape
    assert mapped.dtype == image.dtype
    if np.dtype(dtype).kind == "u":
        np.testing.assert_array_equal(mapped, image)
    else:
        tolerance = 1e-6 if dtype == np.float32 else 1e-12
        np.testing.assert_allclose(mapped, image, rtol=0, atol=tolerance)


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32])
def test_identity_covers_every_level(dtype):
    image = all_levels_image(dtype)
    mapped = apply_lut(image, lut_grid(33))
    if np.dtype(dtype).kind == "u":
        np.testing.assert_array_equal(mapped, image)
    else:
        np.testing.assert_allclose(mapped, image, atol=1e-6)


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32, np.float64])
def test_alpha_passes_through_untouched(dtype):
    image = random_image((9, 13, 4), dtype)
    table = rotate_channels(lut_grid(5))
    mapped = apply_lut(image, table)
    np.testing.assert_array_equal(mapped[..., 3], image[..., 3])
    rgb_only = apply_lut(np.ascontiguousarray(image[..., :3]), table)
    np.testing.assert_array_equal(mapped[..., :3], rgb_only)


# ----------------------------------------------------------------------------- non-symmetric tables


def use_numpy_path_for_uint8(monkeypatch):
    monkeypatch.setattr(lut_module, "_PILLOW_MAX_TABLE_SIZE", 0)


@pytest.mark.parametrize("path", ["pillow", "numpy"])
def test_channel_rotation_uint8(path, monkeypatch):
    if path == "numpy":
        use_numpy_path_for_uint8(monkeypatch)
    image = all_levels_image(np.uint8)
    mapped = apply_lut(image, rotate_channels(lut_grid(17)))
    difference = np.abs(mapped.astype(int) - rotate_channels(image))
    assert difference.max() <= (1 if path == "pillow" else 0)


@pytest.mark.parametrize("dtype", [np.uint16, np.float32, np.float64])
def test_channel_rotation_numpy_path(dtype):
    image = random_image((20, 30, 3), dtype)
    mapped = apply_lut(image, rotate_channels(lut_grid(17)))
    if np.dtype(dtype).kind == "u":
        np.testing.assert_array_equal(mapped, rotate_channels(image))
    else:
        np.testing.assert_allclose(mapped, rotate_channels(image), atol=1e-6)


@pytest.mark.parametrize("path", ["pillow", "numpy"])
def test_nonlinear_table_uint8_matches_direct_evaluation(path, monkeypatch):
    if path == "numpy":
        use_numpy_path_for_uint8(monkeypatch)
    size = 17
    image = np.concatenate([all_levels_image(np.uint8), random_image((16, 16, 3), np.uint8)])
    mapped = apply_lut(image, nonlinear_grade(lut_grid(size)))
    expected = nonlinear_grade(image / 255) * 255
    tolerance = interpolation_error_bound(size) * 255 + (1.0 if path == "pillow" else 0.5)
    assert np.abs(mapped - expected).max() <= tolerance


@pytest.mark.parametrize("dtype", [np.uint16, np.float32, np.float64])
def test_nonlinear_table_numpy_path_matches_direct_evaluation(dtype):
    size = 17
    image = random_image((30, 40, 3), dtype)
    mapped = as_unit_float(apply_lut(image, nonlinear_grade(lut_grid(size))))
    expected = nonlinear_grade(as_unit_float(image))
    error = np.abs(mapped - expected).max()
    assert error <= interpolation_error_bound(size) + 1e-5
    # and the table's nodes are hit exactly (no axis mix-up hidden by the tolerance)
    nodes = lut_grid(size)[::4, ::2, ::8].reshape(-1, 3)
    at_nodes = apply_lut(nodes, nonlinear_grade(lut_grid(size)))
    np.testing.assert_allclose(at_nodes, nonlinear_grade(nodes), atol=1e-12)


def test_pillow_and_numpy_paths_agree_on_uint8(monkeypatch):
    china = load_china()[::4, ::4]
    table = nonlinear_grade(lut_grid(17))
    via_pillow = apply_lut(china, table)
    use_numpy_path_for_uint8(monkeypatch)
    via_numpy = apply_lut(china, table)
    via_float = np.rint(apply_lut(china.astype(np.float32) / 255, table) * 255)
    assert np.abs(via_pillow.astype(int) - via_numpy).max() <= 1
    assert np.abs(via_numpy - via_float).max() <= 1


def test_uint8_with_table_within_pillow_limits_uses_pillow(monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("numpy path used for a Pillow-compatible uint8 image")

    monkeypatch.setattr(lut_module, "_apply_numpy", fail)
    apply_lut(random_image((4, 4, 3), np.uint8), lut_grid(65), interpolation="trilinear")


def test_tetrahedral_matches_a_direct_formula_and_dtypes_agree():
    rng = np.random.default_rng(0)
    table = np.clip(lut_grid(17) ** 1.3 + 0.05 * np.sin(6 * lut_grid(17)), 0, 1)
    colors = rng.random((500, 3))
    # Direct formula: sort the fractions, walk the cube's edges in that order.
    cell = np.minimum(np.floor(colors * 16), 15).astype(int)
    fraction = colors * 16 - cell
    expected = np.empty_like(colors)
    for i, (c, f) in enumerate(zip(cell, fraction)):
        order = np.argsort(-f, kind="stable")
        corner, value = c.copy(), (1 - f[order[0]]) * table[tuple(c)]
        for k, axis in enumerate(order):
            corner[axis] += 1
            weight = f[axis] - (f[order[k + 1]] if k < 2 else 0.0)
            value = value + weight * table[tuple(corner)]
        expected[i] = value
    np.testing.assert_allclose(lut_module.interpolate_tetrahedral(colors, table), expected, atol=1e-12)
    image = random_image((60, 70, 3), np.uint8)
    as_uint8 = apply_lut(image, table).astype(int)
    exact = np.rint(apply_lut(image.astype(np.float64) / 255, table) * 255)
    assert np.abs(as_uint8 - exact).max() <= 1


def test_tetrahedral_refines_exactly_onto_a_grid_with_halved_cells():
    table = np.random.default_rng(1).random((9, 9, 9, 3))
    colors = np.random.default_rng(2).random((300, 3))
    finer = lut_module.tetrahedral_resample(table, 17)
    np.testing.assert_allclose(
        lut_module.interpolate_tetrahedral(colors, finer),
        lut_module.interpolate_tetrahedral(colors, table),
        atol=1e-12,
    )


def test_large_table_values_beyond_pillow_range_are_interpolated_exactly():
    # Pillow clamps table entries beyond about +-2 before interpolating; a steep
    # linear map (3x - 1) interpolated from clamped nodes would come out wrong.
    image = all_levels_image(np.uint8)
    mapped = apply_lut(image, 3 * lut_grid(5) - 1)
    expected = np.clip(np.rint((image / 255 * 3 - 1) * 255), 0, 255)
    np.testing.assert_array_equal(mapped, expected)


def test_table_larger_than_pillow_limit():
    image = random_image((10, 10, 3), np.uint8)
    mapped = apply_lut(image, rotate_channels(lut_grid(66)))
    np.testing.assert_array_equal(mapped, rotate_channels(image))


# ----------------------------------------------------------------------------- ranges


def test_float_input_outside_the_domain_and_output_not_clipped():
    table = 1.5 * lut_grid(5) - 0.25  # outputs span [-0.25, 1.25]
    image = np.array([[-0.5, 0.5, 1.5], [2.0, -1.0, 0.0]], dtype=np.float32)
    # Tetrahedral continues the boundary cells linearly (here: the linear map).
    mapped = apply_lut(image, table)
    np.testing.assert_allclose(mapped, [[-1.0, 0.5, 2.0], [2.75, -1.75, -0.25]], atol=1e-6)
    # Trilinear clamps to the domain, as ffmpeg's interp=trilinear does.
    mapped = apply_lut(image, table, interpolation="trilinear")
    np.testing.assert_allclose(mapped, [[-0.25, 0.5, 1.25], [1.25, -0.25, -0.25]], atol=1e-6)


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16])
def test_integer_output_is_clipped(dtype):
    image = np.array([[0, 1, np.iinfo(dtype).max]], dtype=dtype)
    mapped = apply_lut(image, 1.5 * lut_grid(5) - 0.25)
    assert mapped[0, 0] == 0 and mapped[0, 2] == np.iinfo(dtype).max


def test_empty_image():
    assert apply_lut(np.zeros((0, 3), np.float32), lut_grid(3)).shape == (0, 3)


# ----------------------------------------------------------------------------- input handling


@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
def test_input_not_modified_and_read_only_accepted(dtype):
    image = random_image((12, 10, 4), dtype)
    original = image.copy()
    image.setflags(write=False)
    mapped = apply_lut(image, nonlinear_grade(lut_grid(9)))
    np.testing.assert_array_equal(image, original)
    assert not np.shares_memory(mapped, image)


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float64])
def test_non_contiguous_input(dtype):
    base = random_image((20, 30, 4), dtype)
    table = nonlinear_grade(lut_grid(9))
    views = [base[::2, 1::3, :3], np.swapaxes(base, 0, 1)[..., :3], np.asfortranarray(base)]
    for view in views:
        expected = apply_lut(np.ascontiguousarray(view), table)
        np.testing.assert_array_equal(apply_lut(view, table), expected)


@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
def test_out_argument(dtype):
    image = random_image((8, 9, 3), dtype)
    table = nonlinear_grade(lut_grid(9))
    expected = apply_lut(image, table)
    out = np.empty_like(image)
    assert apply_lut(image, table, out=out) is out
    np.testing.assert_array_equal(out, expected)
    # non-contiguous out
    holder = np.zeros((8, 18, 3), dtype)
    result = apply_lut(image, table, out=holder[:, ::2])
    np.testing.assert_array_equal(result, expected)
    np.testing.assert_array_equal(holder[:, ::2], expected)
    # in place, when asked for explicitly
    in_place = image.copy()
    apply_lut(in_place, table, out=in_place)
    np.testing.assert_array_equal(in_place, expected)


def test_chunk_boundaries(monkeypatch):
    monkeypatch.setattr(lut_module, "_CHUNK_PIXELS", 7)
    image = random_image((5, 9, 4), np.float32)
    table = nonlinear_grade(lut_grid(9))
    chunked = apply_lut(image, table)
    monkeypatch.setattr(lut_module, "_CHUNK_PIXELS", 1 << 16)
    np.testing.assert_array_equal(chunked, apply_lut(image, table))


@pytest.mark.parametrize(
    ("image", "error", "match"),
    [
        (np.zeros((4, 4, 3), np.int64), TypeError, "image"),
        (np.zeros((4, 4, 3), bool), TypeError, "image"),
        (np.zeros((4, 5), np.uint8), ValueError, "image"),
        (np.zeros((4, 4, 2), np.uint8), ValueError, "image"),
        (np.zeros(3, np.float32), ValueError, "image"),
        (np.full((2, 2, 3), np.nan), ValueError, "NaN"),
    ],
)
def test_bad_images_raise(image, error, match):
    with pytest.raises(error, match=match):
        apply_lut(image, lut_grid(3))


@pytest.mark.parametrize(
    "table",
    [
        np.zeros((4, 4, 4)),
        np.zeros((4, 4, 3, 3)),
        np.zeros((1, 1, 1, 3)),
        np.full((3, 3, 3, 3), np.inf),
        np.full((3, 3, 3, 3), "a"),
    ],
)
def test_bad_tables_raise(table):
    with pytest.raises((ValueError, TypeError), match="table"):
        apply_lut(np.zeros((2, 2, 3), np.uint8), table)


def test_bad_out_raises():
    image = np.zeros((2, 2, 3), np.uint8)
    with pytest.raises(ValueError, match="out"):
        apply_lut(image, lut_grid(3), out=np.zeros((2, 2, 3), np.float32))
    read_only = np.zeros_like(image)
    read_only.setflags(write=False)
    with pytest.raises(ValueError, match="out"):
        apply_lut(image, lut_grid(3), out=read_only)


# ----------------------------------------------------------------------------- .cube files


def data_lines(path):
    lines = [line.strip() for line in open(path)]
    return [line for line in lines if line and (line[0].isdigit() or line[0] == "-")]


def test_cube_round_trip_and_layout(tmp_path):
    size = 5
    table = RNG.uniform(-0.2, 1.3, size=(size, size, size, 3))
    path = tmp_path / "grade.cube"
    write_cube(path, table, title="round trip #1")
    text = path.read_text()
    assert text.startswith('TITLE "round trip #1"\nLUT_3D_SIZE 5\n')
    assert "DOMAIN_MIN 0.0 0.0 0.0\n" in text and "DOMAIN_MAX 1.0 1.0 1.0\n" in text
    rows = np.array([line.split() for line in data_lines(path)], dtype=float)
    assert rows.shape == (size**3, 3)
    # red changes fastest, then green, then blue
    np.testing.assert_allclose(rows[1], table[1, 0, 0], atol=1e-6)
    np.testing.assert_allclose(rows[size], table[0, 1, 0], atol=1e-6)
    np.testing.assert_allclose(rows[size * size], table[0, 0, 1], atol=1e-6)
    loaded = read_cube(path)
    assert loaded.shape == table.shape and loaded.dtype == np.float64
    np.testing.assert_allclose(loaded, table, rtol=0, atol=1e-6)


def test_colour_science_reads_our_cube_and_we_read_theirs(tmp_path):
    colour = pytest.importorskip("colour")
    table = nonlinear_grade(lut_grid(9))
    ours = tmp_path / "ours.cube"
    write_cube(ours, table)
    theirs = colour.read_LUT(str(ours))
    # colour's LUT3D.table is indexed [r, g, b] like ours (it reads the red-fastest
    # rows in Fortran order), so no transpose is needed to compare.
    assert isinstance(theirs, colour.LUT3D)
    np.testing.assert_allclose(theirs.table, table, atol=1e-6)
    np.testing.assert_array_equal(theirs.domain, [[0, 0, 0], [1, 1, 1]])
    # the other way: a file written by colour-science
    colour_file = tmp_path / "colour.cube"
    colour.write_LUT(colour.LUT3D(table=table, name="from colour"), str(colour_file))
    np.testing.assert_allclose(read_cube(colour_file), table, atol=1e-6)


# identity table of size 2, rows red fastest
IDENTITY_2 = "\n".join(["0 0 0", "1 0 0", "0 1 0", "1 1 0", "0 0 1", "1 0 1", "0 1 1", "1 1 1"])


def test_read_cube_skips_comments_blank_lines_and_title(tmp_path):
    path = tmp_path / "commented.cube"
    header = [
        "# made by hand",
        'TITLE "with # inside"',
        "",
        "LUT_3D_SIZE 2  # size",
        "LUT_3D_INPUT_RANGE 0.0 1.0",
    ]
    rows = IDENTITY_2.replace("\n", "\n\n", 1)  # a blank line inside the data
    path.write_text("\n".join(header) + "\n" + rows + "\n# trailing comment\n")
    np.testing.assert_array_equal(read_cube(path), lut_grid(2))


@pytest.mark.parametrize(
    ("content", "match"),
    [
        (IDENTITY_2, "LUT_3D_SIZE"),
        ("LUT_3D_SIZE 2\n" + IDENTITY_2.rsplit("\n", 1)[0], "line 8.*expected 8 table rows"),
        ("LUT_3D_SIZE 2\n" + IDENTITY_2 + "\n1 1 1", "line 10.*expected 8 table rows"),
        ("LUT_3D_SIZE 2\n" + IDENTITY_2.replace("1 0 1", "1 0 x"), "line 7.*not a number"),
        ("LUT_3D_SIZE 2\n" + IDENTITY_2.replace("1 0 1", "1 0"), "line 7.*3 numbers"),
        ("LUT_3D_SIZE 2\n" + IDENTITY_2.replace("1 0 1", "1 0 nan"), "line 7.*non-finite"),
        ("LUT_1D_SIZE 2\n0 0 0\n1 1 1", "line 1.*1-D LUTs are unsupported"),
        ("LUT_3D_SIZE 2\nDOMAIN_MAX 2.0 2.0 2.0\n" + IDENTITY_2, "line 2.*non-unit domains"),
        ("LUT_3D_SIZE 2\nDOMAIN_MIN -1 0 0\n" + IDENTITY_2, "line 2.*non-unit domains"),
        ("LUT_3D_SIZE 1\n0 0 0", "line 1.*LUT_3D_SIZE"),
        ("LUT_3D_SIZE two\n" + IDENTITY_2, "line 1.*LUT_3D_SIZE"),
        ("0 0 0\nLUT_3D_SIZE 2\n" + IDENTITY_2, "line 1.*before LUT_3D_SIZE"),
        ("LUT_3D_SIZE 2\nLUT_IN_VIDEO_RANGE\n" + IDENTITY_2, "line 2.*unsupported keyword"),
    ],
)
def test_read_cube_rejects_malformed_files(tmp_path, content, match):
    path = tmp_path / "bad.cube"
    path.write_text(content + "\n")
    with pytest.raises(ValueError, match=match) as error:
        read_cube(path)
    assert "bad.cube" in str(error.value)


def test_read_cube_rejects_binary_files(tmp_path):
    path = tmp_path / "binary.cube"
    path.write_bytes(bytes(range(128, 256)))
    with pytest.raises(ValueError, match="binary.cube"):
        read_cube(path)


@pytest.mark.parametrize(
    "table",
    [
        np.zeros((3, 3, 3, 4)),
        np.zeros((1, 1, 1, 3)),
        np.broadcast_to(np.zeros(3), (257, 257, 257, 3)),  # a view: no 400 MB allocation
        np.full((3, 3, 3, 3), np.nan),
    ],
)
def test_write_cube_rejects_bad_tables_and_leaves_no_file(tmp_path, table):
    path = tmp_path / "bad.cube"
    with pytest.raises(ValueError, match="table"):
        write_cube(path, table)
    assert list(tmp_path.iterdir()) == []


def test_write_cube_is_atomic(tmp_path, monkeypatch):
    path = tmp_path / "grade.cube"
    write_cube(path, lut_grid(3))
    before = path.read_bytes()

    def broken_savetxt(stream, *args, **kwargs):
        stream.write("0.1 0.2")
        raise OSError("disk full")

    monkeypatch.setattr(np, "savetxt", broken_savetxt)
    with pytest.raises(OSError, match="disk full"):
        write_cube(path, rotate_channels(lut_grid(3)))
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["grade.cube"]  # no temporary left behind
    assert oct(os.stat(path).st_mode & 0o777) == oct(0o644)


def test_write_cube_rejects_bad_title(tmp_path):
    with pytest.raises(ValueError, match="title"):
        write_cube(tmp_path / "t.cube", lut_grid(2), title='a "quoted" title')


# ----------------------------------------------------------------------------- ffmpeg


def load_china():
    datasets = pytest.importorskip("sklearn.datasets")
    return datasets.load_sample_image("china.jpg")


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg executable not found on PATH")
def test_ffmpeg_applies_our_cube_like_apply_lut(tmp_path):
    china = np.ascontiguousarray(load_china()[::2, ::2])
    table = nonlinear_grade(lut_grid(17))
    cube = tmp_path / "grade.cube"
    write_cube(cube, table, title="grade")
    Image.fromarray(china).save(tmp_path / "in.png")
    subprocess.run(
        ["ffmpeg", "-y", "-loglevel", "error", "-i", "in.png",
         "-vf", "lut3d=file=grade.cube:interp=trilinear", "-pix_fmt", "rgb24", "out.png"],
        cwd=tmp_path, check=True, timeout=120,
    )  # fmt: skip
    via_ffmpeg = np.asarray(Image.open(tmp_path / "out.png")).astype(int)
    ours = apply_lut(china, table).astype(int)
    assert via_ffmpeg.shape == ours.shape
    difference = np.abs(via_ffmpeg - ours)
    # ffmpeg truncates to 8 bits where we round, so one level is expected
    assert difference.max() <= 2, f"mean {difference.mean():.3f}, max {difference.max()} levels"
    # and the grade did change the image (an identity-like bug would pass the above)
    assert np.abs(ours - china).mean() > 10
