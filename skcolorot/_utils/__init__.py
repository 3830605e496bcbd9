"""What every room shares: input validation and the transported-array guide
(``_input``), dtype scales (``_dtypes``), scikit-learn compatibility
(``_compat``), progress reporting (``_progress``) and signal handling
(``_signals``). Imports nothing else of the package."""
