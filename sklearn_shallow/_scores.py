"""The score a fit records per epoch: accuracy for classifiers, R² for regressors.

The engine does not know which task it trains: it asks the network's output for
its score (:func:`score_for`), an object with

- ``name``: the key of the score in ``history_`` (``'accuracy'``, ``'r2'``;
  validation: ``'val_' + name``);
- ``batch_total(A_out, Y, w)``: what one batch adds to the epoch's total
  (the weighted number of correct predictions; the weighted squared errors per
  output), an array of the data's namespace, so that a GPU is not made to wait;
- ``finish(total, mass, Y, sample_weight)``: the epoch's score as a Python
  float, from the total over its batches (``mass``: their summed weight; ``Y``
  and ``sample_weight``: the whole data set of the epoch);
- ``of(A_out, Y, sample_weight)``: the score of outputs on a whole data set.

Targets are columns here (``Y`` of shape ``(n_out, m)``), as in :mod:`.network`.
"""

import numpy as np

from ._array_api import move, namespace

__all__ = ["Accuracy", "RSquared", "correct_predictions", "score_for", "weighted_mean"]


def correct_predictions(A_out, Y, output):
    """Per sample, True when the prediction equals the target (all labels of it)."""
    xp = namespace(A_out)
    if output == "softmax":
        return xp.argmax(A_out, axis=0) == xp.argmax(Y, axis=0)
    return xp.all((A_out > 0.5) == (Y > 0.5), axis=0)


def weighted_mean(values, sample_weight):
    """Mean of the booleans ``values``, weighted by ``sample_weight``, as a Python float."""
    xp = namespace(values)
    values = xp.astype(values, xp.float64 if sample_weight is None else sample_weight.dtype)
    if sample_weight is None:
        return float(xp.mean(values))
    return float(xp.sum(values * sample_weight) / xp.sum(sample_weight))


class Accuracy:
    """The share of samples predicted right (every label right, for multilabel targets)."""

    name = "accuracy"

    def __init__(self, output):
        self.output = output

    def batch_total(self, A_out, Y, w):
        xp = namespace(A_out)
        correct = xp.astype(correct_predictions(A_out, Y, self.output), A_out.dtype)
        return xp.sum(correct) if w is None else xp.sum(correct * w)

    def finish(self, total, mass, Y, sample_weight):
        return float(total) / mass

    def of(self, A_out, Y, sample_weight):
        return weighted_mean(correct_predictions(A_out, Y, self.output), sample_weight)


class RSquared:
    """The coefficient of determination ``1 - SSE / SST``, as ``sklearn.metrics.r2_score``.

    With several outputs, the uniform average of each output's R²; with sample
    weights, both sums are weighted. An output whose targets are constant
    (``SST = 0``) scores 1 when predicted exactly and 0 otherwise, as
    ``r2_score``'s default ``force_finite=True`` does.
    """

    name = "r2"

    def __init__(self, output):
        self.output = output

    def batch_total(self, A_out, Y, w):
        xp = namespace(A_out)
        squared_errors = (A_out - Y) ** 2
        if w is not None:
            squared_errors = squared_errors * xp.reshape(w, (1, -1))
        return xp.sum(squared_errors, axis=1)

    def finish(self, total, mass, Y, sample_weight):
        return r2_from_errors(total, Y, sample_weight)

    def of(self, A_out, Y, sample_weight):
        return r2_from_errors(self.batch_total(A_out, Y, sample_weight), Y, sample_weight)


def r2_from_errors(sse, Y, sample_weight):
    """R² (uniform average over outputs) from the weighted squared errors ``sse`` per output."""
    xp = namespace(Y)
    if sample_weight is None:
        mean = xp.mean(Y, axis=1, keepdims=True)
        sst = xp.sum((Y - mean) ** 2, axis=1)
    else:
        w = xp.reshape(sample_weight, (1, -1))
        mean = xp.sum(w * Y, axis=1, keepdims=True) / xp.sum(w)
        sst = xp.sum(w * (Y - mean) ** 2, axis=1)
    sse = np.asarray(move(sse), dtype=np.float64)
    sst = np.asarray(move(sst), dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        r2 = np.where(sst > 0, 1.0 - sse / sst, np.where(sse == 0, 1.0, 0.0))
    return float(np.mean(r2))


#: The score of each output activation's task.
_SCORES = {"sigmoid": Accuracy, "softmax": Accuracy, "identity": RSquared, "exp": RSquared}


def score_for(output):
    """The score recorded per epoch for a network with output activation ``output``."""
    return _SCORES[output](output)
