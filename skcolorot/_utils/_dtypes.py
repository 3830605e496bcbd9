"""Encoded-integer images: the dtypes we read as colours, and the value that stands
for 1.0 in each. numpy only, so the light modules (LUT files, image I/O) share the
table without loading scikit-learn."""

import numpy as np

__all__ = ["INTEGER_SCALES", "unit_scale"]

INTEGER_SCALES = {np.dtype(np.uint8): 255.0, np.dtype(np.uint16): 65535.0}


def unit_scale(dtype):
    """The value standing for 1.0 in ``dtype``: 255 or 65535, and 1 for floats.

    Other integer dtypes are not colours we read or write; they raise.
    """
    dtype = np.dtype(dtype).newbyteorder("=")  # big-endian uint16 is uint16 too
    if dtype.kind == "f":
        return 1.0
    try:
        return INTEGER_SCALES[dtype]
    except KeyError:
        raise TypeError(f"images of dtype {dtype} are not supported; use uint8, "
                        "uint16 or float.") from None
