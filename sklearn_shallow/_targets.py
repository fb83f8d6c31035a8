"""From class labels to the 0/1 target matrix ``Y`` (predictions are decoded by the estimator).

Three kinds of target, told apart by :func:`sklearn.utils.multiclass.type_of_target`:

- binary: one sigmoid output unit, ``Y`` has one column (1 for ``classes_[1]``);
- multiclass: a softmax over ``n_classes`` units, ``Y`` is one-hot;
- multilabel indicator matrix: one sigmoid unit per label, ``Y`` is ``y`` itself.

Only ``classes_`` (a plain array) is stored; nothing here needs a fitted object.
"""

import numpy as np
from sklearn.utils.multiclass import type_of_target, unique_labels


def is_multilabel(y):
    return type_of_target(y) == "multilabel-indicator"


def output_activation(classes, multilabel):
    """``'sigmoid'`` for binary and multilabel targets, ``'softmax'`` for multiclass."""
    return "sigmoid" if multilabel or len(classes) == 2 else "softmax"


def find_classes(y, multilabel):
    """The sorted labels of ``y`` (for multilabel ``y``: ``0, ..., n_labels - 1``)."""
    if multilabel:
        return np.arange(y.shape[1])
    return unique_labels(y)


def check_known_labels(y, classes, argument="y"):
    """Raise a ``ValueError`` naming the labels of ``y`` that are not in ``classes``."""
    unknown = np.setdiff1d(np.unique(y), classes)
    if unknown.size:
        raise ValueError(
            f"{argument} contains labels that are not in classes_={classes.tolist()!r}: "
            f"{unknown.tolist()!r}."
        )


def encode(y, classes, multilabel, dtype):
    """The target matrix ``Y`` of shape ``(m, n_out)`` in ``dtype``."""
    if multilabel:
        return np.asarray(y, dtype=dtype)
    indices = np.searchsorted(classes, y)
    if len(classes) == 2:
        return (indices == 1).astype(dtype).reshape(-1, 1)
    Y = np.zeros((len(y), len(classes)), dtype=dtype)
    Y[np.arange(len(y)), indices] = 1
    return Y
