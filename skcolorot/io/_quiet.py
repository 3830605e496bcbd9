"""One policy for what other libraries say while a file is read: nothing of
theirs reaches the user directly. Pillow's and tifffile's warnings and log
records (and libtiff's lines on the C stderr, which Pillow lets through) are
collected as *notes*; the reader folds them into its error message, or, when
the file was read after all, repeats them as one warning that names the file.

Capturing changes process-wide state (warning filters, logger handlers, file
descriptor 2), so captures are serialised by a lock, and the C stderr is only
redirected on the main thread (elsewhere it could swallow a progress bar).
"""

import logging
import os
import sys
import tempfile
import threading
import warnings
from contextlib import contextmanager, nullcontext

__all__ = ["Notes", "quiet"]

_LOGGERS = ("PIL", "tifffile")
_LOCK = threading.RLock()


class Notes(list):
    """What third-party code said during :func:`quiet`, one line each."""

    def add(self, text):
        line = " ".join(str(text).split())
        if line and line not in self:
            self.append(line)

    def detail(self, limit=2):
        """The first notes as one parenthesis-free clause ("" when none)."""
        return "; ".join(self[:limit])

    def warn(self, path, stacklevel=3):
        """Repeat the notes of a file read after all, as one warning naming it."""
        if self:
            warnings.warn(f"{path}: {self.detail()}", stacklevel=stacklevel)


class _Collect(logging.Handler):
    def __init__(self, notes):
        super().__init__(logging.WARNING)
        self.notes = notes

    def emit(self, record):
        self.notes.add(record.getMessage())


@contextmanager
def quiet(notes, *, c_stderr=False):
    """Collect third-party warnings and log records into ``notes`` (and, with
    ``c_stderr`` on the main thread, what C libraries print on stderr)."""
    with _LOCK:
        handler = _Collect(notes)
        loggers = [logging.getLogger(name) for name in _LOGGERS]
        propagate = [logger.propagate for logger in loggers]
        for logger in loggers:
            logger.addHandler(handler)
            logger.propagate = False
        redirect = c_stderr and threading.current_thread() is threading.main_thread()
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                with _c_stderr(notes) if redirect else nullcontext():
                    yield notes
        finally:
            for logger, flag in zip(loggers, propagate):
                logger.removeHandler(handler)
                logger.propagate = flag
            for caught_warning in caught:
                notes.add(caught_warning.message)


@contextmanager
def _c_stderr(notes):
    """File descriptor 2 into a temporary file; its lines become notes."""
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    sys.stderr.flush()
    with tempfile.TemporaryFile() as capture:
        os.dup2(capture.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            capture.seek(0)
            for line in capture.read(4096).decode("utf-8", "replace").splitlines():
                notes.add(line)
