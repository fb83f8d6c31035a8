"""Every private scikit-learn name the package uses, imported in this one place.

scikit-learn does not promise to keep its private helpers from one minor release
to the next: the array API helpers (``sklearn.utils._array_api``) change with
nearly every release, and the declarative parameter validation
(``_param_validation``, ``_fit_context``) is private too. This is why
``pyproject.toml`` pins ``scikit-learn>=1.9,<1.10``: a new minor release is
admitted only once this module has been checked against it. Nothing else in the
package imports a private scikit-learn name.
"""

from sklearn.base import _fit_context
from sklearn.externals.array_api_compat import array_namespace
from sklearn.utils import _safe_indexing
from sklearn.utils._array_api import (
    _convert_to_numpy,
    _estimator_with_converted_arrays,
    _is_numpy_namespace,
    get_namespace,
    get_namespace_and_device,
)
from sklearn.utils._array_api import device as array_device
from sklearn.utils._array_api import move_to as sklearn_move_to
from sklearn.utils._chunking import get_chunk_n_rows
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.validation import _check_sample_weight, _num_features

__all__ = [
    "Interval",
    "Options",
    "StrOptions",
    "_check_sample_weight",
    "_convert_to_numpy",
    "_estimator_with_converted_arrays",
    "_fit_context",
    "_is_numpy_namespace",
    "_num_features",
    "_safe_indexing",
    "array_device",
    "array_namespace",
    "get_chunk_n_rows",
    "get_namespace",
    "get_namespace_and_device",
    "sklearn_move_to",
]
