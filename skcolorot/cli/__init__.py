"""The ``skcolorot`` command line: a thin layer over the library.

Only the standard library is imported at start-up; each command imports what it
needs when it runs, so ``--version`` and ``--help`` answer at once.
"""

from ._main import main

__all__ = ["main"]
