"""``skcolorot apply grade.cube IN... -o OUT``: map images through a .cube LUT
(any .cube the ``lut`` command writes: unit or scene-linear domain, with its
log2 shaper)."""

import os
import re
import time

from .._utils._progress import track
from ._common import (
    UsageError,
    file_io,
    output_folder,
    plan_outputs,
    print_summary,
    skipped_note,
    wants_progress,
)
from ._options import add_command, add_file_options, add_overwrite, add_quiet

# How a 3-D .cube of ``lut --shaper`` names its shaper (see write_domain_cube).
_SHAPER_IN_TITLE = re.compile(r"after (\S+\.shaper\.cube)$")


def add_parser(subparsers):
    apply = add_command(
        subparsers,
        "apply",
        run,
        help="apply a .cube 3D LUT to images",
        description=(
            "Map every pixel of the input images through a .cube 3D LUT (tetrahedral "
            "interpolation, as ffmpeg's lut3d and DaVinci Resolve apply it). Any .cube "
            "'skcolorot lut' writes is read: a scene-linear DOMAIN (--domain-max), and "
            "a 3D LUT made with --shaper log2 gets its NAME.shaper.cube applied first. "
            "With one input, OUT is the output file (or an existing directory); with "
            "several, OUT is a directory, created if needed, that receives files of "
            "the inputs' names."
        ),
        epilog=(
            "examples:\n"
            "  skcolorot apply grade.cube photo.jpg -o graded.jpg\n"
            "  skcolorot apply grade.cube frames/*.png -o graded/"
        ),
    )
    apply.add_argument("lut", metavar="CUBE", help="a .cube LUT (3D, or a 1D shaper)")
    apply.add_argument("inputs", nargs="+", metavar="IN", help="images to grade")
    apply.add_argument(
        "-o", "--output", required=True, metavar="OUT", help="output file (one input) or directory"
    )
    apply.add_argument(
        "--shaper",
        metavar="SHAPER",
        help="a 1D .cube applied before CUBE (default: the shaper CUBE's title names, "
        "read from CUBE's folder)",
    )
    add_file_options(apply)
    add_overwrite(apply, skip=True)
    add_quiet(apply)


def _read_luts(args):
    """The LUTs to apply in order: the shaper (given, or named by the 3-D
    file's title), then CUBE."""
    from ..io._cube import read_cube_lut

    lut = read_cube_lut(args.lut)
    shaper_file = args.shaper
    if shaper_file is None and lut.is_3d and lut.title:
        named = _SHAPER_IN_TITLE.search(lut.title)
        if named:
            shaper_file = os.path.join(os.path.dirname(args.lut), named.group(1))
            if not os.path.isfile(shaper_file):
                raise UsageError(
                    f"{args.lut}: made to follow the shaper {named.group(1)}, which is not "
                    f"beside it ({shaper_file}); give it with --shaper"
                )
    if shaper_file is None:
        return [lut], [args.lut]
    shaper = read_cube_lut(shaper_file)
    if shaper.is_3d:
        raise UsageError(f"--shaper {shaper_file}: a 3D LUT, not a 1D shaper")
    return [shaper, lut], [shaper_file, args.lut]


def run(args):
    from ..io._image_formats import check_output_format
    from ..io._outputs import check_inputs, check_not_inputs, output_paths

    luts, lut_files = _read_luts(args)
    check_inputs(args.inputs)
    outputs = output_paths(args.inputs, args.output, directory=False)
    check_not_inputs([*lut_files, *args.inputs], outputs)
    todo = plan_outputs(outputs, args)
    within = output_folder(outputs, args)
    files = file_io(args)
    pairs = [(args.inputs[i], outputs[i]) for i in todo]
    started = time.perf_counter()
    enabled = wants_progress(args, len(pairs))
    written = 0
    for path, output in track(pairs, len(pairs), "applying", enabled):
        if not args.overwrite and os.path.lexists(output):
            continue  # written meanwhile by another run into the same folder
        loaded = files.read(path)
        check_output_format(
            output, loaded.pixels.dtype, loaded.pixels.shape[-1], bit_depth=files.bit_depth
        )
        graded = loaded.pixels
        for lut in luts:
            graded = lut.apply(graded)
        try:
            files.write(output, graded, loaded, overwrite=args.overwrite, within=within)
        except FileExistsError:
            if args.overwrite:
                raise
            continue
        written += 1
    where = outputs[0] if len(outputs) == 1 else os.path.dirname(outputs[0]) or "."
    print_summary(
        args,
        f"graded {written} image{'s' * (written != 1)} with {' and '.join(lut_files)} into "
        f"{where}{skipped_note(len(outputs) - written)}, {time.perf_counter() - started:.1f} s",
    )
