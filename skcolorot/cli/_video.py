"""``skcolorot video IN REF -o OUT``: one grade (or one per shot) for a whole clip,
decoded and encoded through ffmpeg by the library."""

import time

from ._argtypes import positive_int
from ._common import print_summary, regraining, transport_from, wants_progress
from ._options import add_command, add_lut_size, add_overwrite, add_quiet, add_transport_options


def add_parser(subparsers):
    video = add_command(
        subparsers,
        "video",
        run,
        help="grade a video clip to a reference image, with one grade (no flicker)",
        description=(
            "Decode IN with ffmpeg, fit ONE grade from colours sampled on frames spread "
            "across the clip to those of REF, apply it (and optionally regrain) to every "
            "frame and encode OUT with ffmpeg. The clip comes out as it went in: every "
            "frame at its own time (variable frame rates stay), its size, depth, colour "
            "metadata and rotation, all audio, subtitle and data streams, chapters and "
            "metadata the container takes (the summary names what it could not). A "
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
        type=positive_int,
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
    video.add_argument(
        "--no-exposure-lock",
        dest="exposure_lock",
        action="store_false",
        help="grade each frame's exposure as it is (default: an exposure drift is held "
        "out of the grade and put back after it, so the grade does not steepen it)",
    )
    video.add_argument(
        "--engine",
        choices=("auto", "ffmpeg", "python"),
        default="auto",
        help="who applies the grade: ffmpeg's lut3d (one grade, nothing per frame) or the "
        "compiled colour pass frame by frame (default: %(default)s, the compiled pass, which "
        "is quicker, where it is built)",
    )
    video.add_argument("--lut-out", metavar="CUBE", help="also write the grade as a .cube")
    add_lut_size(video)
    add_transport_options(video)
    add_overwrite(video)
    add_quiet(video)


def run(args):
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
        transport=transport_from(args),
        n_frames=args.sample_frames,
        regrain=regraining(args),
        overwrite=args.overwrite,
        crf=args.crf,
        progress=wants_progress(args),
        lut_out=args.lut_out,
        lut_size=args.lut_size,
        per_shot=args.per_shot,
        exposure_lock=args.exposure_lock,
        engine=args.engine,
    )
    shots = len(report["shots"])
    grades = f"{shots} {args.method} grades (one per shot)" if args.per_shot else (
        f"one {args.method} grade")
    print_summary(
        args,
        f"wrote {args.output}: {report['frames']} frames, {report['width']}x{report['height']} "
        f"at {report['fps']} fps{_streams_text(report)}; {grades} fitted on "
        f"{report['sampled']} frames, {time.perf_counter() - started:.1f} s",
    )


def _streams_text(report):
    """What became of the other streams: kept (counted by kind), dropped (why)."""
    kinds = {}
    for item in report["streams"]["kept"]:
        kind = item.split(" ", 1)[0]
        kinds[kind] = kinds.get(kind, 0) + 1
    parts = [f"{count} {kind} stream{'s' if count > 1 else ''}" for kind, count in kinds.items()]
    text = f", kept {', '.join(parts)}" if parts else ", no other stream"
    for item in report["streams"]["dropped"]:
        text += f"; dropped {item}"
    for note in report["notes"]:
        text += f"; {note}"
    return text
