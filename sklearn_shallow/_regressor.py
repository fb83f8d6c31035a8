"""``ShallowNNRegressor``: the same network, engine and fit as the classifier, for real targets.

Only the output changes, paired with its canonical-link cost so that
``dZ2 = A2 - Y`` stays exact (design.md, "Outputs and costs"): the identity with
half the squared error (``loss='squared_error'``), exp with the half Poisson
deviance (``loss='poisson'``). The per-epoch score is R².
"""

from typing import NamedTuple

import numpy as np
from sklearn.base import RegressorMixin
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data

from ._array_api import move
from ._base import BaseShallowNN, solver_is_iterative
from ._compat import StrOptions, _fit_context, get_namespace, get_namespace_and_device
from ._memory import check_fit_memory
from ._validation import check_validation_y, numpy_dtype

#: The output activation of each loss: its canonical link.
OUTPUT_OF_LOSS = {"squared_error": "identity", "poisson": "exp"}


class RegressionTargets(NamedTuple):
    """What the targets of a fit say: the output activation and how ``y`` is rescaled."""

    output: str
    offset: np.ndarray
    scale: np.ndarray


class ShallowNNRegressor(RegressorMixin, BaseShallowNN):
    """A neural network with one hidden layer for regression, trained by gradient descent.

    The network of the course with a regression output: ``n1`` hidden units with
    activation ``g``, then one output unit per target, trained with the four
    steps of :mod:`sklearn_shallow.network` by the same engine as
    :class:`ShallowNNClassifier`. ``alpha`` is the **learning rate**, as in the
    course; the L2 penalty strength is ``l2``.

    Parameters
    ----------
    n1 : int, default=100
        Number of hidden units.
    loss : {'squared_error', 'poisson'}, default='squared_error'
        The cost and, with it, the output activation (its canonical link, so
        that ``dZ2 = A2 - Y``):

        - ``'squared_error'``: identity output, ``J = (1/2m) Σ_samples ‖a - y‖²``
          (summed over the outputs; ``MLPRegressor`` also divides by the number
          of outputs);
        - ``'poisson'``: exponential output ``a = exp(z)``, ``J = (1/m)
          Σ_samples Σ_outputs (a - y log a)``, the half Poisson deviance up to a
          term in ``y`` alone. ``y`` must be non-negative.
    activation : {'relu', 'leaky_relu', 'tanh', 'sigmoid', 'identity'}, default='relu'
        Hidden-layer activation ``g`` (``leaky_relu`` is ``max(z, 0.01 z)``).
    input_scaling : {'minmax', 'mean', 'standard', 'auto'} or None, default='minmax'
        How the model scales its inputs before the first layer (``X_offset_``,
        ``X_scale_``, kept by continued fits and applied by ``predict`` and the
        ONNX export): ``'minmax'`` maps each feature to ``[0, 1]`` as
        ``MinMaxScaler`` does, so that a ``MinMaxScaler``, a
        ``StandardScaler`` or no scaler in front give the same network (up to
        rounding); ``'mean'`` centres each feature on its mean and divides it
        by its range; ``'standard'`` maps it to mean 0 and variance 1; ``None``
        trains on ``X`` as given (the course's loop); ``'auto'`` is ``'mean'``
        above 10,000 samples (but for ``'gd'``) and ``'minmax'`` otherwise, as in
        :class:`ShallowNNClassifier` (its default there). Sparse input whose
        dense copy fits in scikit-learn's ``working_memory`` is trained as
        dense data; larger sparse input is only divided by each column's
        largest ``|x|``. The default was chosen by measurement
        (``benchmarks/scaling.py``).
    solver : {'adam', 'sgd', 'gd', 'lbfgs'}, default='adam'
        How the parameters are updated: ``'gd'`` the course's full-batch
        gradient descent, ``'sgd'`` mini-batch gradient descent with
        (Nesterov's) momentum, ``'adam'`` mini-batch Adam, ``'lbfgs'`` scipy's
        L-BFGS-B on the full-batch loss (``alpha``, ``batch_size`` and the
        schedules do not apply).
    alpha : float or 'auto', default=0.01
        Learning rate (``learning_rate_init`` in ``MLPRegressor``). ``'auto'``
        as in :class:`ShallowNNClassifier` (its default there); the regressor's
        default was measured at 0.01 (``l2``).
    l2 : float, default=0.2
        L2 penalty strength: ``(l2 / 2m) (‖W1‖² + ‖W2‖²)`` is added to the loss
        (``alpha`` in ``MLPRegressor``, whose default is 0.0001). Biases are not
        penalised. The default was chosen by measurement, for inputs scaled to
        ``[0, 1]`` (``input_scaling``; ``benchmarks/scaling.py``): on small noisy
        data (``load_diabetes``) it keeps the network at least as good as
        ``RidgeCV``; as ``l2`` is divided by ``m``, it weighs less on larger
        data. On smooth, noiseless targets a smaller ``l2`` does better.
    batch_size : int or 'auto', default='auto'
        Mini-batch size for ``'sgd'`` and ``'adam'``; ``'auto'`` is
        ``min(200, n_samples)``. Ignored by ``'gd'`` and ``'lbfgs'``.
    learning_rate : {'constant', 'invscaling', 'adaptive'}, default='constant'
        Schedule of the learning rate, as in :class:`ShallowNNClassifier`.
    power_t : float, default=0.5
        Exponent of the ``'invscaling'`` schedule.
    max_iter : int, default=300
        Maximum number of epochs (iterations for ``'lbfgs'``).
    shuffle : bool, default=True
        Shuffle the samples at each epoch (mini-batch solvers only).
    random_state : int, RandomState instance or None, default=None
        Seeds the initial weights, the shuffling and the validation split.
    tol : float or None, default=1e-4
        Training stops when the loss has not decreased (or, with early stopping,
        the validation R² has not increased) by ``tol`` for ``n_iter_no_change``
        consecutive epochs. ``None`` disables stopping.
    verbose : int, default=0
        0 prints nothing; 1 shows a progress bar (tqdm, on stderr) with the loss
        and R²; 2 or more prints one line per epoch on stdout, starting as
        ``MLPRegressor``'s: ``Iteration 3, loss = 0.41234567, r2 = 0.5133``.
    warm_start : bool, default=False
        Start ``fit`` from the previous solution (and its scaling of ``y``).
    momentum : float, default=0.9
        Momentum of ``'sgd'``, in [0, 1].
    nesterovs_momentum : bool, default=True
        Use Nesterov's momentum with ``'sgd'``.
    early_stopping : bool or 'auto', default='auto'
        Hold out ``validation_fraction`` of the training data (at random), or use
        ``X_val, y_val`` when given to ``fit``, and stop when the validation R²
        stalls; the parameters of the best validation epoch are restored.
        ``'auto'`` does so when ``fit`` gets more than 10,000 samples (as
        ``HistGradientBoostingRegressor``); ``MLPRegressor``'s default is False.
        Ignored by ``'lbfgs'``; ``partial_fit`` never stops early, and raises a
        ``ValueError`` with ``early_stopping=True``, as ``MLPRegressor``'s.
    validation_fraction : float, default=0.1
        Share of the training data held out for early stopping.
    beta_1, beta_2 : float, default=0.9, 0.999
        Decay rates of Adam's moment estimates, in [0, 1).
    epsilon : float, default=1e-8
        Adam's numerical-stability constant.
    n_iter_no_change : int or np.inf, default=10
        Number of stalled epochs tolerated (see ``tol``); ``np.inf`` never stops
        early.
    max_fun : int, default=15000
        Maximum number of loss evaluations of ``'lbfgs'``.
    callback : callable or None, default=None
        ``callback(estimator, record)`` is called after every epoch with a dict
        holding that epoch's ``epoch``, ``loss``, ``r2``, ``val_loss``,
        ``val_r2``, ``learning_rate``, ``time`` and the current ``params``.
        Returning ``True`` stops training.

    Attributes
    ----------
    params_ : dict of ndarray
        ``W1 (n1, n0)``, ``b1 (n1, 1)``, ``W2 (n2, n1)``, ``b2 (n2, 1)``.
    n_outputs_ : int
        Number of targets, the output units ``n2``.
    out_activation_ : str
        ``'identity'`` or ``'exp'``.
    y_offset_, y_scale_ : ndarray of shape (n_outputs,)
        The network fits ``(y - y_offset_) / y_scale_``; :meth:`predict` returns
        ``A2 * y_scale_ + y_offset_`` (see Notes).
    X_offset_, X_scale_ : ndarray of shape (`n_features_in_`,) or None
        The network sees ``(X - X_offset_) / X_scale_`` (``input_scaling``);
        None with ``input_scaling=None``. ``params_`` (and ``coefs_``) are the
        weights on these scaled inputs.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features, when ``X`` had string column names.
    alpha_ : float
        The learning rate the fit used: ``alpha``, or what ``'auto'`` chose.
    n_iter_ : int
        Number of epochs (``'lbfgs'``: iterations) run by the last call, as in
        ``MLPClassifier``: a warm-started ``fit`` counts its own, ``partial_fit``
        counts 1. ``len(loss_curve_)`` counts every epoch since the network was
        initialised.
    t_ : int
        Number of training samples seen by the solver.
    loss_ : float
        Last training loss (of the rescaled targets).
    loss_curve_ : list of float
        Training loss of each epoch.
    best_loss_ : float or None
        Smallest training loss (``None`` with early stopping).
    validation_scores_ : list of float or None
        Validation R² of each epoch when validation data was used.
    best_validation_score_ : float or None
        Best validation R².
    best_epoch_ : int
        Epoch whose parameters ``params_`` holds.
    history_ : dict of list
        Per epoch: ``loss``, ``r2``, ``learning_rate``, ``time`` (seconds), and
        ``val_loss``, ``val_r2`` when validation data was used.

    See Also
    --------
    sklearn.neural_network.MLPRegressor : Multi-layer perceptron of scikit-learn.
    ShallowNNClassifier : The same network for classification.

    Notes
    -----
    **The scale of X and y.** Neither needs a scaler in front: ``X`` is scaled
    inside (``input_scaling``), and the network is trained on rescaled targets and
    :meth:`predict` undoes the rescaling. For ``loss='squared_error'`` each
    target is standardised with its (weighted) mean and standard deviation (a
    target whose spread is within rounding of its mean is constant, and keeps
    the scale ``max|y|``, 1 if it is all zeros); for ``loss='poisson'`` each is
    divided by its (weighted) mean, which keeps it non-negative and is the same
    as shifting ``b2`` by ``log(mean)``. Both are computed relative to
    ``max|y|``, so any units work: a fit on ``c * y`` predicts ``c`` times the
    fit on ``y`` (tested for ``c`` from 1e-30 to 1e30). Targets that the dtype of
    ``X`` cannot hold (beyond its range, or varying by less than its smallest
    normal number) raise a ``ValueError`` before training. The scaling is
    computed by the first ``fit`` (or ``partial_fit``) and kept by
    ``warm_start`` and later ``partial_fit`` calls. R² does not change under
    this rescaling; the loss (``loss_curve_``, ``history_``) is that of the
    rescaled targets.

    With ``solver='gd'``, ``input_scaling=None``, ``tol=None`` and
    ``max_iter=k``, ``params_`` equals ``k`` applications of ``forward``,
    ``backward`` and ``update`` of
    :mod:`sklearn_shallow.network` with ``output='identity'`` (``'exp'``) on the
    rescaled targets, from ``initialize([n0, n1, n2],
    random_state=check_random_state(random_state), dtype=X.dtype)``.

    ``sample_weight`` is exact for full-batch training (``'gd'``, ``'lbfgs'``, or
    one batch holding every sample): a weight of 2 equals the row repeated. With
    mini-batches, each row's gradient is weighted inside its batch.

    Dense numpy data trains on the same in-place fast path as
    :class:`ShallowNNClassifier` (held to the pure steps at a relative 1e-10);
    sparse and array API data train through the pure steps.

    Translation from ``MLPRegressor``: ``n1`` is ``hidden_layer_sizes=(n1,)``,
    ``alpha`` is ``learning_rate_init``, ``l2`` is ``alpha``,
    ``activation='sigmoid'`` is ``'logistic'``, ``params_['W1']`` is
    ``coefs_[0].T``; MLP's squared loss is ours divided by ``n_outputs_`` (and
    computed on ``y`` as given, not rescaled).

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn_shallow import ShallowNNRegressor
    >>> X, y = load_diabetes(return_X_y=True)
    >>> model = make_pipeline(StandardScaler(), ShallowNNRegressor(random_state=0))
    >>> model.fit(X, y).score(X, y) > 0.5
    True
    """

    _score_name = "r2"

    _parameter_constraints: dict = {
        **BaseShallowNN._parameter_constraints,
        "loss": [StrOptions(set(OUTPUT_OF_LOSS))],
    }

    def __init__(
        self,
        n1=100,
        *,
        loss="squared_error",
        activation="relu",
        input_scaling="minmax",
        solver="adam",
        alpha=0.01,
        l2=0.2,
        batch_size="auto",
        learning_rate="constant",
        power_t=0.5,
        max_iter=300,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=0,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping="auto",
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        callback=None,
    ):
        super().__init__(
            n1,
            activation=activation,
            input_scaling=input_scaling,
            solver=solver,
            alpha=alpha,
            l2=l2,
            batch_size=batch_size,
            learning_rate=learning_rate,
            power_t=power_t,
            max_iter=max_iter,
            shuffle=shuffle,
            random_state=random_state,
            tol=tol,
            verbose=verbose,
            warm_start=warm_start,
            momentum=momentum,
            nesterovs_momentum=nesterovs_momentum,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            n_iter_no_change=n_iter_no_change,
            max_fun=max_fun,
            callback=callback,
        )
        self.loss = loss

    # ------------------------------------------------------------------ fit

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, X_val=None, y_val=None):
        """Train the network on ``(X, y)``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data (float32 data keeps float32 parameters).
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Target values (non-negative for ``loss='poisson'``).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative sample weights (see Notes of the class).
        X_val, y_val : array-like, default=None
            An explicit validation set, used for the ``val_*`` curves of
            ``history_`` and, with ``early_stopping=True``, for stopping instead
            of a random split.

        Returns
        -------
        self : ShallowNNRegressor
            The fitted estimator.
        """
        return self._transaction(
            lambda draft: draft._fit(
                X, y, sample_weight=sample_weight, X_val=X_val, y_val=y_val, owner=self
            )
        )

    @available_if(solver_is_iterative)
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """Run one epoch of the solver on ``(X, y)``, continuing from the current state.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Target values.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative sample weights.

        Returns
        -------
        self : ShallowNNRegressor
            The updated estimator.
        """
        return self._transaction(
            lambda draft: draft._fit(
                X, y, sample_weight=sample_weight, incremental=True, owner=self
            )
        )

    def _fitted_architecture(self):
        """``n1``, the activation and the loss: its output and its scaling of ``y``.

        A changed ``loss`` is refused rather than re-derived: the output layer was
        trained for the old output activation on targets scaled for it (the
        Poisson scaling has no offset), so continuing from it is no better
        than starting afresh.
        """
        loss = {output: loss for loss, output in OUTPUT_OF_LOSS.items()}[self.out_activation_]
        return {**super()._fitted_architecture(), "loss": loss}

    def _check_memory(self, X, Y, X_val, incremental, output):
        """Refuse, before allocating anything, a fit larger than the memory left."""
        check_fit_memory(self._fit_size(X, Y, X_val, incremental, output), type(self).__name__)

    def _check_data(self, X, y, sample_weight, classes, continuing, incremental):
        """``X``, ``y``, the rescaled ``Y``, the weights and the targets, all checked."""
        y, sample_weight = move(y), move(sample_weight)
        xp, _ = get_namespace(X)
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=["csr", "csc"],
            multi_output=True,
            y_numeric=True,
            dtype=[xp.float64, xp.float32],
            reset=not continuing,
        )
        xp, _, device = get_namespace_and_device(X)
        dtype = numpy_dtype(X, xp)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        Y = self._target_matrix(y, "y", continuing)
        sample_weight = self._checked_sample_weight(sample_weight, y, dtype)
        self._require_some_weight(sample_weight)
        if continuing:
            offset, scale = move(self.y_offset_), move(self.y_scale_)
        else:
            offset, scale = _target_scaling(Y, sample_weight, self.loss)
        targets = RegressionTargets(OUTPUT_OF_LOSS[self.loss], offset, scale)
        Y = rescaled(Y, offset, scale)
        check_representable(Y, offset, scale, dtype)
        Y = Y.astype(dtype)
        return X, y, move(Y, xp, device), move(sample_weight, xp, device), targets

    def _target_matrix(self, y, argument, continuing):
        """``y`` as a float64 matrix ``(m, n_outputs)``, checked against the loss and the fit."""
        Y = np.asarray(y, dtype=np.float64).reshape(len(y), -1)
        if continuing and Y.shape[1] != self.n_outputs_:
            raise ValueError(
                f"{argument} has {Y.shape[1]} outputs but the fitted network has "
                f"{self.n_outputs_}; partial_fit and warm_start=True keep the outputs."
            )
        if self.loss == "poisson" and (Y < 0).any():
            raise ValueError(
                f"{argument} must be non-negative for loss='poisson' (a Poisson "
                f"regression predicts counts); {argument} has {int((Y < 0).sum())} "
                f"negative values, the smallest {Y.min()!r}."
            )
        return Y

    def _encode_validation(self, y_val, X_val, targets, dtype):
        """``Y_val``: ``y_val`` rescaled as the training targets."""
        Y_val = self._target_matrix(check_validation_y(y_val, X_val, True), "y_val", False)
        if not np.isfinite(Y_val).all():
            raise ValueError("y_val must hold finite numbers; it holds NaN or infinity.")
        if Y_val.shape[1] != len(targets.scale):
            raise ValueError(f"y_val has {Y_val.shape[1]} outputs but y has {len(targets.scale)}.")
        Y_val = rescaled(Y_val, targets.offset, targets.scale)
        check_representable(Y_val, targets.offset, targets.scale, dtype, "y_val")
        return Y_val.astype(dtype)

    @staticmethod
    def _stratify(y, targets):
        """A validation split of real targets is random (nothing to stratify)."""
        return None

    def _set_targets(self, targets, X):
        xp, _, device = get_namespace_and_device(X)
        self.y_offset_ = move(targets.offset, xp, device)
        self.y_scale_ = move(targets.scale, xp, device)

    # ------------------------------------------------------------- prediction

    def predict(self, X):
        """Predicted target values.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        y_pred : array of shape (n_samples,) or (n_samples, n_outputs)
            ``A2 * y_scale_ + y_offset_``; 1-D when the network has one output.
            In the namespace and on the device of ``X`` under
            ``array_api_dispatch``.
        """
        check_is_fitted(self)
        A_out = self._forward_by_chunks(X, "predict", self.n_outputs_, _outputs)
        xp, _ = get_namespace(A_out)
        scale, offset = (xp.astype(a, A_out.dtype) for a in (self.y_scale_, self.y_offset_))
        y_pred = A_out.T * scale + offset
        if self.n_outputs_ == 1:
            return y_pred[:, 0]
        return y_pred

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        poisson = self.loss == "poisson"
        # Both losses fit several outputs. The Poisson loss does not claim it in its
        # tags: scikit-learn's check_regressor_multioutput draws negative targets
        # whatever positive_only says, which a Poisson loss must refuse.
        tags.target_tags.multi_output = not poisson
        tags.target_tags.single_output = True
        tags.target_tags.positive_only = poisson
        tags.input_tags.sparse = True
        tags.array_api_support = True
        return tags


def _outputs(A_out, cache, xp):
    return A_out


def _target_scaling(Y, sample_weight, loss):
    """The ``offset`` and ``scale`` (per output) that the network's targets are rescaled by.

    Squared error: the weighted mean and standard deviation, so that the
    network, initialised around zero, starts at the mean of ``y`` with targets
    of unit spread whatever the units of ``y``. Poisson: no offset (``y`` stays
    non-negative) and the weighted mean as scale, so that ``exp(0) = 1`` starts
    at the mean.

    Both are computed on ``y / max|y|`` (values in ``[-1, 1]``), so that targets
    of ``1e300`` do not overflow the variance and targets of ``1e-20`` are not
    mistaken for a constant: a target is constant when its spread is within
    rounding of its mean (relative, whatever its units), and then keeps the
    scale ``max|y|`` (1 for an all-zero target).
    """
    w = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    unit = np.max(np.abs(Y), axis=0, initial=0.0)
    unit[unit == 0] = 1.0
    Y = Y / unit
    mean = np.average(Y, axis=0, weights=w)
    if loss == "poisson":
        offset, spread = np.zeros_like(mean), mean.copy()
    else:
        offset = mean
        spread = np.sqrt(np.average((Y - mean) ** 2, axis=0, weights=w))
    constant = ~(spread > 10 * np.finfo(np.float64).eps * np.abs(mean))
    spread[constant] = 1.0
    return offset * unit, spread * unit


def rescaled(Y, offset, scale):
    """``(Y - offset) / scale``, in units of ``max(|Y|, |offset|)`` so as not to overflow."""
    unit = np.maximum(np.max(np.abs(Y), axis=0, initial=0.0), np.abs(offset))
    unit[~(unit > 0)] = 1.0
    return (Y / unit - offset / unit) / (scale / unit)


def check_representable(Y, offset, scale, dtype, argument="y"):
    """Refuse targets that the model, working in ``dtype``, cannot represent (before any work).

    ``predict`` returns ``A2 · y_scale_ + y_offset_`` in the dtype of ``X``: the
    targets must lie within its range, and their spread (``y_scale_``) above its
    smallest normal number, where every digit of a prediction would be lost.
    ``Y`` is the rescaled target matrix, which must be finite in ``dtype``.
    """
    info = np.finfo(dtype)
    name = np.dtype(dtype).name
    peak = float(np.max(np.abs(offset) + np.abs(scale), initial=0.0))
    if peak > float(info.max):
        raise ValueError(
            f"{argument} holds values of about {peak:.3g}, beyond the range of {name} "
            f"(at most {float(info.max):.3g}), the dtype of X in which the model predicts. "
            f"{_remedy(dtype, argument, 'larger')}"
        )
    smallest = float(np.min(scale, initial=np.inf))
    if smallest < float(info.tiny):
        raise ValueError(
            f"{argument} varies by about {smallest:.3g}, below the smallest normal {name} "
            f"({float(info.tiny):.3g}), the dtype of X in which the model predicts: its "
            f"predictions would lose every digit. {_remedy(dtype, argument, 'smaller')}"
        )
    with np.errstate(over="ignore"):
        largest = float(np.max(np.abs(Y.astype(dtype)), initial=0.0))
    if not np.isfinite(largest):
        raise ValueError(
            f"{argument} holds values that the scaling of the fitted model (y_offset_="
            f"{offset!r}, y_scale_={scale!r}) takes beyond the range of {name}. Fit a new "
            f"model (warm_start=False) on data in these units."
        )


def _remedy(dtype, argument, units):
    change = f"express {argument} in {units} units."
    if np.dtype(dtype) == np.float64:
        return change[0].upper() + change[1:]
    return f"Pass X as float64, or {change}"
