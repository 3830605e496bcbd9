"""The image side: one-call :func:`transfer` (``_transfer``), the
:class:`Regrainer` and :func:`regrain` (``_regrainer``) over the regrain
filters (``_regrain/``), and their lazy dask path (``_dask``)."""
