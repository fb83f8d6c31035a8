"""Private fast path of a search: the epochs of K networks trained side by side on one data set.

A hyper-parameter search trains candidate networks that differ only in ``n1``,
the learning rate, ``l2`` and their initial weights on the same data and the
same batches. :class:`StackedEpochs` trains them as one stack: the products with
the batch ``X``, and every element-wise step, run once for all candidates
instead of once per candidate. It computes what :class:`._fast.FastEpochs`
computes for each of them (:func:`supports_stacking` says where it applies).

Layout
------
With ``N = Σ n1_k`` hidden units in all, every quantity of the stack lives in
one contiguous vector laid out as :class:`._fast.FastEpochs` lays out one
network's (weights first, weight matrices transposed), each array holding all
candidates side by side:

====== ============ ==============================================================
array  shape        candidate ``k``'s part
====== ============ ==============================================================
W1ᵀ    ``(n0, N)``  its column block: the hidden layers are stacked side by side
W2ᵀ    ``(N, n2)``  its row block (contiguous)
b1     ``(N,)``     its block (contiguous)
b2     ``(K, n2)``  row ``k``
====== ============ ==============================================================

The parameters, the gradients and each optimiser moment are such vectors; what
the runner hands out are views of them in the course's shapes (``W1`` of shape
``(n1_k, n0)`` is then a strided view). With ``K = 1`` the vector is exactly
``FastEpochs``'s.

- **Hidden layer, once for all:** ``H = Xb · W1ᵀ + b1``, the activation, its
  derivative, ``dW1ᵀ = Xbᵀ · dH`` and ``db1 = 1ᵀ · dH`` each run once on the
  ``(batch, N)`` block, the products writing straight into the stacked vectors.
- **Output layer, one product per candidate:** ``Z2 = W2 · A1``, ``dW2ᵀ`` and
  the candidate's columns of ``dH`` are three small products per candidate on
  its columns of ``H``; everything between them (``σ``, the cost, the score,
  ``dZ2``, ``db2``) runs once on the ``(K, n2, batch)`` block of all outputs.
- **One update for all:** the rule's own ``step_inplace`` runs once on the
  stacked vectors, with a learning rate per element (each element gets its
  candidate's). Plain and momentum gradient descent read the learning rate as
  ``update.learning_rate``, here a vector; Adam reads its step size from its
  ``step_size(alpha, t)``, which the runner gives per element: Adam's own
  ``step_size`` of each candidate's learning rate and step count (its ``t``, one
  count per candidate, so that a candidate loaded afresh restarts its own).
  The L2 term likewise takes each candidate's ``l2 / m`` per element. Every
  element thus goes through the rule's arithmetic with its candidate's scalars,
  and subnormals are flushed as in :mod:`._solvers`.
- **Batches run whole**, whatever their size: unlike :class:`._fast.FastEpochs`,
  a large batch is not cut into chunks spread over threads. The products run on
  BLAS's own threads, and the batch buffers hold a few ``batch × N`` blocks
  (``H``, and ``dH``, a mask or a scratch as the activation needs).

Why this layout (``benchmarks/stacked.py``, 12 candidates of 50, 100 and 200
hidden units, adam, float64, one BLAS thread, 2 cores shared with other work):
a first version kept each candidate's own ``FastEpochs`` vector, copied its
``W1ᵀ`` into the stacked matrix and its block of ``dW1ᵀ`` out of it at every
batch, and ran the output layer and the rule's update candidate by candidate.
Its epochs took 0.85 (iris), 0.92 (wine), 0.98 (breast cancer) and 1.06
(digits) of the twelve ``FastEpochs`` epochs; this one takes 0.65-0.68,
0.71-0.78, 0.81-0.88 and 0.84-0.90. On one thread the products cost what they
cost apart (BLAS runs near its peak either way); what a stack saves is the
fixed cost of numpy's and BLAS's calls, K times fewer, and the update of one
vector instead of K (0.53-0.63 ms per digits batch against 0.72-0.78 ms). With
more BLAS threads the stacked products, larger, also use them better (digits'
forward product, with a load average of 1: 0.58-0.66 ms on 2 threads against
0.89-0.93 ms on one). They also cross OpenBLAS's threshold for using its
threads where the candidates' own products stay below it (iris, wine), and
when other processes hold the cores a threaded product can wait for a core
for milliseconds: on a loaded machine ``FastEpochs`` and this runner then both
run fastest with numpy's BLAS held at one thread (``threadpoolctl``).

What differs from :class:`._fast.FastEpochs`
--------------------------------------------
The equations, the order of the operations on every element and every scalar
are ``FastEpochs``'s, so each candidate's results equal those of its own
``FastEpochs`` up to the rounding of sums: inside BLAS, a column block of a
larger product is not always rounded as the same product alone (OpenBLAS picks
kernels and blocking by shape: on 0.3.31 Haswell many float64 shapes give the
same bits, some do not, and float32 products differ more often); the penalty
``‖W‖²`` is summed per hidden unit then per candidate instead of as one dot
product; the output layers' sums over samples run as one product for all
candidates; and ``FastEpochs`` cuts large batches into chunks whose size
depends on ``n1``. These are a few units in the last place per step: the tests
hold each candidate to its ``FastEpochs`` run at ``rtol=1e-10`` in float64, and
a candidate's results to those it gets in a stack of other candidates alike.
"""

import copy
import math
from dataclasses import dataclass

import numpy as np

from ._activations import ACTIVATIONS
from ._fast import (
    _LAYOUT,
    _batch_length,
    _label_dtype,
    _take,
    output_inplace,
    sigmoid_log_probabilities,
    supports_fast_path,
)
from ._solvers import Adam, GradientDescent, InPlaceUpdate, Momentum, continues, state_template

__all__ = ["StackedEpochs", "supports_stacking"]

#: The rules whose in-place step reads the learning rate only as
#: ``update.learning_rate`` or through ``step_size(update.alpha, t)``, which the
#: stack gives per element (their subclasses may read it otherwise).
_STACKABLE_RULES = (GradientDescent, Momentum, Adam)


# ------------------------------------------------------------- applicability


def supports_stacking(
    X, rule, networks, params_list, *, Y=None, sample_weight=None, opt_states=None
):
    """Whether :class:`StackedEpochs` applies to these networks, data and update rule.

    Parameters
    ----------
    X : array-like or sparse matrix of shape (m, n0)
        Training data, samples as rows.
    rule : object
        The update rule shared by every network (see :mod:`._solvers`).
    networks : sequence of ._runners.Network
        Each network's hidden activation, output and ``l2``.
    params_list : sequence of dict of arrays
        Each network's parameters ``W1, b1, W2, b2``.
    Y : ndarray of shape (m, n2), default=None
        Targets; when given, they must share ``X``'s dtype.
    sample_weight : ndarray of shape (m,), default=None
        Sample weights; when given, they must share ``X``'s dtype.
    opt_states : sequence of (dict or None), default=None
        Optimiser states to continue from; when given, their arrays must be
        shaped as the parameters and share ``X``'s dtype.

    Returns
    -------
    bool
        True where :func:`._fast.supports_fast_path` holds for every network
        (dense C- or F-contiguous ``float32``/``float64`` numpy ``X``, a rule
        whose own class defines ``step_inplace``, registered activation and
        output), the rule is a :class:`._solvers.GradientDescent`,
        :class:`._solvers.Momentum` or :class:`._solvers.Adam` (not a subclass),
        all networks share one activation and one output, and every network has
        one hidden layer of numpy arrays of ``X``'s dtype, shaped for ``X``'s
        ``n0`` inputs and one number ``n2`` of outputs.
    """
    networks, params_list = list(networks), list(params_list)
    if not networks or len(networks) != len(params_list):
        return False
    if opt_states is not None and len(opt_states) != len(networks):
        return False
    if type(rule) not in _STACKABLE_RULES:
        return False
    if not all(supports_fast_path(X, rule, network) for network in networks):
        return False
    first = networks[0]
    if any((n.activation, n.output) != (first.activation, first.output) for n in networks):
        return False
    others = [a for a in (Y, sample_weight) if a is not None]
    if not all(type(a) is np.ndarray and a.dtype == X.dtype for a in others):
        return False
    W2 = params_list[0].get("W2")
    if getattr(W2, "ndim", 0) != 2:
        return False
    states = [None] * len(networks) if opt_states is None else opt_states
    return all(
        _fits(params, state, X.shape[1], W2.shape[0], X.dtype)
        for params, state in zip(params_list, states, strict=True)
    )


def _fits(params, opt_state, n0, n2, dtype):
    """One hidden layer of numpy arrays of ``dtype``, for ``n0`` inputs and ``n2`` outputs."""
    if sorted(params) != sorted(_LAYOUT):
        return False
    arrays = list(params.values())
    for key, value in (opt_state or {}).items():
        if isinstance(value, np.ndarray):
            if key[1:] not in params or value.shape != params[key[1:]].shape:
                return False
            arrays.append(value)
    if not all(type(a) is np.ndarray and a.dtype == dtype for a in arrays):
        return False
    n1 = params["W1"].shape[0] if params["W1"].ndim == 2 else 0
    shapes = [params[name].shape for name in ("W1", "b1", "W2", "b2")]
    return n1 > 0 and shapes == [(n1, n0), (n1, 1), (n2, n1), (n2, 1)]


# ------------------------------------------------------------------- layout


class _Layout:
    """Where each network's parameters lie in a stacked vector (see the module docstring).

    Parameters
    ----------
    n0 : int
        Inputs.
    widths : list of int
        Each network's hidden units ``n1_k``.
    n2 : int
        Outputs.
    """

    def __init__(self, n0, widths, n2):
        self.n0, self.n2 = n0, n2
        self.n_networks, self.n_hidden = len(widths), sum(widths)
        stops = np.cumsum(widths).tolist()
        self.columns = [slice(stop - n, stop) for n, stop in zip(widths, stops, strict=True)]
        #: The first hidden unit of each network (for sums over a network's units).
        self.starts = np.array([c.start for c in self.columns], np.intp)
        #: The network of each hidden unit.
        self.owner = np.repeat(np.arange(len(widths)), widths)
        N, K = self.n_hidden, self.n_networks
        self.shapes = {"W1": (n0, N), "W2": (N, n2), "b1": (N,), "b2": (K, n2)}
        sizes = [math.prod(shape) for shape in self.shapes.values()]
        stops = np.cumsum(sizes).tolist()
        #: Each stacked array's place in the vector: ``(name, start, stop, shape)``.
        self.places = [
            (name, stop - size, stop, shape)
            for (name, shape), size, stop in zip(self.shapes.items(), sizes, stops, strict=True)
        ]
        self.size = sum(sizes)
        self.n_weights = n0 * N + N * n2

    def stacked(self, vector):
        """The stacked arrays ``W1ᵀ, W2ᵀ, b1, b2`` (views of ``vector``), keyed as ``_LAYOUT``."""
        return {name: vector[a:b].reshape(shape) for name, a, b, shape in self.places}

    def views(self, vector, k, names):
        """Network ``k``'s arrays in the course's shapes (views of ``vector``), keyed ``names``."""
        S, columns = self.stacked(vector), self.columns[k]
        views = {
            "W1": S["W1"][:, columns].T,
            "b1": S["b1"][columns, None],
            "W2": S["W2"][columns].T,
            "b2": S["b2"][k, :, None],
        }
        return {name: views[name] for name in names}

    def spread(self, values, vector):
        """Give every element of ``vector`` the value of its network in ``values`` (length K)."""
        S, per_unit = self.stacked(vector), values[self.owner]
        S["W1"][...] = per_unit
        S["W2"][...] = per_unit[:, None]
        S["b1"][...] = per_unit
        S["b2"][...] = values[:, None]
        return vector


class _Stacked:
    """A stacked vector, its stacked arrays, and each network's views of it (made once)."""

    def __init__(self, layout, dtype, names):
        self.vector = np.zeros(layout.size, dtype)
        self.arrays = layout.stacked(self.vector)
        self.weights = self.vector[: layout.n_weights]
        self.views = [layout.views(self.vector, k, names) for k in range(layout.n_networks)]


# ----------------------------------------------------------------- buffers


class _Workspace:
    """The buffers of the batches, for up to ``rows`` samples.

    Hidden-layer buffers are ``(rows, N)`` (samples as rows, like ``X``); the
    output layers' are ``(K, n2, rows)``: network ``k``'s outputs in the course's
    layout in ``[k]``. Per-batch views are cached by batch length, with each
    network's slices of them.
    """

    def __init__(self, X, Y, layout, rows, *, activation, output, gather, weighted):
        N, K, n2, dtype = layout.n_hidden, layout.n_networks, layout.n2, X.dtype
        softmax, sigmoid = output == "softmax", output == "sigmoid"
        g = ACTIVATIONS[activation]
        self.rows, self.gather, self.layout = rows, gather, layout
        self.by_rows = {
            "H": (H := np.empty((rows, N), dtype)),
            "dH": np.empty((rows, N), dtype) if g.derivative_reads_A else H,
            "mask": np.empty((rows, N), bool) if "mask" in g.buffers else None,
            "scratch": np.empty((rows, N), dtype) if "scratch" in g.buffers else None,
            "ones": np.ones(rows, dtype),  # Σ over samples as a BLAS product
            "weights": np.empty(rows, dtype) if weighted else None,  # w / m
            # softmax: each sample's class, and where its probability lies in one A2[k]
            "true": np.empty(rows, _label_dtype(Y)) if softmax else None,
            "base": np.empty(rows, np.intp) if softmax else None,
            "arange": np.arange(rows) if softmax else None,
            # Shuffled batches are gathered here; slices are views of X and Y.
            "X": np.empty((rows, X.shape[1]), dtype) if gather else None,
            "Y": np.empty((rows, Y.shape[1]), dtype) if gather else None,
            "w": np.empty(rows, dtype) if gather and weighted else None,
        }
        # Flat, cut to (.., rows) for a batch: the first `rows` columns stay contiguous.
        self.by_networks = {
            "A2": (np.empty(K * n2 * rows, dtype), (K, n2)),  # Z2, then A2, then dZ2
            # sigmoid: probability given to the targets; regression: squared errors, cost
            "P": (np.empty(K * n2 * rows, dtype), (K, n2)) if not softmax else None,
            "hit": (np.empty(K * n2 * rows, bool), (K, n2)) if sigmoid else None,
            "negative": (np.empty(n2 * rows, bool), (n2,)) if sigmoid else None,  # Y <= 0.5
            "correct": (np.empty(K * rows, bool), (K,)),
            "row": (np.empty(K * rows, dtype), (K, 1)) if softmax else None,  # max, then sum
            "predicted": (np.empty(K * rows, np.intp), (K,)) if softmax else None,
            "picked": (np.empty(K * rows, dtype), (K,)) if softmax else None,
            "index": (np.empty(K * rows, np.intp), (K,)) if softmax else None,
        }
        self._views = {}

    def views(self, rows, params, grads):
        """The buffers cut to ``rows`` samples, and each network's slices.

        A network's slices are ``(W2, H, dH, A2, dW2ᵀ)``: its views of
        ``params`` and ``grads`` (:class:`_Stacked`) and of the buffers.
        """
        if rows not in self._views:
            view = {k: None if v is None else v[:rows] for k, v in self.by_rows.items()}
            for name, buffer in self.by_networks.items():
                if buffer is not None:
                    flat, shape = buffer
                    view[name] = flat[: int(np.prod(shape)) * rows].reshape(*shape, rows)
            # softmax: where each network's outputs start in the flat (K, n2, rows) outputs
            K, n2 = self.layout.n_networks, self.layout.n2
            view["offsets"] = np.arange(0, K * n2 * rows, n2 * rows)[:, None]
            networks = [
                (
                    params.arrays["W2"][columns].T,
                    view["H"][:, columns],
                    view["dH"][:, columns],
                    view["A2"][k],
                    grads.arrays["W2"][columns],
                )
                for k, columns in enumerate(self.layout.columns)
            ]
            self._views[rows] = view, networks
        return self._views[rows]


# ----------------------------------------------------------------- networks


def _loss_and_score(Yb, true, w, view, output, eps):
    """Each network's summed cost ``Σ w ℓ`` and what it adds to its score, as :mod:`._fast`.

    Returns a list of K ``(cost, score)``: the score's part is the (weighted)
    number of correct predictions for a classifier, each output's (weighted)
    sum of squared errors for a regressor (:mod:`._scores`).
    """
    if output in ("identity", "exp"):
        return _regression_costs_and_errors(Yb, w, view, output)
    log_likelihood, hits = _log_likelihoods_and_hits(Yb, true, w, view, output, eps)
    return [(-float(a), float(b)) for a, b in zip(log_likelihood, hits, strict=True)]


def _regression_costs_and_errors(Yb, w, view, output):
    """Each network's ``Σ w ℓ`` and each output's ``Σ w (a - y)²`` (see :mod:`._fast`)."""
    A2, E, Y = view["A2"], view["P"], Yb.T
    K, n2, rows = A2.shape
    weights = view["ones"] if w is None else w
    np.subtract(A2, Y, out=E)
    np.multiply(E, E, out=E)
    squared_errors = (E.reshape(K * n2, rows) @ weights).reshape(K, n2)
    if output == "identity":
        costs = np.add.reduce(squared_errors, axis=1)
        return [(0.5 * float(c), e) for c, e in zip(costs, squared_errors, strict=True)]
    np.maximum(A2, np.finfo(A2.dtype).smallest_normal, out=E)
    np.log(E, out=E)
    np.multiply(Y, E, out=E)
    np.subtract(A2, E, out=E)
    costs = np.add.reduce((E.reshape(K * n2, rows) @ weights).reshape(K, n2), axis=1)
    return [(float(c), e) for c, e in zip(costs, squared_errors, strict=True)]


def _log_likelihoods_and_hits(Yb, true, w, view, output, eps):
    """Each network's ``Σ w log p(target)`` and (weighted) number of correct predictions.

    The computation of :mod:`._fast` on the ``(K, n2, batch)`` outputs: the
    targets are 0/1 indicators (sigmoid: one logarithm per output, of ``a`` or
    of ``1 - a``) or one-hot (softmax: the log of the true class's probability).
    """
    A2, correct, Y = view["A2"], view["correct"], Yb.T
    K, n2, rows = A2.shape
    if output == "sigmoid":
        P = sigmoid_log_probabilities(A2, Y, view, eps, axis=1)
        if w is None:
            log_likelihoods = np.add.reduce(P.reshape(K, n2 * rows), axis=1)
        else:
            log_likelihoods = np.add.reduce((P.reshape(K * n2, rows) @ w).reshape(K, n2), axis=1)
    else:
        # One-hot targets: the true class's probability, picked from the flat A2 at
        # k * n2 * rows + true * rows + sample.
        base, index = view["base"], view["index"]
        np.add(np.multiply(true, rows, out=base, dtype=np.intp), view["arange"], out=base)
        np.add(base, view["offsets"], out=index)
        P = np.take(A2.reshape(-1), index, out=view["picked"], mode="clip")
        np.log(np.clip(P, eps, 1 - eps, out=P), out=P)
        np.equal(np.argmax(A2, axis=1, out=view["predicted"]), true, out=correct)
        log_likelihoods = np.add.reduce(P, axis=1) if w is None else P @ w
    if w is None:
        return log_likelihoods, np.count_nonzero(correct, axis=1)
    return log_likelihoods, correct @ w


class _PerElementStepSize:
    """``step_size(alpha, t)`` of the rule, per element of the stacked vector.

    ``alpha`` holds the networks' learning rates and ``t`` their step counts;
    each element gets ``rule.step_size(alpha[k], t[k])`` of its network ``k``,
    computed by the rule in float64 and rounded to the parameters' dtype, as
    the rule rounds it for one network.
    """

    def __init__(self, rule, layout, dtype):
        self.rule, self.layout = rule, layout
        self.scalar = np.dtype(dtype).type
        self.vector = np.empty(layout.size, dtype)

    def __call__(self, alpha, t):
        sizes = [
            self.scalar(self.rule.step_size(a, int(n))) for a, n in zip(alpha, t, strict=True)
        ]
        return self.layout.spread(np.array(sizes, self.vector.dtype), self.vector)


@dataclass
class _Totals:
    """One network's sums over the batches of an epoch: loss terms and score's parts."""

    loss: float = 0.0
    score: object = 0.0  # a float, or one sum of squared errors per output (regression)


# ----------------------------------------------------------------- the epoch


class StackedEpochs:
    """The epochs of K networks trained on the same data and batches, as one stack.

    The networks share the hidden activation, the output and the update rule
    (its class and constants); they may differ in ``n1``, learning rate, ``l2``
    and parameters. Each epoch gives every network what its own
    :class:`._fast.FastEpochs` would give (up to the rounding of sums; see the
    module docstring), with the products with the batch ``X``, the element-wise
    steps and the update done once for all.

    ``load`` copies the starting parameters and optimiser states into the
    runner's vectors and returns views of them; each call then updates those
    vectors in place and returns the same views. Arrays the runner did not hand
    out are copied in first, so the caller's arrays are never written; arrays
    it did hand out are overwritten by the next epoch.

    Parameters
    ----------
    X : ndarray of shape (m, n0)
        Training data, samples as rows (dense numpy, see :func:`supports_stacking`).
    Y : ndarray of shape (m, n2)
        Targets, samples as rows (0/1 indicators for classifiers).
    sample_weight : ndarray of shape (m,) or None
        Non-negative sample weights.
    params_list : sequence of dict of ndarray
        Each network's ``W1, b1, W2, b2``: their shapes and dtype size the
        buffers (not read; :meth:`load` reads them).
    rule : GradientDescent, Momentum or Adam
        The update rule of every network.
    networks : sequence of ._runners.Network
        Each network's activation and output (the same for all) and ``l2``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_shallow._runners import Network, epoch_batches
    >>> from sklearn_shallow._solvers import Adam
    >>> from sklearn_shallow.network import initialize
    >>> rng = np.random.RandomState(0)
    >>> X, Y = rng.rand(40, 3), np.eye(2)[rng.randint(0, 2, 40)]
    >>> params_list = [initialize([3, n1, 2], random_state=0) for n1 in (4, 8)]
    >>> networks = [Network("relu", "softmax", l2) for l2 in (0.0, 0.1)]
    >>> runner = StackedEpochs(X, Y, None, params_list, rule=Adam(), networks=networks)
    >>> params_list, opt_states = runner.load(params_list, None)
    >>> results = runner(
    ...     params_list,
    ...     opt_states,
    ...     batches=epoch_batches(40, 16, True, rng),
    ...     learning_rates=[0.01, 0.001],
    ... )
    >>> [(params["W1"].shape, opt_state["t"]) for params, opt_state, J, accuracy in results]
    [((4, 3), 3), ((8, 3), 3)]
    """

    def __init__(self, X, Y, sample_weight, params_list, *, rule, networks):
        networks, params_list = list(networks), list(params_list)
        if len(networks) != len(params_list) or not networks:
            raise ValueError("StackedEpochs needs one network per parameter set, at least one.")
        self.X, self.Y, self.sample_weight = X, Y, sample_weight
        dtype = X.dtype
        widths = [params["W1"].shape[0] for params in params_list]
        self.layout = layout = _Layout(X.shape[1], widths, params_list[0]["W2"].shape[0])
        names = list(params_list[0])
        self.params, self.grads = _Stacked(layout, dtype, names), _Stacked(layout, dtype, names)
        self._init_state(rule, params_list[0], names)
        self.update = InPlaceUpdate(layout.size, dtype, rule)
        # The rule's in-place step, reading Adam's step size per element (see _PerElementStepSize).
        self.rule = copy.copy(rule)
        if hasattr(rule, "step_size"):
            self.rule.step_size = _PerElementStepSize(rule, layout, dtype)
        self.scalar = np.dtype(dtype).type
        self.rates = np.empty(layout.size, dtype)
        first = networks[0]
        self.activation, self.output, self.score = first.activation, first.output, first.score
        self.l2 = np.array([network.l2 for network in networks], np.float64)
        g = ACTIVATIONS[self.activation]
        self.g, self.g_prime = g.inplace, g.inplace_derivative
        self.eps = np.finfo(dtype).eps
        self.labels = None
        if self.output == "softmax":
            self.labels = np.argmax(Y, axis=1).astype(_label_dtype(Y))
        self.workspace = None

    def _init_state(self, rule, params, names):
        """The optimiser's stacked vectors (one per prefix) and scalars (one per network)."""
        self.template = state_template(rule, params)
        K = self.layout.n_networks
        self.state, self.state_views = {}, {}
        for key, value in self.template.items():
            if not isinstance(value, np.ndarray):
                self.state[key] = np.array([value] * K)  # e.g. Adam's t, one per network
            elif key[0] not in self.state:
                moments = _Stacked(self.layout, self.params.vector.dtype, names)
                self.state[key[0]], self.state_views[key[0]] = moments.vector, moments.views

    def _holds(self, params_list, opt_states):
        """Whether these are the very dicts the runner handed out (nothing to copy in)."""
        handed = getattr(self, "_handed_states", None)
        return (
            handed is not None
            and opt_states is not None
            and len(params_list) == len(opt_states) == self.layout.n_networks
            and all(p is v for p, v in zip(params_list, self.params.views, strict=True))
            and all(o is h for o, h in zip(opt_states, handed, strict=True))
        )

    def load(self, params_list, opt_states):
        """Copy each network's parameters and optimiser state in (unless they are its views).

        Parameters
        ----------
        params_list : sequence of dict of ndarray
            Each network's ``W1, b1, W2, b2``.
        opt_states : sequence of (dict or None), or None
            Each network's optimiser state; ``None`` (for one network or for
            all), or a state of another rule, starts from the rule's initial
            state (zero moments), as :meth:`._fast.FastEpochs.load`.

        Returns
        -------
        params_list : list of dict of ndarray
            Each network's parameters in the course's shapes: views of the
            runner's vectors.
        opt_states : list of dict
            Each network's optimiser state (views of the runner's vectors, and
            scalars such as Adam's ``t``).
        """
        params_list = list(params_list)
        K = self.layout.n_networks
        opt_states = [None] * K if opt_states is None else list(opt_states)
        if not len(params_list) == len(opt_states) == K:
            raise ValueError(
                f"Expected {K} parameter sets and optimiser states; got "
                f"{len(params_list)} and {len(opt_states)}."
            )
        for k, (params, opt_state) in enumerate(zip(params_list, opt_states, strict=True)):
            for name, view in self.params.views[k].items():
                if params[name] is not view:
                    np.copyto(view, params[name])
            self._load_state(k, opt_state)
        self._handed_states = [self._state_dict(k) for k in range(K)]
        return list(self.params.views), self._handed_states

    def _load_state(self, k, opt_state):
        fresh = not continues(opt_state, self.template)
        for key, value in (self.template if fresh else opt_state).items():
            if not isinstance(value, np.ndarray):
                self.state[key][k] = value
            elif value is not (view := self.state_views[key[0]][k][key[1:]]):
                np.copyto(view, 0 if fresh else value)  # every rule's moments start at zero

    def _state_dict(self, k):
        """Network ``k``'s optimiser state, keyed and ordered as the rule's."""
        return {
            key: self.state_views[key[0]][k][key[1:]]
            if isinstance(value, np.ndarray)
            else self.state[key][k].item()
            for key, value in self.template.items()
        }

    def _handed_state(self, k):
        """Network ``k``'s state dict as handed out, its scalars (Adam's ``t``) brought up to date.

        The same dict every epoch, so that the next call sees it is the runner's own.
        """
        state = self._handed_states[k]
        for key, value in self.template.items():
            if not isinstance(value, np.ndarray):
                state[key] = self.state[key][k].item()
        return state

    def __call__(self, params_list, opt_states, *, batches, learning_rates):
        """One pass over ``batches`` for every network, as :func:`._runners.run_epoch`.

        Parameters
        ----------
        params_list : sequence of dict of ndarray
            Each network's parameters to start from (copied in by :meth:`load`
            unless they are the runner's views).
        opt_states : sequence of (dict or None), or None
            Each network's optimiser state, likewise.
        batches : sequence of slices or index arrays
            The batches of the epoch (:func:`._runners.epoch_batches`), the same
            for every network.
        learning_rates : sequence of float
            Each network's learning rate for this epoch.

        Returns
        -------
        results : list of tuple
            One ``(params, opt_state, loss, score)`` per network, as
            :meth:`._fast.FastEpochs.__call__` returns them: views of its
            parameters and optimiser state after the epoch, the mean over the
            batches (weighted by their mass) of each batch's objective before
            its update, and the task's training score (accuracy or R²,
            :mod:`._scores`) measured the same way.
        """
        if self._holds(params_list, opt_states):
            params_list = list(params_list)
        else:
            params_list, _ = self.load(params_list, opt_states)
        self._set_learning_rates(learning_rates)
        batches = list(batches)
        lengths = [_batch_length(batch, self.X.shape[0]) for batch in batches]
        self._prepare(max(lengths), gather=not all(isinstance(b, slice) for b in batches))
        totals = [_Totals() for _ in params_list]
        total_mass = 0.0
        for batch, rows in zip(batches, lengths, strict=True):
            m = self._batch(batch, rows, totals)
            if m is not None:
                total_mass += float(m)
        return [
            (
                params,
                self._handed_state(k),
                total.loss / total_mass,
                self.score.finish(total.score, total_mass, self.Y.T, self.sample_weight),
            )
            for k, (params, total) in enumerate(zip(params_list, totals, strict=True))
        ]

    def all_finite(self):
        """Whether every network's parameters are finite (one check of the stacked vector)."""
        return bool(np.isfinite(self.params.vector).all())

    def _set_learning_rates(self, learning_rates):
        """Each element's learning rate: its network's, rounded to the dtype as for one network."""
        learning_rates = [float(rate) for rate in learning_rates]
        if learning_rates == getattr(self.update, "alpha", None):
            return  # a constant schedule: the per-element rates are already there
        if len(learning_rates) != self.layout.n_networks:
            raise ValueError(
                f"Expected {self.layout.n_networks} learning rates; got {len(learning_rates)}."
            )
        rates = np.array([self.scalar(rate) for rate in learning_rates], self.rates.dtype)
        self.update.learning_rate = self.layout.spread(rates, self.rates)
        self.update.alpha = learning_rates  # what Adam's step size is computed from

    def _prepare(self, rows, gather):
        """Buffers for batches of up to ``rows`` samples; the update's scratch vector."""
        old = self.workspace
        if old is None or old.rows < rows or (gather and not old.gather):
            self.workspace = _Workspace(
                self.X,
                self.Y,
                self.layout,
                max(rows, 0 if old is None else old.rows),
                activation=self.activation,
                output=self.output,
                gather=gather or (old is not None and old.gather),
                weighted=self.sample_weight is not None,
            )
        # The update runs once the batch's products are done, when the hidden-layer
        # buffer is free: it borrows it as scratch where it is long enough.
        self.update.use_scratch(self.workspace.by_rows["H"].reshape(-1))

    def _batch(self, batch, rows, totals):
        """Forward, backward and update of every network on one batch.

        Adds each network's loss terms and score to ``totals``; returns the
        batch's mass, or None for a batch whose weights are all zero (skipped,
        as in :func:`._runners.run_epoch`).
        """
        view, networks = self.workspace.views(rows, self.params, self.grads)
        sample_weight = self.sample_weight
        w = None if sample_weight is None else _take(sample_weight, batch, view["w"])
        m = rows if w is None else np.add.reduce(w)
        if m == 0:
            return None
        Xb, Yb = _take(self.X, batch, view["X"]), _take(self.Y, batch, view["Y"])
        true = None if self.labels is None else _take(self.labels, batch, view["true"])
        P, dP = self.params.arrays, self.grads.arrays
        H, dH, A2, ones = view["H"], view["dH"], view["A2"], view["ones"]
        np.matmul(Xb, P["W1"], out=H)  # Z1ᵀ = X W1ᵀ, every network's columns at once
        np.add(H, P["b1"], out=H)
        self.g(H, view)
        for W2, A1, _, Z2, _ in networks:
            np.matmul(W2, A1.T, out=Z2)  # Z2 = W2 · A1, network by network
        np.add(A2, P["b2"][:, :, None], out=A2)
        output_inplace(A2, view.get("row"), self.output, axis=1)  # A2 = σ(Z2) of every network
        costs = _loss_and_score(Yb, true, w, view, self.output, self.eps)
        np.subtract(A2, Yb.T, out=A2)  # dZ2 = A2 - Y, then times w / m (or 1 / m)
        if w is None:
            np.multiply(A2, A2.dtype.type(1.0 / m), out=A2)
        else:
            np.multiply(A2, np.divide(w, m, out=view["weights"]), out=A2)
        K, n2 = P["b2"].shape
        np.matmul(A2.reshape(K * n2, rows), ones, out=dP["b2"].reshape(-1))
        for W2, A1, dZ1, dZ2, dW2T in networks:
            np.matmul(A1.T, dZ2.T, out=dW2T)  # dW2ᵀ = A1 · dZ2ᵀ
            # dH may be H's buffer: this network's A1 is not needed once dW2 is known.
            if n2 == 1:
                # One output unit: an outer product, cheaper as a broadcast than as a GEMM.
                np.multiply(dZ2.T, W2, out=dZ1)
            else:
                np.matmul(dZ2.T, W2, out=dZ1)  # dZ1ᵀ before g': (W2ᵀ · dZ2)ᵀ
        self.g_prime(H, dH, view)
        np.matmul(Xb.T, dH, out=dP["W1"])  # dW1ᵀ = X · dZ1ᵀ, every network's columns
        np.matmul(ones, dH, out=dP["b1"])
        penalties = self._penalty(m)
        self.rule.step_inplace(self.update, self.params.vector, self.grads.vector, self.state)
        for total, penalty, (cost, score) in zip(totals, penalties, costs, strict=True):
            total.loss += penalty + cost
            total.score = total.score + score
        return m

    def _penalty(self, m):
        """Each network's L2 term before the update; its gradient ``(l2/m) W`` added.

        As :mod:`._fast`: the factor ``l2 / m`` is computed per network as for
        one network and rounded to the dtype, then multiplies each of its
        weights; a network without penalty adds 0 to its gradient.
        """
        if not self.l2.any():
            return [0.0] * self.layout.n_networks
        S, dW = self.params.arrays, self.grads.weights
        scratch = self.layout.stacked(self.update.scratch)
        # ‖W1‖² + ‖W2‖² of each network: per hidden unit (one pass), then per network.
        per_unit = np.einsum("ij,ij->j", S["W1"], S["W1"]) + np.einsum(
            "ij,ij->i", S["W2"], S["W2"]
        )
        sums = np.add.reduceat(per_unit, self.layout.starts)
        factors = np.array([self.scalar(l2 / m) for l2 in self.l2.tolist()], dW.dtype)
        per_unit = factors[self.layout.owner]
        np.multiply(S["W1"], per_unit, out=scratch["W1"])
        np.multiply(S["W2"], per_unit[:, None], out=scratch["W2"])
        np.add(dW, self.update.scratch[: dW.size], out=dW)
        return [
            0.5 * l2 * float(s) if l2 else 0.0
            for l2, s in zip(self.l2.tolist(), sums, strict=True)
        ]
