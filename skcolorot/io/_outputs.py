"""The files a command writes, planned before any work: one output path per
input, the guard against writing over an input, free (or skippable) output
names, LUT file names; and the LUT file of a fitted grade, by its extension.

Everything here fails before an image is read or a grade fitted, so a command
that cannot write its result does no work and writes nothing.
"""

import os

from ._atomic import check_writable

__all__ = [
    "LUT_EXTENSIONS",
    "check_inputs",
    "check_lut_path",
    "check_not_inputs",
    "output_paths",
    "outputs_in_directory",
    "prepare_outputs",
    "write_lut",
]

# LUT files skcolorot writes, by extension (see write_lut)
LUT_EXTENSIONS = (".cube", ".3dl", ".png")


def check_inputs(paths):
    """Fail on the first missing input before any work is done."""
    from ._image_read import read_image

    for path in paths:
        if not os.path.isfile(path):
            read_image(path)  # raises the FileNotFoundError / IsADirectoryError


def check_not_inputs(inputs, outputs):
    """Refuse an output that is also an input (even through a link): the write
    would destroy a file the command still reads, or has just read.

    Parameters
    ----------
    inputs, outputs : sequence of str or path-like
        Every file the command reads, every file it writes.
    """
    read = {_identity(os.fspath(path)): os.fspath(path) for path in inputs}
    written = {}
    for output in outputs:
        output = os.fspath(output)
        identity = _identity(output)
        if identity in read:
            raise ValueError(
                f"{output}: is also an input ({read[identity]}); write the output elsewhere."
            )
        if identity in written:
            raise ValueError(f"{output}: given for two outputs ({written[identity]} too).")
        written[identity] = output


def _identity(path):
    """What tells two names of one file apart from names of different files."""
    try:
        status = os.stat(path)
    except OSError:
        return ("path", os.path.normcase(os.path.realpath(path)))
    return ("inode", status.st_dev, status.st_ino)


def outputs_in_directory(inputs, output_dir):
    """``output_dir/<input's name>`` for every input; colliding names are an error."""
    names = [os.path.basename(path) for path in inputs]
    seen = set()
    for name in names:
        if name in seen:
            raise ValueError(
                f"several inputs are named {name!r}; their outputs in {output_dir} "
                "would collide."
            )
        seen.add(name)
    return [os.path.join(output_dir, name) for name in names]


def _looks_like_file(path):
    """An output name with an image extension (``one.png``), not a directory."""
    from ._image_formats import registered_format

    return registered_format(os.path.splitext(path)[1].lower()) is not None


def output_paths(inputs, output, *, directory):
    """One output per input: ``output`` itself, or ``output/<input's name>``.

    Several inputs (or ``directory``) need ``output`` to name a directory: an
    existing one, a name ending in ``/``, or a new name without an image
    extension; ``-o one.png`` is refused rather than made a directory.
    """
    is_dir = os.path.isdir(output)
    if not (directory or len(inputs) > 1 or is_dir or output.endswith(("/", os.sep))):
        return [output]
    if os.path.exists(output) and not is_dir:
        raise ValueError(f"{output}: not a directory (several inputs need -o DIRECTORY)")
    if not is_dir and not output.endswith(("/", os.sep)) and _looks_like_file(output):
        what = f"{len(inputs)} inputs" if len(inputs) > 1 else "this command"
        raise ValueError(
            f"-o {output}: {what} need an output directory, and this names a file; "
            f"give a directory (end it with / to create one named {output})"
        )
    return outputs_in_directory(inputs, output)


def prepare_outputs(outputs, *, overwrite=False, skip_existing=False, within=None):
    """Create the output directories and refuse existing files, before any work;
    the indices of the outputs to write (with ``skip_existing``, those not there).
    With ``within`` (the output folder), a symbolic link there that leads out
    of it is refused."""
    from ._image_formats import check_output_path

    todo = []
    for index, path in enumerate(outputs):
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        if skip_existing and os.path.lexists(path):
            check_output_path(path, overwrite=True, within=within)  # still writable
            continue
        check_output_path(path, overwrite=overwrite, within=within)
        todo.append(index)
    return todo


def check_lut_path(path, *, overwrite=False, extensions=LUT_EXTENSIONS):
    """Fail before any work if ``path`` is no LUT file name or cannot be written."""
    if not path.lower().endswith(extensions):
        raise ValueError(f"{path}: a LUT file name must end in {' or '.join(extensions)}")
    check_writable(path, overwrite=overwrite)


def write_lut(transport, path, size, *, overwrite=False, title=None):
    """The fitted grade as a .cube, .3dl or HaldCLUT .png file, by extension
    (``title`` goes in a .cube; ``size`` is rounded to a Hald level for .png)."""
    lowered = path.lower()
    if lowered.endswith(".cube"):
        transport.to_cube(path, size=size, title=title, overwrite=overwrite)
        return
    from ._lut_formats import hald_level, write_3dl, write_hald

    if lowered.endswith(".3dl"):
        write_3dl(path, transport.to_lut(size), overwrite=overwrite)
    else:
        level = hald_level(size)
        write_hald(path, transport.to_lut(level**2), overwrite=overwrite)
