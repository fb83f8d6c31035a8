"""``ShallowNNClassifier``: the course's one-hidden-layer network as a scikit-learn classifier.

The estimator validates its labels, hands the training to :mod:`._engine`
through what it shares with the regressor (:mod:`._base`) and keeps what it
returns as plain fitted attributes; it also predicts. The loop itself, the
update rules and the fast path live below it.
"""

import math
from numbers import Real
from typing import NamedTuple

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets, unique_labels
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data

from . import _targets
from ._activations import log_sigmoid, log_softmax, sigmoid
from ._array_api import is_numpy, move, namespace
from ._base import BaseShallowNN, solver_is_iterative
from ._compat import StrOptions, _fit_context, get_namespace, get_namespace_and_device
from ._memory import check_fit_memory
from ._validation import check_classes, check_validation_y, numpy_dtype


class Targets(NamedTuple):
    """What the labels of a fit say: the classes, multilabel or not, the output activation."""

    classes: np.ndarray
    multilabel: bool
    output: str


class ShallowNNClassifier(ClassifierMixin, BaseShallowNN):
    """A neural network with one hidden layer, trained by gradient descent.

    The network of the course: ``n1`` hidden units with activation ``g``, then one
    sigmoid unit (binary targets), a softmax over the classes (multiclass) or one
    sigmoid unit per label (multilabel), trained on the cross-entropy with the four
    steps of :mod:`sklearn_shallow.network` (initialise, forward, backward,
    update). ``alpha`` is the **learning rate**, as in the course; the L2 penalty
    strength is ``l2``.

    Parameters
    ----------
    n1 : int, default=100
        Number of hidden units.
    activation : {'relu', 'leaky_relu', 'tanh', 'sigmoid', 'identity'}, default='relu'
        Hidden-layer activation ``g`` (``leaky_relu`` is ``max(z, 0.01 z)``).
    input_scaling : {'auto', 'minmax', 'mean', 'standard'} or None, default='auto'
        How the model scales its inputs before the first layer (``X_offset_``,
        ``X_scale_``, kept by continued fits and applied by ``predict`` and the
        ONNX export): ``'minmax'`` maps each feature to ``[0, 1]`` as
        ``MinMaxScaler`` does, so that a ``MinMaxScaler``, a
        ``StandardScaler`` or no scaler in front give the same network (up to
        rounding); ``'mean'`` centres each feature on its mean and divides it
        by its range, ``(x - mean) / (max - min)``; ``'standard'`` maps it to
        mean 0 and variance 1; ``None`` trains on ``X`` as given (the course's
        loop). ``'auto'`` is ``'mean'`` when the first fit gets more than
        10,000 samples (where ``early_stopping='auto'`` stops early: relu units
        learn faster on centred inputs), ``'minmax'`` otherwise and for
        ``solver='gd'``. Sparse input
        whose dense copy fits in scikit-learn's ``working_memory`` is trained
        as dense data; larger sparse input is only divided by each column's
        largest ``|x|``. The defaults were chosen by measurement
        (``benchmarks/scaling.py``, ``benchmarks/large_defaults.py``).
    solver : {'adam', 'sgd', 'gd', 'lbfgs'}, default='adam'
        How the parameters are updated:

        - ``'gd'``: the course's full-batch gradient descent, ``W := W - alpha dW``
          once per epoch over all samples;
        - ``'sgd'``: mini-batch gradient descent with (Nesterov's) momentum;
        - ``'adam'``: mini-batch Adam;
        - ``'lbfgs'``: scipy's L-BFGS-B on the full-batch loss (``alpha``,
          ``batch_size`` and the schedules do not apply).
    alpha : float or 'auto', default='auto'
        Learning rate (``learning_rate_init`` in ``MLPClassifier``, whose default
        is 0.001). ``'auto'`` gives 0.01, and for ``'adam'`` at most
        ``0.1 / mean ‖x‖₁`` (the mean L1 norm of the rows of ``X``): an Adam
        step moves each weight by about the rate, so on wide inputs 0.01 would
        move a hidden unit's input by several units at once and can leave every
        relu unit dead. It is chosen on the data of the first fit and kept by
        ``warm_start`` and ``partial_fit`` (``alpha_``). The defaults were chosen
        by measurement (``benchmarks/defaults.py``, docs' changes page).
    l2 : float, default=0.001
        L2 penalty strength: ``(l2 / 2m) (‖W1‖² + ‖W2‖²)`` is added to the loss
        (``alpha`` in ``MLPClassifier``, whose default is 0.0001). Biases are not
        penalised. The default was chosen by measurement
        (``benchmarks/scaling.py``).
    batch_size : int or 'auto', default='auto'
        Mini-batch size for ``'sgd'`` and ``'adam'``; ``'auto'`` is
        ``min(200, n_samples)``. Ignored by ``'gd'`` and ``'lbfgs'`` (full batch).
    learning_rate : {'constant', 'invscaling', 'adaptive'}, default='constant'
        Schedule of the learning rate for ``'gd'``, ``'sgd'`` and ``'adam'``:
        ``'constant'`` keeps ``alpha``; ``'invscaling'`` uses
        ``alpha / (t + 1) ** power_t`` with ``t`` the number of samples seen;
        ``'adaptive'`` divides the rate by 5 each time the loss stalls for
        ``n_iter_no_change`` epochs, and stops, as ``MLPClassifier``, at a stall
        once the rate is at or below 1e-6. A ``fit`` (warm-started too) starts
        the schedule afresh at ``alpha``; ``partial_fit`` continues it.
    power_t : float, default=0.5
        Exponent of the ``'invscaling'`` schedule.
    max_iter : int, default=300
        Maximum number of epochs (iterations for ``'lbfgs'``).
    shuffle : bool, default=True
        Shuffle the samples at each epoch (mini-batch solvers only; the caller's
        data is never reordered).
    random_state : int, RandomState instance or None, default=None
        Seeds the initial weights, the shuffling and the validation split.
    tol : float or None, default=1e-4
        Training stops when the loss has not decreased (or, with early stopping,
        the validation accuracy has not increased) by ``tol`` for
        ``n_iter_no_change`` consecutive epochs. ``None`` disables stopping:
        exactly ``max_iter`` epochs are run, without a ``ConvergenceWarning``.
    verbose : int, default=0
        0 prints nothing; 1 shows a progress bar (tqdm, on stderr) with the loss
        and accuracy; 2 or more prints one line per epoch on stdout, starting as
        ``MLPClassifier``'s: ``Iteration 3, loss = 0.41234567, accuracy = 0.9133``.
    warm_start : bool, default=False
        Start ``fit`` from the previous solution (the optimiser state starts
        afresh, as in ``MLPClassifier``).
    momentum : float, default=0.9
        Momentum of ``'sgd'``, in [0, 1].
    nesterovs_momentum : bool, default=True
        Use Nesterov's momentum with ``'sgd'``.
    early_stopping : bool or 'auto', default='auto'
        Hold out ``validation_fraction`` of the training data (stratified: each
        class needs 2 samples), or use ``X_val, y_val`` when given to ``fit``,
        and stop when the validation accuracy stalls; the parameters of the best
        validation epoch are restored. ``'auto'`` does so when ``fit`` gets more
        than 10,000 samples (as ``HistGradientBoostingClassifier``), where the
        training loss keeps creeping down long after the accuracy stopped
        rising; ``MLPClassifier``'s default is False. Ignored by ``'lbfgs'``;
        ``partial_fit`` never stops early, and raises a ``ValueError`` with
        ``early_stopping=True``, as ``MLPClassifier``'s.
    validation_fraction : float, default=0.1
        Share of the training data held out for early stopping.
    beta_1, beta_2 : float, default=0.9, 0.999
        Decay rates of Adam's first and second moment estimates, in [0, 1).
    epsilon : float, default=1e-8
        Adam's numerical-stability constant.
    n_iter_no_change : int or np.inf, default=10
        Number of stalled epochs tolerated (see ``tol``); ``np.inf`` never stops
        early.
    max_fun : int, default=15000
        Maximum number of loss evaluations of ``'lbfgs'``.
    class_weight : dict, 'balanced' or None, default=None
        Weights of the classes, multiplied into ``sample_weight`` as in
        ``LogisticRegression``; ``'balanced'`` uses
        ``n_samples / (n_classes * bincount(y))``. Not for multilabel targets.
    callback : callable or None, default=None
        ``callback(estimator, record)`` is called after every epoch with a dict
        holding that epoch's ``epoch``, ``loss``, ``accuracy``, ``val_loss``,
        ``val_accuracy``, ``learning_rate``, ``time`` and the current ``params``.
        Returning ``True`` stops training; the model is then fitted with the
        parameters reached so far. Fitted attributes are set when ``fit`` returns.

    Attributes
    ----------
    params_ : dict of ndarray
        ``W1 (n1, n0)``, ``b1 (n1, 1)``, ``W2 (n2, n1)``, ``b2 (n2, 1)``.
    classes_ : ndarray of shape (n_classes,)
        Class labels (``0 .. n_labels - 1`` for multilabel targets).
    n_outputs_ : int
        Number of output units ``n2`` (1 for binary targets).
    out_activation_ : str
        ``'sigmoid'`` or ``'softmax'``.
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
        Last training loss.
    loss_curve_ : list of float
        Training loss of each epoch.
    best_loss_ : float or None
        Smallest training loss (``None`` with early stopping, as in ``MLPClassifier``).
    validation_scores_ : list of float or None
        Validation accuracy of each epoch when validation data was used.
    best_validation_score_ : float or None
        Best validation accuracy.
    best_epoch_ : int
        Epoch whose parameters ``params_`` holds: the best validation epoch with
        early stopping, else the last one.
    history_ : dict of list
        Per epoch: ``loss``, ``accuracy``, ``learning_rate``, ``time`` (seconds),
        and ``val_loss``, ``val_accuracy`` when validation data was used.

    See Also
    --------
    sklearn.neural_network.MLPClassifier : Multi-layer perceptron of scikit-learn.
    sklearn_shallow.network : The four steps as pure functions.

    Notes
    -----
    With ``solver='gd'``, ``input_scaling=None``, ``tol=None`` and
    ``max_iter=k``, ``params_`` equals ``k`` applications of ``forward``,
    ``backward`` and ``update`` of :mod:`sklearn_shallow.network` from
    ``initialize([n0, n1, n2], random_state=check_random_state(random_state),
    dtype=X.dtype)``, with samples as columns and no rescaling of ``X``.

    ``sample_weight`` is exact for full-batch training (``'gd'``, ``'lbfgs'``, or
    one batch holding every sample): a weight of 2 equals the row repeated. With
    mini-batches, each row's gradient is weighted inside its batch.

    Translation from ``MLPClassifier``: ``n1`` is ``hidden_layer_sizes=(n1,)``,
    ``alpha`` is ``learning_rate_init``, ``l2`` is ``alpha``,
    ``activation='sigmoid'`` is ``'logistic'``, and ``params_['W1']`` is
    ``coefs_[0].T``.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import MinMaxScaler
    >>> from sklearn_shallow import ShallowNNClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> model = make_pipeline(MinMaxScaler(), ShallowNNClassifier(random_state=0))
    >>> model.fit(X, y).score(X, y) > 0.9
    True
    """

    _parameter_constraints: dict = {
        **BaseShallowNN._parameter_constraints,
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }

    def __init__(
        self,
        n1=100,
        *,
        activation="relu",
        input_scaling="auto",
        solver="adam",
        alpha="auto",
        l2=0.001,
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
        class_weight=None,
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
        self.class_weight = class_weight

    # ------------------------------------------------------------------ fit

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, X_val=None, y_val=None):
        """Train the network on ``(X, y)``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data (float32 data keeps float32 parameters).
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels, or a multilabel indicator matrix.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative sample weights (see Notes of the class).
        X_val, y_val : array-like, default=None
            An explicit validation set, used for the ``val_*`` curves of
            ``history_`` and, with ``early_stopping=True``, for stopping instead
            of a random split. In a ``Pipeline``, route them with
            ``set_fit_request(X_val=True, y_val=True)`` and let the pipeline
            transform ``X_val`` with ``transform_input=["X_val"]``.

        Returns
        -------
        self : ShallowNNClassifier
            The fitted estimator.
        """
        return self._transaction(
            lambda draft: draft._fit(
                X, y, sample_weight=sample_weight, X_val=X_val, y_val=y_val, owner=self
            )
        )

    @available_if(solver_is_iterative)
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Run one epoch of the solver on ``(X, y)``, continuing from the current state.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels, or a multilabel indicator matrix.
        classes : array-like of shape (n_classes,), default=None
            Every class that ``y`` may hold over all calls; required on the first
            call (except for multilabel targets).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative sample weights.

        Returns
        -------
        self : ShallowNNClassifier
            The updated estimator.
        """
        return self._transaction(
            lambda draft: draft._fit(
                X, y, sample_weight=sample_weight, classes=classes, incremental=True, owner=self
            )
        )

    def _check_memory(self, X, Y, X_val, incremental, output):
        """Refuse, before allocating anything, a fit larger than the memory left."""
        check_fit_memory(self._fit_size(X, Y, X_val, incremental, output), type(self).__name__)

    def _check_data(self, X, y, sample_weight, classes, continuing, incremental):
        """``X``, ``y``, the encoded ``Y``, the weights and the targets, all checked."""
        # Labels and weights are small: they are checked in numpy, and what the
        # training loop needs of them moves to X's namespace and device below.
        y, sample_weight = move(y), move(sample_weight)
        xp, _ = get_namespace(X)
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=["csr", "csc"],
            multi_output=True,
            dtype=[xp.float64, xp.float32],
            reset=not continuing,
        )
        xp, _, device = get_namespace_and_device(X)
        dtype = numpy_dtype(X, xp)
        y, classes_, multilabel = self._check_targets(y, move(classes), continuing, incremental)
        Y = _targets.encode(y, classes_, multilabel, dtype)
        sample_weight = self._check_sample_weight(
            sample_weight, y, dtype, classes_, multilabel, incremental
        )
        targets = Targets(classes_, multilabel, _targets.output_activation(classes_, multilabel))
        return X, y, move(Y, xp, device), move(sample_weight, xp, device), targets

    def _check_targets(self, y, classes, continuing, incremental):
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        multilabel = _targets.is_multilabel(y)
        if y.ndim == 2 and not multilabel:
            raise ValueError(
                "y must be 1-D class labels or a multilabel indicator matrix; "
                "multiclass-multioutput targets are not supported."
            )
        if continuing:
            if multilabel != self._multilabel:
                raise ValueError(
                    "y has another kind of target than the previous call to fit "
                    f"(multilabel={multilabel}, previously {self._multilabel})."
                )
            known = move(self.classes_)
            if multilabel:
                self._check_n_labels(y, known)
            elif incremental:
                self._check_same_classes(classes, known)
                _targets.check_known_labels(y, known)
            elif not np.array_equal(unique_labels(y), known):
                raise ValueError(
                    "warm_start needs y to hold the same classes as the previous call "
                    f"to fit: previously {known.tolist()!r}, now "
                    f"{unique_labels(y).tolist()!r}."
                )
            return y, known, multilabel
        if incremental and classes is None and not multilabel:
            raise ValueError("classes must be passed on the first call to partial_fit.")
        if classes is not None:
            classes = check_classes(classes)
        if classes is not None and not multilabel:
            found = unique_labels(classes)
            _targets.check_known_labels(y, found)
        else:
            found = _targets.find_classes(y, multilabel)
        if classes is not None and multilabel:
            self._check_n_labels(y, np.asarray(classes))
        return y, found, multilabel

    @staticmethod
    def _check_same_classes(classes, known):
        if classes is None:
            return
        classes = unique_labels(check_classes(classes))
        if not np.array_equal(classes, known):
            raise ValueError(
                f"classes={classes.tolist()!r} is not the same as on the first call to "
                f"partial_fit: classes_={known.tolist()!r}."
            )

    @staticmethod
    def _check_n_labels(y, classes):
        if y.shape[1] != len(classes):
            raise ValueError(
                f"y has {y.shape[1]} labels but classes has {len(classes)}: "
                "a multilabel y keeps the same number of columns."
            )

    def _check_sample_weight(self, sample_weight, y, dtype, classes_, multilabel, incremental):
        sample_weight = self._checked_sample_weight(sample_weight, y, dtype)
        if self.class_weight is not None:
            if multilabel:
                raise ValueError(
                    f"class_weight={self.class_weight!r} is not supported for "
                    "multilabel targets; use sample_weight."
                )
            if incremental and self.class_weight == "balanced":
                raise ValueError(
                    "class_weight='balanced' is not supported by partial_fit: the "
                    "classes of one chunk are not those of the whole data. Pass a "
                    "dict computed with sklearn.utils.class_weight.compute_class_weight."
                )
            self._check_class_weight(classes_)
            class_weight = compute_sample_weight(self.class_weight, y).astype(dtype)
            sample_weight = class_weight if sample_weight is None else sample_weight * class_weight
        self._require_some_weight(sample_weight, "sample_weight (times class_weight)")
        return sample_weight

    def _check_class_weight(self, classes_):
        if isinstance(self.class_weight, dict):
            invalid = {
                key: weight
                for key, weight in self.class_weight.items()
                if not (isinstance(weight, Real) and math.isfinite(weight) and weight >= 0)
            }
            if invalid:
                raise ValueError(
                    "class_weight must map classes to finite non-negative weights; "
                    f"got {invalid!r}."
                )
            unknown = set(self.class_weight) - set(classes_.tolist())
            if unknown:
                raise ValueError(
                    f"class_weight has keys {sorted(map(str, unknown))} that are not "
                    f"classes of y ({classes_.tolist()!r})."
                )

    def _encode_validation(self, y_val, X_val, targets, dtype):
        """``Y_val``: the labels of ``y_val`` (all known to the fit) encoded as ``Y``."""
        y_val = check_validation_y(y_val, X_val, targets.multilabel)
        if targets.multilabel:
            self._check_n_labels(y_val, targets.classes)
        else:
            _targets.check_known_labels(y_val, targets.classes, argument="y_val")
        return _targets.encode(y_val, targets.classes, targets.multilabel, dtype)

    @staticmethod
    def _stratify(y, targets):
        """A validation split keeps the classes in proportion (not the labels of multilabel y)."""
        return None if targets.multilabel else y

    # ------------------------------------------------------------ fitted state

    def _set_targets(self, targets, X):
        xp, _, device = get_namespace_and_device(X)
        numeric = targets.classes.dtype.kind in "biuf"
        self.classes_ = move(targets.classes, xp, device) if numeric else targets.classes
        self._multilabel = targets.multilabel

    # ------------------------------------------------------------- prediction

    def _output_activations(self, X, method):
        """Class probabilities of shape ``(n_classes, m)``, computed by chunks of rows."""
        check_is_fitted(self)
        probabilities = self._probabilities
        return self._forward_by_chunks(X, method, self.classes_.shape[0], probabilities)

    def _probabilities(self, A_out, cache, xp):
        """A chunk's probabilities, ``(n_classes, rows)``, from its outputs and logits."""
        if self.out_activation_ == "sigmoid" and not self._multilabel:
            # P(classes_[0]) = 1 - sigmoid(z) = sigmoid(-z), exact where 1 - p rounds.
            return xp.concat([sigmoid(-cache["Z2"], xp), A_out], axis=0)
        return A_out

    def _log_probabilities(self, A_out, cache, xp):
        """``log`` of :meth:`_probabilities`; from the logits where a probability is 0."""
        P, Z2 = self._probabilities(A_out, cache, xp), cache["Z2"]
        if self.out_activation_ == "softmax":
            from_logits = log_softmax(Z2, xp)
        elif self._multilabel:
            from_logits = log_sigmoid(Z2, xp)
        else:  # log P(classes_[0]) = log σ(-z)
            from_logits = xp.concat([log_sigmoid(-Z2, xp), log_sigmoid(Z2, xp)], axis=0)
        positive = P > 0
        return xp.where(positive, xp.log(xp.where(positive, P, xp.ones_like(P))), from_logits)

    def predict_proba(self, X):
        """Probability of each class (each label, for multilabel targets).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        proba : array of shape (n_samples, n_classes)
            Rows sum to 1 for binary and multiclass targets. In the namespace and
            on the device of ``X`` under ``array_api_dispatch``.
        """
        return self._output_activations(X, "predict_proba").T

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`, finite where a probability underflows.

        ``log(predict_proba)`` where the probability is positive (so both give
        the same arg-max); where it rounds to 0, ``log σ(z)`` or
        ``log softmax(z)`` from the logits ``z``: ``-745`` and beyond, not
        ``-inf``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        log_proba : array of shape (n_samples, n_classes)
        """
        check_is_fitted(self)
        n_classes, log_probabilities = self.classes_.shape[0], self._log_probabilities
        return self._forward_by_chunks(X, "predict_log_proba", n_classes, log_probabilities).T

    def predict(self, X):
        """Predicted class of each sample (0/1 indicators for multilabel targets).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        y_pred : array of shape (n_samples,) or (n_samples, n_labels)
            The arg-max of :meth:`predict_proba` (labels above 0.5 for multilabel).
        """
        P = self._output_activations(X, "predict").T
        xp = namespace(P)
        if self._multilabel:
            return xp.astype(P > 0.5, xp.int64)
        indices = xp.argmax(P, axis=1)
        if isinstance(self.classes_, np.ndarray) and not is_numpy(xp):
            # Labels that the namespace cannot hold (strings) come back as numpy.
            return self.classes_[move(indices)]
        return xp.take(self.classes_, indices, axis=0)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        tags.input_tags.sparse = True
        tags.array_api_support = True
        return tags
