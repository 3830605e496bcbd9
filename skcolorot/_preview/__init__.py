"""Look development in the browser: ``skcolorot preview`` and :func:`skcolorot.preview`.

A local page shows the source before / after a grade, with sliders for the
look's adjustments (:mod:`skcolorot.image._look`), candidates of every method,
the grade's curves, and exports (``.cube``, the full-size image, the command).

Why the standard library's :class:`http.server.ThreadingHTTPServer` and plain
JavaScript shipped as package data, rather than a web framework or a notebook
widget library: the page has a handful of endpoints and one user, a framework
would be a new runtime dependency for every user of the package (and a larger
attack surface) for none of its features, and a page built from files inside
the package works offline, with no CDN, in a browser, in an IFrame of a
notebook and in a test. The server binds 127.0.0.1 only, refuses other
``Host`` / ``Origin`` headers, never takes a path in a request, and decodes
uploads (size-limited) with the CLI's own reader and its decompression-bomb
limit.

Speed: the grade is fitted once per method and set of references (on the full
source, as ``skcolorot lut`` fits it); a slider only rebuilds the look's 33^3
table and re-interpolates a screen-size proxy whose tetrahedral weights are
computed once.
"""
