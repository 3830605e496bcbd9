"""The docstring examples run with the tests (``--doctest-modules``, see
pyproject.toml). Where an optional dependency (dask, matplotlib, ...) is not
installed, the examples that need it are skipped, not failed: a module that
imports it at the top is skipped whole, an example that imports it is skipped.
Only packages that are not installed at all count as missing, so an import that
breaks for any other reason still fails."""

import ast
import importlib.util
import os
from pathlib import Path

import pytest
from _pytest.doctest import DoctestItem

PACKAGE = Path(__file__).resolve().parent / "skcolorot"

# Under pytest-xdist (``-n 2`` in pyproject.toml) the workers share the cores: each
# gets its share of BLAS / OpenMP threads, or their spinning threads oversubscribe
# the machine. Set here, before the worker imports numpy and friends (and passed on
# to the commands a test starts); a value set by hand is kept.
if "PYTEST_XDIST_WORKER_COUNT" in os.environ:
    _cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    _threads = str(max(1, (_cores or 1) // int(os.environ["PYTEST_XDIST_WORKER_COUNT"])))
    for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(_name, _threads)


def _missing(statements):
    """Top-level packages imported (absolutely) by ``statements`` that are not installed."""
    names = set()
    for node in statements:
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return sorted(name for name in names if importlib.util.find_spec(name) is None)


class _SkippedModule(pytest.File):
    def __init__(self, *, reason, **kwargs):
        super().__init__(**kwargs)
        self.reason = reason

    def collect(self):
        pytest.skip(self.reason)


@pytest.hookimpl(wrapper=True)
def pytest_collect_file(file_path, parent):
    collectors = yield
    if file_path.suffix != ".py" or not file_path.is_relative_to(PACKAGE):
        return collectors
    # only the module's own top level: imports under try / if / def are guarded
    missing = _missing(ast.parse(file_path.read_bytes()).body)
    if not missing:
        return collectors
    reason = f"{file_path.relative_to(PACKAGE.parent)} needs {', '.join(missing)}"
    return [_SkippedModule.from_parent(parent, path=file_path, reason=reason)]


def pytest_collection_modifyitems(items):
    for item in items:
        if not isinstance(item, DoctestItem):
            continue
        statements = []
        for example in item.dtest.examples:
            try:
                statements += ast.parse(example.source).body
            except SyntaxError:
                continue
        missing = _missing(statements)
        if missing:
            item.add_marker(pytest.mark.skip(reason=f"needs {', '.join(missing)}"))
