"""Moving a fitted model between array namespaces and devices (numpy, torch, CuPy...)."""

from functools import partial

import numpy as np

from ._compat import _estimator_with_converted_arrays
from ._compat import sklearn_move_to as _move_array


def _convert(array, xp, device):
    # String labels (classes_) have no place in most namespaces: they stay numpy.
    if isinstance(array, np.ndarray) and array.dtype.kind not in "biuf":
        return array
    return _move_array(array, xp=xp, device=device)


def move_to(estimator, xp, device=None):
    """A copy of a fitted estimator whose arrays live in namespace ``xp`` on ``device``.

    A model fitted on PyTorch (or CuPy, ...) arrays under
    ``sklearn.set_config(array_api_dispatch=True)`` keeps its ``params_`` in that
    namespace and device, and predicts only on inputs of the same kind. Use
    ``move_to(model, numpy)`` to get a numpy model (to save it, or to predict on
    numpy arrays), or ``move_to(model, torch, "cuda")`` to go the other way.
    Labels that are strings stay numpy arrays.

    Parameters
    ----------
    estimator : ShallowNNClassifier or Pipeline
        A fitted estimator.
    xp : module
        The target namespace: ``numpy``, ``torch``, ``cupy``, ``array_api_strict``...
    device : str or device, default=None
        The target device (``"cpu"``, ``"cuda"``...); ``None`` for numpy.

    Returns
    -------
    moved : estimator
        A new fitted estimator; ``estimator`` is left as it was.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_iris
    >>> from sklearn_shallow import ShallowNNClassifier, move_to
    >>> X, y = load_iris(return_X_y=True)
    >>> model = ShallowNNClassifier(max_iter=5, tol=None).fit(X, y)
    >>> type(move_to(model, np).params_["W1"]).__name__
    'ndarray'
    """
    if xp is np:
        device = "cpu"
    return _estimator_with_converted_arrays(estimator, partial(_convert, xp=xp, device=device))
