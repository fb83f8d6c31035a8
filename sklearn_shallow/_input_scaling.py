"""The scaling of the inputs inside the model: what ``input_scaling`` does.

The network is trained on, and predicts from, ``(X - X_offset_) / X_scale_``
(one offset and one scale per feature), computed by the first fit and kept by
continued fits, so that the scale of ``X`` (or the scaler in front of the
model, or the lack of one) no longer decides whether the defaults work:

- ``'minmax'``: each feature to ``[0, 1]`` (offset its minimum, scale its
  range), as ``MinMaxScaler`` does: a ``MinMaxScaler``, a ``StandardScaler`` or
  no scaler in front give the same network inputs, up to rounding;
- ``'standard'``: each feature to mean 0 and standard deviation 1 (weighted by
  ``sample_weight``), as ``StandardScaler`` does;
- ``'mean'`` (mean normalisation): each feature centred on its mean (weighted)
  and divided by its range, ``(x - mean) / (max - min)``: the spread of
  ``'minmax'``, centred. The network can represent the same functions on both
  (the shift goes into the unpenalised ``b1``), but relu units learn faster on
  centred inputs: on 45,000 rows x 40 (``benchmarks/large_defaults.py``)
  early stopping ended after 29 epochs at a test accuracy of 0.969 against 66
  epochs and 0.957 with ``'minmax'``. A column of mostly zeros has a mean near
  0 and keeps its zeros near 0, where ``'standard'`` would blow up its rare
  values (term counts, 25,000 x 500: test accuracy 0.853 against 0.845).

Sparse input small enough to be held dense (its dense copy fits in
scikit-learn's ``working_memory``, 1 GiB by default) is trained as dense data
(:func:`densifies`): it runs on the dense fast path and is scaled as dense data.
Larger sparse input is never shifted (that would fill its zeros): each column
is divided by its largest absolute value (``MaxAbsScaler``, the same as
``'minmax'`` for a non-negative column that holds a zero), whatever the
``input_scaling``; dividing by a standard deviation would blow up a column far
from 0 (a feature around 1e6 varying by 1). A constant feature keeps the scale
1.

The statistics are computed in float64 on numpy, over the samples whose weight
is positive (a weight of 2 is then the row repeated: the minimum, maximum,
mean and spread are those of the repeated data).
"""

import numpy as np
import scipy.sparse as sp
from sklearn import get_config

from ._array_api import move
from ._compat import get_namespace_and_device

__all__ = ["INPUT_SCALINGS", "densified", "densifies", "fit_input_scaling", "scaled"]

#: The values of ``input_scaling`` besides None.
INPUT_SCALINGS = ("minmax", "standard", "mean")

_ROWS_PER_CHUNK = 8192


def densifies(X):
    """Whether sparse ``X`` is trained as a dense array: its dense copy fits in ``working_memory``.

    Dense training runs on the fast path (``benchmarks/scaling.py``: 3-5 times
    faster on the sparse copies of its sets) and lets ``input_scaling`` shift
    the features.
    """
    if not sp.issparse(X):
        return False
    dense_bytes = X.shape[0] * X.shape[1] * X.dtype.itemsize
    return dense_bytes <= get_config()["working_memory"] * 2**20


def densified(X):
    """``X`` as a C-ordered numpy array if :func:`densifies` says so, else ``X`` itself."""
    return X.toarray(order="C") if densifies(X) else X


def fit_input_scaling(X, kind, sample_weight=None):
    """``(offset, scale)`` of each feature of ``X`` for ``input_scaling=kind``.

    Parameters
    ----------
    X : array of shape (m, n0), dense (any namespace) or scipy sparse
        Training data, samples as rows.
    kind : {'minmax', 'standard', 'mean'}
        The scaling (see the module).
    sample_weight : array of shape (m,) or None
        Rows of weight 0 are left out; ``'standard'`` and ``'mean'`` weigh the others.

    Returns
    -------
    offset, scale : numpy arrays of shape (n0,), float64
        The network sees ``(X - offset) / scale``; ``offset`` is 0 for sparse
        ``X``, and ``scale`` is 1 where a feature is constant.
    """
    w = None if sample_weight is None else np.asarray(move(sample_weight), dtype=np.float64)
    if w is not None:
        rows = np.flatnonzero(w > 0)
        X, w = X[rows] if sp.issparse(X) else _take(X, rows), w[rows]
    if sp.issparse(X):
        offset, scale = _sparse_statistics(sp.csc_matrix(X))
    else:
        offset, scale = _dense_statistics(X, kind, w)
    scale[~(scale > 0)] = 1.0
    return offset, scale


def scaled(X, offset, scale, *, inplace=False):
    """``(X - offset) / scale`` in ``X``'s own kind of array: a new array, ``X`` untouched.

    Dense ``X`` of any namespace keeps its namespace, device and dtype; sparse
    ``X`` stays sparse (in CSR, or CSC if it came so), divided by ``scale``
    only. ``offset`` and ``scale`` may be numpy arrays or arrays of ``X``'s
    namespace. ``inplace=True`` writes into dense numpy ``X`` instead (for a
    copy the caller owns), with the same rounding.
    """
    if sp.issparse(X) and not np.any(move(offset)):
        scaled_X = X.multiply(1.0 / np.asarray(move(scale))).astype(X.dtype)
        return scaled_X.tocsc() if X.format == "csc" else scaled_X.tocsr()
    if sp.issparse(X):  # a model trained on dense data, asked about sparse rows
        X, inplace = X.toarray(), True
    if inplace and isinstance(X, np.ndarray):
        np.subtract(X, np.asarray(offset, dtype=X.dtype), out=X)
        return np.divide(X, np.asarray(scale, dtype=X.dtype), out=X)
    if isinstance(X, np.ndarray):  # one new array, not two
        return scaled(X - np.asarray(offset, dtype=X.dtype), 0.0, scale, inplace=True)
    xp, _, device = get_namespace_and_device(X)
    offset = xp.asarray(offset, dtype=X.dtype, device=device)
    scale = xp.asarray(scale, dtype=X.dtype, device=device)
    return (X - offset) / scale


def _take(X, rows):
    if isinstance(X, np.ndarray):
        return X[rows]
    xp, _, device = get_namespace_and_device(X)
    return xp.take(X, xp.asarray(rows, device=device), axis=0)


def _dense_statistics(X, kind, w):
    """Column statistics of dense ``X``, a chunk of rows at a time (``X`` is never copied whole).

    Means and variances work in units of each column's largest ``|x|``, so that
    features near the largest float do not overflow them.
    """
    if kind == "standard":
        mean, unit, total = _column_means(X, w)
        variance = sum(_column_sum((C / unit - mean) ** 2, wc) for C, wc in _chunks(X, w)) / total
        return mean * unit, np.sqrt(variance) * unit
    low = np.min([C.min(axis=0) for C, _ in _chunks(X, w)], axis=0)
    high = np.max([C.max(axis=0) for C, _ in _chunks(X, w)], axis=0)
    if kind == "minmax":
        return low, high - low
    mean, unit, _ = _column_means(X, w)
    return mean * unit, high - low


def _column_means(X, w):
    """``(means in units, units, total weight)``: the units are the columns' largest ``|x|``."""
    unit = np.max([np.abs(C).max(axis=0) for C, _ in _chunks(X, w)], axis=0)
    unit[~(unit > 0)] = 1.0
    total = X.shape[0] if w is None else w.sum()
    return sum(_column_sum(C / unit, wc) for C, wc in _chunks(X, w)) / total, unit, total


def _chunks(X, w):
    """``(rows as float64 numpy, their weights or None)``, a chunk of rows at a time."""
    n_samples = X.shape[0]
    for start in range(0, n_samples, _ROWS_PER_CHUNK):
        stop = min(start + _ROWS_PER_CHUNK, n_samples)
        rows = np.asarray(move(X[start:stop, ...]), dtype=np.float64)
        yield rows, None if w is None else w[start:stop]


def _column_sum(C, w):
    return C.sum(axis=0) if w is None else w @ C


def _sparse_statistics(X):
    """Sparse ``X`` (CSC) is not shifted, and divided by each column's largest ``|x|``."""
    return np.zeros(X.shape[1]), np.asarray(abs(X).max(axis=0).todense(), float).ravel()
