"""SIGTERM and SIGHUP as Ctrl-C: the standard library only, so that the command
line can install the handlers before anything heavy is imported."""

from contextlib import contextmanager

__all__ = ["Terminated", "terminate_as_interrupt"]


@contextmanager
def terminate_as_interrupt():
    """Within the block, SIGTERM and SIGHUP raise :class:`Terminated` (a
    KeyboardInterrupt) like Ctrl-C does, so that temporary files are removed.

    Only in the main thread (elsewhere signals cannot be handled); the previous
    handlers come back on leaving.
    """
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):
        raise Terminated(signum)

    previous = {}
    for name in ("SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is not None:
            previous[number] = signal.signal(number, handler)
    try:
        yield
    finally:
        for number, old in previous.items():
            signal.signal(number, old)


class Terminated(KeyboardInterrupt):
    """SIGTERM / SIGHUP, raised where Ctrl-C's KeyboardInterrupt would be."""

    def __init__(self, signum):
        super().__init__(signum)
        self.signum = signum
