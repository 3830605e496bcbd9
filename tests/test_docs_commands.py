"""Every ``skcolorot ...`` command shown in README.md and on the documentation's
landing page (docs/index.rst) runs as shown, on small files made here: the
documentation stays true to the command line (issue 27).

Each command runs in a folder of its own holding the files it names, in-process
through ``cli.main``; commands that need ffmpeg are skipped where it is missing.
"""

import glob
import os
import re
import shlex
import shutil

import numpy as np
import pytest

from skcolorot import cli, write_cube
from skcolorot.color._lut import lut_grid
from skcolorot.io._image_write import write_image

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOCUMENTS = ("README.md", os.path.join("docs", "index.rst"))
COMMAND = re.compile(r"(?:^|&&\s*)(skcolorot\s.*)")


def _code_lines(path):
    """The lines of the shell code blocks of a Markdown or reStructuredText file."""
    with open(path, encoding="utf-8") as stream:
        lines = stream.read().splitlines()
    inside, shell, indent = False, False, None
    for line in lines:
        stripped = line.strip()
        if path.endswith(".md"):
            if stripped.startswith("```"):
                inside = not inside
                shell = inside and stripped[3:].strip() in ("bash", "sh", "shell", "")
                continue
            if inside and shell:
                yield line
        else:
            if stripped.startswith(".. code-block::"):
                inside, indent = stripped.split("::")[1].strip() in ("bash", "sh", "shell"), None
                continue
            if inside and stripped:
                current = len(line) - len(line.lstrip())
                if indent is None:
                    indent = current
                if current < indent or current == 0:
                    inside = False
                else:
                    yield line


def documented_commands():
    found = []
    for document in DOCUMENTS:
        for line in _code_lines(os.path.join(ROOT, document)):
            match = COMMAND.search(line.strip())
            if match:
                command = match.group(1).split(" #")[0].strip()
                found.append(pytest.param(command, id=f"{os.path.basename(document)}: {command}"))
    return found


def test_the_documents_show_commands():
    commands = [param.values[0] for param in documented_commands()]
    assert len(commands) >= 10
    assert {command.split()[1] for command in commands} >= {"transfer", "lut", "apply", "batch"}


RNG = np.random.default_rng(0)


def _image(height=24, width=32, scale=255, offset=0):
    return (RNG.random((height, width, 3)) * scale + offset).astype(np.uint8)


def _make_inputs(folder, words):
    """The input files a command names (and the folders and globs it reads)."""
    for name in ("photo.jpg", "reference.jpg", "sky.jpg", "look.jpg", "ref1.jpg", "ref2.jpg"):
        write_image(os.path.join(folder, name), _image(offset=0 if "ref" in name else 40,
                                                       scale=215))
    mask = np.zeros((24, 32, 3), np.uint8)
    mask[:12] = 255
    write_image(os.path.join(folder, "sky_mask.png"), mask)
    os.mkdir(os.path.join(folder, "frames"))
    for index in range(2):
        write_image(os.path.join(folder, f"frame_{index}.png"), _image())
        write_image(os.path.join(folder, "frames", f"f{index}.png"), _image())
    if words[0] == "apply":  # the LUT an earlier command would have written
        write_cube(os.path.join(folder, words[1]), lut_grid(5) ** 0.9)
    if any(word.endswith(".mp4") for word in words[1:2]):
        _make_clip(os.path.join(folder, words[1]))


def _make_clip(path):
    import subprocess

    subprocess.run(
        [shutil.which("ffmpeg"), "-v", "error", "-f", "lavfi", "-i",
         "testsrc=size=32x24:rate=4:duration=1", "-pix_fmt", "yuv420p", path],
        check=True,
    )


@pytest.mark.parametrize("command", documented_commands())
def test_documented_command_runs(command, tmp_path, monkeypatch, capsys):
    words = shlex.split(command)[1:]
    if ("video" in words[:1] or any(w.endswith(".mp4") for w in words)) and not shutil.which(
        "ffmpeg"
    ):
        pytest.skip("needs ffmpeg")
    monkeypatch.chdir(tmp_path)
    _make_inputs(str(tmp_path), words)
    if words[0] == "demo":  # the bundled photos at a quarter of their size: fast
        import sklearn.datasets

        load = sklearn.datasets.load_sample_image
        monkeypatch.setattr(sklearn.datasets, "load_sample_image",
                            lambda name: load(name)[::4, ::4].copy())
    argv = []
    for word in words:
        argv += sorted(glob.glob(word)) if "*" in word else [word]
    if words[0] == "preview":  # serves until Ctrl-C: here it starts, then is stopped at once
        from skcolorot._preview._server import PreviewServer

        def interrupted(server, *args, **kwargs):
            raise KeyboardInterrupt

        monkeypatch.setattr(PreviewServer, "serve_forever", interrupted)
        argv.append("--no-browser")
    status = cli.main([*argv, "-q"] if words[0] not in ("demo", "preview") else argv)
    err = capsys.readouterr().err
    assert status == 0, f"{command}\n{err}"
    assert "error" not in err, err


def test_no_documented_command_passes_a_default():
    # --regrain is the default of transfer, batch and video: showing it suggests
    # that leaving it out grades differently.
    for param in documented_commands():
        assert " --regrain" not in f"{param.values[0]} ", param.values[0]


def test_apply_help_names_the_interpolation_it_uses(capsys):
    assert cli.main(["apply", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "tetrahedral" in text and "trilinear" not in text
