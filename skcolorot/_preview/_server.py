"""The preview's HTTP server: a page, a few JSON and JPEG endpoints, exports.

Routes (GET unless said; every query parameter is a :class:`Settings` field or,
for exports, ``size`` / ``format``; none names a file):

``/``, ``/app.js``, ``/style.css``   the page (package data, nothing else is served)
``/api/info``                        file names, sizes, methods, default settings
``/api/before.jpg``                  the source's proxy
``/api/render.jpg``                  the look of the proxy (``X-Render-Ms``: server time)
``/api/candidate.jpg``               the look of a thumbnail (the candidate strip)
``/api/curves``                      the look along the grey axis, per channel
``/api/measures``                    artefact measures (:mod:`skcolorot.metrics`)
``/api/command``                     the ``skcolorot lut`` / ``transfer`` commands
``/export.cube``                     the look as ``.cube``, what ``skcolorot lut`` writes
``/export/image``                    the full-size look, ``format=png|jpg|tif``
``POST /api/upload?role=...``        a new source / reference (size-limited body)
"""

import json
import os
import re
import tempfile
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.resources import files as package_files
from urllib.parse import parse_qs, urlsplit

import numpy as np

from ._session import IMAGE_FORMATS, PreviewSession, parse_settings

__all__ = ["HOST", "PreviewServer", "preview"]

HOST = "127.0.0.1"  # loopback only: the page reads and writes the user's images
MAX_UPLOAD = 64 << 20  # bytes; a 12 MP 16-bit TIFF is about 70 MB, a JPEG a tenth
_STATIC = {
    "/": ("index.html", "text/html; charset=utf-8"),
    "/index.html": ("index.html", "text/html; charset=utf-8"),
    "/app.js": ("app.js", "text/javascript; charset=utf-8"),
    "/style.css": ("style.css", "text/css; charset=utf-8"),
}
_UPLOAD_ROLES = ("source", "reference", "add-reference")


def _safe_name(name, default):
    """A display name without folders or control characters (never opened)."""
    name = os.path.basename(str(name or "").replace("\\", "/"))
    name = re.sub(r"[^\w.+ -]", "_", name)[:100].strip()
    return name or default


class PreviewServer(ThreadingHTTPServer):
    """A :class:`~http.server.ThreadingHTTPServer` on 127.0.0.1 serving one
    :class:`PreviewSession`.

    Parameters
    ----------
    session : PreviewSession
    port : int, default=0
        0 picks a free port.
    max_upload : int, default=64 MiB
        Largest upload body, in bytes.
    """

    daemon_threads = True

    def __init__(self, session, port=0, *, max_upload=MAX_UPLOAD):
        super().__init__((HOST, port), _Handler)
        self.session, self.max_upload = session, max_upload
        self._thread = None

    @property
    def url(self):
        return f"http://{HOST}:{self.server_address[1]}/"

    def start(self):
        """Serve from a daemon thread (the notebook's way); returns self."""
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)
        self._thread.start()
        return self

    def warm_up(self):
        """Fit the default method (and its regrain) in the background, so that the
        first picture is ready soon after the page."""
        settings = self.session.defaults
        threading.Thread(target=self.session.colors, args=(settings,), daemon=True).start()
        return self

    def close(self):
        """Stop serving and release the port."""
        if self._thread is not None:
            self.shutdown()
        self.server_close()


class _Handler(BaseHTTPRequestHandler):
    server_version = "skcolorot-preview"
    protocol_version = "HTTP/1.1"
    # Headers and body go out as separate writes: without this, Nagle's algorithm
    # and the client's delayed ACK hold each reply back (measured: +200 ms a slider).
    disable_nagle_algorithm = True

    def log_message(self, format, *args):  # noqa: A002 - http.server's name
        pass  # the terminal shows the URL, not a line per request

    # ------------------------------------------------------------ replies
    def _send(self, body, content_type, status=HTTPStatus.OK, headers=()):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        for key, value in headers:
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, value, status=HTTPStatus.OK):
        self._send(json.dumps(value).encode(), "application/json", status)

    def _error(self, status, message):
        self._json({"error": message}, status)

    def _host_ok(self):
        # A page on another site that resolves its name to 127.0.0.1 (DNS
        # rebinding) sends its own Host: refused.
        port = self.server.server_address[1]
        allowed = (f"{HOST}:{port}", f"localhost:{port}")
        origin = self.headers.get("Origin")
        return self.headers.get("Host") in allowed and (
            origin is None or origin in [f"http://{host}" for host in allowed]
        )

    # ------------------------------------------------------------ routes
    def do_GET(self):
        if not self._host_ok():
            return self._error(HTTPStatus.FORBIDDEN, "only this page's own requests are served")
        parts = urlsplit(self.path)
        query = parse_qs(parts.query, keep_blank_values=True)
        try:
            self._get(parts.path, query)
        except ValueError as error:
            self._error(HTTPStatus.BAD_REQUEST, str(error))
        except Exception as error:  # the page shows it; the server stays up
            self._error(HTTPStatus.INTERNAL_SERVER_ERROR, f"{type(error).__name__}: {error}")

    do_HEAD = do_GET

    def _get(self, path, query):
        session = self.server.session
        if path in _STATIC:
            if query:
                raise ValueError("the page takes no parameters")
            name, content_type = _STATIC[path]
            body = (package_files(__package__) / "static" / name).read_bytes()
            return self._send(body, content_type)
        if path == "/api/info":
            return self._json(session.info())
        if path == "/api/before.jpg":
            return self._send(session.before(), "image/jpeg")
        if path in ("/api/render.jpg", "/api/candidate.jpg"):
            settings = parse_settings(query, session.defaults)
            started = time.perf_counter()
            proxy = "proxy" if path == "/api/render.jpg" else "thumb"
            body = session.render(settings, proxy)
            elapsed = f"{1000 * (time.perf_counter() - started):.0f}"
            return self._send(body, "image/jpeg", headers=[("X-Render-Ms", elapsed)])
        if path == "/api/curves":
            return self._json(session.curves(parse_settings(query, session.defaults)))
        if path == "/api/measures":
            return self._json(session.measures(parse_settings(query, session.defaults)))
        if path == "/api/command":
            return self._json(session.command(parse_settings(query, session.defaults)))
        if path == "/export.cube":
            settings = parse_settings(query, session.defaults, extra=("size",))
            size = query.get("size", ["33"])[-1]
            if not size.isdigit() or not 2 <= int(size) <= 256:
                raise ValueError("size must be an integer in [2, 256]")
            body = session.cube(settings, int(size))
            return self._attachment(body, "text/plain; charset=utf-8", ".cube")
        if path == "/export/image":
            settings = parse_settings(query, session.defaults, extra=("format",))
            file_format = query.get("format", ["png"])[-1]
            if file_format not in IMAGE_FORMATS:
                raise ValueError(f"format must be one of {', '.join(IMAGE_FORMATS)}")
            body = session.image(settings, file_format)
            kind = {"png": "image/png", "jpg": "image/jpeg", "tif": "image/tiff"}[file_format]
            return self._attachment(body, kind, IMAGE_FORMATS[file_format])
        self._error(HTTPStatus.NOT_FOUND, "no such page")

    def _attachment(self, body, content_type, extension):
        stem = os.path.splitext(_safe_name(self.server.session.names[0], "look"))[0]
        filename = re.sub(r"[^\w.-]", "_", f"{stem}_look{extension}")
        disposition = ("Content-Disposition", f'attachment; filename="{filename}"')
        self._send(body, content_type, headers=[disposition])

    def do_POST(self):
        if not self._host_ok():
            return self._error(HTTPStatus.FORBIDDEN, "only this page's own requests are served")
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        if parts.path != "/api/upload":
            return self._error(HTTPStatus.NOT_FOUND, "no such page")
        role = query.get("role", [""])[-1]
        if set(query) - {"role"} or role not in _UPLOAD_ROLES:
            return self._error(HTTPStatus.BAD_REQUEST, f"role must be one of {_UPLOAD_ROLES}")
        length = self.headers.get("Content-Length")
        if length is None or not length.isdigit():
            return self._error(HTTPStatus.LENGTH_REQUIRED, "Content-Length is required")
        if int(length) > self.server.max_upload:
            # Not read: the connection closes instead.
            self.close_connection = True
            limit = self.server.max_upload / (1 << 20)
            return self._error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                               f"upload larger than the limit of {limit:g} MiB")
        body = self.rfile.read(int(length))
        name = _safe_name(self.headers.get("X-Filename"), f"{role}.png")
        try:
            self._upload(role, body, name)
        except ValueError as error:
            self._error(HTTPStatus.BAD_REQUEST, str(error))

    def _upload(self, role, body, name):
        session = self.server.session
        # TIFF by its magic number (16 bits through tifffile); the rest Pillow sniffs.
        suffix = ".tif" if body[:4] in (b"II*\0", b"MM\0*") else ".img"
        with tempfile.TemporaryDirectory(prefix="skcolorot-upload-") as folder:
            path = os.path.join(folder, "upload" + suffix)
            with open(path, "wb") as file:
                file.write(body)
            try:
                # The CLI's reader: decompression-bomb limit, ICC profile, EXIF orientation.
                loaded = session.files.read(path)
            except ValueError as error:
                raise ValueError(str(error).replace(path, name)) from None
        height, width = loaded.pixels.shape[:2]
        if height * width < 2:
            raise ValueError(f"{name}: a 1-pixel image holds no colour distribution to fit")
        if role == "source":
            from ..io._files import is_gray

            if is_gray(loaded.pixels):
                raise ValueError(f"{name} is grayscale: a grade fitted on it is undefined")
        session.replace(role, loaded, name)
        self._json(session.info())


def _loaded(image, files, name):
    """An array (or a path, read as the CLI reads it) as a Loaded image."""
    from ..io._files import Loaded

    if isinstance(image, (str, os.PathLike)):
        return files.read(image), os.fspath(image)
    pixels = np.asarray(image)
    if pixels.ndim != 3 or pixels.shape[-1] not in (3, 4):
        raise ValueError(f"{name} must be an (H, W, 3) or (H, W, 4) image, got {pixels.shape}.")
    depth = 32 if pixels.dtype.kind == "f" else 8 * pixels.dtype.itemsize
    return Loaded(pixels, None, None, False, depth), f"{name}.png"


def preview(source, reference, *, method="sliced", port=0, open_browser=False,
            height=760, **params):
    """Look development in the browser: the page of ``skcolorot preview``.

    Serves the page from a background thread on 127.0.0.1 and, in a notebook
    (IPython installed), shows it in an IFrame; elsewhere prints its URL.

    Parameters
    ----------
    source : ndarray of shape (H, W, 3) or (H, W, 4), or path
        The image to grade (uint8, uint16 or float in [0, 1]); a path is read
        with colour management, as the CLI reads it.
    reference : ndarray or path, or a list of them
        The reference(s); several: their Wasserstein barycentre.
    method : {"affine", "sinkhorn", "sliced", "gmm", "emd"}, default="sliced"
        The method the page starts with.
    port : int, default=0
        0 picks a free port.
    open_browser : bool, default=False
        Also open the page in the default browser.
    height : int, default=760
        Height of the IFrame, in pixels.
    **params
        Parameters of the starting method's transport, e.g. ``n_slices=8``.

    Returns
    -------
    server : PreviewServer
        ``server.url`` is the page; ``server.close()`` stops it.

    Examples
    --------
    >>> from sklearn.datasets import load_sample_image
    >>> from skcolorot import preview
    >>> server = preview(load_sample_image("china.jpg"),
    ...                  load_sample_image("flower.jpg"))  # doctest: +SKIP
    >>> server.close()  # doctest: +SKIP
    """
    from ..io._files import FileIO

    files = FileIO()
    references = reference if isinstance(reference, (list, tuple)) else [reference]
    loaded, source_name = _loaded(source, files, "source")
    pairs = [_loaded(ref, files, f"reference{i + 1}" if len(references) > 1 else "reference")
             for i, ref in enumerate(references)]
    session = PreviewSession(loaded, [ref.pixels for ref, _ in pairs], files,
                             [source_name, *(name for _, name in pairs)],
                             method=method, params=params)
    server = PreviewServer(session, port).start().warm_up()
    if open_browser:
        import webbrowser

        webbrowser.open(server.url)
    try:
        from IPython.display import IFrame, display
    except ImportError:
        print(f"skcolorot preview: {server.url}")
    else:
        display(IFrame(server.url, width="100%", height=height))
    return server
