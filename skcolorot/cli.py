"""The ``skcolorot`` command: colour transfer, LUT export and batch grading.

::

    skcolorot transfer SRC REF -o OUT        give SRC the colours of REF
    skcolorot lut SRC REF -o grade.cube      the same grade as a 3D LUT file
    skcolorot apply grade.cube IN... -o OUT  apply a .cube LUT to images
    skcolorot batch REF IN... -o OUTDIR      one grade, fitted once, for many images
    skcolorot demo -o OUT.png                the bundled example

Exit status: 0 on success; 2 on bad usage or bad input (running out of memory
included), with a one-line ``skcolorot: error: ...`` on stderr and no traceback;
130 on Ctrl-C, 143 on SIGTERM, 129 on SIGHUP (each removes its temporary files).
No command replaces an existing file without ``--overwrite``, none writes over
one of its own inputs, nor over anything but a regular file (an output that is a
symbolic link is written through), and every file is written to a temporary name
and moved into place, so a failure never leaves half a file.
"""

import argparse
import os
import sys
import textwrap
import warnings

import numpy as np

from . import __version__
from ._io import (
    Terminated,
    atomic_path,
    check_image_format,
    check_not_inputs,
    check_output_path,
    read_image,
    terminate_as_interrupt,
    write_image,
)
from ._transfer import METHODS, make_transport
from .batch import outputs_in_directory
from .color import COLOR_SPACES
from .lut import apply_lut, read_cube

__all__ = ["main"]

PROG = "skcolorot"
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, the shell's convention

# Pixels pooled from all inputs for ``batch --fit-on all``: as many as the largest
# default ``n_samples`` of a transport, so pooling never starves the fit.
_POOL_PIXELS = 200_000


class UsageError(Exception):
    """An expected failure (bad usage or input): one line on stderr, exit status 2."""


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """Wraps prose paragraphs to the terminal; keeps indented ones (examples) as typed."""

    def _fill_text(self, text, width, indent):
        paragraphs = []
        for paragraph in text.split("\n\n"):
            if paragraph.startswith("examples:") or paragraph.startswith(" "):
                paragraphs.append(paragraph)
            else:
                paragraphs.append(textwrap.fill(" ".join(paragraph.split()), width))
        return "\n\n".join(paragraphs)


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        # argparse prints the usage block and exits itself; one line is what
        # scripts and people both read best.
        raise UsageError(f"{message} (see '{self.prog} --help')")


# ----------------------------------------------------------------- argument types
def _parse_value(text):
    """``--param`` values: None, booleans, integers, floats, else the string."""
    lowered = text.lower()
    if lowered in ("none", "null"):
        return None
    if lowered in ("true", "false"):
        return lowered == "true"
    for convert in (int, float):
        try:
            return convert(text)
        except ValueError:
            pass
    return text


def _parse_param(text):
    key, equals, value = text.partition("=")
    key = key.strip().replace("-", "_")
    if not equals or not key.isidentifier():
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE (e.g. reg=0.01), got {text!r}")
    return key, _parse_value(value.strip())


def _unit_interval(text):
    try:
        value = float(text)
    except ValueError:
        value = None
    if value is None or not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be a number in [0, 1], got {text!r}")
    return value


def _lut_size(text):
    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or not 2 <= value <= 256:
        raise argparse.ArgumentTypeError(f"must be an integer in [2, 256], got {text!r}")
    return value


# ------------------------------------------------------------------------ helpers
def _one_line(text):
    return " ".join(str(text).split())


def _show_warning(message, category, filename, lineno, file=None, line=None):
    sys.stderr.write(f"{PROG}: warning: {_one_line(message)}\n")


def _progress(items, total, label, enabled):
    """``items`` with a progress bar on stderr: tqdm if installed, else a counter."""
    if not enabled:
        yield from items
        return
    try:
        from tqdm import tqdm
    except ImportError:
        tqdm = None
    if tqdm is not None:
        with tqdm(items, total=total, desc=label, unit="image", file=sys.stderr) as bar:
            yield from bar
        return
    sys.stderr.write(f"\r{label}: 0/{total}")
    for done, item in enumerate(items, start=1):
        yield item
        sys.stderr.write(f"\r{label}: {done}/{total}")
        sys.stderr.flush()
    sys.stderr.write("\n")


def _show_progress(args, total):
    return total > 1 and not args.quiet and sys.stderr.isatty()


def _transport_from(args):
    """The unfitted transport of ``--method``, ``--param`` and the named options."""
    params = {}
    for key, value in args.param:
        if key == "method":
            raise UsageError(
                "--param method=... is not a transport parameter; choose the transport "
                "with --method (the --regrain filter takes no --param)"
            )
        if key in params:
            raise UsageError(f"--param {key} given twice")
        params[key] = value
    for key, option in (("color_space", "--color-space"), ("t", "--t"), ("random_state", "--seed")):
        value = getattr(args, key)
        if value is None:
            continue
        if key in params:
            raise UsageError(f"{key} given both as {option} and as --param {key}=...")
        params[key] = value
    params.setdefault("random_state", 0)  # the same command gives the same image
    return make_transport(args.method, **params)


def _check_colorful(image, what):
    rgb = image[..., :3]
    if np.array_equal(rgb[..., 0], rgb[..., 1]) and np.array_equal(rgb[..., 1], rgb[..., 2]):
        raise UsageError(
            f"{what} is grayscale: a grade fitted on it is undefined off the gray axis; "
            "fit on a colour image (a .cube fitted on one can be applied to gray "
            "images with 'skcolorot apply')"
        )


def _read_colors(path):
    """An image a grade is fitted on or towards: it must hold a colour distribution."""
    image = read_image(path)
    if image.shape[0] * image.shape[1] < 2:
        # Otherwise the library's "X has 1 pixel" names no file the user gave.
        raise UsageError(f"{path}: a 1-pixel image holds no colour distribution to fit")
    return image


def _read_source(path):
    image = _read_colors(path)
    _check_colorful(image, path)
    return image


def _grade(transport, image, regrain):
    result = transport.transform(image)
    if regrain:
        from .regrain import regrain as regrain_image

        result = regrain_image(image, result)
    return np.asarray(result)


def _check_cube_path(path, overwrite):
    if not path.lower().endswith(".cube"):
        raise UsageError(f"{path}: a LUT file name must end in .cube")
    check_output_path(path, overwrite=overwrite, image=False)


def _write_cube(transport, path, size, overwrite, title):
    with atomic_path(path, overwrite=overwrite) as temporary:
        transport.to_cube(temporary, size=size, title=_cube_safe(title))


def _cube_safe(title):
    # A .cube TITLE is one double-quoted line.
    return " ".join(title.replace('"', "'").split())


def _cube_title(args, source_name):
    references = args.reference if isinstance(args.reference, list) else [args.reference]
    names = " + ".join(os.path.basename(path) for path in references)
    return f"skcolorot {args.method}: {source_name} -> {names}"


def _check_inputs(paths):
    """Fail on the first missing input before any work is done."""
    for path in paths:
        if not os.path.isfile(path):
            read_image(path)  # raises the FileNotFoundError / IsADirectoryError


def _output_paths(inputs, output, *, directory):
    """One output per input: ``output`` itself, or ``output/<input's name>``."""
    directory = directory or len(inputs) > 1 or os.path.isdir(output) or output.endswith("/")
    if not directory:
        return [output]
    if os.path.exists(output) and not os.path.isdir(output):
        raise UsageError(f"{output}: not a directory (several inputs need -o DIRECTORY)")
    return outputs_in_directory(inputs, output)


def _prepare_outputs(outputs, overwrite):
    """Create the output directory and refuse existing files, before any work."""
    for path in outputs:
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        check_output_path(path, overwrite=overwrite)


def _pooled_sample(paths, args):
    """Equal numbers of random pixels (drawn with ``--seed``) from every input, as
    float RGB in [0, 1]: every image weighs the same in the fit, whatever its size."""
    rng = np.random.default_rng(args.random_state if args.random_state is not None else 0)
    per_image = -(-_POOL_PIXELS // len(paths))
    parts = []
    enabled = _show_progress(args, len(paths))
    for path in _progress(paths, len(paths), "sampling", enabled):
        image = read_image(path)
        pixels = image.reshape(-1, image.shape[-1])[:, :3]
        index = rng.integers(0, len(pixels), size=min(per_image, len(pixels)))
        parts.append(pixels[index] / np.iinfo(image.dtype).max)
    sample = np.concatenate(parts)
    if len(sample) < 2:
        raise UsageError(f"{paths[0]}: a 1-pixel image holds no colour distribution to fit")
    _check_colorful(sample, "every input")
    return sample


def _references(args, transport):
    """The one reference image, or the barycentre of several (``--weights``)."""
    references = [_read_colors(path) for path in args.reference]
    if args.weights is not None and len(args.weights) != len(references):
        raise UsageError(
            f"--weights has {len(args.weights)} values for {len(references)} references"
        )
    if len(references) == 1:
        return references[0]
    from ._barycenter import barycenter

    params = transport.get_params()
    return barycenter(
        references,
        args.weights,
        color_space=params["color_space"],
        random_state=params["random_state"],
    )


# ----------------------------------------------------------------------- commands
def _cmd_transfer(args):
    check_not_inputs([args.source, *args.reference], [args.output, *filter(None, [args.lut_out])])
    check_output_path(args.output, overwrite=args.overwrite)
    if args.lut_out:
        _check_cube_path(args.lut_out, args.overwrite)
    source = _read_source(args.source)
    check_image_format(args.output, source.dtype, source.shape[-1])  # before the fit
    transport = _transport_from(args)
    transport.fit(source, _references(args, transport))
    write_image(args.output, _grade(transport, source, args.regrain), overwrite=args.overwrite)
    if args.lut_out:
        if args.regrain:
            warnings.warn(
                f"{args.lut_out} holds the colour map only; --regrain is not in it",
                stacklevel=1,
            )
        title = _cube_title(args, os.path.basename(args.source))
        _write_cube(transport, args.lut_out, args.lut_size, args.overwrite, title)


def _cmd_lut(args):
    check_not_inputs([args.source, *args.reference], [args.output])
    _check_cube_path(args.output, args.overwrite)
    source = _read_source(args.source)
    transport = _transport_from(args)
    transport.fit(source, _references(args, transport))
    title = _cube_title(args, os.path.basename(args.source))
    _write_cube(transport, args.output, args.size, args.overwrite, title)


def _cmd_apply(args):
    table = read_cube(args.lut)
    _check_inputs(args.inputs)
    outputs = _output_paths(args.inputs, args.output, directory=False)
    check_not_inputs([args.lut, *args.inputs], outputs)
    _prepare_outputs(outputs, args.overwrite)
    pairs = list(zip(args.inputs, outputs, strict=True))
    enabled = _show_progress(args, len(pairs))
    for path, output in _progress(pairs, len(pairs), "applying", enabled):
        image = read_image(path)
        check_image_format(output, image.dtype, image.shape[-1])
        write_image(output, apply_lut(image, table), overwrite=args.overwrite)


def _cmd_batch(args):
    _check_inputs([args.reference, *args.inputs])
    outputs = _output_paths(args.inputs, args.output, directory=True)
    check_not_inputs([args.reference, *args.inputs], [*outputs, *filter(None, [args.lut_out])])
    if args.lut_out:
        _check_cube_path(args.lut_out, args.overwrite)
    _prepare_outputs(outputs, args.overwrite)
    reference = _read_colors(args.reference)
    if args.fit_on == "first":
        fit_colors = _read_source(args.inputs[0])
    else:
        fit_colors = _pooled_sample(args.inputs, args)
    transport = _transport_from(args).fit(fit_colors, reference)
    # The library's batch runner: in parallel when Dask is installed.
    from .batch import grade_files

    grade_files(
        transport,
        args.inputs,
        args.output,
        regrain=args.regrain or None,
        overwrite=args.overwrite,
        progress=_show_progress(args, len(args.inputs)),
    )
    if args.lut_out:
        source_name = f"{len(args.inputs)} images" if args.fit_on == "all" else args.inputs[0]
        _write_cube(
            transport,
            args.lut_out,
            args.lut_size,
            args.overwrite,
            _cube_title(args, os.path.basename(source_name)),
        )


def _cmd_demo(args):
    from sklearn.datasets import load_sample_image

    from .metrics import color_fidelity, luminance_ssim

    check_output_path(args.output, overwrite=args.overwrite)
    source, reference = load_sample_image("china.jpg"), load_sample_image("flower.jpg")
    transport = _transport_from(args).fit(source, reference)
    result = _grade(transport, source, args.regrain)
    picture = result
    if args.side_by_side:
        gap = np.full((source.shape[0], 8, 3), 255, dtype=np.uint8)
        picture = np.concatenate([source, gap, reference, gap, result], axis=1)
    write_image(args.output, picture, overwrite=args.overwrite)
    if not args.quiet:
        fidelity = color_fidelity(result, reference, source)
        ssim = luminance_ssim(result, source)
        print(
            f"wrote {args.output}: china.jpg in the colours of flower.jpg "
            f"(method {args.method}; colour fidelity {fidelity:.2f}, 0 is best; "
            f"luminance SSIM {ssim:.2f}, 1 is best)"
        )


# ------------------------------------------------------------------------- parser
_EXAMPLES = """\
examples:
  skcolorot demo -o demo.png
  skcolorot transfer photo.jpg look.jpg -o graded.jpg
  skcolorot transfer photo.jpg look.jpg -o graded.jpg --method sinkhorn --param reg=0.01
  skcolorot lut photo.jpg look.jpg -o grade.cube --size 65
  skcolorot apply grade.cube frames/*.png -o graded/
  skcolorot batch look.jpg frames/*.png -o graded/
  ffmpeg -i clip.mp4 -vf lut3d=grade.cube graded.mp4

Exit status: 0 on success, 2 on bad usage or input (one line on stderr),
130 on Ctrl-C, 143 on SIGTERM. Existing files are replaced only with
--overwrite; inputs and non-regular files (devices, FIFOs) never.
"""

_METHOD_HELP = (
    "the transport (default: %(default)s): affine = Gaussian / Monge-Kantorovich "
    "linear map (fastest); sinkhorn = entropic OT; sliced = iterative sliced OT; "
    "gmm = transport between Gaussian mixtures; emd = exact (linear-programming) OT"
)
_PARAM_HELP = (
    "a parameter of the transport estimator, repeatable; VALUE is read as an int, "
    "float, true/false, none or else a string (e.g. --param reg=0.01 --param n_slices=8)"
)


def _add_transport_options(parser, *, regrain=True):
    group = parser.add_argument_group("transport")
    group.add_argument(
        "-m",
        "--method",
        choices=METHODS,
        default="sliced",
        metavar="METHOD",
        help=_METHOD_HELP,
    )
    group.add_argument(
        "--color-space",
        choices=COLOR_SPACES,
        metavar="SPACE",
        help="rgb, lab or oklab: the space the grade is fitted and applied in "
        "(default: rgb); the files stay RGB",
    )
    group.add_argument(
        "--t",
        type=_unit_interval,
        metavar="T",
        help="how far to move the colours, 0 (none) to 1 (all the way; default)",
    )
    group.add_argument(
        "-p",
        "--param",
        action="append",
        type=_parse_param,
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
            action="store_true",
            help="keep the source's fine detail and remove grain / banding the colour "
            "map may add (spatial: not part of a LUT)",
        )


def _add_references(parser):
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


def _add_overwrite(parser):
    parser.add_argument(
        "--overwrite", action="store_true", help="replace output files that already exist"
    )


def _add_quiet(parser, what="progress bar"):
    parser.add_argument("-q", "--quiet", action="store_true", help=f"no {what}")


def _command(subparsers, name, handler, *, help, description, epilog):
    parser = subparsers.add_parser(
        name,
        help=help,
        description=description,
        epilog=epilog,
        formatter_class=_Formatter,
    )
    parser.set_defaults(handler=handler)
    return parser


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
        formatter_class=_Formatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(title="commands", dest="command", metavar="COMMAND")
    subparsers.required = True

    transfer = _command(
        subparsers,
        "transfer",
        _cmd_transfer,
        help="give an image the colours of a reference image",
        description=(
            "Fit a colour transport from the colours of SRC to those of REF and write "
            "SRC recoloured. The output has SRC's size, bit depth and alpha channel."
        ),
        epilog=(
            "examples:\n"
            "  skcolorot transfer photo.jpg look.jpg -o graded.jpg\n"
            "  skcolorot transfer photo.png look.jpg -o graded.png --method affine "
            "--color-space lab\n"
            "  skcolorot transfer photo.jpg look.jpg -o graded.jpg --regrain "
            "--lut-out grade.cube\n"
            "  skcolorot transfer photo.jpg look.jpg -o half.jpg --t 0.5\n"
            "  skcolorot transfer photo.jpg look1.jpg look2.jpg -o blend.jpg "
            "--weights 0.3 0.7"
        ),
    )
    transfer.add_argument("source", metavar="SRC", help="image to recolour")
    _add_references(transfer)
    transfer.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="OUT",
        help="output image; the format follows the extension",
    )
    transfer.add_argument(
        "--lut-out", metavar="CUBE", help="also write the grade as a .cube 3D LUT"
    )
    transfer.add_argument(
        "--lut-size",
        type=_lut_size,
        default=33,
        metavar="N",
        help="nodes per axis of --lut-out (default: %(default)s)",
    )
    _add_transport_options(transfer)
    _add_overwrite(transfer)

    lut = _command(
        subparsers,
        "lut",
        _cmd_lut,
        help="export the grade SRC -> REF as a .cube 3D LUT",
        description=(
            "Fit the colour transport SRC -> REF and write it as an Adobe/Resolve "
            ".cube 3D LUT, for 'skcolorot apply', ffmpeg (-vf lut3d=grade.cube), "
            "DaVinci Resolve, Photoshop or OBS."
        ),
        epilog=(
            "examples:\n"
            "  skcolorot lut photo.jpg look.jpg -o grade.cube\n"
            "  skcolorot lut photo.jpg look.jpg -o grade.cube --size 65 --method gmm\n"
            "  ffmpeg -i clip.mp4 -vf lut3d=file=grade.cube:interp=tetrahedral out.mp4\n\n"
            "A larger --size follows a non-linear grade more closely (33 is the usual "
            "size, 65 the finest most tools take)."
        ),
    )
    lut.add_argument("source", metavar="SRC", help="image the grade is fitted on")
    _add_references(lut)
    lut.add_argument("-o", "--output", required=True, metavar="CUBE", help="the .cube file")
    lut.add_argument(
        "--size",
        type=_lut_size,
        default=33,
        metavar="N",
        help="nodes per colour axis (default: %(default)s)",
    )
    _add_transport_options(lut, regrain=False)
    _add_overwrite(lut)

    apply = _command(
        subparsers,
        "apply",
        _cmd_apply,
        help="apply a .cube 3D LUT to images",
        description=(
            "Map every pixel of the input images through a .cube 3D LUT (trilinear "
            "interpolation, as ffmpeg's lut3d=interp=trilinear). With one input, OUT "
            "is the output file (or an existing directory); with several, OUT is a "
            "directory, created if needed, that receives files of the inputs' names."
        ),
        epilog=(
            "examples:\n"
            "  skcolorot apply grade.cube photo.jpg -o graded.jpg\n"
            "  skcolorot apply grade.cube frames/*.png -o graded/"
        ),
    )
    apply.add_argument("lut", metavar="CUBE", help="a .cube 3D LUT")
    apply.add_argument("inputs", nargs="+", metavar="IN", help="images to grade")
    apply.add_argument(
        "-o", "--output", required=True, metavar="OUT", help="output file (one input) or directory"
    )
    _add_overwrite(apply)
    _add_quiet(apply)

    batch = _command(
        subparsers,
        "batch",
        _cmd_batch,
        help="grade many images (e.g. video frames) to one reference, with one grade",
        description=(
            "Fit ONE grade towards the colours of REF and apply it to every input, so "
            "that a sequence keeps a consistent look (identical frames stay identical). "
            "The grade is fitted on a pixel sample pooled equally from all inputs "
            "(--fit-on all, the default; every input is read twice) or on the first "
            "input only (--fit-on first; faster). Outputs go to OUTDIR, created if "
            "needed, under the inputs' file names."
        ),
        epilog=(
            "examples:\n"
            "  skcolorot batch look.jpg frames/*.png -o graded/\n"
            "  skcolorot batch look.jpg shot_*.tif -o graded/ --fit-on first "
            "--lut-out shot.cube"
        ),
    )
    batch.add_argument("reference", metavar="REF", help="image whose colours to take")
    batch.add_argument("inputs", nargs="+", metavar="IN", help="images to grade")
    batch.add_argument("-o", "--output", required=True, metavar="OUTDIR", help="output directory")
    batch.add_argument(
        "--fit-on",
        choices=("all", "first"),
        default="all",
        help="pixels the grade is fitted on (default: %(default)s)",
    )
    batch.add_argument("--lut-out", metavar="CUBE", help="also write the grade as a .cube")
    batch.add_argument(
        "--lut-size",
        type=_lut_size,
        default=33,
        metavar="N",
        help="nodes per axis of --lut-out (default: %(default)s)",
    )
    _add_transport_options(batch)
    _add_overwrite(batch)
    _add_quiet(batch)

    demo = _command(
        subparsers,
        "demo",
        _cmd_demo,
        help="run the bundled example (china.jpg in the colours of flower.jpg)",
        description=(
            "Recolour scikit-learn's sample photograph china.jpg with the colours of "
            "flower.jpg, write the result and print its colour fidelity and structure "
            "scores."
        ),
        epilog=(
            "examples:\n"
            "  skcolorot demo -o demo.png\n"
            "  skcolorot demo -o demo.png --method affine --side-by-side"
        ),
    )
    demo.add_argument("-o", "--output", required=True, metavar="OUT", help="output image")
    demo.add_argument(
        "--side-by-side", action="store_true", help="write source | reference | result in one image"
    )
    _add_transport_options(demo)
    _add_overwrite(demo)
    _add_quiet(demo, "summary line")
    return parser


# --------------------------------------------------------------------------- main
def _error_message(error):
    if isinstance(error, MemoryError):
        detail = f" ({_one_line(error)})" if str(error) else ""
        return (
            f"out of memory{detail}; use smaller images, a smaller --size / --lut-size, "
            "or --param n_samples=... lower"
        )
    if isinstance(error, FileExistsError):
        return f"{error.filename}: already exists; pass --overwrite to replace it"
    if isinstance(error, OSError) and error.filename is not None:
        return f"{error.filename}: {error.strerror or error}"
    return _one_line(error)


def main(argv=None):
    """Run the ``skcolorot`` command; returns the exit status.

    Parameters
    ----------
    argv : list of str, default=None
        The arguments (``sys.argv[1:]`` when None).

    Returns
    -------
    status : int
        0 on success, 2 on bad usage or input, 130 when interrupted, 128 + the
        signal's number on SIGTERM / SIGHUP.
    """
    with warnings.catch_warnings(), terminate_as_interrupt():
        warnings.showwarning = _show_warning
        try:
            args = build_parser().parse_args(argv)
            args.handler(args)
            return 0
        except SystemExit as exit_request:  # --help, --version
            code = exit_request.code
            return code if isinstance(code, int) else 0 if code is None else 1
        except Terminated as signal_received:  # SIGTERM / SIGHUP: as Ctrl-C
            sys.stderr.write(f"\n{PROG}: terminated by signal {signal_received.signum}\n")
            return 128 + signal_received.signum
        except KeyboardInterrupt:
            sys.stderr.write(f"\n{PROG}: interrupted\n")
            return EXIT_INTERRUPTED
        except (UsageError, OSError, ValueError, TypeError, ImportError, MemoryError) as error:
            sys.stderr.write(f"{PROG}: error: {_error_message(error)}\n")
            return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
