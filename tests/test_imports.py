"""What importing the package and its light modules loads, each in a fresh
interpreter: ``import skcolorot`` and ``skcolorot --version`` stay instant,
writing a LUT does not drag in the image I/O, and the default look (``transfer()``,
``skcolorot transfer``: ``method="auto"``'s two candidates, their splits and the
choice) runs without scikit-learn and scipy (their imports were ~3 s of a 0.3 MP
command's ~4 s)."""

import os
import subprocess
import sys

import pytest

import skcolorot

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(skcolorot.__file__)))
HEAVY = ("numpy", "sklearn", "ot", "skimage", "scipy", "PIL", "matplotlib", "dask", "tqdm")


def _loaded_after(code):
    """The modules loaded in a fresh interpreter by ``code`` (this checkout's package)."""
    script = (
        f"import sys\nsys.path.insert(0, {ROOT!r})\n{code}\n"
        "print(' '.join(sorted(sys.modules)))\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert completed.returncode == 0, completed.stderr
    return set(completed.stdout.splitlines()[-1].split())


def _heavy(modules):
    return sorted(name for name in modules if name.split(".")[0] in HEAVY)


def test_import_skcolorot_loads_no_dependency():
    loaded = _loaded_after("import skcolorot")
    assert _heavy(loaded) == []
    # only the standard-library lazy loader
    assert sorted(name for name in loaded if name.startswith("skcolorot.")) == [
        "skcolorot._utils",
        "skcolorot._utils._lazy",
    ]


def test_version_runs_on_the_standard_library_alone():
    code = (
        "import contextlib, io, runpy\n"
        "out = io.StringIO()\n"
        "sys.argv = ['skcolorot', '--version']\n"
        "with contextlib.redirect_stdout(out):\n"
        "    try:\n"
        "        runpy.run_module('skcolorot', run_name='__main__', alter_sys=True)\n"
        "    except SystemExit as exit_request:\n"
        "        assert exit_request.code == 0, exit_request.code\n"
        "assert out.getvalue().strip() == 'skcolorot ' + __import__('skcolorot').__version__\n"
    )
    assert _heavy(_loaded_after(code)) == []


@pytest.mark.parametrize("module", ["io._atomic", "_utils._progress", "_utils._signals", "cli"])
def test_light_modules_import_only_the_standard_library(module):
    assert _heavy(_loaded_after(f"import skcolorot.{module}")) == []


def test_lut_writes_without_the_image_io():
    loaded = _loaded_after("import skcolorot.io._cube")
    assert "skcolorot.io._atomic" in loaded
    image_io = ("_image_read", "_image_write", "_image_formats", "_files")
    assert not [name for name in image_io if f"skcolorot.io.{name}" in loaded]


def test_transfer_command_loads_only_what_the_grade_needs(tmp_path):
    """``skcolorot transfer`` of an untagged 8-bit pair with the default method: no
    scikit-image, POT, OpenCV (an 8-bit PNG needs no 16-bit writer) or plotting, no
    littleCMS (nothing to convert), and only Pillow's common plugins (not all ~45)."""
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(0)
    for name in ("src.png", "ref.png"):
        Image.fromarray(rng.integers(0, 256, (24, 32, 3), dtype=np.uint8)).save(tmp_path / name)
    paths = [str(tmp_path / name) for name in ("src.png", "ref.png", "out.png")]
    loaded = _loaded_after(
        "from skcolorot.cli import main\n"
        f"assert main(['transfer', {paths[0]!r}, {paths[1]!r}, '-o', {paths[2]!r}, '-q']) == 0"
    )
    assert (tmp_path / "out.png").is_file()
    unneeded = ("skimage", "ot", "cv2", "matplotlib", "dask", "PIL.ImageCms",
                "PIL.PdfImagePlugin", "PIL.WebPImagePlugin")
    assert sorted(name for name in unneeded if name in loaded) == []
    assert _without_estimators(loaded) == []


# What the default look does without: scikit-learn (whose import loads pandas and
# scipy.stats, ~2.5 s) and scipy (scipy.ndimage alone ~0.45 s).
ESTIMATOR_STACK = ("sklearn", "scipy", "pandas")


def _without_estimators(modules):
    return sorted(name for name in modules if name.split(".")[0] in ESTIMATOR_STACK)


# An image larger than the fit's 10 000-sample summary, so that the colour
# histogram and its weights are on the path too.
_PAIR = (
    "import numpy as np\n"
    "rng = np.random.default_rng(0)\n"
    "ramp = np.linspace(0, 255, 160)[None, :, None] * np.ones((120, 1, 3))\n"
    "source = np.clip(ramp * [1, 0.7, 0.4] + rng.normal(0, 8, ramp.shape), 0, 255)"
    ".astype(np.uint8)\n"
    "reference = rng.integers(0, 256, (90, 100, 3), dtype=np.uint8)\n"
)


@pytest.mark.parametrize(
    "call",
    [
        # method="auto": the sliced look, the affine map on the clean base, the
        # splits of both on thumbnails and the choice.
        "transfer(source, reference)",
        "transfer(source, reference, method='affine')",
        "transfer(source, reference, method='sliced', regrain=False)",
        # (CIELab, and so luminance < 1, converts by scikit-image, which loads scipy.)
        "transfer(source, reference, color_space='oklab', t=0.5, "
        "mask=np.ones(source.shape[:2]) / 2, random_state=None)",
        "transfer(source, reference, regrain='rounds', rounds=2)",
    ],
)
def test_transfer_runs_without_scikit_learn(call):
    loaded = _loaded_after(_PAIR + f"from skcolorot import transfer\nresult = {call}\n"
                           "assert result.shape == source.shape")
    assert _without_estimators(loaded) == []


def test_region_splits_of_thumbnails_run_without_scikit_learn():
    loaded = _loaded_after(_PAIR + "from skcolorot.metrics import region_splits\n"
                           "report = region_splits(source, source[::-1])\n"
                           "assert report.score == report['score']")
    assert _without_estimators(loaded) == []
