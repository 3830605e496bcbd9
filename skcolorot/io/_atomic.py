"""Safe file writing: every file skcolorot writes goes to a temporary name in
the destination's directory and is moved into place, so a failure, Ctrl-C or
SIGTERM (see ``_signals``) never leaves a half-written file.

* Only regular files are ever replaced: a device, FIFO, socket or directory at an
  output path is refused even with ``overwrite=True``, and an output path that is
  a symbolic link is written *through* (its target is replaced, the link stays).
* Without ``overwrite`` the file is put in place with a hard link, so a file
  created meanwhile by someone else is not replaced either.
* Temporary files are named ``.<name>.skcolorot-<pid>.<random>.tmp``; one left
  behind by a killed process (SIGKILL, power loss) is removed by the next write
  in the same directory once that process is gone.

The standard library only: the writers of every format (images, LUT text,
video) share it without importing one another.
"""

import errno
import os
import stat
import tempfile
import time
from contextlib import contextmanager

__all__ = ["atomic_path", "check_writable"]

# Our temporary files: ".<name>.skcolorot-<pid>.<random>.tmp" (the pid tells a
# stale one, whose writer is gone, from one being written right now).
_TEMP_TAG = "skcolorot-"
# A temporary this old is stale even if its pid is alive again (pid reuse, or a
# writer on another host of a shared directory).
_STALE_SECONDS = 24 * 3600


def _non_regular_kind(mode):
    """What a non-regular file is ("a FIFO", ...), or None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    kinds = (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISSOCK, "a socket"),
    )
    return next((kind for test, kind in kinds if test(mode)), "not a regular file")


def _destination(path):
    """The file a write to ``path`` replaces: a symbolic link's final target
    (written through, the link kept), else ``path`` itself."""
    if not os.path.islink(path):
        return path
    target = os.path.realpath(path)
    if not os.path.lexists(target):
        raise FileNotFoundError(
            errno.ENOENT, f"is a symbolic link to a missing file ({target})", path
        )
    return target


def check_writable(path, *, overwrite=False):
    """Fail early, before any work, if ``path`` cannot receive a file.

    Checks the directory exists and is writable, that nothing but a regular file
    (or a link to one) is at ``path`` and that no file is there unless
    ``overwrite``.

    Returns
    -------
    destination : str
        The file that will be written: ``path``, or a symbolic link's target.
    """
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise FileNotFoundError(errno.ENOENT, "no such directory", directory)
    destination = path
    if os.path.lexists(path):
        destination = _destination(path)
        kind = _non_regular_kind(os.stat(destination).st_mode)
        if kind == "a directory":
            raise IsADirectoryError(errno.EISDIR, "is a directory", path)
        if kind is not None:
            raise ValueError(
                f"{path}: is {kind}, not a regular file; refusing to write over it."
            )
        if not overwrite:
            raise FileExistsError(errno.EEXIST, "already exists", path)
        directory = os.path.dirname(os.path.abspath(destination))
    if not os.access(directory, os.W_OK | os.X_OK):
        raise PermissionError(errno.EACCES, "cannot write in this directory", directory)
    _probe(directory)
    return destination


# Directories a file was created in by this process: one probe each.
_PROBED = set()


def _probe(directory):
    """Create and remove a file in ``directory``: ``os.access`` tells root that
    /sys or a read-only mount is writable, and the write would fail only after
    the whole fit."""
    key = os.path.normcase(os.path.abspath(directory))
    if key in _PROBED:
        return
    os.unlink(_create_temporary(directory, "probe"))
    _PROBED.add(key)


def _create_temporary(directory, name):
    """A new empty temporary file of ours for ``name`` in ``directory``."""
    try:
        handle, temporary = tempfile.mkstemp(
            dir=directory, prefix=f".{name}.{_TEMP_TAG}{os.getpid()}.", suffix=".tmp"
        )
    except OSError as error:
        # Name the directory, not the hidden temporary nobody asked for.
        raise type(error)(
            error.errno, f"cannot create a file in this directory ({error.strerror})", directory
        ) from None
    os.close(handle)
    return temporary


# Directories already swept by this process: one scan each, not one per file
# (a batch writes thousands of frames into one directory).
_SWEPT = set()


def _remove_stale_temporaries(directory, name):
    """Remove our temporaries in ``directory`` whose writer is gone (killed,
    crashed): scanned once per process and directory."""
    key = os.path.normcase(os.path.abspath(directory))
    if key in _SWEPT:
        return
    _SWEPT.add(key)
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return
    names = {entry.name for entry in entries}
    now = time.time()
    for entry in entries:
        if not (entry.name.startswith(".") and entry.name.endswith(".tmp")):
            continue
        stem = entry.name[1 : -len(".tmp")]
        target, _, tag = stem.rpartition(".")
        owner = target.rpartition(".")[2]
        try:
            age = now - entry.stat(follow_symlinks=False).st_mtime
        except OSError:
            continue
        if owner.startswith(_TEMP_TAG) and owner[len(_TEMP_TAG) :].isdigit():
            pid = int(owner[len(_TEMP_TAG) :])
            stale = pid != os.getpid() and (age > _STALE_SECONDS or not _is_running(pid))
        else:
            # ".NAME.XXXXXXXX.tmp" of an older version (no pid in the name): only
            # next to its output (or the one written now), and only by its age.
            stale = (
                len(tag) == 8
                and (target == name or target in names)
                and age > _STALE_SECONDS
            )
        if stale:
            try:
                os.unlink(entry.path)
            except OSError:
                pass


def _is_running(pid):
    if os.name != "posix":
        return True  # no cheap test: rely on the age alone
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # alive, another user's
    return True


@contextmanager
def atomic_path(path, *, overwrite=False):
    """A temporary path next to ``path`` that becomes ``path`` on success.

    Write the file to the yielded path; on leaving the block without an error it
    is moved to ``path`` in one step (a hard link when ``overwrite`` is False, so
    a file created meanwhile by someone else is not replaced either). On an error
    or Ctrl-C the temporary file is removed and ``path`` is untouched. Only a
    regular file is ever replaced; a symbolic link is written through (its
    target is replaced, the link stays).

    Raises
    ------
    FileExistsError
        If ``path`` exists and ``overwrite`` is False.
    ValueError
        If ``path`` is a device, FIFO or socket (or a link to one).
    """
    path = os.fspath(path)
    destination = check_writable(path, overwrite=overwrite)
    directory = os.path.dirname(os.path.abspath(destination))
    name = os.path.basename(destination)
    _remove_stale_temporaries(directory, name)
    temporary = _create_temporary(directory, name)
    try:
        yield temporary
        # mkstemp makes the file private (0600); give it an ordinary file's mode.
        mode = os.stat(destination).st_mode & 0o777 if os.path.exists(destination) else 0o644
        os.chmod(temporary, mode)
        if overwrite:
            # Checked again: something may have appeared there during the work.
            check_writable(path, overwrite=True)
            os.replace(temporary, destination)
        else:
            _link_new(temporary, destination)
    finally:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass


def _link_new(temporary, path):
    """Put ``temporary`` at ``path`` only if nothing is there (atomic check-and-create)."""
    try:
        os.link(temporary, path)
    except FileExistsError:
        raise FileExistsError(errno.EEXIST, "already exists", path) from None
    except OSError:
        # No hard links on this filesystem (some network / FAT mounts).
        if os.path.lexists(path):
            raise FileExistsError(errno.EEXIST, "already exists", path) from None
        os.replace(temporary, path)
