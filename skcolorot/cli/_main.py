"""The ``skcolorot`` command: colour transfer, LUT export and batch grading.

::

    skcolorot transfer SRC REF -o OUT        give SRC the colours of REF
    skcolorot lut SRC REF -o grade.cube      the same grade as a 3D LUT file
    skcolorot apply grade.cube IN... -o OUT  apply a .cube LUT to images
    skcolorot batch REF IN... -o OUTDIR      one grade, fitted once, for many images
    skcolorot video IN REF -o OUT            one grade for a whole clip, through ffmpeg
    skcolorot demo -o OUT.png                the bundled example

Exit status: 0 on success; 2 on bad usage or bad input (running out of memory
included), with a one-line ``skcolorot: error: ...`` on stderr and no traceback;
130 on Ctrl-C, 143 on SIGTERM, 129 on SIGHUP (each removes its temporary files).
No command replaces an existing file without ``--overwrite``, none writes over
one of its own inputs, nor over anything but a regular file (an output that is a
symbolic link is written through), and every file is written to a temporary name
and moved into place, so a failure never leaves half a file.

Only the standard library is imported at start-up: numpy, scikit-learn and the
rest load inside the command that needs them, so ``--version`` and ``--help``
answer at once.
"""

import argparse
import os
import sys
import textwrap
import time
import warnings

from .. import __version__
from .._utils._progress import Stages, progress_wanted, track
from .._utils._signals import Terminated, terminate_as_interrupt
from ._look import add_look_arguments
from ._preview import add_preview_command

__all__ = ["main"]

# The choices of --method and --color-space, spelled out so that building the
# parser imports nothing heavy (tests check they match the library's).
METHODS = ("affine", "sinkhorn", "sliced", "gmm", "emd")
COLOR_SPACES = ("rgb", "lab", "oklab")
# Named ICC profiles (skcolorot.io._colormanage.PROFILE_NAMES), for the help text.
PROFILE_NAMES = ("srgb", "display-p3", "adobe-rgb", "prophoto", "rec2020", "linear-srgb")

PROG = "skcolorot"
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, the shell's convention

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


def _quality(text):
    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or not 1 <= value <= 100:
        raise argparse.ArgumentTypeError(f"must be an integer in [1, 100], got {text!r}")
    return value


def _positive_float(text):
    try:
        value = float(text)
    except ValueError:
        value = None
    if value is None or not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text!r}")
    return value


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text!r}")
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
    from ..io._images import BitDepthNote

    kind = "note" if issubclass(category, BitDepthNote) else "warning"
    sys.stderr.write(f"{PROG}: {kind}: {_one_line(message)}\n")


def _show_progress(args, total=2):
    """Bars with ``--progress`` even off a terminal, never with ``--quiet``."""
    return progress_wanted(
        total, quiet=getattr(args, "quiet", False), force=getattr(args, "progress", False)
    )


def _steps(args, names):
    return Stages(names, enabled=_show_progress(args, len(names)), prefix=PROG)


def _summary(args, text):
    """The one-line result of a command, on stdout (``--quiet``: none)."""
    if not getattr(args, "quiet", False):
        print(text)


def _transport_from(args):
    """The unfitted transport of ``--method``, ``--param`` and the named options."""
    from ..image._transfer import make_transport

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
    from ..io._files import is_gray

    if is_gray(image):
        raise UsageError(
            f"{what} is grayscale: a grade fitted on it is undefined off the gray axis; "
            "fit on a colour image (a .cube fitted on one can be applied to gray "
            "images with 'skcolorot apply')"
        )


def _check_pixels(loaded, path):
    image = loaded.pixels
    if image.shape[0] * image.shape[1] < 2:
        # Otherwise the library's "X has 1 pixel" names no file the user gave.
        raise UsageError(f"{path}: a 1-pixel image holds no colour distribution to fit")
    return loaded


def _file_io(args):
    """The FileIO of the profile, bit-depth and quality options."""
    from ..io._files import FileIO
    from ..io._colormanage import load_profile

    def profile(option):
        spec = getattr(args, option, None)
        if spec is None:
            return None
        try:
            return load_profile(spec)
        except ValueError as error:
            raise UsageError(f"--{option.replace('_', '-')}: {_one_line(error)}") from None

    working = profile("working_space")
    return FileIO(
        working_profile=working,
        input_profile=profile("input_profile"),
        output_profile=profile("output_profile"),
        bit_depth=None if getattr(args, "bit_depth", "auto") == "auto" else int(args.bit_depth),
        quality=getattr(args, "quality", None),
        subsampling=getattr(args, "subsampling", None),
    )


def _cube_title(transport, args, source_name):
    from ..io._lut_formats import cube_title

    references = args.reference if isinstance(args.reference, list) else [args.reference]
    names = " + ".join(os.path.basename(path) for path in references)
    return cube_title(transport, f"{source_name} -> {names}")


def _describe(path, image, files, loaded):
    """``640x427, 8-bit, Display P3`` for the summary line."""
    from ..io._images import written_bit_depth

    depth = written_bit_depth(path, image.dtype, image.ndim, bit_depth=files.bit_depth)
    profile = files.output_profile or (loaded.profile if loaded is not None else None)
    if profile is None:
        space = "untagged sRGB"
    else:
        from ..io._colormanage import profile_description

        space = profile_description(profile)
    depth = "float" if depth == 32 else f"{depth}-bit"
    return f"{image.shape[1]}x{image.shape[0]}, {depth}, {space}"


def _prepare_outputs(outputs, args):
    """Create the output directory and refuse existing files, before any work;
    with ``--skip-existing`` the indices of the outputs still to write."""
    from ..io._outputs import prepare_outputs

    skip = getattr(args, "skip_existing", False)
    if skip and args.overwrite:
        raise UsageError("--skip-existing and --overwrite contradict each other; give one")
    return prepare_outputs(outputs, overwrite=args.overwrite, skip_existing=skip)


def _pooled_sample(paths, args, files):
    """``--fit-on all``: pixels pooled equally from every input (drawn with ``--seed``)."""
    from ..io._batch import sample_files

    sample = sample_files(
        paths,
        random_state=0 if args.random_state is None else args.random_state,
        files=files,
        progress=_show_progress(args, len(paths)),
    )
    if len(sample) < 2:
        raise UsageError(f"{paths[0]}: a 1-pixel image holds no colour distribution to fit")
    _check_colorful(sample, "every input")
    return sample


def _references(args, transport, files, steps=None):
    """The pixels of the one reference image, or the barycentre (a colour sample)
    of several (``--weights``), read into the working space."""
    if args.weights is not None and len(args.weights) != len(args.reference):
        raise UsageError(
            f"--weights has {len(args.weights)} values for {len(args.reference)} references"
        )
    references = [_check_pixels(files.read(path), path).pixels for path in args.reference]
    if len(references) == 1:
        return references[0]
    from ..transport._barycenter import barycenter

    if steps is not None:
        steps("fitting")
    params = transport.get_params()
    return barycenter(
        references,
        args.weights,
        color_space=params["color_space"],
        random_state=params["random_state"],
    )


def _skipped(count):
    return f", {count} skipped (already there)" if count else ""


# ----------------------------------------------------------------------- commands
def _cmd_transfer(args):
    from ..io._files import is_gray
    from ..io._images import check_output_format, check_output_path
    from ..io._outputs import check_lut_path, check_not_inputs, write_lut

    check_not_inputs([args.source, *args.reference], [args.output, *filter(None, [args.lut_out])])
    check_output_path(args.output, overwrite=args.overwrite)
    if args.lut_out:
        check_lut_path(args.lut_out, overwrite=args.overwrite)
    files = _file_io(args)
    steps = _steps(args, ["reading", "fitting", "grading", "writing"])
    try:
        steps("reading")
        source = _check_pixels(files.read(args.source), args.source)
        # Before the fit: a result the output's format cannot hold is never computed.
        check_output_format(
            args.output, source.pixels.dtype, source.pixels.shape[-1], bit_depth=files.bit_depth
        )
        toned = is_gray(source.pixels)
        if toned and args.lut_out:
            raise UsageError(
                f"{args.source} is grayscale: it is toned, which no 3D LUT expresses; "
                "drop --lut-out"
            )
        transport = _transport_from(args)
        reference = _references(args, transport, files, steps)
        if toned:
            from ..color._toning import tone_grayscale

            steps("fitting")
            if reference.ndim == 2:  # a barycentre's sample: a one-column image
                reference = reference[:, None, :]
            result = tone_grayscale(source.pixels, reference, t=args.t)
            method = "grayscale toning"
        else:
            from ._look import grade_function

            steps("fitting")
            strength, regrain = transport.t, _regraining(args)
            transport.set_params(t=1.0)  # the strength fades the regrained result
            result, transport = grade_function(args)(
                transport,
                source.pixels,
                reference,
                regrain=regrain,
                rounds=args.rounds,
                t=strength,
                luminance=args.luminance,
                source_mask=_read_mask(args.source_mask, source.pixels.shape[:2], "--source-mask"),
                target_mask=_read_mask(args.target_mask, reference.shape[:2], "--target-mask")
                if reference.ndim == 3
                else None,
                mask=_read_mask(args.mask, source.pixels.shape[:2], "--mask"),
            )
            transport.set_params(t=strength)  # and the exported LUT
            method = args.method + (" + regrain" if regrain else "")
        steps("writing")
        files.write(args.output, result, source, overwrite=args.overwrite)
        if args.lut_out:
            if not toned and _regraining(args):
                warnings.warn(
                    f"{args.lut_out} holds the colour map only; --regrain is not in it",
                    stacklevel=1,
                )
            title = _cube_title(transport, args, os.path.basename(args.source))
            write_lut(transport, args.lut_out, args.lut_size, overwrite=args.overwrite,
                      title=title)
    finally:
        steps.close()
    extra = f" and {args.lut_out}" if args.lut_out else ""
    _summary(
        args,
        f"wrote {args.output}{extra}: {_describe(args.output, result, files, source)}; "
        f"{method}, {steps.elapsed():.1f} s",
    )


def _cmd_lut(args):
    from ..io._outputs import check_lut_path, check_not_inputs, write_lut
    from ._look import check_scene_linear, lut_grade

    check_scene_linear(args)

    outputs = [args.output]
    if args.shaper:
        from ..io._lut_formats import shaper_path

        outputs.append(shaper_path(args.output))
    check_not_inputs([args.source, *args.reference], outputs)
    check_lut_path(args.output, overwrite=args.overwrite)
    files = _file_io(args)
    steps = _steps(args, ["reading", "fitting", "writing"])
    try:
        steps("reading")
        source = _check_pixels(files.read(args.source), args.source)
        _check_colorful(source.pixels, args.source)
        transport = _transport_from(args)
        reference = _references(args, transport, files, steps)
        steps("fitting")
        if args.domain_max is None and args.shaper is None:
            transport.fit(source.pixels, reference)
            grade = lut_grade(args, transport, source.pixels)  # the transport or its look
            steps("writing")
            write_lut(grade, args.output, args.size, overwrite=args.overwrite,
                      title=_cube_title(grade, args, os.path.basename(args.source)))
            written = [args.output]
        else:
            written = _write_scene_linear_lut(args, source.pixels, reference, steps)
    finally:
        steps.close()
    _summary(args, f"wrote {' and '.join(written)}: {_lut_description(args.output, args.size)} "
                   f"{args.method} grade, {steps.elapsed():.1f} s")


def _write_scene_linear_lut(args, source, reference, steps):
    """``lut --domain-max / --shaper``: a grade of scene-linear values (see
    skcolorot.io._lut_formats.write_domain_cube)."""
    from ..io._files import color_samples
    from ..io._lut_formats import shaper_path, write_domain_cube

    if not args.output.lower().endswith(".cube"):
        raise UsageError(f"{args.output}: --domain-max and --shaper write .cube files")
    if args.shaper:
        from ..io._atomic import check_writable

        check_writable(shaper_path(args.output), overwrite=args.overwrite)
    transport = _transport_from(args).fit(color_samples(source), color_samples(reference))
    steps("writing")
    domain_max = args.domain_max if args.domain_max is not None else float(source.max())
    return write_domain_cube(
        args.output,
        transport,
        size=args.size,
        domain_max=domain_max,
        shaper=args.shaper,
        overwrite=args.overwrite,
    )


def _lut_description(path, size):
    if path.lower().endswith(".png"):
        from ..io._lut_formats import hald_level

        level = hald_level(size)
        return f"HaldCLUT level {level} ({level**2} nodes per axis)"
    return f"{size}^3 {os.path.splitext(path)[1][1:]}"


def _cmd_apply(args):
    from ..io._images import check_output_format
    from ..io._outputs import check_inputs, check_not_inputs, output_paths
    from ..color._lut import apply_lut
    from ..io._cube import read_cube

    table = read_cube(args.lut)
    check_inputs(args.inputs)
    outputs = output_paths(args.inputs, args.output, directory=False)
    check_not_inputs([args.lut, *args.inputs], outputs)
    todo = _prepare_outputs(outputs, args)
    files = _file_io(args)
    pairs = [(args.inputs[i], outputs[i]) for i in todo]
    started = time.perf_counter()
    enabled = _show_progress(args, len(pairs))
    for path, output in track(pairs, len(pairs), "applying", enabled):
        loaded = files.read(path)
        check_output_format(
            output, loaded.pixels.dtype, loaded.pixels.shape[-1], bit_depth=files.bit_depth
        )
        files.write(output, apply_lut(loaded.pixels, table), loaded, overwrite=args.overwrite)
    where = outputs[0] if len(outputs) == 1 else os.path.dirname(outputs[0]) or "."
    _summary(
        args,
        f"graded {len(pairs)} image{'s' * (len(pairs) != 1)} with {args.lut} into "
        f"{where}{_skipped(len(outputs) - len(pairs))}, {time.perf_counter() - started:.1f} s",
    )


def _cmd_batch(args):
    from ..io._outputs import check_inputs, check_lut_path, check_not_inputs, output_paths, write_lut

    check_inputs([args.reference, *args.inputs])
    outputs = output_paths(args.inputs, args.output, directory=True)
    check_not_inputs([args.reference, *args.inputs], [*outputs, *filter(None, [args.lut_out])])
    if args.lut_out:
        check_lut_path(args.lut_out, overwrite=args.overwrite)
    todo = _prepare_outputs(outputs, args)
    files = _file_io(args)
    started = time.perf_counter()
    reference = _check_pixels(files.read(args.reference), args.reference).pixels
    if args.fit_on == "first":
        fit_colors = _check_pixels(files.read(args.inputs[0]), args.inputs[0]).pixels
        _check_colorful(fit_colors, args.inputs[0])
    else:
        # Every input, skipped or not, so that a resumed batch gets the same grade.
        fit_colors = _pooled_sample(args.inputs, args, files)
    transport = _transport_from(args).fit(fit_colors, reference)
    # The library's batch runner: in parallel when Dask is installed.
    from ..io._batch import grade_files

    inputs = [args.inputs[i] for i in todo]
    grade_files(
        transport,
        inputs,
        args.output,
        regrain=_regraining(args) or None,
        overwrite=args.overwrite,
        progress=_show_progress(args, len(inputs)),
        files=files,
    )
    if args.lut_out:
        source_name = f"{len(args.inputs)} images" if args.fit_on == "all" else args.inputs[0]
        write_lut(
            transport,
            args.lut_out,
            args.lut_size,
            overwrite=args.overwrite,
            title=_cube_title(transport, args, os.path.basename(source_name)),
        )
    _summary(
        args,
        f"graded {len(inputs)} image{'s' * (len(inputs) != 1)} into {args.output} "
        f"({args.method}, fitted on {args.fit_on}){_skipped(len(outputs) - len(inputs))}, "
        f"{time.perf_counter() - started:.1f} s",
    )


def _cmd_video(args):
    from ..io._outputs import check_lut_path, check_not_inputs
    from ..io._video import grade_video

    check_not_inputs([args.input, args.reference], [args.output, *filter(None, [args.lut_out])])
    if args.lut_out:
        check_lut_path(args.lut_out, overwrite=args.overwrite, extensions=(".cube",))
    started = time.perf_counter()
    report = grade_video(
        args.input,
        args.reference,
        args.output,
        transport=_transport_from(args),
        n_frames=args.sample_frames,
        regrain=_regraining(args),
        overwrite=args.overwrite,
        crf=args.crf,
        progress=_show_progress(args),
        lut_out=args.lut_out,
        lut_size=args.lut_size,
        per_shot=args.per_shot,
    )
    shots = len(report["shots"])
    grades = f"{shots} {args.method} grades (one per shot)" if args.per_shot else (
        f"one {args.method} grade")
    _summary(
        args,
        f"wrote {args.output}: {report['frames']} frames, {report['width']}x{report['height']} "
        f"at {report['fps']} fps{', audio kept' if report['audio'] else ''}; {grades} "
        f"fitted on {report['sampled']} frames, {time.perf_counter() - started:.1f} s",
    )


def _cmd_demo(args):
    from ._demo import run_demo
    from ..io._images import check_output_path, write_image
    from ..metrics._distances import color_fidelity, luminance_ssim

    check_output_path(args.output, overwrite=args.overwrite)
    picture, source, reference, result = run_demo(
        _transport_from(args),
        regrain=_regraining(args),
        rounds=args.rounds,
        luminance=args.luminance,
        side_by_side=args.side_by_side,
    )
    write_image(args.output, picture, overwrite=args.overwrite)
    if not args.quiet:
        fidelity = color_fidelity(result, reference, source)
        ssim = luminance_ssim(result, source)
        regrained = " + regrain" if _regraining(args) else ""
        print(
            f"wrote {args.output}: china.jpg in the colours of flower.jpg ({args.method}"
            f"{regrained}). Colour: {fidelity:.2f} (distance of the colours to flower.jpg's, "
            f"relative to china.jpg's own; 0 = the same colours). Structure: {ssim:.2f} "
            "(SSIM of the lightness with china.jpg's; 1 = every edge and texture kept). "
            "A good grade needs both."
        )


# ------------------------------------------------------------------------- parser
_EXAMPLES = """\
examples:
  skcolorot demo -o demo.png
  skcolorot transfer photo.jpg look.jpg -o graded.jpg
  skcolorot transfer photo.jpg look.jpg -o graded.jpg --method sinkhorn --param reg=0.01
  skcolorot lut photo.jpg look.jpg -o grade.cube --size 65
  skcolorot apply grade.cube frames/*.png -o graded/
  skcolorot batch look.jpg frames/*.png -o graded/ --skip-existing
  skcolorot video clip.mp4 look.jpg -o graded.mp4
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
        "--strength",
        "--t",
        dest="t",
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
            action=argparse.BooleanOptionalAction,
            default=None,
            help="keep the source's fine detail and remove grain / banding the colour "
            "map may add (spatial: not part of a LUT); default: on for every method "
            "but affine, whose map adds no grain. --no-regrain: the faithful grade, "
            "exactly as its LUT applies it",
        )


def _add_look_options(parser, *, masks=True):
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
        type=_unit_interval,
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


def _regraining(args):
    from ..image._transfer import needs_regrain

    return needs_regrain(args.method, "auto" if args.regrain is None else args.regrain)


def _read_mask(path, shape, option):
    from ..io._files import read_mask

    return None if path is None else read_mask(path, shape, option)


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


def _add_overwrite(parser, *, skip=False):
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


def _add_quiet(parser, what="progress bar and summary line"):
    parser.add_argument("-q", "--quiet", action="store_true", help=f"no {what}")
    parser.add_argument(
        "--progress",
        action="store_true",
        help="show the progress bar even when stderr is not a terminal",
    )


def _add_file_options(parser, *, output=True):
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
        "--quality", type=_quality, metavar="Q", help="JPEG / WebP quality, 1-100 (default: 95)"
    )
    group.add_argument(
        "--subsampling",
        choices=("4:4:4", "4:2:2", "4:2:0"),
        help="JPEG chroma subsampling (default: 4:2:0)",
    )


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
        "--lut-out",
        metavar="LUT",
        help="also write the grade as a 3D LUT: .cube, .3dl or HaldCLUT .png",
    )
    transfer.add_argument(
        "--lut-size",
        type=_lut_size,
        default=33,
        metavar="N",
        help="nodes per axis of --lut-out (default: %(default)s)",
    )
    _add_transport_options(transfer)
    _add_look_options(transfer)
    add_look_arguments(transfer)
    _add_file_options(transfer)
    _add_overwrite(transfer)
    _add_quiet(transfer)

    lut = _command(
        subparsers,
        "lut",
        _cmd_lut,
        help="export the grade SRC -> REF as a 3D LUT (.cube, .3dl or HaldCLUT .png)",
        description=(
            "Fit the colour transport SRC -> REF and write it as a 3D LUT, by the "
            "extension of LUT: an Adobe/Resolve .cube (for 'skcolorot apply', ffmpeg "
            "-vf lut3d=grade.cube, DaVinci Resolve, Photoshop or OBS), an Autodesk "
            ".3dl (Nuke, Flame; ffmpeg reads --size 17) or a HaldCLUT .png (ffmpeg's "
            "haldclut, G'MIC, darktable; --size rounded to a Hald level)."
        ),
        epilog=(
            "examples:\n"
            "  skcolorot lut photo.jpg look.jpg -o grade.cube\n"
            "  skcolorot lut photo.jpg look.jpg -o grade.cube --size 65 --method gmm\n"
            "  skcolorot lut photo.jpg look.jpg -o grade.png\n"
            "  skcolorot lut render.tif look.jpg -o grade.cube --shaper log2 "
            "--working-space linear-srgb --input-profile linear-srgb\n"
            "  ffmpeg -i clip.mp4 -vf lut3d=file=grade.cube:interp=tetrahedral out.mp4\n"
            "  ffmpeg -i clip.mp4 -i grade.png -filter_complex haldclut out.mp4\n\n"
            "A larger --size follows a non-linear grade more closely (33 is the usual "
            "size, 65 the finest most tools take)."
        ),
    )
    lut.add_argument("source", metavar="SRC", help="image the grade is fitted on")
    _add_references(lut)
    lut.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="LUT",
        help="the LUT file: .cube (Resolve/Adobe), .3dl (Autodesk, Nuke) or .png "
        "(HaldCLUT, for ffmpeg's haldclut filter, G'MIC, darktable)",
    )
    lut.add_argument(
        "--size",
        type=_lut_size,
        default=33,
        metavar="N",
        help="nodes per colour axis (default: %(default)s)",
    )
    scene = lut.add_argument_group(
        "scene-linear input",
        "For float sources with values above 1 (EXR / float TIFF renders, linear "
        "camera exports): the LUT covers [0, MAX] instead of [0, 1]. Fit in linear "
        "light with --working-space linear-srgb, so that the reference is linearised too.",
    )
    scene.add_argument(
        "--domain-max",
        type=_positive_float,
        metavar="MAX",
        help="the largest input value of the LUT (written as DOMAIN_MAX; default with "
        "--shaper: the source's largest value)",
    )
    scene.add_argument(
        "--shaper",
        choices=("log2",),
        help="also write a 1D log2 shaper (NAME.shaper.cube) to apply first, so that "
        "the 3D nodes spread over stops: ffmpeg -vf "
        "lut1d=NAME.shaper.cube,lut3d=NAME.cube",
    )
    _add_transport_options(lut, regrain=False)
    add_look_arguments(lut, luminance=True)
    _add_file_options(lut, output=False)
    _add_overwrite(lut)
    _add_quiet(lut)

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
    _add_file_options(apply)
    _add_overwrite(apply, skip=True)
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
    batch.add_argument(
        "--lut-out", metavar="LUT", help="also write the grade as a .cube, .3dl or HaldCLUT .png"
    )
    batch.add_argument(
        "--lut-size",
        type=_lut_size,
        default=33,
        metavar="N",
        help="nodes per axis of --lut-out (default: %(default)s)",
    )
    _add_transport_options(batch)
    _add_file_options(batch)
    _add_overwrite(batch, skip=True)
    _add_quiet(batch)

    _add_video_command(subparsers)
    add_preview_command(subparsers)

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
    _add_look_options(demo, masks=False)
    _add_overwrite(demo)
    demo.add_argument("-q", "--quiet", action="store_true", help="no summary line")
    return parser


def _add_video_command(subparsers):
    video = _command(
        subparsers,
        "video",
        _cmd_video,
        help="grade a video clip to a reference image, with one grade (no flicker)",
        description=(
            "Decode IN with ffmpeg, fit ONE grade from colours sampled on frames spread "
            "across the clip to those of REF, apply it (and optionally regrain) to every "
            "frame and encode OUT with ffmpeg, keeping the frame rate and the audio. A "
            "grade fitted per frame, as other tools do, flickers; one grade cannot. "
            "Needs ffmpeg on PATH (or the imageio-ffmpeg package)."
        ),
        epilog=(
            "examples:\n"
            "  skcolorot video clip.mp4 look.jpg -o graded.mp4\n"
            "  skcolorot video clip.mov look.jpg -o graded.mp4 --regrain --lut-out clip.cube\n"
            "  skcolorot video clip.mp4 look.jpg -o graded.mp4 --method affine --crf 16"
        ),
    )
    video.add_argument("input", metavar="IN", help="the video clip to grade")
    video.add_argument("reference", metavar="REF", help="image whose colours to take")
    video.add_argument(
        "-o", "--output", required=True, metavar="OUT", help="output video (.mp4, .mov, .mkv, ...)"
    )
    video.add_argument(
        "--sample-frames",
        type=_positive_int,
        default=16,
        metavar="N",
        help="frames, evenly spread over the clip, the grade is fitted on "
        "(default: %(default)s)",
    )
    video.add_argument(
        "--per-shot",
        action="store_true",
        help="split the clip at cuts and fit one grade per shot (constant within a "
        "shot, so no flicker); --sample-frames then counts per shot",
    )
    video.add_argument(
        "--crf",
        type=int,
        default=18,
        metavar="N",
        help="x264 / x265 quality, lower is better (default: %(default)s)",
    )
    video.add_argument("--lut-out", metavar="CUBE", help="also write the grade as a .cube")
    video.add_argument(
        "--lut-size",
        type=_lut_size,
        default=33,
        metavar="N",
        help="nodes per axis of --lut-out (default: %(default)s)",
    )
    _add_transport_options(video)
    _add_overwrite(video)
    _add_quiet(video)


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
