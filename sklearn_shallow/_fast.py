"""Private fast path of the training loop: the epochs of a fit on buffers kept between them.

:class:`FastEpochs` runs, for dense numpy ``float32``/``float64`` data, the
epochs that :func:`._runners.run_epoch` computes (the equations of
:mod:`.network` and the update rules of :mod:`._solvers`) in place;
:func:`._runners.epoch_runner` chooses it where :func:`supports_fast_path`
holds. The activations' and update rules' in-place forms come from their
registries (:mod:`._activations`, :mod:`._solvers`). The public steps stay pure
and are the reference that the tests hold this module to; only the way the
work is done differs:

- **Samples stay rows in the hidden layer.** The estimator holds ``X`` as
  ``(m, n0)``. Instead of the course's ``Z1 = W1 · Xᵀ`` this module computes
  its transpose ``Z1ᵀ = X · W1ᵀ``, with the weights stored transposed (see
  :class:`_Vector`), so that neither ``X`` nor ``W1`` is copied and BLAS never
  receives ``A · Bᵀ``. ``H`` ``(batch, n1)`` holds ``Z1ᵀ``, then ``A1ᵀ``;
  ``dH`` holds ``dZ1ᵀ`` (in ``H``'s buffer for the activations whose derivative
  does not read ``A1``, such as relu: once ``dW2`` is computed, ``A1`` is
  free). The output layer keeps the course's layout: ``A2`` ``(n2, batch)``
  holds ``Z2``, then ``A2``, then ``dZ2``.
- **Buffers are allocated once per fit**, for the largest batch, and every
  step writes into them (``np.matmul(..., out=)``, ufuncs with ``out=``).
  ``Z1`` becomes ``A1`` in place: no derivative ``g'`` needs ``Z1`` once ``A1``
  is known (for relu, ``Z1 > 0`` exactly where ``A1 > 0``).
- **Batches are not copied** when they are slices (no shuffling); shuffled
  batches are gathered with ``np.take(..., out=)`` into one buffer.
- **One vector per quantity.** The parameters, gradients and optimiser moments
  each live in one contiguous vector (``W1, W2, b1, b2``, weights first), of
  which the arrays of the course's shapes are views. An update rule is then a
  handful of whole-vector operations instead of one set per array, and the L2
  term touches one slice.
- **The dtype is kept**: ``float32`` data gives ``float32`` work end to end
  (every scalar is a Python float or a numpy scalar of the data's dtype, which
  never promote an array).
- **The caller's arrays are never written**: the starting parameters and
  optimiser state are copied into the runner's vectors, which the epochs then
  update in place; what an epoch returns are views of those vectors, so a fit
  holds one copy of its parameters and moments, not two.
- **Subnormal flushing** (``|x| < finfo.tiny`` set to 0) is applied to the same
  quantities at the same points as in :mod:`._solvers`.

Rounding differs from the pure path only where BLAS or a reduction sums in
another order (a few units in the last place per step).
"""

import contextlib
import math
import weakref
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from scipy.special import expit

from ._activations import ACTIVATIONS, OUTPUTS
from ._blas import blas_threads as _blas_threads
from ._blas import numpy_blas, single_threaded
from ._solvers import InPlaceUpdate, continues, state_template

__all__ = ["FastEpochs", "arrays_fit", "buffer_rows", "supports_fast_path"]

#: Order of the parameters inside their vector: the penalised weights first.
_LAYOUT = ("W1", "W2", "b1", "b2")

_FLOATS = (np.float32, np.float64)


# ------------------------------------------------------------- applicability


def supports_fast_path(X, rule, network):
    """Whether :class:`FastEpochs` applies to this data, update rule and network.

    Parameters
    ----------
    X : array-like or sparse matrix of shape (m, n0)
        Training data, samples as rows.
    rule : object
        The update rule (see :mod:`._solvers`).
    network : ._runners.Network
        The hidden activation, output and ``l2``.

    Returns
    -------
    bool
        True for a dense, C- or F-contiguous numpy array of ``float32`` or
        ``float64``, a rule whose own class defines its in-place step (a
        subclass may change the step without it), a registered activation and
        a registered output (:data:`._activations.OUTPUTS`).
    """
    return (
        type(X) is np.ndarray
        and X.ndim == 2
        and X.dtype.type in _FLOATS
        and (X.flags.c_contiguous or X.flags.f_contiguous)
        and "step_inplace" in vars(type(rule))
        and network.activation in ACTIVATIONS
        and network.output in OUTPUTS
    )


def arrays_fit(X, Y, sample_weight, params, opt_state):
    """One hidden layer, every array in ``X``'s dtype, state (if any) keyed ``prefix + name``."""
    if sorted(params) != sorted(_LAYOUT):
        return False
    arrays = [Y, *params.values()]
    if sample_weight is not None:
        arrays.append(sample_weight)
    for key, value in (opt_state or {}).items():
        if isinstance(value, np.ndarray):
            if key[1:] not in params or value.shape != params[key[1:]].shape:
                return False
            arrays.append(value)
    return all(type(a) is np.ndarray and a.dtype == X.dtype for a in arrays)


# ------------------------------------------------------------------- buffers


class _Vector:
    """Arrays shaped like the parameters, as views of one contiguous vector.

    ``views`` is keyed like ``params`` (in its order), ``weights`` is the slice
    holding ``W1`` and ``W2``. The weight matrices are stored transposed:
    ``W1ᵀ`` and ``W2ᵀ`` are C-contiguous, so ``views["W1"]`` has the course's
    shape ``(n1, n0)`` in Fortran order. Every matrix product of the epoch then
    reaches BLAS as ``A · B`` or ``Aᵀ · B``, never ``A · Bᵀ``, which OpenBLAS
    (0.3.30/0.3.31, 2 threads) runs up to a hundred times slower when another
    process competes for the cores.
    """

    def __init__(self, params):
        shapes = {name: params[name].shape for name in _LAYOUT}
        sizes = [math.prod(shape) for shape in shapes.values()]
        self.vector = np.empty(sum(sizes), params["W1"].dtype)
        stops = np.cumsum(sizes).tolist()
        starts = [0, *stops[:-1]]
        layout = {
            name: _shaped(self.vector[start:stop], shape, transposed=name.startswith("W"))
            for name, shape, start, stop in zip(
                _LAYOUT, shapes.values(), starts, stops, strict=True
            )
        }
        self.views = {name: layout[name] for name in params}
        self.weights = self.vector[: sizes[0] + sizes[1]]


def _shaped(segment, shape, transposed):
    if transposed:
        return segment.reshape(shape[::-1]).T
    return segment.reshape(shape)


class _Workspace:
    """The buffers of a fit's batches (or of a worker's chunks), for up to ``rows`` samples.

    Hidden-layer buffers are ``(rows, n1)`` (samples as rows, like ``X``); the
    output layer's are ``(n2, rows)`` (the course's layout), which turns the
    softmax's and the loss's reductions over the few outputs of a sample into
    whole-row operations. Per-batch views are cached by batch length: an epoch
    has at most two lengths, that of full batches and the last one's (chunks
    too: their lengths differ by at most one).
    """

    def __init__(self, X, Y, params, rows, *, activation, output, gather, weighted):
        n1, n2, dtype = params["W1"].shape[0], params["W2"].shape[0], X.dtype
        softmax, sigmoid = output == "softmax", output == "sigmoid"
        self.rows, self.gather = rows, gather
        g = ACTIVATIONS[activation]
        self.by_rows = {
            "H": (H := np.empty((rows, n1), dtype)),
            "dH": np.empty((rows, n1), dtype) if g.derivative_reads_A else H,
            "mask": np.empty((rows, n1), bool) if "mask" in g.buffers else None,
            "scratch": np.empty((rows, n1), dtype) if "scratch" in g.buffers else None,
            "ones": np.ones(rows, dtype),  # Σ over samples as a BLAS product
            "correct": np.empty(rows, bool),
            # softmax outputs only: argmax of the outputs, the batch's classes, the
            # probabilities given to them and where these lie in the flat A2
            "predicted": np.empty(rows, np.intp) if softmax else None,
            "true": np.empty(rows, _label_dtype(Y)) if softmax else None,
            "picked": np.empty(rows, dtype) if softmax else None,
            "index": np.empty(rows, np.intp) if softmax else None,
            "arange": np.arange(rows) if softmax else None,
            "weights": np.empty(rows, dtype) if weighted else None,  # w / m
            # Shuffled batches are gathered here; slices are views of X and Y.
            "X": np.empty((rows, X.shape[1]), dtype) if gather else None,
            "Y": np.empty((rows, Y.shape[1]), dtype) if gather else None,
            "w": np.empty(rows, dtype) if gather and weighted else None,
        }
        # Flat, so that the first `rows` columns of every row form a contiguous view.
        self.by_columns = {
            "A2": (np.empty(n2 * rows, dtype), n2),  # Z2, then A2, then dZ2
            # sigmoid: probability given to the targets; regression: each output's
            # squared error, then its cost
            "P": (np.empty(n2 * rows, dtype), n2) if not softmax else None,
            # sigmoid outputs only: Y <= 0.5, and whether A2 is on the same side
            "negative": (np.empty(n2 * rows, bool), n2) if sigmoid else None,
            "hit": (np.empty(n2 * rows, bool), n2) if sigmoid else None,
            "row": (np.empty(rows, dtype), 1),  # softmax: max, then sum, per sample
        }
        self._views = {}

    def views(self, rows):
        """The buffers cut to ``rows`` samples (views, no copies)."""
        if rows not in self._views:
            view = {k: None if v is None else v[:rows] for k, v in self.by_rows.items()}
            for name, columns in self.by_columns.items():
                if columns is not None:
                    buffer, n = columns
                    view[name] = buffer[: n * rows].reshape(n, rows)
            self._views[rows] = view
        return self._views[rows]


def _label_dtype(Y):
    """The smallest integer dtype that holds a class index of ``Y``'s columns."""
    return np.min_scalar_type(Y.shape[1] - 1)


def _batch_length(batch, n_samples):
    if isinstance(batch, slice):
        return len(range(*batch.indices(n_samples)))
    return len(batch)


def _take(array, batch, buffer):
    """Rows ``batch`` of ``array``: a view for a slice, else gathered into ``buffer``.

    ``mode='clip'`` (the indices are valid anyway) lets numpy write straight into
    ``buffer``; the default ``'raise'`` gathers into a temporary first.
    """
    if isinstance(batch, slice):
        return array[batch]
    return np.take(array, batch, axis=0, out=buffer, mode="clip")


# ------------------------------------------------------------ the four steps


def _forward(Xb, params, view, g, output):
    """``A1ᵀ`` into ``H`` and ``A2`` into ``A2``: the course's forward pass."""
    H, A2 = view["H"], view["A2"]
    np.matmul(Xb, params["W1"].T, out=H)  # Z1ᵀ = X W1ᵀ (W1ᵀ is C-contiguous)
    np.add(H, params["b1"].T, out=H)
    g(H, view)
    np.matmul(params["W2"], H.T, out=A2)  # Z2 = W2 · A1
    np.add(A2, params["b2"], out=A2)
    output_inplace(A2, view["row"], output, axis=0)


def output_inplace(A2, row, output, axis):
    """``A2 = σ(Z2)`` in place; softmax over the output units, along ``axis``.

    ``row`` is the softmax's scratch, one value per sample (each sample's
    maximum, then its sum), shaped as ``A2`` reduced along ``axis``.
    """
    if output == "sigmoid":
        expit(A2, out=A2)
    elif output == "exp":
        np.exp(A2, out=A2)
    elif output == "softmax":
        # Subtracting each sample's maximum keeps every exponent <= 0.
        np.maximum.reduce(A2, axis=axis, keepdims=True, out=row)
        np.subtract(A2, row, out=A2)
        np.exp(A2, out=A2)
        np.add.reduce(A2, axis=axis, keepdims=True, out=row)
        np.divide(A2, row, out=A2)


def _loss_and_score(Yb, true, w, view, output, eps):
    """The batch's summed cost ``Σ w ℓ`` and what it adds to the epoch's score.

    The score's part is the (weighted) number of correct predictions for a
    classifier, each output's (weighted) sum of squared errors for a regressor
    (:mod:`._scores`).
    """
    if output in ("identity", "exp"):
        return _regression_cost_and_errors(Yb, w, view, output)
    log_likelihood, hits = _log_likelihood_and_hits(Yb, true, w, view, output, eps)
    return -log_likelihood, hits


def _regression_cost_and_errors(Yb, w, view, output):
    """``Σ w ℓ`` and each output's ``Σ w (a - y)²``, as :mod:`._objective` and ``RSquared``.

    ``ℓ`` is ``½ (a - y)²`` for the identity and ``a - y log a`` (the argument
    of the log kept at or above the smallest normal float) for exp. Sums over
    samples are products with ``w`` or with ones.
    """
    A2, E, Y = view["A2"], view["P"], Yb.T
    weights = view["ones"][: A2.shape[1]] if w is None else w
    np.subtract(A2, Y, out=E)
    np.multiply(E, E, out=E)
    squared_errors = E @ weights
    if output == "identity":
        return 0.5 * float(np.add.reduce(squared_errors)), squared_errors
    np.maximum(A2, np.finfo(A2.dtype).smallest_normal, out=E)
    np.log(E, out=E)
    np.multiply(Y, E, out=E)
    np.subtract(A2, E, out=E)
    return float(np.add.reduce(E @ weights)), squared_errors


def _log_likelihood_and_hits(Yb, true, w, view, output, eps):
    """``Σ w log p(target)`` and the (weighted) number of correct predictions.

    ``true`` holds the class of each sample (the argmax of its ``Y`` row,
    computed once per fit) for softmax outputs.

    ``A2`` is clipped to ``[eps, 1 - eps]`` as in :func:`.network.loss`. ``Y``
    holds 0/1 indicators, so for sigmoid outputs ``y log a + (1 - y) log(1 - a)``
    is exactly ``log`` of ``a`` where ``y = 1`` and of ``1 - a`` where ``y = 0``:
    one logarithm per output and no temporaries. For softmax outputs the
    targets are one-hot, so ``Σ_k y_k log a_k`` is ``log a_true``: one logarithm
    per sample.
    """
    A2, correct, Y = view["A2"], view["correct"], Yb.T
    if output == "sigmoid":
        P = sigmoid_log_probabilities(A2, Y, view, eps, axis=0)
    else:
        # One-hot targets (as the estimator encodes them): Σ_k y_k log a_k is the
        # log of the true class's probability, picked from the flat A2 at
        # true * batch + sample.
        index, rows = view["index"], A2.shape[1]
        np.add(np.multiply(true, rows, out=index, dtype=np.intp), view["arange"], out=index)
        P = np.take(A2.reshape(-1), index, out=view["picked"], mode="clip")
        np.log(np.clip(P, eps, 1 - eps, out=P), out=P)
        np.equal(np.argmax(A2, axis=0, out=view["predicted"]), true, out=correct)
    if w is None:
        return float(np.add.reduce(P, axis=None)), float(np.count_nonzero(correct))
    return float(np.add.reduce(P @ w)), float(np.dot(w, correct))


def sigmoid_log_probabilities(A2, Y, view, eps, axis):
    """``log`` of the probability each sigmoid output gives its 0/1 target, into ``view["P"]``.

    Also ``view["correct"]``: whether every label of a sample (along ``axis``)
    is on the right side of 0.5.
    """
    P, negative, hit = view["P"], view["negative"], view["hit"]
    np.clip(A2, eps, 1 - eps, out=P)
    np.less_equal(Y, 0.5, out=negative)
    # With out=P, the entries where `negative` is False keep their value.
    np.subtract(1, P, out=P, where=negative)
    np.log(P, out=P)
    # (A2 > 0.5) == (Y > 0.5), for every label of a sample.
    np.not_equal(np.greater(A2, 0.5, out=hit), negative, out=hit)
    np.logical_and.reduce(hit, axis=axis, out=view["correct"])
    return P


def _gradients(Xb, Yb, w, m, params, out, view, g_prime):
    """The course's six backward equations, without the L2 term, into the views of ``out``.

    ``A2`` becomes ``dZ2``; ``H`` (``A1ᵀ``) may be overwritten (by ``dH`` or by
    ``g'``) once ``dW2`` no longer needs it. Sums over samples are products with a vector of
    ones (one BLAS call instead of a strided reduction). ``m`` is the mass of
    the whole batch, so that the gradients of the chunks of a batch add up to
    the batch's.
    """
    D2, H, dH, ones, dP = view["A2"], view["H"], view["dH"], view["ones"], out.views
    np.subtract(D2, Yb.T, out=D2)  # dZ2 = A2 - Y, then times w / m (or 1 / m)
    if w is None:
        np.multiply(D2, D2.dtype.type(1.0 / m), out=D2)
    else:
        np.multiply(D2, np.divide(w, m, out=view["weights"]), out=D2)
    # BLAS writes C-contiguous results only: each dW is computed as dWᵀ.
    np.matmul(H.T, D2.T, out=dP["W2"].T)  # dW2ᵀ = (dZ2 · A1ᵀ)ᵀ = A1 · dZ2ᵀ
    np.matmul(D2, ones, out=dP["b2"][:, 0])
    if D2.shape[0] == 1:
        # One output unit: an outer product, cheaper as a broadcast than as a GEMM.
        np.multiply(D2.T, params.views["W2"], out=dH)
    else:
        np.matmul(D2.T, params.views["W2"], out=dH)  # dZ1ᵀ before g': (W2ᵀ · dZ2)ᵀ
    g_prime(H, dH, view)
    np.matmul(Xb.T, dH, out=dP["W1"].T)  # dW1ᵀ = (dZ1 · Xᵀ)ᵀ = X · dZ1ᵀ
    np.matmul(ones, dH, out=dP["b1"][:, 0])


def _add_penalty(params, grads, scratch, l2, m):
    """``dW += (l2 / m) W`` for both weight matrices (one slice of the vectors)."""
    if l2:
        scratch = scratch[: params.weights.size]
        penalty = np.multiply(params.weights, params.weights.dtype.type(l2 / m), out=scratch)
        np.add(grads.weights, penalty, out=grads.weights)


# --------------------------------------------------------------- threads


class _Threads:
    """Runs a function on several parts at once: one part in the caller, the rest in workers.

    The chunks of a large batch run on as many threads as BLAS may use, each
    with one BLAS thread: numpy's element-wise work, which runs on one core
    outside the GIL, then uses every core the user allowed, and never more.
    Results come back in the order of the parts.
    """

    def __init__(self, n_threads):
        self.n_threads = n_threads
        self._executor = ThreadPoolExecutor(n_threads - 1) if n_threads > 1 else None
        if self._executor is not None:
            weakref.finalize(self, self._executor.shutdown, wait=False)

    def map(self, function, parts):
        if self._executor is None or len(parts) == 1:
            return [function(part) for part in parts]
        futures = [self._executor.submit(function, part) for part in parts[1:]]
        first = function(parts[0])
        return [first, *(future.result() for future in futures)]


def _split(n, n_parts):
    """``n_parts`` contiguous slices covering ``range(n)``, of near-equal lengths."""
    stops = [n * (k + 1) // n_parts for k in range(n_parts)]
    return [slice(start, stop) for start, stop in zip([0, *stops[:-1]], stops, strict=True)]


# ------------------------------------------------------- optimiser state


def _state_vectors(template, params):
    """Buffers for the optimiser state: one vector per prefix (``V``, ``M``, ``S``).

    ``template`` is the rule's initial state on empty arrays (its keys and
    scalars). Returns the state (vectors by prefix, scalars such as Adam's
    ``t`` by name) and, by prefix, the views of each vector shaped like the
    parameters.
    """
    state, views = {}, {}
    for key, value in template.items():
        if not isinstance(value, np.ndarray):
            state[key] = value
        elif key[0] not in state:
            vector = _Vector(params)
            state[key[0]], views[key[0]] = vector.vector, vector.views
    return state, views


def _state_dict(opt_state, state, views):
    """The state back as a dict keyed and ordered as ``opt_state``."""
    return {
        key: views[key[0]][key[1:]] if isinstance(value, np.ndarray) else state[key]
        for key, value in opt_state.items()
    }


# ----------------------------------------------------------------- the epoch


#: A large batch is cut into chunks whose hidden-layer buffers take about this
#: many bytes, so that the element-wise work of a chunk runs in cache; a batch
#: that does not fill two chunks (mini-batches, small data sets) runs whole.
_CHUNK_BYTES = 1 << 20
#: Chunks have at least this many rows (the matrix products stay efficient).
_MIN_CHUNK_ROWS = 256
#: The chunks of a large batch are summed in this many groups (fewer with fewer
#: chunks), whatever the number of threads, so that the result does not depend on
#: it; threads share the groups, so no more than this many work on one batch. Each
#: group holds a gradient vector.
_GROUPS = 8
#: With more inputs than this the matrix products dominate an epoch, and they run
#: fastest whole, on BLAS's own threads: batches are not cut.
_MAX_CHUNK_INPUTS = 256


class FastEpochs:
    """The epochs of one fit on buffers kept from one epoch to the next.

    Built by :func:`._runners.epoch_runner`; follows the protocol of
    :class:`._runners.PureEpochs`. ``load`` copies the starting parameters and
    optimiser state into the runner's vectors and returns views of them; each
    call then updates those vectors in place and returns the same views. Arrays
    the runner did not hand out are copied in first, so the caller's own arrays
    are never written; arrays it did hand out are overwritten by the next epoch
    (the estimator copies the ones it keeps, such as the best epoch's weights).

    A large batch (full-batch gradient descent) of data with at most
    ``_MAX_CHUNK_INPUTS`` inputs is cut into chunks of samples: each thread
    runs the forward and backward passes of its chunks on its own small
    buffers, which stay in cache, with single-threaded BLAS. The chunks are
    summed in a fixed number of groups, each into its own vector, and the
    groups' vectors are summed at the end (gradients are sums over samples, so
    the batch's gradient is the sum of its chunks'). The chunks, the groups and
    the order of every sum depend on the data and ``n1`` only: results do not
    depend on timing, on the number of threads, nor on another fit running at
    the same time. Other batches (mini-batches, inputs wider than
    ``_MAX_CHUNK_INPUTS``) run whole, with BLAS's own threads: their products
    round as BLAS does for the thread count it has at that moment, and OpenBLAS
    cuts a product differently for another count (measured with 0.3.31: up to
    6e-14 apart on a 3000 x 300 by 300 x 32 product, 1 thread vs 2). Such a fit
    gives the same bits whenever it runs with the same number of BLAS threads,
    which another fit changes only while that one runs chunked epochs (it holds
    numpy's BLAS at one thread).
    """

    def __init__(self, X, Y, sample_weight, params, *, rule, network):
        self.X, self.Y, self.sample_weight = X, Y, sample_weight
        self.params = _Vector(params)
        self.grads = _Vector(params)
        self.template = state_template(rule, params)
        self.state, self.state_views = _state_vectors(self.template, params)
        self.threads = _Threads(max(1, _blas_threads()))
        self.update = InPlaceUpdate(self.params.vector.size, X.dtype, rule)
        self.step = rule.step_inplace
        self.activation = network.activation
        g = ACTIVATIONS[self.activation]
        self.g, self.g_prime = g.inplace, g.inplace_derivative
        self.output, self.l2, self.score = network.output, network.l2, network.score
        self.eps = np.finfo(X.dtype).eps
        # The class of each sample, for the accuracy of softmax outputs.
        self.labels = None
        if self.output == "softmax":
            self.labels = np.argmax(Y, axis=1).astype(_label_dtype(Y))
        n1 = params["W1"].shape[0]
        self.chunk_rows = chunk_rows(X.shape, n1, X.dtype.itemsize)
        self.workspace = None
        self.workers = []
        self.totals = []

    def load(self, params, opt_state):
        """Copy ``params`` and ``opt_state`` in (unless they are the runner's own views).

        ``opt_state=None``, or a state of another rule, starts from the rule's
        initial state (zero moments), written straight into the runner's buffers.
        """
        self._load_params(params)
        fresh = not continues(opt_state, self.template)
        for key, value in (self.template if fresh else opt_state).items():
            if not isinstance(value, np.ndarray):
                self.state[key] = value
            elif fresh:
                self.state[key[0]].fill(0)  # every rule's moments start at zero
            elif value is not (view := self.state_views[key[0]][key[1:]]):
                np.copyto(view, value)
        return self.params.views, _state_dict(self.template, self.state, self.state_views)

    def _load_params(self, params):
        for name, view in self.params.views.items():
            if params[name] is not view:
                np.copyto(view, params[name])

    def _new_workspace(self, rows, gather, old):
        if old is not None and old.rows >= rows and (old.gather or not gather):
            return old
        return _Workspace(
            self.X,
            self.Y,
            self.params.views,
            max(rows, 0 if old is None else old.rows),
            activation=self.activation,
            output=self.output,
            gather=gather or (old is not None and old.gather),
            weighted=self.sample_weight is not None,
        )

    def _workers(self, n_workers, rows, gather):
        """Per thread: a chunk workspace and a gradient scratch vector."""
        while len(self.workers) < n_workers:
            self.workers.append([None, _Vector(self.params.views)])
        for worker in self.workers[:n_workers]:
            worker[0] = self._new_workspace(rows, gather, worker[0])
        return self.workers[:n_workers]

    def _totals(self, n_groups):
        """One gradient sum per group of chunks; the first group sums into ``self.grads``."""
        while len(self.totals) < n_groups:
            self.totals.append(_Vector(self.params.views) if self.totals else self.grads)
        return self.totals[:n_groups]

    def _pass(self, batch, Xb, Yb, w, m, view, out):
        """Forward and backward on one batch or chunk; the gradients go to ``out``."""
        P = self.params
        true = None if self.labels is None else _take(self.labels, batch, view["true"])
        _forward(Xb, P.views, view, self.g, self.output)
        cost, score = _loss_and_score(Yb, true, w, view, self.output, self.eps)
        _gradients(Xb, Yb, w, m, P, out, view, self.g_prime)
        return cost, score

    def _chunks(self, worker, total, parts, m):
        """A group's chunks on one thread: cost, score's part, gradients (in ``total``)."""
        workspace, scratch = worker
        cost = score = 0.0
        for k, part in enumerate(parts):
            view = workspace.views(_batch_length(part, self.X.shape[0]))
            w = None if self.sample_weight is None else _take(self.sample_weight, part, view["w"])
            Xc, Yc = _take(self.X, part, view["X"]), _take(self.Y, part, view["Y"])
            chunk = self._pass(part, Xc, Yc, w, m, view, total if k == 0 else scratch)
            if k:
                np.add(total.vector, scratch.vector, out=total.vector)
            cost += chunk[0]
            score = score + chunk[1]
        return cost, score

    def _large_batch(self, batch, rows, m):
        """A batch cut into chunks, its gradient summed in an order no thread count changes.

        The chunks, their groups and the order of every sum depend on the batch
        and ``chunk_rows`` only; the threads (as many as BLAS may use now, which
        another fit holding the one-thread limit changes) only share the groups.
        """
        n_chunks = -(-rows // self.chunk_rows)
        pieces = _split(rows, n_chunks)
        parts = [_sub_batch(batch, piece) for piece in pieces]
        n_groups = min(_GROUPS, n_chunks)
        groups = [parts[piece] for piece in _split(n_chunks, n_groups)]
        totals = self._totals(n_groups)
        n_workers = min(self.threads.n_threads, n_groups)
        longest = max(piece.stop - piece.start for piece in pieces)
        workers = self._workers(n_workers, longest, gather=not isinstance(batch, slice))

        def run(k):  # worker k takes groups k, k + n_workers, ...
            return [
                (g, self._chunks(workers[k], totals[g], groups[g], m))
                for g in range(k, n_groups, n_workers)
            ]

        results = dict(pair for pairs in self.threads.map(run, range(n_workers)) for pair in pairs)
        for total in totals[1:]:
            np.add(self.grads.vector, total.vector, out=self.grads.vector)
        ordered = [results[g] for g in range(n_groups)]
        return sum(r[0] for r in ordered), sum(r[1] for r in ordered)

    def __call__(self, params, opt_state, *, batches, learning_rate):
        """One pass over ``batches``, as :func:`._runners.run_epoch`.

        Returns
        -------
        params : dict of ndarray
            The parameters after the epoch (the runner's views).
        opt_state : dict
            The optimiser state after the epoch (the runner's views and scalars).
        loss : float
            Mean over the batches, weighted by their mass, of each batch's
            objective before its update.
        score : float
            The task's training score (accuracy or R², :mod:`._scores`)
            measured the same way.
        """
        params, opt_state = self.load(params, opt_state)
        self.update.set_learning_rate(learning_rate)
        batches, lengths, chunked, limit = self._plan(batches)
        total_loss = total_score = total_mass = 0.0
        with limit:
            for batch, rows, large in zip(batches, lengths, chunked, strict=True):
                batch_terms = self._gradient(batch, rows, large)
                if batch_terms is None:
                    continue
                loss_terms, score, m = batch_terms
                total_loss += loss_terms
                total_score = total_score + score
                total_mass += float(m)
                self.step(self.update, self.params.vector, self.grads.vector, self.state)
        opt_state = _state_dict(self.template, self.state, self.state_views)
        score = self.score.finish(total_score, total_mass, self.Y.T, self.sample_weight)
        return params, opt_state, total_loss / total_mass, score

    def objective(self, params):
        """Loss, gradients and score on all the data at ``params`` (no update).

        The full-batch objective that L-BFGS-B minimises: the batch work of
        :meth:`__call__` on one batch of every sample. Returns
        ``(J, grads, score)``, ``grads`` keyed ``dW1, db1, ...`` (views of the
        runner's gradient vector, overwritten by the next call).
        """
        self._load_params(params)
        batches, lengths, chunked, limit = self._plan([slice(0, self.X.shape[0])])
        with limit:
            loss_terms, score, m = self._gradient(batches[0], lengths[0], chunked[0])
        grads = {"d" + name: view for name, view in self.grads.views.items()}
        score = self.score.finish(score, float(m), self.Y.T, self.sample_weight)
        return loss_terms / float(m), grads, score

    def _plan(self, batches):
        """Batch lengths, which batches run in chunks, buffers for the others, the BLAS limit."""
        batches = list(batches)
        lengths = [_batch_length(batch, self.X.shape[0]) for batch in batches]
        chunked = [rows >= 2 * self.chunk_rows for rows in lengths]
        small = [rows for rows, large in zip(lengths, chunked, strict=True) if not large]
        if small:
            gather = not all(isinstance(b, slice) for b in batches)
            self.workspace = self._new_workspace(max(small), gather, self.workspace)
        spare = None if self.workspace is None else self.workspace.by_rows["H"].reshape(-1)
        self.update.use_scratch(spare)
        # One BLAS thread per worker while chunks run: the workers use the cores. The
        # limit is taken with one worker too: the products of a chunk then always run
        # on one BLAS thread, whatever other fits do to BLAS meanwhile (their rounding
        # depends on the thread count).
        limit = any(chunked)
        return (
            batches,
            lengths,
            chunked,
            (single_threaded("numpy", numpy_blas()) if limit else contextlib.nullcontext()),
        )

    def _gradient(self, batch, rows, large):
        """The gradient of one batch's objective (L2 term included) into ``self.grads``.

        Returns the batch's summed loss terms (``penalty + Σ w ℓ``), its
        part of the score (weighted correct predictions, or squared errors per
        output) and its mass, or None for a
        batch whose weights are all zero (it is skipped, as in the pure path).
        """
        X, Y, sample_weight, P = self.X, self.Y, self.sample_weight, self.params
        if large:
            m = rows if sample_weight is None else np.add.reduce(sample_weight[batch])
            if m == 0:
                return None
            cost, score = self._large_batch(batch, rows, m)
        else:
            view = self.workspace.views(rows)
            w = None if sample_weight is None else _take(sample_weight, batch, view["w"])
            m = rows if w is None else np.add.reduce(w)
            if m == 0:
                return None
            Xb, Yb = _take(X, batch, view["X"]), _take(Y, batch, view["Y"])
            cost, score = self._pass(batch, Xb, Yb, w, m, view, self.grads)
        penalty = 0.5 * self.l2 * float(np.dot(P.weights, P.weights)) if self.l2 else 0.0
        _add_penalty(P, self.grads, self.update.scratch, self.l2, m)
        return penalty + cost, score, m


def chunk_rows(shape, n1, itemsize):
    """Rows of the chunks that a large batch of data of ``shape`` is cut into.

    Data with more than ``_MAX_CHUNK_INPUTS`` columns is never cut: the number of
    its rows is returned.
    """
    if shape[1] > _MAX_CHUNK_INPUTS:
        return shape[0]  # no batch fills two chunks
    return max(_MIN_CHUNK_ROWS, _CHUNK_BYTES // (n1 * itemsize))


def buffer_rows(shape, batch_size, n1, itemsize):
    """How many samples the batch buffers of a fit hold at once (for the memory estimate).

    A batch of at least two chunks runs in chunks, each thread on its own
    buffers; other batches run whole.
    """
    rows = chunk_rows(shape, n1, itemsize)
    if batch_size < 2 * rows:
        return batch_size
    return min(batch_size, rows * min(_GROUPS, max(1, _blas_threads())))


def _sub_batch(batch, piece):
    """Rows ``piece`` (a slice of positions) of a batch given as a slice or as indices."""
    if isinstance(batch, slice):
        start = batch.start or 0
        return slice(start + piece.start, start + piece.stop)
    return batch[piece]
