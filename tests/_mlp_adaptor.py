"""``MLPClassifier``/``MLPRegressor`` names over our estimators, for scikit-learn's MLP tests.

The adaptors take scikit-learn's parameter names (and defaults) in ``__init__``,
translate them when they fit, and train a :class:`~sklearn_shallow.ShallowNNClassifier`
or :class:`~sklearn_shallow.ShallowNNRegressor` that they keep in ``estimator_``.
The fitted attributes read back under MLP's names (user guide, "From
``MLPClassifier``"):

- ``coefs_`` and ``intercepts_`` are read from ours, which has them in MLP's layout
  (read-only views of ``params_``); assigning them, which MLP's tests do and ours
  does not allow, writes into ``params_`` (before any fit, into the weights the
  first ``partial_fit`` starts from). The regressor's weights are those of its
  network on the rescaled targets (``y_offset_``, ``y_scale_``);
- ``out_activation_``: ``'sigmoid'`` reads ``'logistic'``;
- ``loss_``, ``loss_curve_``, ``n_iter_``, ``t_``, ``best_loss_``, ``n_layers_``,
  ``validation_scores_``, ``best_validation_score_``, ``n_outputs_``, ``classes_``,
  ``n_features_in_``, ``feature_names_in_``: ours, under the same names;
- two of MLP's private attributes that the tests read have a counterpart in
  ours: ``_optimizer.learning_rate``, the rate of the next epoch (MLP's optimiser
  moves it on at the end of an epoch; ours sets it at the start of the next, so it
  is read from ours' schedule at ``t_``), and ``_no_improvement_count``, the
  stalled-epoch counter, which ours keeps "as MLPClassifier counts them".

Any other attribute raises ``AttributeError`` naming the missing translation.
"""

from types import SimpleNamespace

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.utils.metaestimators import available_if

from sklearn_shallow import ShallowNNClassifier, ShallowNNRegressor
from sklearn_shallow._solvers import LearningRateSchedule

#: MLP's parameter -> ours, where the names differ (``hidden_layer_sizes`` -> ``n1`` aside).
RENAMED = {"learning_rate_init": "alpha", "alpha": "l2"}

#: MLP's activation names -> ours.
ACTIVATIONS = {"logistic": "sigmoid"}
ACTIVATIONS_BACK = {ours: mlp for mlp, ours in ACTIVATIONS.items()}

#: MLP's fitted attributes that ours has under the same name and meaning.
SAME_ATTRIBUTES = frozenset(
    {
        "classes_",
        "n_outputs_",
        "n_layers_",
        "n_features_in_",
        "feature_names_in_",
        "n_iter_",
        "t_",
        "loss_",
        "loss_curve_",
        "best_loss_",
        "validation_scores_",
        "best_validation_score_",
    }
)


def _next_learning_rate(estimator):
    """MLP's ``_optimizer.learning_rate``: the rate of the next epoch, as ours would set it.

    MLP's optimiser moves its rate on at the end of each epoch; ours sets it at
    the start of the next one from the samples seen (``t_``), with its own
    schedule, continuing from the rate it kept (``FitState.learning_rate``).
    """
    schedule = LearningRateSchedule(
        estimator.learning_rate,
        estimator.alpha,
        estimator.power_t,
        estimator._learning_rate,
    )
    return SimpleNamespace(learning_rate=schedule.start_epoch(estimator.t_))


#: MLP's fitted attributes that ours holds under another name or form: name -> reader.
TRANSLATED_ATTRIBUTES = {
    "out_activation_": lambda estimator: ACTIVATIONS_BACK.get(
        estimator.out_activation_, estimator.out_activation_
    ),
    "_optimizer": _next_learning_rate,
    # Ours counts stalled epochs "as MLPClassifier counts them" (_engine.Stopping).
    "_no_improvement_count": lambda estimator: estimator._stopping["count"],
}


class NotOneHiddenLayerError(ValueError):
    """``hidden_layer_sizes`` asks for a network that ours cannot be (not one hidden layer)."""


def n1_of(hidden_layer_sizes):
    """``n1`` of ``hidden_layer_sizes`` (an int, or a sequence of one int), as MLP reads it."""
    sizes = (
        list(hidden_layer_sizes)
        if hasattr(hidden_layer_sizes, "__iter__")
        else [hidden_layer_sizes]
    )
    if len(sizes) != 1:
        raise NotOneHiddenLayerError(
            f"hidden_layer_sizes={hidden_layer_sizes!r} has {len(sizes)} hidden layers; "
            "ShallowNN estimators have exactly one (n1). Tests of deeper networks do "
            "not apply."
        )
    return sizes[0]


def translate(mlp_params):
    """Our estimator's parameters from MLP's, every one passed explicitly.

    MLP trains on the inputs as given: ours does too (``input_scaling=None``).
    """
    ours = {"input_scaling": None}
    for name, value in mlp_params.items():
        if name == "hidden_layer_sizes":
            ours["n1"] = n1_of(value)
        elif name == "activation":
            ours["activation"] = ACTIVATIONS.get(value, value)
        else:
            ours[RENAMED.get(name, name)] = value
    return ours


def _has_partial_fit(adaptor):
    """``available_if`` condition: ours decides (it has no ``partial_fit`` for lbfgs)."""
    return hasattr(adaptor._ours(solver=adaptor.solver), "partial_fit")


class _MLPAdaptor(BaseEstimator):
    """What both adaptors share: translation, fitting our estimator, MLP's attribute names."""

    _ours = None
    _own = ("estimator_", "_pending")

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
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

    # ------------------------------------------------------------------ fit

    def _estimator(self):
        """Our estimator with the translated parameters: the fitted one, or a new one."""
        params = translate(self.get_params())
        estimator = vars(self).get("estimator_")
        if estimator is None:
            return self._ours(**params)
        return estimator.set_params(**params)

    def _train(self, method, X, y, **kwargs):
        estimator = self._estimator()
        pending = vars(self).pop("_pending", None)
        # As in MLP, assigned weights are where training continues from, unless a
        # fit without warm_start starts afresh.
        if pending is not None and (method == "partial_fit" or self.warm_start):
            _start_from(estimator, pending, X, y, kwargs.get("classes"))
        getattr(estimator, method)(X, y, **kwargs)
        # A test may have assigned MLP's fitted attributes by hand (test_fit); they
        # must not hide what ours now holds.
        for name in set(vars(self)) - set(self.get_params()) - set(self._own):
            delattr(self, name)
        self.estimator_ = estimator
        return self

    def fit(self, X, y, sample_weight=None):
        return self._train("fit", X, y, sample_weight=sample_weight)

    def __sklearn_is_fitted__(self):
        return hasattr(vars(self).get("estimator_"), "params_")

    # ------------------------------------------------------------- prediction

    def predict(self, X):
        return self.estimator_.predict(X)

    # --------------------------------------------------- MLP's fitted names

    @property
    def coefs_(self):
        if "_pending" in vars(self):
            return self._pending["coefs"]
        return self._fitted().coefs_

    @coefs_.setter
    def coefs_(self, coefs):
        self._assign("coefs", coefs)

    @property
    def intercepts_(self):
        if "_pending" in vars(self):
            return self._pending["intercepts"]
        return self._fitted().intercepts_

    @intercepts_.setter
    def intercepts_(self, intercepts):
        self._assign("intercepts", intercepts)

    def _fitted(self):
        estimator = vars(self).get("estimator_")
        if not hasattr(estimator, "params_"):
            raise AttributeError(f"{type(self).__name__} is not fitted: no coefs_ yet.")
        return estimator

    def _assign(self, kind, arrays):
        """Write MLP-shaped weights into ``params_``; before any fit, keep them for the first.

        Before a fit the list itself is kept, so that a test filling it item by
        item (``mlp.coefs_[0] = ...``, as test_fit does) fills what the fit uses.
        """
        estimator = vars(self).get("estimator_")
        if not hasattr(estimator, "params_"):
            self.__dict__.setdefault("_pending", {"coefs": None, "intercepts": None})[kind] = (
                arrays
            )
            return
        _write(estimator.params_, kind, arrays)

    def __getattr__(self, name):
        # Only reached when normal lookup fails; never for dunders (pickle, copy).
        if name.startswith("__") or name in self._own:
            raise AttributeError(name)
        if name not in SAME_ATTRIBUTES and name not in TRANSLATED_ATTRIBUTES:
            raise AttributeError(
                f"{type(self).__name__} has no translation of MLP's attribute {name!r}."
            )
        estimator = vars(self).get("estimator_")
        if estimator is None:
            raise AttributeError(f"{type(self).__name__} is not fitted: no {name} yet.")
        if name in SAME_ATTRIBUTES:
            return getattr(estimator, name)
        return TRANSLATED_ATTRIBUTES[name](estimator)


def _write(params, kind, arrays):
    """Write MLP's ``coefs_`` (``(n_in, n_out)``) or ``intercepts_`` into ours' ``params``."""
    if kind == "coefs":
        for name, coef in zip(("W1", "W2"), arrays, strict=True):
            params[name] = np.array(coef, dtype=params[name].dtype).T.copy()
    else:
        for name, intercept in zip(("b1", "b2"), arrays, strict=True):
            params[name] = np.array(intercept, dtype=params[name].dtype).reshape(-1, 1)


def _start_from(estimator, pending, X, y, classes):
    """Make ``estimator`` a fitted model holding the weights assigned before any fit.

    Ours starts from given weights only when it continues a fit, so it first
    runs one epoch on ``(X, y)`` (which sets up its targets and shapes), then
    takes the assigned weights and forgets that epoch: no epoch or sample
    counted, no history, and the optimiser's state, learning rate and stopping
    counters dropped so that they start afresh, as for a new fit.
    """
    kwargs = {} if classes is None else {"classes": classes}
    estimator.partial_fit(X, y, **kwargs)
    for kind, arrays in pending.items():
        _write(estimator.params_, kind, arrays)
    estimator.n_iter_ = 0
    estimator.t_ = 0
    estimator.history_ = {key: [] for key in estimator.history_}
    estimator.loss_curve_ = []
    for private in ("_optimizer_state", "_learning_rate", "_stopping"):
        vars(estimator).pop(private, None)


class MLPClassifierAdaptor(ClassifierMixin, _MLPAdaptor):
    """``MLPClassifier``'s parameters and attributes over :class:`ShallowNNClassifier`."""

    _ours = ShallowNNClassifier

    @available_if(_has_partial_fit)
    def partial_fit(self, X, y, sample_weight=None, classes=None):
        return self._train("partial_fit", X, y, sample_weight=sample_weight, classes=classes)

    def predict_proba(self, X):
        return self.estimator_.predict_proba(X)

    def predict_log_proba(self, X):
        return self.estimator_.predict_log_proba(X)


class MLPRegressorAdaptor(RegressorMixin, _MLPAdaptor):
    """``MLPRegressor``'s parameters and attributes over :class:`ShallowNNRegressor`."""

    _ours = ShallowNNRegressor

    def __init__(
        self,
        loss="squared_error",
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
    ):
        super().__init__(
            hidden_layer_sizes,
            activation,
            solver=solver,
            alpha=alpha,
            batch_size=batch_size,
            learning_rate=learning_rate,
            learning_rate_init=learning_rate_init,
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
        )
        self.loss = loss

    @available_if(_has_partial_fit)
    def partial_fit(self, X, y, sample_weight=None):
        return self._train("partial_fit", X, y, sample_weight=sample_weight)
