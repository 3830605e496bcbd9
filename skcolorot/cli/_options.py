"""The building blocks of the commands' parsers: the help formatter, the
subcommand factory, and the option groups several commands share (transport,
look, references, files, overwrite, quiet).

Standard library only: the choices are spelled out here rather than read from
the library, so that building the parser imports nothing heavy.
"""

import argparse
import textwrap

from ._argtypes import lut_size, parse_param, quality, unit_interval

# The choices of --method and --color-space, spelled out so that building the
# parser imports nothing heavy (tests check they match the library's).
METHODS = ("affine", "sinkhorn", "sliced", "gmm", "emd")
AUTO = "auto"
COLOR_SPACES = ("rgb", "lab", "oklab")
# Named ICC profiles (skcolorot.io._colormanage.PROFILE_NAMES), for the help text.
PROFILE_NAMES = ("srgb", "display-p3", "adobe-rgb", "prophoto", "rec2020", "linear-srgb")

_METHOD_HELP = (
    "the transport (default: %(default)s): affine = Gaussian / Monge-Kantorovich "
    "linear map (fastest); sinkhorn = entropic OT; sliced = iterative sliced OT; "
    "gmm = transport between Gaussian mixtures; emd = exact (linear-programming) OT"
)
_AUTO_HELP = (
    "; auto = sliced, or affine where the sliced look splits a uniform region that "
    "the affine map keeps whole (measured on thumbnails; the summary says which)"
)
_PARAM_HELP = (
    "a parameter of the transport estimator, repeatable; VALUE is read as an int, "
    "float, true/false, none or else a string (e.g. --param reg=0.01 --param n_slices=8)"
)


class ParagraphFormatter(argparse.RawDescriptionHelpFormatter):
    """Wraps prose paragraphs to the terminal; keeps indented ones (examples) as typed."""

    def _fill_text(self, text, width, indent):
        paragraphs = []
        for paragraph in text.split("\n\n"):
            if paragraph.startswith("examples:") or paragraph.startswith(" "):
                paragraphs.append(paragraph)
            else:
                paragraphs.append(textwrap.fill(" ".join(paragraph.split()), width))
        return "\n\n".join(paragraphs)


def add_command(subparsers, name, handler, *, help, description, epilog):
    """A subcommand whose parsed arguments go to ``handler`` (``args.handler``)."""
    parser = subparsers.add_parser(
        name,
        help=help,
        description=description,
        epilog=epilog,
        formatter_class=ParagraphFormatter,
    )
    parser.set_defaults(handler=handler)
    return parser


class _StoreMethod(argparse.Action):
    """Store ``--method`` and note that it was given: a grayscale source is toned
    unless a method is asked for."""

    def __call__(self, parser, namespace, values, option_string=None):
        setattr(namespace, self.dest, values)
        namespace.method_given = True


def add_transport_options(parser, *, regrain=True, auto=False):
    """The transport options; ``auto``: ``--method auto`` too (one image, one choice)."""
    group = parser.add_argument_group("transport")
    group.add_argument(
        "-m",
        "--method",
        choices=METHODS + (AUTO,) if auto else METHODS,
        default=AUTO if auto else "sliced",
        metavar="METHOD",
        action=_StoreMethod,
        help=_METHOD_HELP + (_AUTO_HELP if auto else ""),
    )
    parser.set_defaults(method_given=False)
    group.add_argument(
        "--color-space",
        choices=COLOR_SPACES,
        metavar="SPACE",
        help="rgb, lab or oklab: the space the grade is fitted and applied in "
        "(default: rgb); the files stay RGB",
    )
    group.add_argument(
        "--strength",
        "--t",
        dest="t",
        type=unit_interval,
        metavar="T",
        help="how far to move the colours, 0 (none) to 1 (all the way; default)",
    )
    group.add_argument(
        "-p",
        "--param",
        action="append",
        type=parse_param,
        default=[],
        metavar="KEY=VALUE",
        help=_PARAM_HELP,
    )
    group.add_argument(
        "--seed",
        type=int,
        metavar="N",
        dest="random_state",
        help="random_state of the fit (default: 0, so a command repeats exactly)",
    )
    if regrain:
        group.add_argument(
            "--regrain",
            action=argparse.BooleanOptionalAction,
            default=None,
            help="keep the source's fine detail and remove grain / banding the colour "
            "map may add (spatial: not part of a LUT): the grade is applied to an "
            "edge-preserving base of each image and the fine detail kept (no halo "
            "along edges); for transfer and demo, the colours of the "
            "transport-and-regrain rounds become that grade; default: on "
            "for every method but affine, whose map adds no grain. --no-regrain: the "
            "faithful grade, exactly as its LUT applies it",
        )


def add_look_options(parser, *, masks=True):
    group = parser.add_argument_group("look")
    group.add_argument(
        "--rounds",
        type=int,
        default=3,
        metavar="N",
        help="transport-and-regrain rounds when regraining (default: %(default)s; "
        "each round brings the colours closer to the reference)",
    )
    group.add_argument(
        "--luminance",
        type=unit_interval,
        default=1.0,
        metavar="S",
        help="strength of the change of lightness, 0 (keep the source's: colour only) "
        "to 1 (default)",
    )
    if masks:
        group.add_argument(
            "--source-mask",
            metavar="FILE",
            help="grey-level image: which source pixels set the grade (white counts)",
        )
        group.add_argument(
            "--target-mask",
            metavar="FILE",
            help="grey-level image: which reference pixels to take the colours from",
        )
        group.add_argument(
            "--mask",
            metavar="FILE",
            help="grey-level image: where the grade applies (black: the pixel stays as "
            "it was; grey blends)",
        )


def add_references(parser):
    parser.add_argument(
        "reference",
        nargs="+",
        metavar="REF",
        help="image whose colours to take; several: their Wasserstein barycentre",
    )
    parser.add_argument(
        "--weights",
        nargs="+",
        type=float,
        metavar="W",
        help="weights of several references (default: equal), e.g. --weights 0.3 0.7",
    )


def add_lut_size(parser):
    """``--lut-size`` of the commands whose ``--lut-out`` also writes the grade."""
    parser.add_argument(
        "--lut-size",
        type=lut_size,
        default=33,
        metavar="N",
        help="nodes per axis of --lut-out (default: %(default)s)",
    )


def add_overwrite(parser, *, skip=False):
    parser.add_argument(
        "--overwrite", action="store_true", help="replace output files that already exist"
    )
    if skip:
        parser.add_argument(
            "--skip-existing",
            action="store_true",
            help="leave outputs that already exist as they are and grade the rest "
            "(resumes an interrupted run; the grade is fitted as before)",
        )
        parser.add_argument(
            "--follow-symlinks",
            action="store_true",
            help="with --overwrite, write through a symbolic link in the output folder "
            "that leads out of it (by default refused: nothing outside the folder is "
            "touched)",
        )


def add_report(parser):
    parser.add_argument(
        "--report",
        action="store_true",
        help="also print the artefact measures of the result against the source "
        "(colour splits, halo, detail, false contours, rare colours, flat noise, "
        "new edges: skcolorot.metrics.artefact_report)",
    )


def add_quiet(parser, what="progress bar and summary line"):
    parser.add_argument("-q", "--quiet", action="store_true", help=f"no {what}")
    parser.add_argument(
        "--progress",
        action="store_true",
        help="show the progress bar even when stderr is not a terminal",
    )


def add_file_options(parser, *, output=True):
    """Colour management, bit depth and JPEG options of commands that read images."""
    group = parser.add_argument_group(
        "files",
        "Images are converted from their embedded ICC profile (or --input-profile "
        "when they have none; sRGB when neither) to the working space, graded "
        "there, and written in the source's profile with its EXIF. PROFILE is a "
        f"name ({', '.join(PROFILE_NAMES)}) or an .icc/.icm file.",
    )
    group.add_argument(
        "--input-profile",
        metavar="PROFILE",
        help="profile assumed for input images that embed none (default: srgb)",
    )
    group.add_argument(
        "--working-space",
        metavar="PROFILE",
        help="the space the grade is fitted and applied in (default: srgb); a wide "
        "one (display-p3, rec2020) keeps colours that sRGB would clip",
    )
    if not output:
        return
    group.add_argument(
        "--output-profile",
        metavar="PROFILE",
        help="convert the output to this profile and embed it (default: the source's)",
    )
    group.add_argument(
        "--bit-depth",
        choices=("auto", "8", "16", "32"),
        default="auto",
        help="bits per sample of the output (32: float TIFF): auto keeps the "
        "source's where the format holds it (16 in PNG and TIFF, float in TIFF) and "
        "converts to 8 for JPEG/WebP with a note (default: %(default)s)",
    )
    group.add_argument(
        "--quality", type=quality, metavar="Q", help="JPEG / WebP quality, 1-100 (default: 95)"
    )
    group.add_argument(
        "--subsampling",
        choices=("4:4:4", "4:2:2", "4:2:0"),
        help="JPEG chroma subsampling (default: 4:2:0)",
    )
