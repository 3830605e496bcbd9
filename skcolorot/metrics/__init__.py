"""Quality measures of a colour transfer: colour fidelity, luminance structure and
sliced Wasserstein distances (``_distances``), the multi-scale sliced Wasserstein
distance of Lab patches (``_msswd``), and artefact measures at 1:1 against the
source (``_artefacts``: splits, halos, haze, false contours; ``_artefacts_color``:
rare colours, flat-area noise, new edges). Names load on first use."""

from .._utils._lazy import attach

__getattr__, __dir__, __all__ = attach(
    __name__,
    {
        "color_fidelity": "._distances",
        "luminance_ssim": "._distances",
        "sliced_wasserstein": "._distances",
        "sliced_wasserstein_scorer": "._distances",
        "ms_swd": "._msswd",
        "region_splits": "._artefacts",
        "halo_width": "._artefacts",
        "haze": "._artefacts",
        "false_contours": "._artefacts",
        "rare_color_collapse": "._artefacts_color",
        "flat_noise": "._artefacts_color",
        "new_edges": "._artefacts_color",
        "artefact_report": "._artefacts_color",
        "describe_artefacts": "._artefacts_color",
    },
)
