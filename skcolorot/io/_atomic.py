"""Safe file writing: every file skcolorot writes goes to a temporary name in
the destination's directory and is moved into place, so a failure, Ctrl-C or
SIGTERM (see ``_signals``) never leaves a half-written file.

* Only regular files are ever replaced: a device, FIFO, socket or directory at an
  output path is refused even with ``overwrite=True``, and an output path that is
  a symbolic link is written *through* (its target is replaced, the link stays).
* Without ``overwrite`` the file is put in place with a hard link, so a file
  created meanwhile by someone else is not replaced either.
* Temporary files are named ``.<name>.skcolorot-<pid>.<random>.tmp``, ``<name>``
  shortened so that the temporary fits wherever the output name itself fits.
  One left behind by a killed process (SIGKILL, power loss) is removed by the
  next write in the same directory once that process is gone; only names that
  carry the ``skcolorot-<pid>`` marker are ever removed.
* With ``within=DIR`` (an output folder), a symbolic link whose target lies
  outside ``DIR`` is refused rather than followed out of the folder.
* An error while writing names the output file, not the hidden temporary.

The standard library only: the writers of every format (images, LUT text,
video) share it without importing one another.
"""

import errno
import os
import re
import stat
import tempfile
import time
from contextlib import contextmanager

__all__ = ["atomic_path", "check_writable"]

# Our temporary files: ".<name>.skcolorot-<pid>.<random>.tmp" (the pid tells a
# stale one, whose writer is gone, from one being written right now). The
# sweep removes only names of exactly this shape: the marker proves them ours.
_TEMP_TAG = "skcolorot-"
_TEMP_NAME = re.compile(r"\..*\.skcolorot-(?P<pid>[0-9]+)\.[a-z0-9_]{8}\.tmp", re.DOTALL)
# Bytes of a temporary's name besides <name>: "." ".skcolorot-" pid "." 8 ".tmp"
_TEMP_EXTRA = 1 + 1 + len(_TEMP_TAG) + 1 + 8 + 4
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


def _name_max(directory):
    """The longest file name (bytes) the filesystem of ``directory`` takes."""
    try:
        return os.pathconf(directory, "PC_NAME_MAX")
    except (AttributeError, OSError, ValueError):
        return 255


def _check_confined(path, destination, within):
    """Refuse a link at ``path`` that leads out of the output folder ``within``."""
    if within is None or destination == path:
        return
    folder = os.path.realpath(within)
    if os.path.commonpath([folder, os.path.realpath(destination)]) != folder:
        raise PermissionError(
            errno.EPERM,
            f"is a symbolic link to {destination}, outside the output folder; not "
            "followed (--follow-symlinks, or follow_symlinks=True, to write through it)",
            path,
        )


def check_writable(path, *, overwrite=False, within=None):
    """Fail early, before any work, if ``path`` cannot receive a file.

    Checks the directory exists and is writable, that the name fits the
    filesystem, that nothing but a regular file (or a link to one) is at
    ``path`` and that no file is there unless ``overwrite``. With ``within`` (a
    directory), a symbolic link at ``path`` must lead to a file inside it.

    Returns
    -------
    destination : str
        The file that will be written: ``path``, or a symbolic link's target.
    """
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise FileNotFoundError(errno.ENOENT, "no such directory", directory)
    name_length, name_max = len(os.fsencode(os.path.basename(path))), _name_max(directory)
    if name_length > name_max:
        raise OSError(
            errno.ENAMETOOLONG,
            f"file name too long ({name_length} bytes; this filesystem takes {name_max})",
            path,
        )
    destination = path
    if os.path.lexists(path):
        destination = _destination(path)
        _check_confined(path, destination, within)
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


def _temporary_prefix(directory, name):
    """``.<name>.skcolorot-<pid>.``, ``<name>`` cut (never the user's file name,
    only its temporary's) so that the whole temporary fits the filesystem."""
    pid = str(os.getpid())
    budget = _name_max(directory) - _TEMP_EXTRA - len(pid)
    encoded = os.fsencode(name)
    if len(encoded) > budget:
        # Cut on a character boundary; the marker, not the name, identifies it.
        name = encoded[: max(budget, 0)].decode("utf-8", "ignore")
    return f".{name}.{_TEMP_TAG}{pid}."


def _create_temporary(directory, name):
    """A new empty temporary file of ours for ``name`` in ``directory``."""
    try:
        handle, temporary = tempfile.mkstemp(
            dir=directory, prefix=_temporary_prefix(directory, name), suffix=".tmp"
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


def _remove_stale_temporaries(directory):
    """Remove our temporaries in ``directory`` whose writer is gone (killed,
    crashed): scanned once per process and directory. Only names with our
    marker (``.<name>.skcolorot-<pid>.<random>.tmp``) are candidates."""
    key = os.path.normcase(os.path.abspath(directory))
    if key in _SWEPT:
        return
    _SWEPT.add(key)
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return
    now = time.time()
    for entry in entries:
        match = _TEMP_NAME.fullmatch(entry.name)
        if match is None:
            continue
        try:
            status = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if not stat.S_ISREG(status.st_mode):
            continue  # we only ever create regular files
        pid = int(match["pid"])
        age = now - status.st_mtime
        if pid != os.getpid() and (age > _STALE_SECONDS or not _is_running(pid)):
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
def atomic_path(path, *, overwrite=False, within=None):
    """A temporary path next to ``path`` that becomes ``path`` on success.

    Write the file to the yielded path; on leaving the block without an error it
    is moved to ``path`` in one step (a hard link when ``overwrite`` is False, so
    a file created meanwhile by someone else is not replaced either). On an error
    or Ctrl-C the temporary file is removed and ``path`` is untouched. Only a
    regular file is ever replaced; a symbolic link is written through (its
    target is replaced, the link stays), but with ``within`` (an output folder)
    only when its target lies inside that folder. An error while writing is
    raised with ``path`` as its file name (not the temporary's).

    Raises
    ------
    FileExistsError
        If ``path`` exists and ``overwrite`` is False.
    PermissionError
        If ``path`` is a link out of ``within``.
    ValueError
        If ``path`` is a device, FIFO or socket (or a link to one).
    """
    path = os.fspath(path)
    destination = check_writable(path, overwrite=overwrite, within=within)
    directory = os.path.dirname(os.path.abspath(destination))
    name = os.path.basename(destination)
    _remove_stale_temporaries(directory)
    temporary = _create_temporary(directory, name)
    try:
        try:
            yield temporary
        except OSError as error:
            if error.filename not in (None, temporary) or isinstance(error, FileExistsError):
                raise
            # e.g. a full disk: say which output could not be written.
            raise OSError(error.errno, error.strerror or _one_line(error), path) from error
        # mkstemp makes the file private (0600); give it an ordinary file's mode.
        mode = os.stat(destination).st_mode & 0o777 if os.path.exists(destination) else 0o644
        os.chmod(temporary, mode)
        if overwrite:
            # Checked again: something may have appeared there during the work.
            check_writable(path, overwrite=True, within=within)
            os.replace(temporary, destination)
        else:
            _link_new(temporary, destination)
    finally:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass


def _one_line(error):
    return " ".join(str(error).split())


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
