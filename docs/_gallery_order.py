"""The order of the gallery: from a first colour transfer to batch grading.

A class named by a string in ``conf.py`` (not a function) keeps the Sphinx
configuration picklable, so incremental builds do not warn.
"""

ORDER = [
    "plot_color_transfer.py",
    "plot_regrain.py",
    "plot_artefacts.py",
    "plot_masked_grade.py",
    "plot_grayscale_toning.py",
    "plot_interpolation.py",
    "plot_barycenter.py",
    "plot_emd_vs_sinkhorn.py",
    "plot_grid_search.py",
    "plot_domain_adaptation.py",
    "plot_lut_export.py",
    "plot_dask_batch.py",
]


class ExampleOrder:
    """Sort key of sphinx-gallery's ``within_subsection_order``: ORDER, then by name."""

    def __init__(self, src_dir):
        self.src_dir = src_dir

    def __call__(self, filename):
        if filename in ORDER:
            return (ORDER.index(filename), filename)
        return (len(ORDER), filename)

    def __repr__(self):
        return "<ExampleOrder>"
