"""``skcolorot lut SRC REF -o grade.cube``: the grade SRC -> REF as a 3D LUT file
(.cube, .3dl or HaldCLUT .png), or for scene-linear sources a .cube over
[0, MAX] with an optional log2 shaper."""

import os

from ._argtypes import lut_size, positive_float
from ._common import (
    UsageError,
    check_colorful,
    check_pixels,
    file_io,
    lut_title,
    print_summary,
    progress_stages,
    read_references,
    transport_from,
)
from ._look import add_look_arguments, check_scene_linear, lut_grade
from ._options import (
    add_command,
    add_file_options,
    add_overwrite,
    add_quiet,
    add_references,
    add_transport_options,
)


def add_parser(subparsers):
    lut = add_command(
        subparsers,
        "lut",
        run,
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
    add_references(lut)
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
        type=lut_size,
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
        type=positive_float,
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
    add_transport_options(lut, regrain=False)
    add_look_arguments(lut, luminance=True)
    add_file_options(lut, output=False)
    add_overwrite(lut)
    add_quiet(lut)


def run(args):
    from ..io._outputs import check_lut_path, check_not_inputs, write_lut

    check_scene_linear(args)
    outputs = [args.output]
    if args.shaper:
        from ..io._lut_formats import shaper_path

        outputs.append(shaper_path(args.output))
    check_not_inputs([args.source, *args.reference], outputs)
    check_lut_path(args.output, overwrite=args.overwrite)
    files = file_io(args)
    steps = progress_stages(args, ["reading", "fitting", "writing"])
    try:
        steps("reading")
        source = check_pixels(files.read(args.source), args.source)
        check_colorful(source.pixels, args.source)
        transport = transport_from(args)
        reference = read_references(args, transport, files, steps)
        steps("fitting")
        if args.domain_max is None and args.shaper is None:
            transport.fit(source.pixels, reference)
            grade = lut_grade(args, transport, source.pixels)  # the transport or its look
            steps("writing")
            write_lut(grade, args.output, args.size, overwrite=args.overwrite,
                      title=lut_title(grade, args, os.path.basename(args.source)))
            written = [args.output]
        else:
            written = _write_scene_linear_lut(args, source.pixels, reference, steps)
    finally:
        steps.close()
    print_summary(
        args,
        f"wrote {' and '.join(written)}: {_lut_description(args.output, args.size)} "
        f"{args.method} grade, {steps.elapsed():.1f} s",
    )


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
    samples = color_samples(source)
    transport = transport_from(args).fit(samples, color_samples(reference))
    steps("writing")
    # On the [0, 1] scale of the samples (a uint8 source's 255 is 1.0).
    domain_max = args.domain_max if args.domain_max is not None else float(samples.max())
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
