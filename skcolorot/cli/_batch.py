"""``skcolorot batch REF IN... -o OUTDIR``: one grade, fitted once (on every input
or the first), applied to many images through the library's batch runner."""

import os
import time

from ._common import (
    UsageError,
    check_colorful,
    check_pixels,
    file_io,
    lut_title,
    plan_outputs,
    print_summary,
    regraining,
    skipped_note,
    transport_from,
    wants_progress,
)
from ._options import (
    add_command,
    add_file_options,
    add_lut_size,
    add_overwrite,
    add_quiet,
    add_transport_options,
)


def add_parser(subparsers):
    batch = add_command(
        subparsers,
        "batch",
        run,
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
    add_lut_size(batch)
    add_transport_options(batch)
    add_file_options(batch)
    add_overwrite(batch, skip=True)
    add_quiet(batch)


def run(args):
    from ..io._outputs import (
        check_inputs,
        check_lut_path,
        check_not_inputs,
        output_paths,
        write_lut,
    )

    check_inputs([args.reference, *args.inputs])
    outputs = output_paths(args.inputs, args.output, directory=True)
    check_not_inputs([args.reference, *args.inputs], [*outputs, *filter(None, [args.lut_out])])
    if args.lut_out:
        check_lut_path(args.lut_out, overwrite=args.overwrite)
    todo = plan_outputs(outputs, args)
    files = file_io(args)
    started = time.perf_counter()
    reference = check_pixels(files.read(args.reference), args.reference).pixels
    if args.fit_on == "first":
        fit_colors = check_pixels(files.read(args.inputs[0]), args.inputs[0]).pixels
        check_colorful(fit_colors, args.inputs[0])
    else:
        # Every input, skipped or not, so that a resumed batch gets the same grade.
        fit_colors = _pooled_sample(args.inputs, args, files)
    transport = transport_from(args).fit(fit_colors, reference)
    # The library's batch runner: in parallel when Dask is installed.
    from ..io._batch import grade_files

    inputs = [args.inputs[i] for i in todo]
    written = grade_files(
        transport,
        inputs,
        args.output,
        regrain=regraining(args) or None,
        overwrite=args.overwrite,
        progress=wants_progress(args, len(inputs)),
        files=files,
        follow_symlinks=args.follow_symlinks,
    )
    if args.lut_out:
        source_name = f"{len(args.inputs)} images" if args.fit_on == "all" else args.inputs[0]
        write_lut(
            transport,
            args.lut_out,
            args.lut_size,
            overwrite=args.overwrite,
            title=lut_title(transport, args, os.path.basename(source_name)),
        )
    print_summary(
        args,
        f"graded {len(written)} image{'s' * (len(written) != 1)} into {args.output} "
        f"({args.method}, fitted on {args.fit_on}){skipped_note(len(outputs) - len(written))}, "
        f"{time.perf_counter() - started:.1f} s",
    )


def _pooled_sample(paths, args, files):
    """``--fit-on all``: pixels pooled equally from every input (drawn with ``--seed``)."""
    from ..io._batch import sample_files

    sample = sample_files(
        paths,
        random_state=0 if args.random_state is None else args.random_state,
        files=files,
        progress=wants_progress(args, len(paths)),
    )
    if len(sample) < 2:
        raise UsageError(f"{paths[0]}: a 1-pixel image holds no colour distribution to fit")
    check_colorful(sample, "every input")
    return sample
