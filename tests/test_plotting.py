"""skcolorot.plotting, drawn with the Agg backend."""

import sys

import numpy as np
import pytest
from PIL import Image
from skimage.color import rgb2lab
from sklearn.exceptions import NotFittedError

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from skcolorot import AffineTransport  # noqa: E402
from skcolorot.plotting import plot_interpolation, plot_transfer  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def grade(small_pair):
    source, target = small_pair
    transport = AffineTransport().fit(source, target)
    return transport, transport.transform(source)


def shown(ax):
    return np.asarray(ax.images[0].get_array())


def test_plot_transfer_shows_the_three_images_and_their_chroma(small_pair, grade, tmp_path):
    source, target = small_pair
    result = grade[1]
    fig = plot_transfer(source, target, result)
    assert isinstance(fig, matplotlib.figure.Figure)
    assert len(fig.axes) == 6
    images, histograms = fig.axes[:3], fig.axes[3:]
    assert [ax.get_title() for ax in images] == ["source", "target", "result"]
    assert [ax.get_title() for ax in histograms] == [
        "source: chroma (a*, b*)",
        "target: chroma (a*, b*)",
        "result: chroma (a*, b*)",
    ]
    for ax, image in zip(images, (source, target, result), strict=True):
        np.testing.assert_array_equal(shown(ax), image)
    # One a*b* range for all three, so that they compare.
    assert len({ax.images[0].get_extent()[1] for ax in histograms}) == 1

    path = tmp_path / "transfer.png"
    fig.savefig(path, dpi=50)
    assert Image.open(path).size == (600, 375)


def test_chroma_histogram_puts_each_colour_at_its_a_b_in_its_own_colour():
    colours = [(200, 60, 40), (40, 90, 200), (90, 160, 60)]
    images = [np.full((8, 8, 3), colour, dtype=np.uint8) for colour in colours]
    fig = plot_transfer(*images)
    for ax, colour in zip(fig.axes[3:], colours, strict=True):
        picture = shown(ax)
        filled = np.argwhere(picture[..., 3] > 0)
        assert len(filled) == 1  # one colour, one bin, fully opaque
        row, column = filled[0]
        np.testing.assert_allclose(picture[row, column], [*np.divide(colour, 255), 1.0])
        # Columns run over a*, rows (origin at the bottom) over b*.
        left, right, bottom, top = ax.images[0].get_extent()
        n_bins = picture.shape[0]
        a_star, b_star = rgb2lab(np.divide(colour, 255).reshape(1, 1, 3))[0, 0, 1:]
        assert left + column * (right - left) / n_bins <= a_star
        assert a_star < left + (column + 1) * (right - left) / n_bins
        assert bottom + row * (top - bottom) / n_bins <= b_star
        assert b_star < bottom + (row + 1) * (top - bottom) / n_bins


def test_plot_transfer_draws_into_a_given_figure_and_takes_16_bits(small_pair, grade):
    source, target = small_pair
    fig = plt.figure()
    assert plot_transfer(source.astype(np.uint16) * 257, target, grade[1], fig=fig) is fig
    np.testing.assert_allclose(shown(fig.axes[0]), source / 255.0)


def test_plot_transfer_needs_images(small_pair):
    source, target = small_pair
    with pytest.raises(ValueError, match="source must be an RGB or RGBA image"):
        plot_transfer(source.reshape(-1, 3), target, target)


def test_plot_interpolation_strip(small_pair, grade):
    source, _ = small_pair
    transport, full = grade
    fig = plot_interpolation(transport, source)
    assert [ax.get_title() for ax in fig.axes] == [
        "t = 0",
        "t = 0.25",
        "t = 0.5",
        "t = 0.75",
        "t = 1",
    ]
    frames = [shown(ax).astype(float) for ax in fig.axes]
    np.testing.assert_array_equal(frames[0], source)
    np.testing.assert_array_equal(frames[-1], full)
    # Colours move monotonically from the source to the result.
    distances = [np.abs(frame - full).mean() for frame in frames]
    assert all(np.diff(distances) < 0)
    assert transport.t == 1.0  # the caller's estimator is untouched, and not refitted
    np.testing.assert_array_equal(transport.transform(source), full)


def test_plot_interpolation_needs_a_fitted_transport(small_pair):
    with pytest.raises(NotFittedError):
        plot_interpolation(AffineTransport(), small_pair[0])


def test_missing_matplotlib_says_how_to_install(small_pair, grade, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    source, target = small_pair
    with pytest.raises(ImportError, match=r"pip install skcolorot\[plot\]"):
        plot_transfer(source, target, grade[1])
    with pytest.raises(ImportError, match=r"pip install skcolorot\[plot\]"):
        plot_interpolation(grade[0], source)
