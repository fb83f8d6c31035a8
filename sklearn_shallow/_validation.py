"""Input checks shared by the estimators: data, weights, validation sets, the split.

Everything here reads its arguments and returns new values or raises a
``ValueError`` that names the argument and the value; nothing here trains.
"""

import math

import numpy as np
import scipy.sparse as sp
from sklearn.model_selection import train_test_split
from sklearn.utils.validation import assert_all_finite, column_or_1d, validate_data

from ._array_api import is_numpy, move
from ._compat import _num_features, get_namespace
from ._warnings import warn


def validation_split(n_samples, y, fraction, rng):
    """Indices of the training and validation parts, stratified by the classes ``y``.

    As in ``MLPClassifier``: the validation part holds at least 2 samples, and a
    class of one sample cannot be stratified (a ``ValueError`` for both). Where
    the parts are too small to hold every class, the split is random, with a
    warning. ``y=None`` (regression, multilabel targets): a random split.
    """
    n_classes = None if y is None else _count_classes_to_stratify(y)
    n_val = math.ceil(fraction * n_samples)
    if n_val < 2:
        raise ValueError(
            f"The validation set is too small: validation_fraction={fraction!r} of "
            f"{n_samples} samples holds out {n_val}, and early stopping needs at least 2. "
            "Increase validation_fraction or the size of the data, or pass X_val and y_val."
        )
    if n_val >= n_samples:
        raise ValueError(
            f"validation_fraction={fraction!r} holds out all {n_samples} samples for "
            "early stopping and leaves none to train on; lower it or add samples."
        )
    stratify = None
    if n_classes is not None:
        if n_classes <= n_val <= n_samples - n_classes:
            stratify = y
        else:
            warn(
                f"early_stopping: {n_samples} samples split {n_samples - n_val} / {n_val} "
                f"cannot hold all {n_classes} classes on both sides; the validation set "
                "is drawn at random and may miss some. Increase validation_fraction or "
                "pass X_val and y_val.",
                UserWarning,
            )
    indices = np.arange(n_samples)
    return train_test_split(indices, test_size=n_val, random_state=rng, stratify=stratify)


def _count_classes_to_stratify(y):
    """The number of classes of ``y``, each of which must have 2 samples to be stratified."""
    classes, counts = np.unique(y, return_counts=True)
    if counts.min() < 2:
        raise ValueError(
            "early_stopping=True splits off a validation set that keeps the classes "
            f"in proportion, which needs at least 2 samples of each class; class "
            f"{classes[np.argmin(counts)].item()!r} has 1. Pass X_val and y_val, or set "
            "early_stopping=False."
        )
    return len(classes)


def check_classes(classes):
    """The ``classes`` argument of ``partial_fit`` as a 1-D array without NaN."""
    classes = np.asarray(classes)
    if classes.ndim != 1:
        raise ValueError(f"classes must be a 1-D array of labels; got shape {classes.shape}.")
    if classes.dtype.kind == "f" and np.isnan(classes).any():
        raise ValueError(f"classes must not contain NaN; got {classes.tolist()!r}.")
    return classes


def n_columns(X):
    """Number of columns of a 2-D ``X``, or None (``validate_data`` then says why)."""
    try:
        return _num_features(X)
    except TypeError:
        return None


def num_rows(y):
    return y.shape[0] if hasattr(y, "shape") else len(y)


def numpy_dtype(X, xp):
    """The numpy float dtype matching ``X``'s dtype."""
    if is_numpy(xp):
        return X.dtype
    return np.float32 if X.dtype == xp.float32 else np.float64


def as_dtype(X, dtype, xp):
    if X.dtype == dtype:
        return X
    if sp.issparse(X) or is_numpy(xp):
        return X.astype(dtype)
    return xp.astype(X, dtype)


def check_validation_X(estimator, X_val, X, xp):
    """``X_val`` validated like ``X`` (same features, finite), in ``X``'s dtype."""
    n_val_features = n_columns(X_val)
    if n_val_features not in (None, X.shape[1]):
        raise ValueError(f"X_val has {n_val_features} features, but X has {X.shape[1]}.")
    xp_val, _ = get_namespace(X_val)
    X_val = validate_data(
        estimator,
        X_val,
        accept_sparse=["csr", "csc"],
        dtype=[xp_val.float64, xp_val.float32],
        reset=False,
        ensure_all_finite=False,
    )
    assert_all_finite(X_val, input_name="X_val")
    return as_dtype(X_val, X.dtype, xp)


def check_validation_y(y_val, X_val, multi_output):
    """``y_val`` as a numpy array with one row per row of ``X_val``."""
    y_val = np.asarray(move(y_val))
    if y_val.ndim == 2 and y_val.shape[1] == 1:
        y_val = column_or_1d(y_val, warn=True)
    if not multi_output and y_val.ndim != 1:
        raise ValueError(f"y_val must be 1-D class labels, as y is; got shape {y_val.shape}.")
    if num_rows(y_val) != X_val.shape[0]:
        raise ValueError(f"X_val has {X_val.shape[0]} samples but y_val has {num_rows(y_val)}.")
    return y_val
