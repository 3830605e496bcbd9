"""One fitted grade for many frames or image files, in parallel with Dask when it
is installed (the ``skcolorot[dask]`` extra), with a plain loop otherwise.

The transport is fitted once, by the caller, and shipped once to every worker:
every frame gets exactly the same grade. Files are read with Pillow (16-bit TIFF
through tifffile), graded, optionally regrained, and written atomically: an
interrupted batch leaves finished files and no half-written ones.
"""

import os
import warnings

import numpy as np
from sklearn.utils.validation import check_is_fitted

from .._utils._dtypes import unit_scale
from .._utils._input import is_dask_array
from ._image_formats import check_output_path
from ._outputs import outputs_in_directory
from .._utils._progress import Progress, track

__all__ = ["grade_files", "grade_frames", "sample_files"]

# Pixels pooled from all files by sample_files: as many as the largest default
# ``n_samples`` of a transport, so pooling never starves the fit.
_POOL_PIXELS = 200_000


def _has_dask():
    try:
        import dask  # noqa: F401
    except ImportError:
        return False
    return True


def _regrain_params(regrain):
    """``regrain`` argument -> what :func:`~skcolorot.image._apply_grade.regrained_grade`
    takes: None, ``CLEAN`` (True: the clean application of the grade) or the
    parameters of :func:`skcolorot.regrain`."""
    from ..image._apply_grade import CLEAN

    if regrain is None or regrain is False:
        return None
    if regrain is True:
        return CLEAN
    if isinstance(regrain, dict):
        return dict(regrain)
    from ..image._regrainer import Regrainer

    if isinstance(regrain, Regrainer):
        return regrain.get_params()
    raise TypeError(
        "regrain must be None, True, a dict of regrain parameters or a Regrainer; "
        f"got {type(regrain).__name__}."
    )


def _check_frames(frames):
    if frames.ndim != 4:
        raise ValueError(
            f"frames must be a batch of images (N, H, W, C); got shape {frames.shape}."
        )


def grade_frames(transport, frames, *, regrain=None):
    """Apply one fitted grade to a batch of frames.

    Parameters
    ----------
    transport : BaseTransport
        A fitted transport (e.g. :class:`~skcolorot.SlicedTransport`).
    frames : ndarray or dask.array.Array of shape (N, H, W, C)
        The frames, ``uint8``, ``uint16`` or float in [0, 1]. A dask array (e.g.
        chunked one frame per block) gives a lazy dask array.
    regrain : None, True, dict or Regrainer, default=None
        Also regrain every frame. ``True``: the grade applied as the default look
        applies its table (:func:`~skcolorot.image._clean.clean_grade`: on an
        edge-preserving base, the fine detail kept as luminance; no halo). A dict
        of :func:`skcolorot.regrain`'s parameters, or a :class:`Regrainer`: that
        guided regrain of the graded frame (the Pipeline's look).

    Returns
    -------
    graded : ndarray or dask.array.Array of shape (N, H, W, C)
        The frames' dtype. Equal to the in-memory result for a dask input.

    Examples
    --------
    >>> import numpy as np
    >>> from skcolorot import AffineTransport
    >>> from skcolorot.io._batch import grade_frames
    >>> rng = np.random.default_rng(0)
    >>> frames = rng.integers(0, 256, (4, 16, 16, 3), dtype=np.uint8)
    >>> grade = AffineTransport().fit(frames[0], frames[1] // 2)
    >>> grade_frames(grade, frames).shape
    (4, 16, 16, 3)
    """
    from ..image._apply_grade import CLEAN

    check_is_fitted(transport)
    params = _regrain_params(regrain)
    if is_dask_array(frames):
        _check_frames(frames)
        if params == CLEAN:
            # Each frame's edge-preserving base needs the whole frame: one block
            # per frame (or several whole frames) along the spatial axes.
            whole = frames.rechunk({1: -1, 2: -1, 3: -1})
            return whole.map_blocks(_regrain_each, transport, params, dtype=frames.dtype)
        graded = transport.transform(frames)
        if params is not None:
            from ..image._regrainer import regrain as regrain_images

            graded = regrain_images(frames, graded, **params)
        return graded
    frames = np.asarray(frames)
    _check_frames(frames)
    if params == CLEAN:
        return _regrain_each(frames, transport, params)
    graded = np.asarray(transport.transform(frames))
    if params is not None:
        from ..image._regrainer import regrain as regrain_images

        graded = regrain_images(frames, graded, **params)
    return graded


def _regrain_each(frames, transport, params):
    """Frames (N, H, W, C) graded and regrained one by one."""
    from ..image._apply_grade import regrained_grade

    out = np.empty_like(frames)
    for index, frame in enumerate(frames):
        out[index] = regrained_grade(frame, transport.transform, params)
    return out


def _grade_file(source_path, output_path, transport, regrain_params, overwrite, files=None,
                within=None):
    """Read, grade, (regrain,) write one file; runs on a worker. ``files`` (a
    ``FileIO``) converts to and from the working space and keeps ICC and EXIF.
    None when, without ``overwrite``, another writer created the output meanwhile
    (two runs into one folder): that file is left as it is."""
    from ._files import FileIO

    if not overwrite and os.path.lexists(output_path):
        return None  # appeared since the outputs were planned: not ours to replace
    files = FileIO() if files is None else files
    loaded = files.read(source_path)
    image = loaded.pixels
    from ..image._apply_grade import regrained_grade

    graded = regrained_grade(image, transport.transform, regrain_params)
    try:
        files.write(output_path, graded, loaded, overwrite=overwrite, within=within)
    except FileExistsError:
        if overwrite:
            raise
        return None  # created by another writer while this one was graded
    return output_path


def sample_files(paths, *, n_pixels=_POOL_PIXELS, random_state=0, files=None, progress=False):
    """Random pixels pooled equally from image files, to fit one grade on them all.

    Every file gives the same number of pixels (drawn with replacement; fewer
    from a file smaller than its share), so that every image weighs the same in
    the fit, whatever its size. Fit a transport
    on the sample, then grade the files with :func:`grade_files`.

    Parameters
    ----------
    paths : sequence of str or path-like
        Image files (PNG, JPEG, TIFF, ...).
    n_pixels : int, default=200_000
        Pixels in all, split evenly between the files (rounded up).
    random_state : int, numpy.random.Generator or None, default=0
        Seed of the draw.
    files : FileIO, default=None
        How files are read: pixels are taken in its working space (by default
        each file is converted from its embedded profile to sRGB).
    progress : bool, default=False
        Show a progress bar over the files on stderr.

    Returns
    -------
    sample : ndarray of shape (n, 3)
        RGB colours in [0, 1]: float64 from 8- and 16-bit files, the file's
        float dtype from float TIFF. Alpha is dropped.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from PIL import Image
    >>> from skcolorot.io._batch import sample_files
    >>> folder = tempfile.mkdtemp()
    >>> rng = np.random.default_rng(0)
    >>> paths = [os.path.join(folder, f"frame{i}.png") for i in range(2)]
    >>> for path, size in zip(paths, (32, 64)):
    ...     Image.fromarray(rng.integers(0, 256, (size, size, 3), dtype=np.uint8)).save(path)
    >>> sample_files(paths, n_pixels=1000).shape
    (1000, 3)
    """
    from ._files import FileIO

    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    paths = [os.fspath(path) for path in paths]
    if not paths:
        raise ValueError("sample_files needs at least one image file.")
    if isinstance(n_pixels, bool) or not isinstance(n_pixels, (int, np.integer)) or n_pixels < 1:
        raise ValueError(f"n_pixels must be a positive integer, got {n_pixels!r}.")
    files = FileIO() if files is None else files
    rng = np.random.default_rng(random_state)
    per_image = -(-n_pixels // len(paths))
    parts = []
    for path in track(paths, len(paths), "sampling", progress):
        image = files.read(path).pixels
        pixels = image.reshape(-1, image.shape[-1])[:, :3]
        index = rng.integers(0, len(pixels), size=min(per_image, len(pixels)))
        parts.append(pixels[index] / unit_scale(image.dtype))
    return np.concatenate(parts)


def _check_paths(inputs, outputs, output_dir, overwrite, within):
    """Every problem that can be seen before any work: fail before writing anything."""
    for path in inputs:
        if not os.path.isfile(path):
            raise FileNotFoundError(f"{path}: no such image file.")
    if os.path.exists(output_dir) and not os.path.isdir(output_dir):
        raise NotADirectoryError(f"{output_dir}: exists and is not a directory.")
    os.makedirs(output_dir, exist_ok=True)
    for source, output in zip(inputs, outputs):
        if os.path.exists(output) and os.path.samefile(source, output):
            raise ValueError(
                f"{output} is also an input; write the graded files to another directory."
            )
        check_output_path(output, overwrite=overwrite, within=within)


def _run_loop(tasks, bar):
    """Files on a thread per core: decoding, the compiled colour pass and encoding
    release the GIL. The first error stops the files not yet started."""
    from concurrent.futures import ThreadPoolExecutor

    from ..color._lut import n_threads

    workers = min(n_threads(), len(tasks))
    if workers <= 1:
        outputs = []
        for args in tasks:
            outputs.append(_grade_file(*args))
            bar.update()
        return outputs
    executor = ThreadPoolExecutor(workers, thread_name_prefix="skcolorot-batch")
    try:
        futures = [executor.submit(_grade_file, *args) for args in tasks]
        outputs = []
        for future in futures:
            outputs.append(future.result())
            bar.update()
        return outputs
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


def _run_delayed(tasks, transport, scheduler, bar):
    import uuid

    import dask
    from dask.callbacks import Callback

    # One task holds the transport: each worker process unpickles it once.
    shared = dask.delayed(transport, pure=True, traverse=False)
    # Named keys, to recognise these tasks in the progress callback; fresh ones
    # on every call, since the tasks write files (never reuse a cached result).
    batch = uuid.uuid4().hex
    keys = [f"grade-file-{batch}-{index}" for index in range(len(tasks))]
    jobs = [
        dask.delayed(_grade_file, pure=False, traverse=False)(
            source, output, shared, params, overwrite, files, within, dask_key_name=key
        )
        for key, (source, output, _, params, overwrite, files, within) in zip(keys, tasks)
    ]
    wanted = set(keys)

    def finished(key, result, dsk, state, worker_id):
        if key in wanted:
            bar.update()

    # The callback sees local schedulers (threads, processes, sync) only.
    with Callback(posttask=finished):
        return list(dask.compute(*jobs, scheduler=scheduler))


def _run_client(tasks, transport, client, bar):
    from distributed import as_completed

    shared = client.scatter(transport, broadcast=True, hash=False)
    sources = [task[0] for task in tasks]
    outputs = [task[1] for task in tasks]
    _, _, _, params, overwrite, files, within = tasks[0]
    futures = client.map(
        _grade_file, sources, outputs, transport=shared, regrain_params=params,
        overwrite=overwrite, files=files, within=within, pure=False,
    )
    try:
        for future in as_completed(futures):
            if future.status == "error":
                future.result()  # raises the worker's exception here
            bar.update()
        return client.gather(futures)
    except BaseException:
        client.cancel(futures)
        raise


def grade_files(
    transport,
    inputs,
    output_dir,
    *,
    regrain=None,
    overwrite=False,
    scheduler=None,
    client=None,
    progress=True,
    files=None,
    follow_symlinks=False,
):
    """Grade image files with one fitted transport and write them to a directory.

    Every file is read with Pillow, mapped with the same fitted ``transport``
    (optionally regrained) and written atomically to ``output_dir`` under its own
    name, in its own format. With Dask installed the files are graded in
    parallel: on ``client`` (a ``dask.distributed.Client``) with ``client.map``,
    else as ``dask.delayed`` tasks on ``scheduler``; without Dask, one by one.

    Parameters
    ----------
    transport : BaseTransport
        A fitted transport; it is not refitted, so every file gets the same grade.
    inputs : sequence of str or path-like
        Image files (PNG, JPEG, TIFF, ...). Their base names must differ.
    output_dir : str or path-like
        Directory of the outputs, created if missing.
    regrain : None, True, dict or Regrainer, default=None
        Also regrain every image, as :func:`grade_frames` does: ``True`` the
        clean application of the grade (no halo), a dict of
        :func:`skcolorot.regrain`'s parameters or a :class:`Regrainer` that
        guided regrain.
    overwrite : bool, default=False
        Replace existing output files. Otherwise an existing output raises
        ``FileExistsError`` before any file is graded.
    scheduler : str or None, default=None
        Dask scheduler for the delayed tasks (``"threads"``, ``"processes"``,
        ``"sync"``); ``None`` uses Dask's default (a running distributed
        ``Client`` if one is the default). Ignored when ``client`` is given.
    client : dask.distributed.Client, default=None
        Run on this cluster: the transport is scattered once to every worker.
    progress : bool, default=True
        Show a progress bar on stderr (tqdm's when it is installed, else a
        counter; with a distributed cluster only through ``client``).
    files : FileIO, default=None
        How files are read and written (working space, profiles, bit depth,
        JPEG quality); by default each file is converted from its embedded ICC
        profile to sRGB, graded, converted back and written with its profile and
        EXIF.
    follow_symlinks : bool, default=False
        Write through a symbolic link in ``output_dir`` that leads out of it
        (with ``overwrite``); by default such a link is refused before any work.

    Returns
    -------
    outputs : list of str
        The written files, in the order of ``inputs``. Without ``overwrite``,
        an output that another process creates while this call runs (two runs
        into one folder) is left as it is, with a warning, and not listed.

    Raises
    ------
    FileNotFoundError
        If an input does not exist.
    FileExistsError
        If an output exists and ``overwrite`` is False.
    ValueError
        If two inputs share a base name, an output would replace its input, or an
        extension names no format Pillow writes.

    Notes
    -----
    Checks that need no image (inputs exist, outputs are free, formats are
    known) run before any work. If a file fails to decode or write, the error
    is raised and files already written stay; none is left half-written.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from PIL import Image
    >>> from skcolorot import AffineTransport
    >>> from skcolorot.io._batch import grade_files
    >>> folder = tempfile.mkdtemp()
    >>> rng = np.random.default_rng(0)
    >>> frames = rng.integers(0, 256, (2, 16, 16, 3), dtype=np.uint8)
    >>> paths = [os.path.join(folder, f"frame{i}.png") for i in range(2)]
    >>> for path, frame in zip(paths, frames):
    ...     Image.fromarray(frame).save(path)
    >>> grade = AffineTransport().fit(frames[0], frames[1] // 2)
    >>> written = grade_files(grade, paths, os.path.join(folder, "graded"), progress=False)
    >>> [os.path.basename(path) for path in written]
    ['frame0.png', 'frame1.png']
    """
    check_is_fitted(transport)
    params = _regrain_params(regrain)
    if isinstance(inputs, (str, os.PathLike)):
        inputs = [inputs]
    inputs = [os.fspath(path) for path in inputs]
    output_dir = os.fspath(output_dir)
    if not inputs:
        return []
    outputs = outputs_in_directory(inputs, output_dir)
    within = None if follow_symlinks else output_dir
    _check_paths(inputs, outputs, output_dir, overwrite, within)
    tasks = [
        (source, output, transport, params, overwrite, files, within)
        for source, output in zip(inputs, outputs)
    ]

    if client is None and scheduler is not None and not _has_dask():
        raise ImportError(f"scheduler={scheduler!r} needs Dask: pip install 'skcolorot[dask]'.")
    with Progress(len(tasks), "grading", enabled=progress) as bar:
        if client is not None:
            written = _run_client(tasks, transport, client, bar)
        elif _has_dask():
            written = _run_delayed(tasks, transport, scheduler, bar)
        else:
            written = _run_loop(tasks, bar)
    left = [output for output, done in zip(outputs, written) if done is None]
    if left:
        shown = ", ".join(os.path.basename(path) for path in left[:3])
        warnings.warn(
            f"{len(left)} output{'s' * (len(left) != 1)} in {output_dir} appeared while "
            f"this batch ran (another writer?) and {'were' if len(left) > 1 else 'was'} "
            f"left as {'they are' if len(left) > 1 else 'it is'}: {shown}"
            f"{', ...' if len(left) > 3 else ''}",
            stacklevel=2,
        )
    return [path for path in written if path is not None]
