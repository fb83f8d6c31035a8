"""Epoch runners: the pure reference built on :mod:`.network`, and the choice of runner.

A fit trains through an *epoch runner*, an object with three methods:

- ``load(params, opt_state) -> (params, opt_state)``: the parameters and
  optimiser state the runner will work on, starting from those given
  (``opt_state=None``, or a state of another rule, starts afresh);
- ``runner(params, opt_state, *, batches, learning_rate) -> (params, opt_state,
  loss, score)``: one epoch;
- ``objective(params) -> (J, grads, score)``: the full-batch loss, gradients
  and score at ``params``, without an update (what L-BFGS-B minimises).

The score is the task's (:attr:`Network.score`): accuracy for the classifiers'
outputs, R² for the regressors' (:mod:`._scores`).

:class:`PureEpochs` is the reference: each epoch is :func:`run_epoch`, the
course's forward, backward and update on every batch, on any array namespace.
:class:`._fast.FastEpochs` computes the same on preallocated numpy buffers.
:func:`epoch_runner` chooses between them; :func:`training_path` lets tests and
benchmarks ask for the reference explicitly.

Samples are rows here (``X`` of shape ``(m, n0)``, ``Y`` of shape
``(m, n_out)``); each batch is transposed (a view, no copy) into the course's
column layout before it reaches :mod:`sklearn_shallow.network`.
"""

import contextlib
import contextvars
from dataclasses import dataclass

from sklearn.utils import gen_batches

from ._array_api import namespace, take_rows
from ._fast import FastEpochs, arrays_fit, supports_fast_path
from ._objective import cost
from ._scores import score_for
from ._solvers import continues, state_template
from .network import backward, forward, loss

__all__ = [
    "Network",
    "PureEpochs",
    "epoch_batches",
    "epoch_runner",
    "evaluate",
    "run_epoch",
    "training_path",
]


@dataclass(frozen=True)
class Network:
    """What the steps need to know of the network besides its parameters.

    Attributes
    ----------
    activation : str
        Hidden activation, a key of :data:`._activations.ACTIVATIONS`.
    output : {'sigmoid', 'softmax', 'identity', 'exp'}
        Output activation.
    l2 : float
        L2 penalty strength.
    """

    activation: str
    output: str
    l2: float = 0.0

    @property
    def score(self):
        """The task's score (:mod:`._scores`): accuracy for classification, R² for regression."""
        return score_for(self.output)


def epoch_batches(n_samples, batch_size, shuffle, rng):
    """The batches of one epoch: slices of the data in order, or of a permutation.

    A single batch holding every sample is never shuffled (the order of the
    columns does not change the full-batch gradient).
    """
    if batch_size >= n_samples:
        return [slice(0, n_samples)]
    batches = list(gen_batches(n_samples, batch_size))
    if not shuffle:
        return batches
    order = rng.permutation(n_samples)
    return [order[batch] for batch in batches]


def evaluate(X, Y, sample_weight, params, network):
    """Loss (with the L2 term) and score of ``params`` on a data set, in one forward pass."""
    A_out, _ = forward(X.T, params, activation=network.activation, output=network.output)
    return scores(A_out, Y.T, sample_weight, params, network)


def scores(A_out, Y, sample_weight, params, network):
    """Loss (with the L2 term) and score of outputs ``A_out`` for targets ``Y`` (columns).

    The score is the task's (:attr:`Network.score`): accuracy or R².
    """
    output = network.output
    J = loss(A_out, Y, output=output, sample_weight=sample_weight, params=params, l2=network.l2)
    return J, network.score.of(A_out, Y, sample_weight)


def run_epoch(X, Y, sample_weight, params, opt_state, *, batches, rule, learning_rate, network):
    """One pass over the batches: forward, backward and update on each.

    Returns the new parameters and optimiser state, the epoch's loss (each batch's
    objective before its update, averaged with the batch weights, as
    ``MLPClassifier`` reports it) and the training score measured the same way
    (accuracy, or R² from each batch's squared errors before its update).
    A batch whose weights are all zero carries no information and is skipped.
    """
    options = dict(activation=network.activation, output=network.output)
    score = network.score
    # The sums stay arrays of X's namespace until the end of the epoch: on a GPU,
    # converting them to Python floats at every batch would wait for the device.
    total_loss = total_score = 0.0
    total_mass = 0.0
    for batch in batches:
        w = take_rows(sample_weight, batch)
        Yb = take_rows(Y, batch).T
        mass = Yb.shape[1] if w is None else float(namespace(w).sum(w))
        if mass == 0.0:
            continue
        Xb = take_rows(X, batch).T
        A_out, cache = forward(Xb, params, **options)
        grads = backward(Xb, Yb, params, cache, **options, sample_weight=w, l2=network.l2)
        J = cost(A_out, Yb, network.output, w, params, network.l2)
        total_loss = total_loss + J * mass
        total_score = total_score + score.batch_total(A_out, Yb, w)
        total_mass += mass
        params, opt_state = rule.step(params, grads, opt_state, learning_rate)
    epoch_score = score.finish(total_score, total_mass, Y.T, sample_weight)
    return params, opt_state, float(total_loss) / total_mass, epoch_score


class PureEpochs:
    """The epoch runner of the pure steps: the reference the fast path is held to.

    It keeps nothing: every epoch returns new arrays, as :func:`run_epoch` does.

    Parameters
    ----------
    X, Y, sample_weight : arrays
        As for :func:`run_epoch`, the same for every epoch of the fit.
    rule : object
        The update rule (see :mod:`._solvers`).
    network : Network
        The hidden activation, output and ``l2``.
    """

    def __init__(self, X, Y, sample_weight, *, rule, network):
        self.data = (X, Y, sample_weight)
        self.rule, self.network = rule, network

    def load(self, params, opt_state):
        """The parameters and optimiser state to start from (here: those given)."""
        if not continues(opt_state, state_template(self.rule, params)):
            opt_state = self.rule.init_state(params)
        return params, opt_state

    def __call__(self, params, opt_state, *, batches, learning_rate):
        """One epoch: ``(params, opt_state, loss, score)`` as :func:`run_epoch`."""
        return run_epoch(
            *self.data,
            params,
            opt_state,
            batches=batches,
            rule=self.rule,
            learning_rate=learning_rate,
            network=self.network,
        )

    def objective(self, params):
        """Full-batch loss, gradients and score at ``params``: ``(J, grads, score)``."""
        X, Y, sample_weight = self.data
        network = self.network
        Xt, Yt = X.T, Y.T
        A_out, cache = forward(Xt, params, activation=network.activation, output=network.output)
        J, score = scores(A_out, Yt, sample_weight, params, network)
        grads = backward(
            Xt,
            Yt,
            params,
            cache,
            activation=network.activation,
            output=network.output,
            sample_weight=sample_weight,
            l2=network.l2,
        )
        return J, grads, score


_PATH = contextvars.ContextVar("sklearn_shallow_training_path", default="auto")


@contextlib.contextmanager
def training_path(path):
    """Fits started in this block (in this thread) train through ``path``.

    Parameters
    ----------
    path : {'auto', 'pure'}
        ``'auto'`` (the default outside the block): the fast path where it
        applies; ``'pure'``: the reference :class:`PureEpochs` always. For tests
        and benchmarks that compare the two.
    """
    if path not in ("auto", "pure"):
        raise ValueError(f"path must be 'auto' or 'pure'; got {path!r}.")
    token = _PATH.set(path)
    try:
        yield
    finally:
        _PATH.reset(token)


def epoch_runner(X, Y, sample_weight, params, opt_state, *, rule, network):
    """The epoch runner of a fit: the fast path where it applies, else the pure one.

    Parameters
    ----------
    X : array of shape (m, n0)
        Training data, samples as rows.
    Y : array of shape (m, n_out)
        Targets, samples as rows (0/1 for classifiers).
    sample_weight : array of shape (m,) or None
        Non-negative sample weights.
    params : dict of arrays
        ``W1, b1, W2, b2``: their shapes and dtype size the buffers (not read).
    opt_state : dict or None
        The update rule's state, likewise.
    rule : GradientDescent, Momentum or Adam
        The update rule.
    network : Network
        The hidden activation, output and ``l2``.

    Returns
    -------
    runner : FastEpochs or PureEpochs
        A :class:`._fast.FastEpochs` for dense numpy data whose arrays all share
        ``X``'s dtype, in a one-hidden-layer network (see
        :func:`._fast.supports_fast_path`), unless :func:`training_path` asks for
        the reference; a :class:`PureEpochs` otherwise. The fast path covers
        the classifiers' outputs (sigmoid, softmax) only: regression (identity
        and exp outputs) always trains through :class:`PureEpochs`.
    """
    if (
        _PATH.get() == "auto"
        and supports_fast_path(X, rule, network)
        and arrays_fit(X, Y, sample_weight, params, opt_state)
    ):
        return FastEpochs(X, Y, sample_weight, params, rule=rule, network=network)
    return PureEpochs(X, Y, sample_weight, rule=rule, network=network)
