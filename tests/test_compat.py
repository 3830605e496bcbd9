"""scikit-learn's private names are imported in one module only: skcolorot._utils._compat."""

import ast
from pathlib import Path

import skcolorot

PACKAGE = Path(skcolorot.__file__).parent


def _is_private(dotted):
    return any(part.startswith("_") for part in dotted.split("."))


def _private_sklearn_imports(tree):
    """``(line, name)`` of every private scikit-learn name that ``tree`` imports."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "sklearn" and _is_private(alias.name):
                    found.append((node.lineno, alias.name))
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.split(".")[0] != "sklearn":
                continue
            for alias in node.names:
                name = f"{node.module}.{alias.name}"
                if _is_private(name):
                    found.append((node.lineno, name))
    return found


def test_the_scan_sees_every_form_of_private_import():
    source = (
        "from sklearn.base import _fit_context, clone\n"
        "from sklearn.utils._param_validation import Interval\n"
        "import sklearn.utils._set_output\n"
        "def f():\n    from sklearn.utils import _safe_indexing\n"
        "from sklearn.utils import check_random_state\n"
        "from ._compat import _fit_context\n"
    )
    names = [name for _, name in _private_sklearn_imports(ast.parse(source))]
    assert sorted(names) == [
        "sklearn.base._fit_context",
        "sklearn.utils._param_validation.Interval",
        "sklearn.utils._safe_indexing",
        "sklearn.utils._set_output",
    ]


def test_only_compat_imports_private_sklearn_names():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative == "_utils/_compat.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        offenders += [f"{relative}:{line} {name}" for line, name in _private_sklearn_imports(tree)]
    assert not offenders, "import these from skcolorot._utils._compat:\n" + "\n".join(offenders)

