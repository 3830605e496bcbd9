"""The transports and what they share.

``_base`` holds :class:`BaseTransport` (validation, colour spaces, the grade
table, ``transform``, ``score``, export); each method lives in its own module
(``_affine``, ``_sinkhorn``, ``_sliced``, ``_gmm``, ``_emd``) and composes the
shared pieces: the plan helpers (``_plan``), the regular table (``_regular``),
barycentres (``_barycenter``) and the lazy dask path (``_dask``).
"""
