"""The API reference and the package agree: every name the reference lists
imports, and every public name of the package is in the reference. (Building the
site itself, gallery included, is CI's docs step, too slow for the test suite.)"""

import importlib
import re
from pathlib import Path

import pytest

import skcolorot

DOCS = Path(__file__).resolve().parent.parent / "docs"


def _reference_entries():
    """(module, name) of every autosummary entry in docs/api.rst."""
    entries = []
    module = None
    in_autosummary = False
    for line in (DOCS / "api.rst").read_text(encoding="utf-8").splitlines():
        current = re.match(r"\.\. currentmodule:: (\S+)", line)
        if current:
            module = current.group(1)
            continue
        if line.startswith(".. autosummary::"):
            in_autosummary = True
            continue
        if in_autosummary:
            if line.strip().startswith(":") or not line.strip():
                continue
            if not line.startswith("   "):
                in_autosummary = False
                continue
            entries.append((module, line.strip()))
    return entries


ENTRIES = _reference_entries()


def test_reference_lists_something():
    assert len(ENTRIES) > 20
    assert ("skcolorot.io", "grade_files") in ENTRIES


@pytest.mark.parametrize("module, name", ENTRIES, ids=[f"{m}.{n}" for m, n in ENTRIES])
def test_reference_entry_imports(module, name):
    obj = importlib.import_module(module)
    for part in name.split("."):
        obj = getattr(obj, part)
    assert obj.__doc__, f"{module}.{name} has no docstring for the reference"


def test_every_public_name_is_in_the_reference():
    listed = {name for module, name in ENTRIES if module == "skcolorot"}
    listed |= {name.rsplit(".", 1)[-1] for module, name in ENTRIES}
    missing = sorted(set(skcolorot.__all__) - listed)
    assert not missing, f"add to docs/api.rst: {missing}"
