"""What the classifier and the regressor share: parameters, the transactional fit, prediction.

:class:`BaseShallowNN` holds the hyper-parameters common to both estimators,
runs a fit as a transaction on a draft (:meth:`~BaseShallowNN._transaction`),
builds the engine's state and settings, keeps what the engine returns as plain
fitted attributes and runs the forward pass by chunks for prediction. Each
estimator adds what its task needs, through these methods:

- ``_check_data(X, y, sample_weight, classes, continuing, incremental)``:
  returns ``X, y, Y, sample_weight, targets``, where ``Y`` is the encoded target
  matrix (samples as rows) and ``targets`` has at least ``output``, the output
  activation;
- ``_check_memory(X, Y, X_val, incremental, output)``: calls
  :func:`._memory.check_fit_memory` on :meth:`~BaseShallowNN._fit_size`;
- ``_encode_validation(y_val, X_val, targets, dtype)``: ``Y_val`` as numpy;
- ``_stratify(y, targets)``: the labels a validation split keeps in proportion
  (or None);
- ``_set_targets(targets, X)``: the fitted attributes of the targets.

``_score_name`` names the task's score in ``history_`` (``'accuracy'``, ``'r2'``).
"""

import math
from numbers import Integral, Real
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state, gen_batches
from sklearn.utils.validation import check_is_fitted, validate_data

from ._activations import ACTIVATIONS
from ._array_api import is_numpy, move, namespace, take_rows
from ._compat import (
    Interval,
    Options,
    StrOptions,
    _check_sample_weight,
    get_chunk_n_rows,
    get_namespace,
    get_namespace_and_device,
)
from ._engine import Data, FitState, Settings, Stopping, history_keys, train
from ._fast import buffer_rows
from ._input_scaling import INPUT_SCALINGS, densified, densifies, fit_input_scaling, scaled
from ._memory import FitSize
from ._runners import Network
from ._solvers import auto_learning_rate, make_update_rule
from ._validation import as_dtype, check_validation_X, num_rows, numpy_dtype, validation_split
from ._warnings import warn
from .network import forward, initialize

#: ``early_stopping='auto'`` stops on a validation score when the training data has
#: more samples than this, as ``HistGradientBoostingClassifier`` does.
AUTO_EARLY_STOPPING_SAMPLES = 10_000

#: ``input_scaling='auto'`` centres the inputs (``'mean'``) when the training data has
#: more samples than this, and maps them to ``[0, 1]`` (``'minmax'``) otherwise.
AUTO_INPUT_SCALING_SAMPLES = 10_000


def solver_is_iterative(estimator):
    """``available_if`` condition of ``partial_fit``: not for ``'lbfgs'``."""
    if estimator.solver == "lbfgs":
        raise AttributeError(
            "partial_fit is not available for solver='lbfgs'; use 'gd', 'sgd' or 'adam'."
        )
    return True


class Problem(NamedTuple):
    """What a fit trains on, whatever its network: data, validation, targets, scaling...

    ``data`` and ``validation`` are :class:`~._engine.Data` in the network's
    inputs (scaled); ``auto_alpha`` is what ``alpha='auto'`` gives on them (NaN
    unless ``alpha='auto'``);
    ``rng`` is the data stream (shuffles); ``stops_early`` whether the fit stops
    on the validation score.
    """

    data: Data
    validation: Data | None
    targets: object
    scaling: tuple | None
    auto_alpha: float
    rng: np.random.RandomState
    stops_early: bool


class BaseShallowNN(BaseEstimator):
    """The one-hidden-layer network's estimator, less what its task adds (see the module)."""

    _score_name = "accuracy"

    _parameter_constraints: dict = {
        "n1": [Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "input_scaling": [StrOptions({*INPUT_SCALINGS, "auto"}), None],
        "solver": [StrOptions({"gd", "sgd", "adam", "lbfgs"})],
        "alpha": [Interval(Real, 0, None, closed="neither"), StrOptions({"auto"})],
        "l2": [Interval(Real, 0, None, closed="left")],
        "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "learning_rate": [StrOptions({"constant", "invscaling", "adaptive"})],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(Real, 0, None, closed="left"), None],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "early_stopping": ["boolean", StrOptions({"auto"})],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "n_iter_no_change": [
            Interval(Integral, 1, None, closed="left"),
            Options(Real, {np.inf}),
        ],
        "max_fun": [Interval(Integral, 1, None, closed="left")],
        "callback": [callable, None],
    }

    def __init__(
        self,
        n1,
        *,
        activation,
        input_scaling,
        solver,
        alpha,
        l2,
        batch_size,
        learning_rate,
        power_t,
        max_iter,
        shuffle,
        random_state,
        tol,
        verbose,
        warm_start,
        momentum,
        nesterovs_momentum,
        early_stopping,
        validation_fraction,
        beta_1,
        beta_2,
        epsilon,
        n_iter_no_change,
        max_fun,
        callback,
    ):
        self.n1 = n1
        self.activation = activation
        self.input_scaling = input_scaling
        self.solver = solver
        self.alpha = alpha
        self.l2 = l2
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.callback = callback

    # ------------------------------------------------------------------ fit

    def _transaction(self, fit):
        """Run ``fit`` on a draft of this estimator, then take the draft's attributes at once.

        The draft starts with this estimator's attributes (the same objects, which
        training never writes to); validation and training write to the draft
        only. Whatever stops ``fit`` (bad input, divergence, ``KeyboardInterrupt``,
        ``MemoryError``), this estimator is left exactly as it was.
        """
        draft = object.__new__(type(self))
        vars(draft).update(vars(self))
        fit(draft)
        # One attribute store, which no interrupt can cut in two: the estimator is
        # either exactly the old model or the complete new one.
        self.__dict__ = vars(draft)
        return self

    def _fit(
        self,
        X,
        y,
        *,
        sample_weight,
        owner,
        incremental=False,
        X_val=None,
        y_val=None,
        classes=None,
    ):
        if incremental and self._early_stopping_asked():
            raise ValueError(
                "partial_fit does not support early_stopping=True: each call trains one "
                "epoch on the data it is given, with no validation split to stop on. "
                "Set early_stopping=False, or pass the whole data to fit."
            )
        continuing = self._continues(incremental)
        if continuing:
            self._check_architecture()
        problem = self._prepare(
            X, y, sample_weight, continuing, incremental, X_val=X_val, y_val=y_val, classes=classes
        )
        alpha = self._learning_rate_for(problem, continuing)
        if continuing:
            state = self._saved_state(alpha)
        else:
            state = self._fresh_state(problem, alpha)
        n_iter_before = state.n_iter
        state = train(
            problem.data,
            problem.validation,
            state,
            self._settings(problem, owner, alpha=alpha),
            self._network(problem),
            rng=problem.rng,
            incremental=incremental,
        )
        self._commit(state, problem, alpha, n_iter_before)
        return self

    def _prepare(self, X, y, sample_weight, continuing, incremental, **validation):
        """Everything a fit needs besides the network's own parameters: a :class:`Problem`.

        Validates the data, refuses a fit too large for the memory left, scales
        the inputs and splits off the validation set. ``validation`` holds
        ``X_val``, ``y_val`` (an explicit validation set) and ``classes``.
        Fits that differ only in ``n1``, ``alpha``, ``l2`` or ``activation`` get
        the same problem (so a search prepares it once per fold).
        """
        X_val, y_val = validation.get("X_val"), validation.get("y_val")
        X, y, Y, sample_weight, targets = self._check_data(
            X, y, sample_weight, validation.get("classes"), continuing, incremental
        )
        self._check_memory(X, Y, X_val, incremental, targets.output)
        owned = densifies(X)
        X = densified(X)
        scaling = self._input_scaling_for(X, sample_weight, continuing)
        auto_alpha = math.nan
        if isinstance(self.alpha, str):
            auto_alpha = auto_learning_rate(X, self.solver, sample_weight, scaling)
        rng = self._continued_rng() if continuing else fresh_random_states(self.random_state)[1]
        data = Data(X, Y, sample_weight)
        stops_early = self._stops_early(X.shape[0], incremental)
        validation = self._validation_data(data, y, X_val, y_val, targets, rng, split=stops_early)
        split = isinstance(validation, tuple)
        if split:
            data, validation = validation
        if scaling is not None:
            # A split copied the rows: the parts, then owned here, are scaled in place.
            data = data.scaled(scaling, inplace=owned or split)
            if validation is not None:
                validation = validation.scaled(scaling, inplace=split)
        return Problem(data, validation, targets, scaling, auto_alpha, rng, stops_early)

    def _network(self, problem):
        """The network's :class:`~._runners.Network`: activation, output and ``l2``."""
        return Network(self.activation, problem.targets.output, self.l2)

    def _commit(self, state, problem, alpha, n_iter_before):
        """The fitted attributes from the trained ``state`` (on the draft of the transaction)."""
        X = problem.data.X
        self._set_state(state, problem.targets, problem.data.Y.shape[1], X, n_iter_before)
        self._set_input_scaling(problem.scaling, X)
        self.alpha_ = float(alpha)

    def _fitted_architecture(self):
        """The parameters that made the fitted network, which a continued fit must keep."""
        return {
            "n1": self.params_["W1"].shape[0],
            "activation": self._fitted_hidden_activation(),
            "input_scaling": getattr(self, "_fitted_input_scaling", None),
        }

    def _fitted_hidden_activation(self):
        """The hidden activation the fitted network was trained with.

        ``set_params(activation=...)`` since the fit changes ``activation``, not
        the network: predicting and exporting use this one.
        """
        return getattr(self, "_fitted_activation", self.activation)

    def _check_architecture(self):
        """Continuing a fit needs the network it fitted: see :meth:`_fitted_architecture`."""
        for name, old in self._fitted_architecture().items():
            new = getattr(self, name)
            if new != old:
                raise ValueError(
                    f"{name}={new!r} differs from the fitted network's {name}={old!r}: "
                    "partial_fit and warm_start=True continue the fitted network. Set "
                    f"{name} back to {old!r}, or fit a new network with warm_start=False."
                )

    def _fit_size(self, X, Y, X_val, incremental, output):
        """The sizes that decide the fit's memory (see :func:`._memory.check_fit_memory`)."""
        n_samples = X.shape[0]
        n_val = 0
        if X_val is not None:
            n_val = num_rows(X_val)
        elif self._stops_early(n_samples, incremental):
            n_val = math.ceil(self.validation_fraction * n_samples)
        batch_size = self.batch_size if self.solver in ("sgd", "adam") else n_samples
        batch_size = min(n_samples, 200 if batch_size == "auto" else batch_size)
        itemsize = np.dtype(numpy_dtype(X, get_namespace(X)[0])).itemsize
        # Dense numpy data trains on the fast path's buffers (_runners.epoch_runner).
        fast = isinstance(X, np.ndarray) or densifies(X)
        if fast:
            batch_size = buffer_rows(X.shape, batch_size, self.n1, itemsize)
        return FitSize(
            n_samples=n_samples,
            n_features=X.shape[1],
            n1=self.n1,
            n_outputs=Y.shape[1],
            batch_size=batch_size,
            n_val=n_val,
            solver=self.solver,
            itemsize=itemsize,
            activation=self.activation,
            fast=fast,
            # A split copies the rows, which are then scaled in place.
            scaled_copy=self._scales_inputs(incremental) and not sp.issparse(X) and not n_val,
        )

    def _checked_sample_weight(self, sample_weight, y, dtype):
        """``sample_weight`` checked (non-negative), in ``dtype``; None stays None."""
        if sample_weight is None:
            return None
        return _check_sample_weight(sample_weight, y, dtype=dtype, ensure_non_negative=True)

    @staticmethod
    def _require_some_weight(sample_weight, what="sample_weight"):
        if sample_weight is not None and not np.sum(sample_weight) > 0:
            raise ValueError(
                "Sample weights must contain at least one non-zero number; "
                f"every weight of {what} is zero."
            )

    def _validation_data(self, data, y, X_val, y_val, targets, rng, split):
        """The validation set: the explicit one, a split (stratified where it can be), or none.

        ``split``: whether the fit stops early (a split is made when no ``X_val``
        is given); it returns ``(training part, validation part)``.
        """
        if (X_val is None) != (y_val is None):
            raise ValueError("X_val and y_val must be given together (got only one).")
        X = data.X
        xp, _, device = get_namespace_and_device(X)
        if X_val is not None:
            X_val = check_validation_X(self, X_val, X, xp)
            Y_val = self._encode_validation(y_val, X_val, targets, numpy_dtype(X, xp))
            return Data(X_val, move(Y_val, xp, device))
        if not split:
            return None
        train_rows, val_rows = validation_split(
            X.shape[0], self._stratify(y, targets), self.validation_fraction, rng
        )
        return data.rows(train_rows), data.rows(val_rows)

    def _early_stopping_asked(self):
        """``early_stopping=True`` (not ``'auto'``, which only switches it on for large data)."""
        return not isinstance(self.early_stopping, str) and bool(self.early_stopping)

    def _stops_early(self, n_samples, incremental):
        """Whether a fit on ``n_samples`` stops on a validation score (``'auto'`` resolved)."""
        if incremental or self.solver == "lbfgs":
            return False
        if isinstance(self.early_stopping, str):  # 'auto'
            return n_samples > AUTO_EARLY_STOPPING_SAMPLES
        return bool(self.early_stopping)

    # ------------------------------------------------------------ the engine

    def _continues(self, incremental):
        """Whether this fit continues the fitted network (``partial_fit``, ``warm_start``)."""
        return hasattr(self, "params_") and (incremental or self.warm_start)

    def _scales_inputs(self, incremental):
        """Whether this fit trains on a scaled copy of ``X`` (see :meth:`_input_scaling_for`)."""
        if self._continues(incremental):
            return getattr(self, "X_offset_", None) is not None
        return self.input_scaling is not None

    def _input_scaling_for(self, X, sample_weight, continuing):
        """``(offset, scale)`` of the inputs (numpy), or None: computed once, then kept.

        A continued fit keeps the scaling its network was trained in, whatever
        the new data's range.
        """
        if continuing:
            if getattr(self, "X_offset_", None) is None:
                return None
            return move(self.X_offset_), move(self.X_scale_)
        if self.input_scaling is None:
            return None
        return fit_input_scaling(X, self._input_scaling_kind(X.shape[0]), sample_weight)

    def _input_scaling_kind(self, n_samples):
        """``input_scaling`` for a first fit on ``n_samples``, ``'auto'`` resolved.

        Early stopping (``'auto'`` too, above the same number of samples) ends
        a large fit within a few dozen epochs, which centred inputs reach in
        half as many epochs or less (``benchmarks/large_defaults.py``); smaller
        data keeps ``'minmax'``, the scaling its defaults were measured with
        (``benchmarks/scaling.py``), and so does the course's ``'gd'``, left as
        it was.
        """
        if self.input_scaling != "auto":
            return self.input_scaling
        large = n_samples > AUTO_INPUT_SCALING_SAMPLES
        return "mean" if large and self.solver != "gd" else "minmax"

    def _set_input_scaling(self, scaling, X):
        xp, _, device = get_namespace_and_device(X)
        if scaling is None:
            self.X_offset_ = self.X_scale_ = None
        else:
            self.X_offset_, self.X_scale_ = (move(a, xp, device) for a in scaling)
        self._fitted_input_scaling = self.input_scaling if scaling is not None else None

    def _batch_size(self, n_samples):
        if self.solver in ("gd", "lbfgs"):
            return n_samples
        if self.batch_size == "auto":
            return min(200, n_samples)
        if self.batch_size > n_samples:
            warn(
                f"batch_size={self.batch_size} is larger than the {n_samples} samples; "
                "it is clipped to n_samples.",
                UserWarning,
            )
        return min(self.batch_size, n_samples)

    def _learning_rate_for(self, problem, continuing):
        """``alpha``, or what ``'auto'`` gives: chosen on the data of the first fit, then kept.

        ``'auto'`` looks at the inputs the network sees (``problem.auto_alpha``).
        """
        if not isinstance(self.alpha, str):
            return self.alpha
        if continuing and hasattr(self, "alpha_"):
            return self.alpha_
        return problem.auto_alpha

    def _settings(self, problem, owner, alpha):
        """The engine's :class:`~._engine.Settings` from the hyper-parameters."""
        rule = None
        if self.solver != "lbfgs":
            rule = make_update_rule(
                self.solver,
                momentum=self.momentum,
                nesterovs_momentum=self.nesterovs_momentum,
                beta_1=self.beta_1,
                beta_2=self.beta_2,
                epsilon=self.epsilon,
            )
        return Settings(
            solver=self.solver,
            alpha=alpha,
            rule=rule,
            schedule=self.learning_rate,
            power_t=self.power_t,
            batch_size=self._batch_size(problem.data.X.shape[0]),
            shuffle=self.shuffle,
            max_iter=self.max_iter,
            max_fun=self.max_fun,
            tol=self.tol,
            n_iter_no_change=self.n_iter_no_change,
            early_stopping=problem.stops_early,
            verbose=self.verbose,
            callback=self.callback,
            owner=owner,
            name=type(self).__name__,
        )

    # ------------------------------------------------------------ fitted state

    def _fresh_state(self, problem, alpha):
        """A new network's state, its weights drawn as :func:`fresh_random_states` says."""
        X, n_outputs = problem.data.X, problem.data.Y.shape[1]
        xp, _, device = get_namespace_and_device(X)
        init_rng = fresh_random_states(self.random_state)[0]
        params = initialize(
            [X.shape[1], self.n1, n_outputs], random_state=init_rng, dtype=numpy_dtype(X, xp)
        )
        return FitState(
            params={name: move(P, xp, device) for name, P in params.items()},
            learning_rate=alpha,
            history={key: [] for key in history_keys(self._score_name)},
        )

    def _saved_state(self, alpha):
        return FitState(
            params=self.params_,
            opt_state=getattr(self, "_optimizer_state", {}),
            n_iter=self._epochs,
            t=self.t_,
            learning_rate=getattr(self, "_learning_rate", alpha),
            stopping=Stopping(**getattr(self, "_stopping", {})),
            history={
                key: list(self.history_.get(key, [math.nan] * self._epochs))
                for key in history_keys(self._score_name)
            },
        )

    def _continued_rng(self):
        """A generator for a continued fit that does not replay the first fit's draws."""
        if isinstance(self.random_state, Integral):
            return np.random.RandomState([int(self.random_state), int(self._epochs)])
        return check_random_state(self.random_state)

    @property
    def _epochs(self):
        """Epochs (L-BFGS iterations) since the network was initialised, over every call."""
        return len(self.loss_curve_)

    def _set_state(self, state, targets, n_outputs, X, n_iter_before):
        self._set_targets(targets, X)
        self.n_outputs_ = n_outputs
        self.out_activation_ = targets.output
        self._fitted_activation = self.activation
        self.params_ = {name: _contiguous(P) for name, P in state.params.items()}
        self._optimizer_state = {} if state.opt_state is None else state.opt_state
        self._learning_rate = float(state.learning_rate)
        self._stopping = vars(state.stopping).copy()
        # As MLPClassifier: the epochs of this call (1 for partial_fit).
        self.n_iter_ = int(state.n_iter) - n_iter_before
        self.t_ = int(state.t)
        val_score = f"val_{self._score_name}"
        history = state.history
        if all(math.isnan(v) for v in history[val_score]):
            history = {k: v for k, v in history.items() if not k.startswith("val_")}
        self.history_ = history
        self.loss_curve_ = list(history["loss"])
        self.loss_ = self.loss_curve_[-1]
        self.best_epoch_ = int(state.best_epoch)
        if val_score in history:
            self.validation_scores_ = list(history[val_score])
            self.best_validation_score_ = float(np.nanmax(self.validation_scores_))
        else:
            self.validation_scores_ = None
            self.best_validation_score_ = None
        self.best_loss_ = None if state.early_stopping else float(np.nanmin(self.loss_curve_))

    # ------------------------------------------------ MLP's names for the weights

    @property
    def coefs_(self):
        """``[W1.T, W2.T]``: the weights in ``MLPClassifier``'s layout, ``(n_in, n_out)`` each.

        Read-only views of ``params_`` (never copies, so they cannot drift from it).
        """
        check_is_fitted(self)
        return [_read_only(self.params_[name].T) for name in ("W1", "W2")]

    @property
    def intercepts_(self):
        """``[b1, b2]`` as 1-D arrays, MLP's layout: read-only views of ``params_``."""
        check_is_fitted(self)
        xp = namespace(self.params_["b1"])
        return [_read_only(xp.reshape(self.params_[name], (-1,))) for name in ("b1", "b2")]

    @property
    def n_layers_(self):
        """Number of layers, as ``MLPClassifier`` counts them: input, hidden, output (3)."""
        check_is_fitted(self)
        return len(self.params_) // 2 + 1

    # ------------------------------------------------------------- prediction

    def _check_input(self, X, method):
        """Validate ``X`` for prediction, in the namespace and device of ``params_``."""
        check_is_fitted(self)
        xp, _ = get_namespace(X)
        X = validate_data(
            self, X, accept_sparse=["csr", "csc"], dtype=[xp.float64, xp.float32], reset=False
        )
        xp, _, device = get_namespace_and_device(X)
        W1 = self.params_["W1"]
        fit_xp, _, fit_device = get_namespace_and_device(W1)
        numpy_both = is_numpy(xp) and is_numpy(fit_xp)
        if not numpy_both and (xp.__name__ != fit_xp.__name__ or device != fit_device):
            raise ValueError(
                f"Inputs passed to {type(self).__name__}.{method}() must use the same "
                "namespace and the same device as those passed to fit(): fitted on "
                f"{fit_xp.__name__} ({fit_device}), got {xp.__name__} ({device}). Move "
                "the model with sklearn_shallow.move_to(estimator, xp, device)."
            )
        return as_dtype(X, W1.dtype, xp), xp

    def _forward_by_chunks(self, X, method, n_rows_out, chunk_output):
        """``chunk_output(A_out, cache, xp)`` of every chunk of rows, joined: ``(n_rows_out, m)``.

        The chunk size follows ``sklearn.get_config()['working_memory']``, so that
        memory stays bounded on large inputs.
        """
        X, xp = self._check_input(X, method)
        params = self.params_
        n1 = params["W1"].shape[0]
        row_bytes = 8 * 2 * (n1 + self.n_outputs_)
        chunk = max(get_chunk_n_rows(row_bytes, max_n_rows=X.shape[0]), 1)
        outputs = []
        for rows in gen_batches(X.shape[0], chunk):
            X_chunk = take_rows(X, rows)
            if getattr(self, "X_offset_", None) is not None:
                X_chunk = scaled(X_chunk, self.X_offset_, self.X_scale_)
            A_out, cache = forward(
                X_chunk.T,
                params,
                activation=self._fitted_hidden_activation(),
                output=self.out_activation_,
            )
            outputs.append(chunk_output(A_out, cache, xp))
        if not outputs:
            return xp.zeros((n_rows_out, 0), dtype=params["W1"].dtype)
        return xp.concat(outputs, axis=1)


#: The key that derives a fresh fit's data stream from an int ``random_state``: no
#: continued fit's epoch count (its key, :meth:`BaseShallowNN._continued_rng`) reaches it.
_DATA_STREAM = 2**32 - 1


def fresh_random_states(random_state):
    """The two generators of a fresh fit: ``(initial weights, data stream)``.

    The data stream (the validation split, then every epoch's shuffle) does not
    depend on how many numbers the initialisation drew: fits that differ only in
    ``n1`` (or ``alpha``, ``l2``) see the same split and the same batches, so
    that a search can train them side by side. For an int ``random_state`` the
    weights come from ``check_random_state(random_state)`` as the course's
    ``initialize`` draws them; for a ``RandomState`` (or None) the data stream's
    seed is drawn from it first.
    """
    if isinstance(random_state, Integral):
        seed = int(random_state)
        return np.random.RandomState(seed), np.random.RandomState([seed, _DATA_STREAM])
    source = check_random_state(random_state)
    return source, np.random.RandomState(source.randint(np.iinfo(np.int32).max))


def _read_only(view):
    """``view`` with writing disabled where the namespace allows it (numpy)."""
    if isinstance(view, np.ndarray):
        view = view.view()
        view.flags.writeable = False
    return view


def _contiguous(P):
    """A numpy parameter as a C-ordered array owning its memory.

    The fast path returns views into one buffer; ``params_`` keeps plain arrays.
    """
    return np.array(P, order="C") if isinstance(P, np.ndarray) else P
