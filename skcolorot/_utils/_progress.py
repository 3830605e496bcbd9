"""Progress on stderr, one policy for every loop that reports it (the command
line, :func:`skcolorot.io._batch.grade_files`, :func:`skcolorot.io._video.grade_video`):
a tqdm bar when tqdm is installed, else a counter line rewritten in place.

The standard library only at import: tqdm loads when a bar is shown.
"""

import sys
import time

__all__ = ["Progress", "Stages", "progress_wanted", "track"]


def progress_wanted(total=2, *, quiet=False, force=False):
    """Whether to show progress: when stderr is a terminal, or always with
    ``force``; never when ``quiet`` or for a single step."""
    if quiet or total < 2:
        return False
    return bool(force) or sys.stderr.isatty()


class Progress:
    """A progress bar of ``total`` steps on stderr, advanced by :meth:`update`.

    Parameters
    ----------
    total : int or None
        The number of steps; None when unknown (a video of unknown length).
    label : str
        Shown before the count.
    enabled : bool, default=True
        False: show nothing (every method does nothing).
    unit : str, default="image"
        The unit of tqdm's rate.
    rate : bool, default=False
        Without tqdm, also show the rate and the time left (tqdm always does).
    """

    def __init__(self, total, label, *, enabled=True, unit="image", rate=False):
        self.total = total
        self.label = label
        self.enabled = enabled
        self._done = 0
        self._bar = None
        self.unit = unit
        self._rate = rate
        self._started = time.perf_counter()
        if not enabled:
            return
        try:
            from tqdm import tqdm
        except ImportError:
            tqdm = None
        if tqdm is not None:
            self._bar = tqdm(total=total, desc=label, unit=unit, file=sys.stderr)
        else:
            sys.stderr.write(f"\r{self._count()}")

    def _count(self):
        text = f"{self.label}: {self._done}" + ("" if self.total is None else f"/{self.total}")
        elapsed = time.perf_counter() - self._started
        if self._rate and self._done and elapsed > 0:
            rate = self._done / elapsed
            text += f", {rate:.1f} {self.unit}/s"
            if self.total:
                left = max(0, self.total - self._done) / rate
                text += f", {int(left) // 60}:{int(left) % 60:02d} left"
        return text

    def update(self, n=1):
        """``n`` more steps done."""
        if not self.enabled or n <= 0:
            return
        if self._bar is not None:
            self._bar.update(n)
            return
        self._done += n
        sys.stderr.write(f"\r{self._count()}" + ("  " if self._rate else ""))
        sys.stderr.flush()

    def close(self):
        """End the bar (the counter's line); later calls do nothing."""
        if not self.enabled:
            return
        self.enabled = False
        if self._bar is not None:
            self._bar.close()
        else:
            sys.stderr.write("\n")

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


def track(items, total, label, enabled, unit="image"):
    """``items`` with a :class:`Progress` bar advanced after each one."""
    with Progress(total, label, enabled=enabled, unit=unit) as bar:
        for item in items:
            yield item
            bar.update()


class Stages:
    """The stages of a one-image command (read, fit, grade, write) as a progress
    line on stderr, and the elapsed time for its summary.

    Parameters
    ----------
    names : list of str
        The stages, in order.
    enabled : bool
        Show the line (see :func:`progress_wanted`).
    prefix : str, default="skcolorot"
        Starts the line, as the command's other messages.
    """

    def __init__(self, names, *, enabled, prefix="skcolorot"):
        self.names = names
        self.enabled = enabled
        self.prefix = prefix
        self.started = time.perf_counter()

    def __call__(self, name):
        """Stage ``name`` starts."""
        if self.enabled:
            index = self.names.index(name) + 1
            line = f"{self.prefix}: [{index}/{len(self.names)}] {name}..."
            # On a terminal one line rewritten in place; in a log one line a stage.
            sys.stderr.write(f"\r{line}\033[K" if sys.stderr.isatty() else line + "\n")
            sys.stderr.flush()

    def close(self):
        """Clear the line on a terminal."""
        if self.enabled and sys.stderr.isatty():
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()

    def elapsed(self):
        """Seconds since the stages began."""
        return time.perf_counter() - self.started
