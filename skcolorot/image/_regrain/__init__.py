"""The regrain filters behind :class:`skcolorot.Regrainer` and :func:`skcolorot.regrain`.

Private: the public module :mod:`skcolorot.image._regrainer` validates the parameters and
calls :func:`regrain_arrays` (or, for dask arrays, :mod:`skcolorot._dask`, which
uses :func:`regrain_halo` and :func:`regrain_arrays` per block). Nothing in this
package imports either of them, so neither can form an import cycle with it.
Modules: ``_resample`` (planar layout, box-down and bilinear upsampling),
``_guided`` (the fast guided filter and its coarse grid), ``_pitie`` (Pitié's
multi-scale solver), ``_halo`` (how far the filter reaches), ``_driver`` (image
checks, batches and row strips), ``_known`` (the defaults, and regraining with
parameters that need no checking, for ``transfer()``'s rounds).
"""

from ._driver import check_image, regrain_arrays
from ._guided import MIN_EPS
from ._halo import regrain_halo
from ._known import REGRAIN_DEFAULTS, regrain_known
from ._pitie import MIN_SMOOTHNESS

__all__ = [
    "MIN_EPS",
    "MIN_SMOOTHNESS",
    "REGRAIN_DEFAULTS",
    "check_image",
    "regrain_arrays",
    "regrain_halo",
    "regrain_known",
]
