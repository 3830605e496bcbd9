"""``skcolorot transfer SRC REF -o OUT``: give SRC the colours of REF (a grayscale
SRC is toned), and optionally export the colour map as a LUT too."""

import os
import warnings

from ._common import (
    UsageError,
    check_pixels,
    file_io,
    lut_title,
    print_report,
    print_summary,
    progress_stages,
    read_references,
    regrain_option,
    regraining,
    resolved_method,
    transport_from,
)
from ._look import add_look_arguments, grade_function
from ._options import (
    AUTO,
    add_command,
    add_file_options,
    add_look_options,
    add_lut_size,
    add_overwrite,
    add_quiet,
    add_references,
    add_report,
    add_transport_options,
)


def add_parser(subparsers):
    transfer = add_command(
        subparsers,
        "transfer",
        run,
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
    add_references(transfer)
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
    add_lut_size(transfer)
    add_transport_options(transfer, auto=True)
    add_look_options(transfer)
    add_look_arguments(transfer)
    add_file_options(transfer)
    add_overwrite(transfer)
    add_quiet(transfer)
    add_report(transfer)


def run(args):
    from ..io._files import is_gray
    from ..io._image_formats import check_output_format, check_output_path
    from ..io._outputs import check_lut_path, check_not_inputs, write_lut

    check_not_inputs([args.source, *args.reference], [args.output, *filter(None, [args.lut_out])])
    check_output_path(args.output, overwrite=args.overwrite)
    if args.lut_out:
        check_lut_path(args.lut_out, overwrite=args.overwrite)
    files = file_io(args)
    steps = progress_stages(args, ["reading", "fitting", "grading", "writing"])
    try:
        steps("reading")
        source = check_pixels(files.read(args.source), args.source)
        # Before the fit: a result the output's format cannot hold is never computed.
        check_output_format(
            args.output, source.pixels.dtype, source.pixels.shape[-1], bit_depth=files.bit_depth
        )
        # A grayscale source is toned, unless a method is asked for (-m): then
        # it is graded like any photo, and its LUT can be exported.
        gray = is_gray(source.pixels)
        toned = gray and not args.method_given
        if gray and args.lut_out:
            why = (
                "it is toned, which no 3D LUT expresses"
                if toned
                else "a grade fitted on it is undefined off the gray axis"
            )
            raise UsageError(f"{args.source} is grayscale: {why}; drop --lut-out")
        auto = resolved_method(args) == AUTO
        from ..image._transfer import light_grade_serves

        light = light_grade_serves(args.intensity, args.neutralize,
                                   exports_table=bool(args.lut_out))
        # --method auto: the sliced candidate stands in until the choice is made.
        transport = transport_from(args, method="sliced" if auto else None, light=light)
        reference = read_references(args, transport, files, steps)
        if toned:
            from ..color._toning import tone_grayscale

            steps("fitting")
            if reference.ndim == 2:  # a barycentre's sample: a one-column image
                reference = reference[:, None, :]
            result = tone_grayscale(source.pixels, reference, t=args.t)
            method = "grayscale toning"
            if regraining(args):
                # The source's own grain, not the tone curve's stretch of it.
                from ..image._regrainer import regrain as regrain_image

                result = regrain_image(source.pixels, result)
                method += " + regrain"
        else:
            steps("fitting")
            strength, regrain = transport.t, regraining(args)
            transport.set_params(t=1.0)  # the strength fades the regrained result
            options = dict(
                rounds=args.rounds,
                t=strength,
                luminance=args.luminance,
                source_mask=_read_mask(args.source_mask, source.pixels.shape[:2], "--source-mask"),
                target_mask=_read_mask(args.target_mask, reference.shape[:2], "--target-mask")
                if reference.ndim == 3
                else None,
                mask=_read_mask(args.mask, source.pixels.shape[:2], "--mask"),
            )
            regrained = " + regrain" if regrain else ""
            method = resolved_method(args) + regrained
            if auto:
                from ..image._transfer import grade_auto

                def make(candidate):
                    return transport_from(args, method=candidate, light=light).set_params(t=1.0)

                result, transport, choice = grade_auto(
                    make, source.pixels, reference, regrain=regrain_option(args),
                    grade=grade_function(args), **options,
                )
                method = f"{choice.method}{regrained} (auto: {choice.reason})"
            else:
                result, transport = grade_function(args)(
                    transport, source.pixels, reference, regrain=regrain, **options
                )
            transport.set_params(t=strength)  # and the exported LUT
        steps("writing")
        files.write(args.output, result, source, overwrite=args.overwrite)
        if args.lut_out:
            if not toned and regraining(args):
                warnings.warn(
                    f"{args.lut_out} holds the colour map only; --regrain is not in it",
                    stacklevel=1,
                )
            title = lut_title(transport, args, os.path.basename(args.source))
            write_lut(transport, args.lut_out, args.lut_size, overwrite=args.overwrite,
                      title=title)
    finally:
        steps.close()
    extra = f" and {args.lut_out}" if args.lut_out else ""
    print_summary(
        args,
        f"wrote {args.output}{extra}: {_describe(args.output, result, files, source)}; "
        f"{method}, {steps.elapsed():.1f} s",
    )
    if args.report:
        print_report(source.pixels, result)


def _read_mask(path, shape, option):
    from ..io._files import read_mask

    return None if path is None else read_mask(path, shape, option)


def _describe(path, image, files, loaded):
    """``640x427, 8-bit, Display P3`` for the summary line."""
    from ..io._image_formats import written_bit_depth

    depth = written_bit_depth(path, image.dtype, image.ndim, bit_depth=files.bit_depth)
    profile = files.output_profile or (loaded.profile if loaded is not None else None)
    if profile is None:
        space = "untagged sRGB"
    else:
        from ..io._colormanage import profile_description

        space = profile_description(profile)
    depth = "float" if depth == 32 else f"{depth}-bit"
    return f"{image.shape[1]}x{image.shape[0]}, {depth}, {space}"
