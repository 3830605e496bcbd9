"""The look adjustments on the command line: ``--intensity`` and ``--neutralize``
(``transfer``, ``lut``), ``--luminance`` on ``lut`` (``transfer`` has it already).

The adjustments themselves are :mod:`skcolorot.image._look`; the browser preview
exports the same table (its "command" box prints these options).
"""

import argparse

__all__ = ["add_look_arguments", "grade_function", "lut_grade"]


def _number_in(low, high):
    def parse(text):
        try:
            value = float(text)
        except ValueError:
            value = None
        if value is None or not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be a number in [{low:g}, {high:g}], got {text!r}")
        return value

    return parse


def add_look_arguments(parser, *, luminance=False):
    """``--intensity``, ``--neutralize`` (and ``--luminance``) on ``parser``."""
    group = parser.add_argument_group("look adjustments (one table with the grade)")
    if luminance:
        group.add_argument(
            "--luminance",
            type=_number_in(0, 1),
            default=1.0,
            metavar="S",
            help="strength of the change of lightness, 0 (keep the source's) to 1 (default)",
        )
    group.add_argument(
        "--intensity",
        type=_number_in(0, 2),
        default=1.0,
        metavar="S",
        help="colour intensity of the graded colours (chroma, scaled): 0 grey, "
        "1 as graded (default), 2 twice as colourful",
    )
    group.add_argument(
        "--neutralize",
        type=_number_in(0, 1),
        default=0.0,
        metavar="S",
        help="remove this much of the source's colour cast before grading, 0 "
        "(default) to 1 (black and white stay neutral)",
    )


def grade_function(args):
    """``grade_with``, or the look's ``grade_look`` when an adjustment is set."""
    from functools import partial

    from ..image._transfer import grade_look
    from ..image._transfer import grade_with

    if args.intensity == 1 and args.neutralize == 0:
        return grade_with
    return partial(grade_look, intensity=args.intensity, neutralize=args.neutralize)


def lut_grade(args, transport, source):
    """The fitted ``transport``, or its look (:class:`~skcolorot.image._look.Look`
    fitted on the ``source`` pixels) when an adjustment is set: what ``lut`` writes."""
    from ..image._look import Look, is_neutral

    if is_neutral(args.intensity, args.neutralize, args.luminance):
        return transport
    return Look(
        transport,
        t=transport.t,
        luminance=args.luminance,
        intensity=args.intensity,
        neutralize=args.neutralize,
    ).fit(source)


def check_scene_linear(args):
    """The look's tables are of display-referred colours: not with --domain-max / --shaper."""
    from ..image._look import is_neutral

    if (args.domain_max is not None or args.shaper) and not is_neutral(
        args.intensity, args.neutralize, args.luminance
    ):
        raise ValueError(
            "--luminance, --intensity and --neutralize are for [0, 1] colours; "
            "drop them with --domain-max / --shaper"
        )
