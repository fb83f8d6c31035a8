"""Array-namespace helpers: which namespace an array lives in, and moving arrays between them.

The steps of :mod:`.network` work on any namespace that follows the array API
standard (numpy, PyTorch, CuPy, array-api-strict...); scipy's L-BFGS-B and the
labels work on numpy. :func:`move` is the one way the package moves an array
from one namespace or device to another.
"""

import numpy as np
import scipy.sparse as sp

from ._compat import (
    _convert_to_numpy,
    _is_numpy_namespace,
    _safe_indexing,
    array_device,
    array_namespace,
)

__all__ = ["copied", "flush_subnormal", "is_numpy", "move", "namespace", "take_rows"]


def namespace(array):
    """The array API namespace of a dense array (numpy's for scipy sparse)."""
    if sp.issparse(array):
        return array_namespace(np.empty(0))
    return array_namespace(array)


def is_numpy(xp):
    """Whether ``xp`` is numpy (or a wrapper of it)."""
    return _is_numpy_namespace(xp)


def move(array, xp=np, device=None):
    """``array`` in namespace ``xp`` on ``device``: the one way arrays change namespace.

    ``move(A, np)`` brings an array of any namespace (torch, CuPy...) to numpy;
    ``move(A, xp, device)`` sends a numpy array to ``xp``. ``None``, scipy sparse
    matrices and objects that are no arrays (lists, data frames) are returned
    unchanged when the target is numpy, as is a numpy array sent to numpy.
    """
    if array is None or sp.issparse(array):
        return array
    if is_numpy(xp):
        if isinstance(array, np.ndarray):
            return array
        if not hasattr(array, "__array_namespace__") and not hasattr(array, "__dlpack__"):
            return array
        return _convert_to_numpy(array, namespace(array))
    return xp.asarray(array, device=device)


def copied(params):
    """Copies of the parameters (in their namespace and device)."""
    return {name: namespace(P).asarray(P, copy=True) for name, P in params.items()}


def take_rows(A, rows):
    """Rows of ``A`` (numpy, scipy sparse or any array API array) for a slice or indices.

    A slice of a dense array is a view; indices (a numpy array) copy only the rows
    they name.
    """
    if A is None:
        return None
    if isinstance(rows, slice):
        return A[rows] if sp.issparse(A) else A[rows, ...]
    if sp.issparse(A) or isinstance(A, np.ndarray):
        return _safe_indexing(A, rows)
    xp = namespace(A)
    return xp.take(A, xp.asarray(rows, device=array_device(A)), axis=0)


def flush_subnormal(P, xp):
    """Set entries with ``|P| < tiny`` to zero.

    Subnormal floats make every later operation on them much slower; weights of
    dead units and optimiser moments decay geometrically into that range.
    """
    tiny = xp.finfo(P.dtype).smallest_normal
    return xp.where(xp.abs(P) < tiny, xp.zeros_like(P), P)
