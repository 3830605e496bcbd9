"""The ``skcolorot`` command: colour transfer, LUT export and batch grading.

::

    skcolorot transfer SRC REF -o OUT        give SRC the colours of REF
    skcolorot lut SRC REF -o grade.cube      the same grade as a 3D LUT file
    skcolorot apply grade.cube IN... -o OUT  apply a .cube LUT to images
    skcolorot batch REF IN... -o OUTDIR      one grade, fitted once, for many images
    skcolorot video IN REF -o OUT            one grade for a whole clip, through ffmpeg
    skcolorot demo -o OUT.png                the bundled example

Exit status: 0 on success; 2 on bad usage or bad input (running out of memory
included), with a one-line ``skcolorot: error: ...`` on stderr and no traceback;
130 on Ctrl-C, 143 on SIGTERM, 129 on SIGHUP (each removes its temporary files).
No command replaces an existing file without ``--overwrite``, none writes over
one of its own inputs, nor over anything but a regular file (an output that is a
symbolic link is written through), and every file is written to a temporary name
and moved into place, so a failure never leaves half a file.

Only the standard library is imported at start-up: numpy, scikit-learn and the
rest load inside the command that needs them, so ``--version`` and ``--help``
answer at once.

This module holds ``main``: warnings as one-line notes, errors and signals as
exit statuses. The parser is built in ``_parser``; each command lives in its own
module (``_transfer``, ``_lut``, ``_apply``, ``_batch``, ``_video``, ``_demo``).
"""

import sys
import warnings

from .._utils._signals import Terminated, terminate_as_interrupt
from ._common import PROG, UsageError, one_line
from ._parser import build_parser

__all__ = ["main"]

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, the shell's convention


def _show_warning(message, category, filename, lineno, file=None, line=None):
    from ..io._image_formats import BitDepthNote

    kind = "note" if issubclass(category, BitDepthNote) else "warning"
    sys.stderr.write(f"{PROG}: {kind}: {one_line(message)}\n")


def _error_message(error):
    if isinstance(error, MemoryError):
        detail = f" ({one_line(error)})" if str(error) else ""
        return (
            f"out of memory{detail}; use smaller images, a smaller --size / --lut-size, "
            "or --param n_samples=... lower"
        )
    if isinstance(error, FileExistsError):
        return f"{error.filename}: already exists; pass --overwrite to replace it"
    if isinstance(error, OSError) and error.filename is not None:
        return f"{error.filename}: {error.strerror or error}"
    return one_line(error)


def main(argv=None):
    """Run the ``skcolorot`` command; returns the exit status.

    Parameters
    ----------
    argv : list of str, default=None
        The arguments (``sys.argv[1:]`` when None).

    Returns
    -------
    status : int
        0 on success, 2 on bad usage or input, 130 when interrupted, 128 + the
        signal's number on SIGTERM / SIGHUP.
    """
    with warnings.catch_warnings(), terminate_as_interrupt():
        warnings.showwarning = _show_warning
        try:
            args = build_parser().parse_args(argv)
            args.handler(args)
            return 0
        except SystemExit as exit_request:  # --help, --version
            code = exit_request.code
            return code if isinstance(code, int) else 0 if code is None else 1
        except Terminated as signal_received:  # SIGTERM / SIGHUP: as Ctrl-C
            sys.stderr.write(f"\n{PROG}: terminated by signal {signal_received.signum}\n")
            return 128 + signal_received.signum
        except KeyboardInterrupt:
            sys.stderr.write(f"\n{PROG}: interrupted\n")
            return EXIT_INTERRUPTED
        except (UsageError, OSError, ValueError, TypeError, ImportError, MemoryError) as error:
            sys.stderr.write(f"{PROG}: error: {_error_message(error)}\n")
            return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
