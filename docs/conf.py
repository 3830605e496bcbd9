"""Sphinx configuration of the skcolorot documentation.

Build (offline, from the repository root, after ``pip install ".[docs]"``)::

    python -m sphinx -W --keep-going -b html docs docs/_build/html

The gallery executes every ``examples/plot_*.py`` on small images; set
``SKCOLOROT_DOCS_NO_GALLERY=1`` to skip running them (the pages are then built
without their figures).
"""

import os
import sys
from datetime import date

import skcolorot

# The gallery examples run with the Agg backend and in this process.
os.environ.setdefault("MPLBACKEND", "Agg")
sys.path.insert(0, os.path.abspath("."))  # _gallery_order

project = "skcolorot"
author = "skcolorot developers"
copyright = f"{date.today().year}, {author}"
release = skcolorot.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

# No intersphinx: the build must work offline. Cross-references to numpy or
# scikit-learn stay plain text.
templates_path = ["_templates"]
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "**.ipynb_checkpoints"]
default_role = "literal"
nitpicky = False

# --------------------------------------------------------------- API reference
autosummary_generate = True
autosummary_imported_members = True
autodoc_default_options = {"member-order": "bysource"}
autodoc_typehints = "none"
# Classes list their methods through the autosummary template (members:),
# not through numpydoc, which would list each method twice.
numpydoc_show_class_members = False
numpydoc_show_inherited_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
numpydoc_attributes_as_param_list = True

# ---------------------------------------------------------------------- gallery
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "plot_gallery": "False" if os.environ.get("SKCOLOROT_DOCS_NO_GALLERY") else "True",
    "within_subsection_order": "_gallery_order.ExampleOrder",
    "download_all_examples": False,
    "remove_config_comments": True,
    "image_scrapers": ("matplotlib",),
    "matplotlib_animations": False,
    # An example that raises fails the build.
    "abort_on_example_error": False,
    "only_warn_on_example_error": False,
    "show_memory": False,
    "min_reported_time": 1,
}

# ------------------------------------------------------------------------- HTML
html_theme = "pydata_sphinx_theme"
html_title = f"skcolorot {release}"
html_static_path = []
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_sidebars = {"index": [], "user_guide": [], "benchmarks": []}
html_show_sourcelink = False


# ------------------------------------------------------------ benchmark results
# Every benchmarks/results/*.txt, shown on the Benchmarks page: written at build
# time so that a new result file needs no edit here.
_RESULTS = os.path.join(os.path.dirname(__file__), "..", "benchmarks", "results")
_RESULT_INTROS = {
    "quality": (
        "``python benchmarks/bench_quality.py --photos DIR``: colour fidelity and the "
        "artefact measures of ``skcolorot.metrics`` per pair, per category and "
        "overall, for ``transfer()`` and the anchors (color-matcher, "
        "python-color-transfer, scikit-image)."
    ),
    "dask": (
        "``python benchmarks/bench_dask.py``: frames per second on a batch of 1080p "
        "frames, in memory and with Dask (threads, and a local cluster of 1 or 2 "
        "worker processes)."
    ),
}


def _write_benchmark_results(app):
    import glob

    lines = []
    for path in sorted(glob.glob(os.path.join(_RESULTS, "*.txt"))):
        name = os.path.splitext(os.path.basename(path))[0]
        title = f"``benchmarks/results/{name}.txt``"
        lines += [title, "-" * len(title), ""]
        if name in _RESULT_INTROS:
            lines += [_RESULT_INTROS[name], ""]
        # Relative to the including page, docs/benchmarks.rst.
        relative = os.path.relpath(path, app.srcdir)
        lines += [f".. literalinclude:: {relative}", "   :language: text", ""]
    if not lines:
        lines = ["No results are committed yet: run the scripts in ``benchmarks/``.", ""]
    target = os.path.join(app.srcdir, "gen_modules", "benchmark_results.inc")
    os.makedirs(os.path.dirname(target), exist_ok=True)
    text = "\n".join(lines)
    if not os.path.exists(target) or open(target, encoding="utf-8").read() != text:
        with open(target, "w", encoding="utf-8") as stream:
            stream.write(text)


# ------------------------------------------------------------- inherited members
def _skip_scikit_learn_members(app, what, name, obj, skip, options):
    """Leave out what the estimators inherit from scikit-learn (get_params,
    set_output, set_fit_request, ...): documented there, and their docstrings
    point at scikit-learn's own pages."""
    module = getattr(obj, "__module__", None) or ""
    if module == "sklearn" or module.startswith("sklearn."):
        return True
    return None


def setup(app):
    app.connect("builder-inited", _write_benchmark_results)
    app.connect("autodoc-skip-member", _skip_scikit_learn_members)
