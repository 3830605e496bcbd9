"""What the command handlers share: the usage error, progress and the summary
line, the transport of the options, the FileIO of the file options, reading the
references, and checks on the images and outputs.

Standard library only at import; each helper imports the library part it calls.
"""

import os

from .._utils._progress import Stages, progress_wanted

PROG = "skcolorot"


class UsageError(Exception):
    """An expected failure (bad usage or input): one line on stderr, exit status 2."""


def one_line(text):
    return " ".join(str(text).split())


# ------------------------------------------------------------------ reporting
def wants_progress(args, total=2):
    """Bars with ``--progress`` even off a terminal, never with ``--quiet``."""
    return progress_wanted(
        total, quiet=getattr(args, "quiet", False), force=getattr(args, "progress", False)
    )


def progress_stages(args, names):
    return Stages(names, enabled=wants_progress(args, len(names)), prefix=PROG)


def print_summary(args, text):
    """The one-line result of a command, on stdout (``--quiet``: none)."""
    if not getattr(args, "quiet", False):
        print(text)


def print_report(source, result):
    """The ``--report`` line: the artefacts of ``result`` against ``source``."""
    import numpy as np

    from ..metrics._artefacts_color import artefact_report, describe_artefacts

    source, result = np.asarray(source), np.asarray(result)
    if source.ndim != 3 or source.shape[-1] < 3 or result.shape[-1] < 3:
        print("report: the artefact measures compare RGB images; this source is grayscale")
        return
    print("report: " + describe_artefacts(artefact_report(source[..., :3], result[..., :3])))


def skipped_note(count):
    return f", {count} skipped (already there)" if count else ""


# ------------------------------------------------------------------ the grade
def transport_from(args, method=None, *, light=False):
    """The unfitted transport of ``--method`` (or ``method``: a candidate of
    ``--method auto``), ``--param`` and the named options.

    ``light``: the default grade without scikit-learn where it can stand for the
    estimator (:func:`~skcolorot.image._transfer.make_grade`), for a command that
    only fits and applies it.
    """
    from ..image._transfer import make_grade

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
    return make_grade(method or resolved_method(args), light=light, **params)


def resolved_method(args):
    """``--method``, with ``auto`` and a ``--param`` read as sliced: the parameters
    configure the default method (as ``transfer()`` does)."""
    from ..image._transfer import AUTO

    return "sliced" if args.method == AUTO and args.param else args.method


def regraining(args):
    """Whether to regrain: ``--regrain`` / ``--no-regrain``, else the method's default."""
    from ..image._transfer import needs_regrain

    return needs_regrain(args.method, regrain_option(args))


def regrain_option(args):
    """``--regrain`` / ``--no-regrain`` as ``transfer()``'s ``regrain``: "auto" if neither."""
    return "auto" if args.regrain is None else args.regrain


def lut_title(transport, args, source_name):
    """The TITLE of an exported LUT: the method and ``SRC -> REF``."""
    from ..io._lut_formats import cube_title

    references = args.reference if isinstance(args.reference, list) else [args.reference]
    names = " + ".join(os.path.basename(path) for path in references)
    return cube_title(transport, f"{source_name} -> {names}")


# ---------------------------------------------------------------- the images
def file_io(args):
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
            raise UsageError(f"--{option.replace('_', '-')}: {one_line(error)}") from None

    working = profile("working_space")
    return FileIO(
        working_profile=working,
        input_profile=profile("input_profile"),
        output_profile=profile("output_profile"),
        bit_depth=None if getattr(args, "bit_depth", "auto") == "auto" else int(args.bit_depth),
        quality=getattr(args, "quality", None),
        subsampling=getattr(args, "subsampling", None),
    )


def check_colorful(image, what):
    from ..io._files import is_gray

    if is_gray(image):
        raise UsageError(
            f"{what} is grayscale: a grade fitted on it is undefined off the gray axis; "
            "fit on a colour image (a .cube fitted on one can be applied to gray "
            "images with 'skcolorot apply')"
        )


def check_pixels(loaded, path):
    image = loaded.pixels
    if image.shape[0] * image.shape[1] < 2:
        # Otherwise the library's "X has 1 pixel" names no file the user gave.
        raise UsageError(f"{path}: a 1-pixel image holds no colour distribution to fit")
    return loaded


def read_references(args, transport, files, steps=None):
    """The pixels of the one reference image, or the barycentre (a colour sample)
    of several (``--weights``), read into the working space."""
    if args.weights is not None and len(args.weights) != len(args.reference):
        raise UsageError(
            f"--weights has {len(args.weights)} values for {len(args.reference)} references"
        )
    references = [check_pixels(files.read(path), path).pixels for path in args.reference]
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


def output_folder(outputs, args):
    """The folder a link among the outputs may not lead out of: None for one
    named output file, or with ``--follow-symlinks``."""
    if getattr(args, "follow_symlinks", False) or outputs == [args.output]:
        return None
    return os.path.dirname(outputs[0]) or "."


def plan_outputs(outputs, args):
    """Create the output directory and refuse existing files, before any work;
    with ``--skip-existing`` the indices of the outputs still to write."""
    from ..io._outputs import prepare_outputs

    skip = getattr(args, "skip_existing", False)
    if skip and args.overwrite:
        raise UsageError("--skip-existing and --overwrite contradict each other; give one")
    return prepare_outputs(
        outputs, overwrite=args.overwrite, skip_existing=skip,
        within=output_folder(outputs, args),
    )
