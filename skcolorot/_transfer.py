"""One-call colour transfer for images, and the factory behind the CLI's ``--method``."""

from importlib import import_module

import numpy as np

from ._input import check_colors

__all__ = ["METHODS", "make_transport", "transfer"]

# method name -> (module, class). Imported on first use: a method's module (and
# its dependencies) load only when someone asks for that method.
_TRANSPORTS = {
    "affine": ("skcolorot.affine", "AffineTransport"),
    "sinkhorn": ("skcolorot.sinkhorn", "SinkhornTransport"),
    "sliced": ("skcolorot.sliced", "SlicedTransport"),
    "gmm": ("skcolorot.gmm", "GMMTransport"),
    "emd": ("skcolorot.emd", "EMDTransport"),
}
METHODS = tuple(_TRANSPORTS)


def _transport_class(method):
    if not isinstance(method, str) or method not in _TRANSPORTS:
        raise ValueError(f"method must be one of {', '.join(map(repr, METHODS))}; got {method!r}.")
    module_name, class_name = _TRANSPORTS[method]
    return getattr(import_module(module_name), class_name)


def make_transport(method="sliced", **params):
    """An unfitted transport estimator, chosen by name.

    Parameters
    ----------
    method : {"affine", "sinkhorn", "sliced", "gmm", "emd"}, default="sliced"
        :class:`AffineTransport`, :class:`SinkhornTransport`,
        :class:`SlicedTransport`, :class:`GMMTransport` or :class:`EMDTransport`.
    **params
        Parameters of that estimator (e.g. ``reg=0.01`` for ``"sinkhorn"``,
        ``n_slices=8`` for ``"sliced"``). A name the estimator does not have
        raises its ``set_params`` error, which lists the valid ones.

    Returns
    -------
    transport : BaseTransport
        The estimator, not fitted.

    Examples
    --------
    >>> from skcolorot._transfer import make_transport
    >>> make_transport("affine", covariance="diag", color_space="lab")
    AffineTransport(color_space='lab', covariance='diag')
    """
    return _transport_class(method)().set_params(**params)


def transfer(
    source,
    target,
    method="sliced",
    *,
    regrain=False,
    color_space="rgb",
    t=1.0,
    random_state=0,
    regrain_params=None,
    weights=None,
    **params,
):
    """Give ``source`` the colours of ``target``, in one call.

    Fits a transport from the colours of ``source`` to those of ``target`` and
    applies it to ``source``; optionally regrains the result (keeps the source's
    fine detail, removes the grain and banding a colour map can add).

    Parameters
    ----------
    source : array-like of shape (H, W, 3) or (H, W, 4)
        The image to recolour: uint8, uint16 or float in [0, 1]. An alpha channel
        passes through untouched.
    target : array-like of shape (H', W', 3) or (H', W', 4), or a list of them
        The image whose colours to take; any size. A list or tuple of arrays
        is several references: the target is their Wasserstein barycentre
        (:func:`skcolorot.barycenter`, ``method="sliced"``) with ``weights``.
    method : {"affine", "sinkhorn", "sliced", "gmm", "emd"}, default="sliced"
        The transport (see :func:`make_transport`).
    regrain : bool, default=False
        Post-process with :func:`skcolorot.regrain.regrain`.
    color_space : {"rgb", "lab", "oklab"}, default="rgb"
        Space in which the transport is fitted and applied.
    t : float in [0, 1], default=1.0
        How far to move: ``0`` returns the source, ``1`` the full transfer.
    random_state : int, RandomState instance or None, default=0
        Seed of the transport's sub-sampling (and random parts); fixed by default
        so that the same call gives the same image.
    regrain_params : dict, default=None
        Keyword arguments of :func:`skcolorot.regrain.regrain`.
    weights : array-like of shape (n_references,), default=None
        Weights of several references (``None``: equal).
    **params
        Other parameters of the transport, e.g. ``reg=0.01``.

    Returns
    -------
    result : ndarray of the same shape and dtype as ``source``

    Examples
    --------
    >>> import numpy as np
    >>> from skcolorot._transfer import transfer
    >>> rng = np.random.default_rng(0)
    >>> source = (rng.random((32, 32, 3)) * 100).astype(np.uint8)
    >>> target = (155 + rng.random((16, 16, 3)) * 100).astype(np.uint8)
    >>> result = transfer(source, target, method="affine")
    >>> result.shape, result.dtype, bool(result.mean() > 150)
    ((32, 32, 3), dtype('uint8'), True)
    """
    transport = make_transport(
        method, color_space=color_space, t=t, random_state=random_state, **params
    )
    if isinstance(target, (list, tuple)) and all(hasattr(r, "shape") for r in target):
        from ._barycenter import barycenter

        target = barycenter(target, weights, color_space=color_space, random_state=random_state)
    elif weights is not None:
        raise ValueError("weights are for several references: pass target as a list of images.")
    source_data = check_colors(source, "source")
    target_data = check_colors(target, "target", n_channels=source_data.n_channels)
    for data in (source_data, target_data):
        if data.is_image and not data.in_unit_range():
            # The image output is clipped to [0, 1]: 0-255 floats would come back white.
            raise ValueError(
                f"{data.name} is a float image with values outside [0, 1] (max "
                f"{data.value_range[1]:g}); pass uint8 / "
                "uint16, or floats in [0, 1] (e.g. image / 255)."
            )
    mapped = transport.fit(source, target).transform(source)
    if regrain:
        from .regrain import regrain as regrain_image

        mapped = regrain_image(source, mapped, **(regrain_params or {}))
    elif regrain_params:
        raise ValueError("regrain_params were given but regrain=False; pass regrain=True.")
    # A plain array: the guide reference of TransportedArray is for Pipelines only.
    return np.asarray(mapped)
