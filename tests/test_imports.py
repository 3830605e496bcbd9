"""What importing the package and its light modules loads, each in a fresh
interpreter: ``import skcolorot`` and ``skcolorot --version`` stay instant, and
writing a LUT does not drag in the image I/O."""

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
