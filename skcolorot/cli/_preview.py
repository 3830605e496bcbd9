"""``skcolorot preview SRC REF [REF ...]``: look development in the browser.

Starts the page of :mod:`skcolorot._preview` on 127.0.0.1, prints its URL, opens
the browser (unless ``--no-browser``) and serves until Ctrl-C.
"""

import argparse
import sys

from ._common import UsageError, check_colorful, check_pixels, file_io, transport_from
from ._options import add_command, add_file_options, add_references, add_transport_options


def _port(text):
    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"must be a port number in [0, 65535], got {text!r}")
    return value


def _megabytes(text):
    try:
        value = float(text)
    except ValueError:
        value = None
    if value is None or not 0 < value <= 4096:
        raise argparse.ArgumentTypeError(f"must be a size in MiB in (0, 4096], got {text!r}")
    return value


def add_parser(subparsers):
    """Register ``preview`` on the ``skcolorot`` parser's subcommands."""
    preview = add_command(
        subparsers,
        "preview",
        run,
        help="look development in the browser: sliders, candidates, curves, exports",
        description=(
            "Serve a page on 127.0.0.1 that shows SRC before / after its grade towards "
            "REF, with a draggable divider; candidates of every method with and without "
            "regrain; sliders for strength, luminance, colour intensity, neutralisation "
            "and regrain detail; the grade's curves; and exports: the look as .cube "
            "(what 'skcolorot lut' writes with the same options), the full-size image, "
            "and the command that reproduces it. Ctrl-C stops the server."
        ),
        epilog=(
            "examples:\n"
            "  skcolorot preview photo.jpg look.jpg\n"
            "  skcolorot preview photo.jpg look1.jpg look2.jpg --port 8765 --no-browser"
        ),
    )
    preview.add_argument("source", metavar="SRC", help="image to grade")
    add_references(preview)
    preview.add_argument(
        "--port", type=_port, default=0, metavar="N",
        help="port on 127.0.0.1 (default: 0, a free one)",
    )
    preview.add_argument(
        "--no-browser", action="store_true", help="print the URL only; do not open a browser"
    )
    preview.add_argument(
        "--max-upload", type=_megabytes, default=64, metavar="MIB",
        help="largest image the page accepts as an upload, in MiB (default: %(default)s)",
    )
    add_transport_options(preview)
    add_file_options(preview, output=False)
    return preview


def run(args):
    from .._preview._server import PreviewServer
    from .._preview._session import PreviewSession, Settings

    if args.t is not None:
        raise UsageError("--strength is a slider of the page; start without it")
    files = file_io(args)
    source = check_pixels(files.read(args.source), args.source)
    check_colorful(source.pixels, args.source)
    if args.weights is not None and len(args.weights) != len(args.reference):
        raise UsageError(
            f"--weights has {len(args.weights)} values for {len(args.reference)} references"
        )
    references = [check_pixels(files.read(path), path).pixels for path in args.reference]
    transport = transport_from(args)  # checks --param against the method now
    params = {key: value for key, value in args.param}
    session = PreviewSession(
        source, references, files, [args.source, *args.reference],
        method=args.method, params=params, color_space=args.color_space,
        random_state=transport.random_state, weights=args.weights,
    )
    regrain = "auto" if args.regrain is None else args.regrain
    from ..image._transfer import needs_regrain

    session.defaults = Settings(method=args.method,
                                detail=float(needs_regrain(args.method, regrain)))
    session.file_options = [
        f"--{option.replace('_', '-')} {getattr(args, option)}"
        for option in ("input_profile", "working_space")
        if getattr(args, option, None) is not None
    ]
    try:
        server = PreviewServer(session, args.port, max_upload=int(args.max_upload * (1 << 20)))
    except OSError as error:
        raise UsageError(f"cannot listen on 127.0.0.1:{args.port}: {error.strerror}") from None
    server.warm_up()
    print(f"skcolorot preview: {server.url}  (Ctrl-C to stop)", flush=True)
    if not args.no_browser:
        import webbrowser

        webbrowser.open(server.url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        sys.stderr.write("\nskcolorot preview: stopped\n")
    finally:
        server.server_close()
