"""``skcolorot apply grade.cube IN... -o OUT``: map images through a .cube 3D LUT."""

import os
import time

from .._utils._progress import track
from ._common import file_io, plan_outputs, print_summary, skipped_note, wants_progress
from ._options import add_command, add_file_options, add_overwrite, add_quiet


def add_parser(subparsers):
    apply = add_command(
        subparsers,
        "apply",
        run,
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
    add_file_options(apply)
    add_overwrite(apply, skip=True)
    add_quiet(apply)


def run(args):
    from ..io._image_formats import check_output_format
    from ..io._outputs import check_inputs, check_not_inputs, output_paths
    from ..color._lut import apply_lut
    from ..io._cube import read_cube

    table = read_cube(args.lut)
    check_inputs(args.inputs)
    outputs = output_paths(args.inputs, args.output, directory=False)
    check_not_inputs([args.lut, *args.inputs], outputs)
    todo = plan_outputs(outputs, args)
    files = file_io(args)
    pairs = [(args.inputs[i], outputs[i]) for i in todo]
    started = time.perf_counter()
    enabled = wants_progress(args, len(pairs))
    for path, output in track(pairs, len(pairs), "applying", enabled):
        loaded = files.read(path)
        check_output_format(
            output, loaded.pixels.dtype, loaded.pixels.shape[-1], bit_depth=files.bit_depth
        )
        files.write(output, apply_lut(loaded.pixels, table), loaded, overwrite=args.overwrite)
    where = outputs[0] if len(outputs) == 1 else os.path.dirname(outputs[0]) or "."
    print_summary(
        args,
        f"graded {len(pairs)} image{'s' * (len(pairs) != 1)} with {args.lut} into "
        f"{where}{skipped_note(len(outputs) - len(pairs))}, {time.perf_counter() - started:.1f} s",
    )
