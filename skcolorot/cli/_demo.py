"""``skcolorot demo -o OUT.png``: the bundled example, scikit-learn's sample
photograph china.jpg in the colours of flower.jpg, with its scores."""

from functools import partial

from ._common import (
    print_report,
    regrain_option,
    regraining,
    resolved_method,
    transport_from,
)
from ._options import (
    AUTO,
    add_command,
    add_look_options,
    add_overwrite,
    add_report,
    add_transport_options,
)

_GAP = 8  # white pixels between the pictures of the side-by-side strip


def add_parser(subparsers):
    demo = add_command(
        subparsers,
        "demo",
        run,
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
    add_transport_options(demo, auto=True)
    add_look_options(demo, masks=False)
    add_overwrite(demo)
    demo.add_argument("-q", "--quiet", action="store_true", help="no summary line")
    add_report(demo)


def run(args):
    from ..io._image_formats import check_output_path
    from ..io._image_write import write_image
    from ..metrics._distances import color_fidelity, luminance_ssim

    check_output_path(args.output, overwrite=args.overwrite)
    auto = resolved_method(args) == AUTO
    picture, source, reference, result, choice = run_demo(
        transport_from(args, method="sliced" if auto else None),
        regrain=regrain_option(args) if auto else regraining(args),
        auto=partial(transport_from, args) if auto else None,
        rounds=args.rounds,
        luminance=args.luminance,
        side_by_side=args.side_by_side,
    )
    write_image(args.output, picture, overwrite=args.overwrite)
    if not args.quiet:
        fidelity = color_fidelity(result, reference, source)
        ssim = luminance_ssim(result, source)
        regrained = " + regrain" if regraining(args) else ""
        method = args.method + regrained
        if choice is not None:
            method = f"{choice.method}{regrained}; auto: {choice.reason}"
        print(
            f"wrote {args.output}: china.jpg in the colours of flower.jpg ({method}). "
            f"Colour: {fidelity:.2f} (distance of the colours to flower.jpg's, "
            f"relative to china.jpg's own; 0 = the same colours). Structure: {ssim:.2f} "
            "(SSIM of the lightness with china.jpg's; 1 = every edge and texture kept). "
            "A good grade needs both."
        )
    if args.report:
        print_report(source, result)


def run_demo(transport, *, regrain, rounds=3, luminance=1.0, side_by_side=False, auto=None):
    """Grade china.jpg towards flower.jpg with an unfitted ``transport``.

    Its ``t`` is the strength of the grade, applied after regraining (as
    ``skcolorot transfer`` does). ``auto``: ``make_transport(method)`` of
    ``--method auto``'s candidates (``transport`` then only gives the strength).

    Returns
    -------
    picture : ndarray
        What to write: the result, or with ``side_by_side`` source | reference |
        result in one strip.
    source, reference, result : ndarray
        The three images, for the scores.
    choice : AutoChoice or None
        What ``auto`` chose.
    """
    # Here, not at the top: the parser imports this module at start-up.
    import numpy as np
    from sklearn.datasets import load_sample_image

    from ..image._transfer import grade_auto, grade_with

    source, reference = load_sample_image("china.jpg"), load_sample_image("flower.jpg")
    strength, choice = transport.t, None
    options = dict(regrain=regrain, rounds=rounds, t=strength, luminance=luminance)
    if auto is None:
        result, _ = grade_with(transport.set_params(t=1.0), source, reference, **options)
    else:
        def make(method):
            return auto(method=method).set_params(t=1.0)

        result, _, choice = grade_auto(make, source, reference, grade=grade_with, **options)
    picture = result
    if side_by_side:
        gap = np.full((source.shape[0], _GAP, 3), 255, dtype=np.uint8)
        picture = np.concatenate([source, gap, reference, gap, result], axis=1)
    return picture, source, reference, result, choice
