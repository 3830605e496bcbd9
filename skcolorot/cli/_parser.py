"""The argument parser of the ``skcolorot`` command: the top level (description,
examples, ``--version``) and the subcommands, each defined by its own module."""

import argparse

from .. import __version__
from . import _apply, _batch, _demo, _lut, _preview, _transfer, _video
from ._common import PROG, UsageError
from ._options import ParagraphFormatter

# In the order ``skcolorot --help`` lists them.
_COMMANDS = (_transfer, _lut, _apply, _batch, _video, _preview, _demo)

_EXAMPLES = """\
examples:
  skcolorot demo -o demo.png
  skcolorot transfer photo.jpg look.jpg -o graded.jpg
  skcolorot transfer photo.jpg look.jpg -o graded.jpg --method sinkhorn --param reg=0.01
  skcolorot lut photo.jpg look.jpg -o grade.cube --size 65
  skcolorot apply grade.cube frames/*.png -o graded/
  skcolorot batch look.jpg frames/*.png -o graded/ --skip-existing
  skcolorot video clip.mp4 look.jpg -o graded.mp4
  skcolorot preview photo.jpg look.jpg
  ffmpeg -i clip.mp4 -vf lut3d=grade.cube graded.mp4

Exit status: 0 on success, 2 on bad usage or input (one line on stderr),
130 on Ctrl-C, 143 on SIGTERM. Existing files are replaced only with
--overwrite; inputs and non-regular files (devices, FIFOs) never.
"""


class _Parser(argparse.ArgumentParser):
    # The subcommands' parsers are of this class too (argparse's parser_class).
    def error(self, message):
        # argparse prints the usage block and exits itself; one line is what
        # scripts and people both read best.
        raise UsageError(f"{message} (see '{self.prog} --help')")


def build_parser():
    """The argument parser of the ``skcolorot`` command."""
    parser = _Parser(
        prog=PROG,
        description=(
            "Optimal-transport colour transfer: give an image the colours of a "
            "reference, export the grade as a 3D LUT (.cube) for ffmpeg, DaVinci "
            "Resolve or Photoshop, and apply it to many images."
        ),
        epilog=_EXAMPLES + "\nRun 'skcolorot COMMAND --help' for a command's options.",
        formatter_class=ParagraphFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(title="commands", dest="command", metavar="COMMAND")
    subparsers.required = True
    for command in _COMMANDS:
        command.add_parser(subparsers)
    return parser
