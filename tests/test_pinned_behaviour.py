"""Behaviour pinned through the public API, each test held to an independent oracle.

The estimator trains dense numpy input on its private in-place fast path and
scipy sparse (or array API) input on the pure path built on
:mod:`sklearn_shallow.network`; fitting both against the same oracle covers both
implementations without reaching into either. The oracles are
scikit-learn's own optimisers (``SGDOptimizer``, ``AdamOptimizer``), closed
forms worked by hand, and scipy's ``log_expit`` / ``log_softmax``, fed with the
gradients of the public ``network.backward``.

Every fit here is one batch of every sample (``batch_size=n_samples``,
``shuffle=False``, ``tol=None``) unless it says otherwise, so that the parameters
after ``k`` epochs are exactly ``k`` steps of the update rule. In float64 the
fast path and the oracle differ by BLAS summation order only (a few units in the
last place per step): ``rtol=1e-10`` is a real check, since a wrong constant in a
rule moves the parameters by 1e-4 or more.
"""

import numpy as np
import pytest
import scipy.sparse as sp
import sklearn
from numpy.testing import assert_allclose
from scipy.special import log_expit, log_softmax
from sklearn.datasets import make_classification
from sklearn.neural_network._stochastic_optimizers import AdamOptimizer, SGDOptimizer
from sklearn.utils import check_random_state
from sklearn.utils._array_api import _convert_to_numpy

from sklearn_shallow import ShallowNNClassifier
from sklearn_shallow.network import backward, forward, initialize

#: The order in which the oracles hold the parameters (a list, as scikit-learn's do).
NAMES = ("W1", "b1", "W2", "b2")
SEED = 7
N1 = 5
#: Equal up to summation order after a few steps (measured: ~1e-15 relative); every
#: planted slip in an update rule moved some parameter by 1e-5 or more.
RTOL, ATOL = 1e-10, 1e-13

DENSE_AND_SPARSE = pytest.mark.parametrize(
    "container", [np.asarray, sp.csr_matrix], ids=["dense-fast", "csr-pure"]
)


def make_data(n_classes, weighted=False, n_samples=60, n_features=5):
    X, y = make_classification(
        n_samples=n_samples, n_features=n_features, n_informative=3, n_redundant=0,
        n_classes=n_classes, random_state=0,
    )  # fmt: skip
    # Weights whose sum is not n_samples, so that m = Σw is not mistaken for the count.
    w = np.random.RandomState(1).uniform(0.2, 2.0, n_samples) if weighted else None
    return X, y, w


def targets(y):
    """``Y`` in the course's layout and the output unit, as the estimator encodes ``y``."""
    classes = np.unique(y)
    if len(classes) == 2:
        return (y == classes[1]).astype(np.float64)[None, :], "sigmoid"
    return (y[None, :] == classes[:, None]).astype(np.float64), "softmax"


def initial_params(X, Y):
    """The estimator's starting point for ``random_state=SEED``."""
    sizes = [X.shape[1], N1, Y.shape[0]]
    return initialize(sizes, random_state=check_random_state(SEED), dtype=X.dtype)


def gradients(X, Y, params, output, sample_weight, l2):
    """The course's backward pass (tanh hidden layer) on all samples, as a list in NAMES order."""
    params = dict(zip(NAMES, params, strict=True))
    _, cache = forward(X.T, params, activation="tanh", output=output)
    grads = backward(
        X.T, Y, params, cache, activation="tanh", output=output, sample_weight=sample_weight, l2=l2
    )
    return [grads["d" + name] for name in NAMES]


class Oracle:
    """Full-batch training by one of scikit-learn's optimisers, from the estimator's start.

    ``make_optimizer(params)`` builds the optimiser on the list of parameters
    (updated in place by ``update_params``); ``restart()`` builds a new one on the
    current parameters (zero moments, ``t = 0``), as a warm-start fit must.
    """

    def __init__(self, X, y, make_optimizer, *, l2, sample_weight=None):
        self.X, self.sample_weight, self.l2 = X, sample_weight, l2
        self.Y, self.output = targets(y)
        start = initial_params(X, self.Y)
        self.params = [start[name].copy() for name in NAMES]
        self.make_optimizer = make_optimizer
        self.restart()

    def restart(self):
        self.optimizer = self.make_optimizer(self.params)

    def step(self, n_steps=1):
        for _ in range(n_steps):
            grads = gradients(
                self.X, self.Y, self.params, self.output, self.sample_weight, self.l2
            )
            self.optimizer.update_params(self.params, grads)
        return self

    def as_dict(self):
        return {name: P.copy() for name, P in zip(NAMES, self.params, strict=True)}


def one_batch_model(X, **options):
    # The oracles work on the data as given: no scaling of the inputs inside.
    defaults = dict(
        n1=N1, activation="tanh", batch_size=X.shape[0], shuffle=False, tol=None,
        random_state=SEED, input_scaling=None,
    )  # fmt: skip
    return ShallowNNClassifier(**{**defaults, **options})


def assert_params_equal(actual, expected, rtol=RTOL, atol=ATOL):
    assert set(actual) == set(expected)
    for name in NAMES:
        assert_allclose(actual[name], expected[name], rtol=rtol, atol=atol, err_msg=name)


def max_difference(a, b):
    return max(float(np.max(np.abs(a[name] - b[name]))) for name in NAMES)


TARGETS = pytest.mark.parametrize(
    "n_classes, weighted", [(2, False), (3, True)], ids=["binary", "multiclass-weighted"]
)

ADAM_SETTINGS = [
    pytest.param(dict(beta_1=0.9, beta_2=0.999, epsilon=1e-8), id="adam-defaults"),
    pytest.param(dict(beta_1=0.8, beta_2=0.99, epsilon=1e-3), id="adam-non-default"),
]


# ---------------------------------------------------------------------- Adam


@DENSE_AND_SPARSE
@TARGETS
@pytest.mark.parametrize("settings", ADAM_SETTINGS)
@pytest.mark.parametrize("n_steps", [1, 3])
def test_adam_epochs_equal_sklearns_adam_optimizer(
    container, n_classes, weighted, settings, n_steps
):
    """k one-batch epochs of solver='adam' are k steps of scikit-learn's AdamOptimizer.

    Pins the bias correction (first step included), beta_1, beta_2 and epsilon in
    both Adam implementations (dense -> fast path, csr -> pure path).
    """
    X, y, w = make_data(n_classes, weighted)
    alpha, l2 = 0.05, 0.3
    model = one_batch_model(X, solver="adam", alpha=alpha, l2=l2, max_iter=n_steps, **settings)
    model.fit(container(X), y, sample_weight=w)
    oracle = Oracle(
        X, y, lambda p: AdamOptimizer(p, alpha, **settings), l2=l2, sample_weight=w
    ).step(n_steps)
    assert_params_equal(model.params_, oracle.as_dict())
    assert model.n_iter_ == n_steps and model.t_ == n_steps * X.shape[0]


@DENSE_AND_SPARSE
@pytest.mark.parametrize("settings", ADAM_SETTINGS)
def test_adam_first_step_is_the_closed_form(container, settings):
    """Worked by hand: with zero moments, Adam's first step is alpha g / (|g| + eps / sqrt(1-b2)).

    (M = (1-b1) g, S = (1-b2) g², step size alpha sqrt(1-b2) / (1-b1).)
    """
    X, y, _ = make_data(2)
    alpha, l2 = 0.05, 0.3
    model = one_batch_model(X, solver="adam", alpha=alpha, l2=l2, max_iter=1, **settings)
    model.fit(container(X), y)
    Y, output = targets(y)
    start = initial_params(X, Y)
    grads = gradients(X, Y, [start[n] for n in NAMES], output, None, l2)
    denominator_shift = settings["epsilon"] / np.sqrt(1 - settings["beta_2"])
    expected = {
        name: start[name] - alpha * g / (np.abs(g) + denominator_shift)
        for name, g in zip(NAMES, grads, strict=True)
    }
    assert_params_equal(model.params_, expected)


# -------------------------------------------------------------- SGD momentum


@DENSE_AND_SPARSE
@TARGETS
@pytest.mark.parametrize("momentum", [0.9, 0.5])
@pytest.mark.parametrize("nesterov", [True, False], ids=["nesterov", "classical"])
@pytest.mark.parametrize("n_steps", [1, 3])
def test_sgd_epochs_equal_sklearns_sgd_optimizer(
    container, n_classes, weighted, momentum, nesterov, n_steps
):
    """k one-batch epochs of solver='sgd' are k steps of scikit-learn's SGDOptimizer.

    Pins the momentum constant and the Nesterov / classical choice (whose very
    first steps already differ: W - alpha(1+mu) g against W - alpha g).
    """
    X, y, w = make_data(n_classes, weighted)
    alpha, l2 = 0.1, 0.3
    model = one_batch_model(
        X, solver="sgd", alpha=alpha, l2=l2, momentum=momentum,
        nesterovs_momentum=nesterov, max_iter=n_steps,
    )  # fmt: skip
    model.fit(container(X), y, sample_weight=w)

    def make_optimizer(p):
        return SGDOptimizer(p, alpha, momentum=momentum, nesterov=nesterov)

    oracle = Oracle(X, y, make_optimizer, l2=l2, sample_weight=w).step(n_steps)
    assert_params_equal(model.params_, oracle.as_dict())


@DENSE_AND_SPARSE
def test_nesterov_and_classical_momentum_give_different_params(container):
    """nesterovs_momentum reaches the update rule (True and False are different rules)."""
    X, y, _ = make_data(2)
    fits = [
        one_batch_model(X, solver="sgd", alpha=0.1, max_iter=2, nesterovs_momentum=nesterov)
        .fit(container(X), y)
        .params_
        for nesterov in (True, False)
    ]
    assert max_difference(*fits) > 1e-3


@DENSE_AND_SPARSE
@pytest.mark.parametrize(
    "solver, setting, value",
    [
        ("adam", "beta_1", 0.8),
        ("adam", "beta_2", 0.99),
        ("adam", "epsilon", 1e-3),
        ("sgd", "momentum", 0.5),
        ("sgd", "nesterovs_momentum", False),
    ],
)
def test_each_optimiser_setting_changes_params_as_the_oracle_says(
    container, solver, setting, value
):
    """One setting away from its default moves params_, to where the oracle says."""
    X, y, _ = make_data(3)
    alpha, l2, n_steps = 0.05, 0.1, 3
    options = dict(solver=solver, alpha=alpha, l2=l2, max_iter=n_steps)
    default = one_batch_model(X, **options).fit(container(X), y)
    changed = one_batch_model(X, **options, **{setting: value}).fit(container(X), y)

    settings = {"momentum": 0.9, "nesterovs_momentum": True}
    settings.update(beta_1=0.9, beta_2=0.999, epsilon=1e-8)
    settings[setting] = value

    def make_optimizer(p):
        if solver == "adam":
            return AdamOptimizer(
                p, alpha, settings["beta_1"], settings["beta_2"], settings["epsilon"]
            )
        return SGDOptimizer(
            p, alpha, momentum=settings["momentum"], nesterov=settings["nesterovs_momentum"]
        )

    oracle = Oracle(X, y, make_optimizer, l2=l2).step(n_steps)
    assert max_difference(changed.params_, default.params_) > 1e-5
    assert_params_equal(changed.params_, oracle.as_dict())


# ------------------------------------------------- warm start and partial_fit


#: The optimiser state crosses calls, and may cross from one implementation to the other.
CONTAINER_PAIRS = pytest.mark.parametrize(
    "first, second",
    [
        (np.asarray, np.asarray),
        (sp.csr_matrix, sp.csr_matrix),
        (np.asarray, sp.csr_matrix),
        (sp.csr_matrix, np.asarray),
    ],
    ids=["dense", "csr", "dense-then-csr", "csr-then-dense"],
)


@CONTAINER_PAIRS
def test_warm_start_fit_restarts_adam(first, second):
    """A warm-start fit starts Adam afresh (t = 0, zero moments) from the previous params_."""
    X, y, _ = make_data(2)
    alpha, l2 = 0.05, 0.1
    model = one_batch_model(X, solver="adam", alpha=alpha, l2=l2, max_iter=3)
    model.fit(first(X), y)
    oracle = Oracle(X, y, lambda p: AdamOptimizer(p, alpha), l2=l2).step(3)
    assert_params_equal(model.params_, oracle.as_dict())

    model.set_params(warm_start=True, max_iter=1).fit(second(X), y)
    continued = Oracle(X, y, lambda p: AdamOptimizer(p, alpha), l2=l2).step(4).as_dict()
    oracle.restart()
    restarted = oracle.step(1).as_dict()
    assert max_difference(restarted, continued) > 1e-4  # the check below can tell them apart
    assert_params_equal(model.params_, restarted)
    assert model.n_iter_ == 1 and len(model.loss_curve_) == 4


@CONTAINER_PAIRS
@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_partial_fit_continues_the_optimiser(first, second, solver):
    """partial_fit after fit continues the optimiser: Adam's t = 4 step, momentum's velocity."""
    X, y, _ = make_data(2)
    alpha, l2 = 0.05, 0.1
    model = one_batch_model(X, solver=solver, alpha=alpha, l2=l2, max_iter=3)
    model.fit(first(X), y)
    model.partial_fit(second(X), y)

    def make_optimizer(p):
        return AdamOptimizer(p, alpha) if solver == "adam" else SGDOptimizer(p, alpha)

    continued = Oracle(X, y, make_optimizer, l2=l2).step(3)
    restarted = Oracle(X, y, make_optimizer, l2=l2).step(3)
    restarted.restart()
    assert max_difference(continued.step(1).as_dict(), restarted.step(1).as_dict()) > 1e-4
    assert_params_equal(model.params_, continued.as_dict())
    assert model.n_iter_ == 1 and len(model.loss_curve_) == 4


# ------------------------------------------------- sparse equals dense, always


SOLVER_RUNS = {
    # Mini-batches, shuffled: both paths draw the same permutations from random_state.
    "gd": dict(max_iter=4),
    "sgd": dict(max_iter=3, batch_size=16, shuffle=True, momentum=0.7),
    "adam": dict(max_iter=3, batch_size=16, shuffle=True, alpha=0.02),
    "lbfgs": dict(max_iter=5),
}


def weighted_options(solver):
    options = dict(
        n1=N1, activation="tanh", solver=solver, l2=0.5, tol=None, random_state=SEED,
        alpha=0.1, class_weight={0: 1.0, 1: 2.5, 2: 0.7},
    )  # fmt: skip
    return {**options, **SOLVER_RUNS[solver]}


@pytest.mark.parametrize("solver", list(SOLVER_RUNS))
def test_sparse_input_equals_dense_for_every_solver(solver):
    """csr (pure path) and dense (fast path) give the same params_ with l2, weights, class_weight.

    The two differ by BLAS summation order only (measured: 1e-15 relative, L-BFGS-B
    included); L-BFGS-B's five iterations get a little room to magnify it.
    """
    X, y, w = make_data(3, weighted=True)
    options = weighted_options(solver)
    dense = ShallowNNClassifier(**options).fit(X, y, sample_weight=w)
    sparse = ShallowNNClassifier(**options).fit(sp.csr_matrix(X), y, sample_weight=w)
    rtol = 1e-9 if solver == "lbfgs" else RTOL
    assert_params_equal(sparse.params_, dense.params_, rtol=rtol, atol=1e-12)
    assert_allclose(sparse.loss_curve_, dense.loss_curve_, rtol=rtol)
    # On these data the L2 term and the weights each move the result far beyond the tolerance.
    without_l2 = ShallowNNClassifier(**{**options, "l2": 0.0}).fit(X, y, sample_weight=w)
    unweighted = ShallowNNClassifier(**{**options, "class_weight": None}).fit(X, y)
    assert max_difference(without_l2.params_, dense.params_) > 1e-4
    assert max_difference(unweighted.params_, dense.params_) > 1e-4


# --------------------------------------------------------------- array API


def namespaces():
    for name, device in [("array_api_strict", "CPU_DEVICE"), ("torch", "cpu")]:
        yield pytest.param(name, device, id=name)


@pytest.mark.parametrize("module_name, device_name", list(namespaces()))
@pytest.mark.parametrize("solver", list(SOLVER_RUNS))
def test_array_api_fit_equals_numpy(module_name, device_name, solver):
    """array-api-strict and torch (pure path) give numpy's params_, with l2 and sample weights."""
    xp = pytest.importorskip(module_name, reason=f"{module_name} is not installed")
    device = xp.Device(device_name) if module_name == "array_api_strict" else device_name
    X, y, w = make_data(3, weighted=True)
    options = weighted_options(solver)
    reference = ShallowNNClassifier(**options).fit(X, y, sample_weight=w)
    model = ShallowNNClassifier(**options)
    with sklearn.config_context(array_api_dispatch=True):
        arrays = [xp.asarray(a, device=device) for a in (X, y, w)]
        if solver == "lbfgs":
            with pytest.warns(UserWarning, match="L-BFGS-B"):
                model.fit(*arrays)
        else:
            model.fit(*arrays)
    assert not isinstance(model.params_["W1"], np.ndarray)  # it trained in the namespace
    params = {name: _convert_to_numpy(P, xp) for name, P in model.params_.items()}
    assert_params_equal(params, reference.params_, rtol=1e-9, atol=1e-12)


# ------------------------------------------------------------ predict_log_proba


@DENSE_AND_SPARSE
@pytest.mark.parametrize("n_classes", [2, 3])
def test_predict_log_proba_is_log_sigmoid_or_log_softmax_of_the_logits(container, n_classes):
    """predict_log_proba against log-sigmoid / log-softmax of Z2, computed here from params_."""
    X, y, _ = make_data(n_classes)
    X = 3 * X  # some confident predictions, where log(p) is near 0 or far below
    model = one_batch_model(X, solver="lbfgs", max_iter=30).fit(container(X), y)
    P = model.params_
    Z2 = np.tanh(X @ P["W1"].T + P["b1"].T) @ P["W2"].T + P["b2"].T  # samples as rows
    if n_classes == 2:
        expected = np.hstack([log_expit(-Z2), log_expit(Z2)])
    else:
        expected = log_softmax(Z2, axis=1)
    assert expected.min() < -5  # not only probabilities near 1/2
    log_proba = model.predict_log_proba(container(X))
    assert log_proba.shape == (X.shape[0], n_classes)
    assert_allclose(log_proba, expected, rtol=1e-9, atol=1e-12)


# ------------------------------------------------------------ invscaling


@DENSE_AND_SPARSE
@pytest.mark.parametrize("power_t", [0.25, 0.5])
def test_invscaling_gd_follows_the_course_steps_at_the_scheduled_rates(container, power_t):
    """history_['learning_rate'] is alpha / (t + 1) ** power_t (t samples seen), and gd steps
    at those rates are the course's W := W - rate dW."""
    X, y, _ = make_data(2)
    alpha, l2, n_epochs, m = 0.5, 0.2, 4, X.shape[0]
    model = one_batch_model(
        X, solver="gd", alpha=alpha, l2=l2, learning_rate="invscaling", power_t=power_t,
        max_iter=n_epochs,
    )  # fmt: skip
    model.fit(container(X), y)
    rates = [alpha / (k * m + 1) ** power_t for k in range(n_epochs)]
    assert_allclose(model.history_["learning_rate"], rates, rtol=1e-12)

    Y, output = targets(y)
    start = initial_params(X, Y)
    params = [start[name] for name in NAMES]
    for rate in rates:
        grads = gradients(X, Y, params, output, None, l2)
        params = [P - rate * dP for P, dP in zip(params, grads, strict=True)]
    assert_params_equal(model.params_, dict(zip(NAMES, params, strict=True)))


@DENSE_AND_SPARSE
def test_invscaling_sgd_equals_sklearns_invscaling_schedule(container):
    """Mini-batch sgd with momentum and invscaling (power_t=0.25) against SGDOptimizer,
    whose iteration_ends(t) sets the rate of the next epoch, as MLPClassifier calls it."""
    X, y, _ = make_data(3)
    alpha, l2, power_t, n_epochs, batch = 0.2, 0.2, 0.25, 3, 20
    model = one_batch_model(
        X, solver="sgd", alpha=alpha, l2=l2, learning_rate="invscaling", power_t=power_t,
        momentum=0.6, batch_size=batch, max_iter=n_epochs,
    )  # fmt: skip
    model.fit(container(X), y)

    def make_optimizer(p):
        return SGDOptimizer(
            p, alpha, lr_schedule="invscaling", momentum=0.6, nesterov=True, power_t=power_t
        )

    oracle = Oracle(X, y, make_optimizer, l2=l2)
    Y, t, rates = oracle.Y, 0, []
    for _ in range(n_epochs):
        rates.append(oracle.optimizer.learning_rate)
        for start in range(0, X.shape[0], batch):
            rows = slice(start, start + batch)
            grads = gradients(X[rows], Y[:, rows], oracle.params, oracle.output, None, l2)
            oracle.optimizer.update_params(oracle.params, grads)
        t += X.shape[0]
        oracle.optimizer.iteration_ends(t)
    assert_allclose(model.history_["learning_rate"], rates, rtol=1e-12)
    assert_params_equal(model.params_, oracle.as_dict())
