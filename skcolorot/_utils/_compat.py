"""The one module that imports scikit-learn's private names.

scikit-learn's own estimators are built on these helpers (parameter constraints,
the fit context, feature-name checks, output configuration, safe indexing), but
they are not public API and a release may move or rename them. Every other module
imports them from here, so such a change is one edit in one file;
``tests/test_compat.py`` keeps it that way.

Tested with scikit-learn 1.9.1, the newest release when this was written
(December 2026); every name below is also defined, at the same place, in the
source of 1.6.0, the floor in ``pyproject.toml`` (the first release with
``sklearn.utils.validation.validate_data``). No upper bound: no release known
to break these names exists yet.
"""

from sklearn.base import _fit_context
from sklearn.utils import _safe_indexing
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils._set_output import _get_output_config
from sklearn.utils.metadata_routing import _routing_enabled
from sklearn.utils.validation import _check_feature_names, _num_features, _num_samples

__all__ = [
    "HasMethods",
    "Interval",
    "StrOptions",
    "_check_feature_names",
    "_fit_context",
    "_get_output_config",
    "_num_features",
    "_num_samples",
    "_routing_enabled",
    "_safe_indexing",
]
