"""The private fast path (``_fast.FastEpochs``) against the pure ``_runners.run_epoch``.

The pure path is built from the public steps of ``sklearn_shallow.network``; the
fast path must give the same parameters, optimiser state, loss and accuracy. In
float64 the two differ only by the order in which BLAS and the reductions add
(a few units in the last place per step), so ``rtol=1e-10`` after several
epochs is a real check: any slip in an equation changes results at the 1e-3
level or more.
"""

import itertools
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.datasets import make_classification
from threadpoolctl import threadpool_limits

from sklearn_shallow import ShallowNNClassifier, ShallowNNRegressor, _fast
from sklearn_shallow._activations import ACTIVATIONS, OUTPUTS
from sklearn_shallow._blas import numpy_blas, single_threaded
from sklearn_shallow._fast import FastEpochs, supports_fast_path
from sklearn_shallow._runners import (
    Network,
    PureEpochs,
    epoch_batches,
    epoch_runner,
    evaluate,
    run_epoch,
    training_path,
)
from sklearn_shallow._solvers import Adam, GradientDescent, Momentum
from sklearn_shallow.network import backward, forward, initialize, loss

RULES = {
    "gd": GradientDescent(),
    "momentum": Momentum(0.9, nesterov=False),
    "nesterov": Momentum(0.9, nesterov=True),
    "adam": Adam(),
}

N_SAMPLES, N_FEATURES, N_HIDDEN = 90, 6, 5


def run_epoch_fast(
    X, Y, sample_weight, params, opt_state, *, batches, rule, learning_rate, network
):
    """One epoch of the runner ``epoch_runner`` chooses, with the signature of ``run_epoch``.

    The runner is new, so the arrays returned are new and ``params`` and
    ``opt_state`` are left as they were.
    """
    run = epoch_runner(X, Y, sample_weight, params, opt_state, rule=rule, network=network)
    return run(params, opt_state, batches=batches, learning_rate=learning_rate)


def pure_epoch_runner(X, Y, sample_weight, params, opt_state, *, rule, network):
    """A :class:`PureEpochs`, with the signature of ``epoch_runner``."""
    return PureEpochs(X, Y, sample_weight, rule=rule, network=network)


def full_batch_objective(X, Y, sample_weight, params, network):
    """The objective of the runner a fit would use (the fast one for dense numpy data)."""
    rule = GradientDescent()
    return epoch_runner(X, Y, sample_weight, params, None, rule=rule, network=network).objective


def make_targets(output, rng):
    """Targets as the estimators encode them: one-hot (softmax), 0/1 labels (sigmoid),
    two real targets (identity) or two counts (exp)."""
    if output == "softmax":
        return np.eye(3)[rng.randint(0, 3, N_SAMPLES)]
    if output == "identity":
        return rng.randn(N_SAMPLES, 2)
    if output == "exp":
        return rng.poisson(1.5, (N_SAMPLES, 2)).astype(float)
    return (rng.rand(N_SAMPLES, 2) > 0.5).astype(float)


def train(epoch_function, X, Y, sample_weight, params, opt_state, batches, rule, config):
    """Run one epoch per list of batches; return the final state and every (loss, accuracy)."""
    scores = []
    for epoch_batches_ in batches:
        params, opt_state, J, accuracy = epoch_function(
            X,
            Y,
            sample_weight,
            params,
            opt_state,
            batches=epoch_batches_,
            rule=rule,
            learning_rate=0.05,
            network=config,
        )
        scores.append((J, accuracy))
    return params, opt_state, scores


def setup(output, rule, shuffle, weighted, dtype=np.float64, l2=0.1):
    rng = np.random.RandomState(0)
    X = rng.randn(N_SAMPLES, N_FEATURES).astype(dtype)
    Y = make_targets(output, rng).astype(dtype)
    sample_weight = rng.rand(N_SAMPLES).astype(dtype) if weighted else None
    params = initialize([N_FEATURES, N_HIDDEN, Y.shape[1]], random_state=0, dtype=dtype)
    opt_state = RULES[rule].init_state(params)
    # Batches of 32: two full ones and a short last one, the same for both paths.
    order = np.random.RandomState(1)
    batches = [epoch_batches(N_SAMPLES, 32, shuffle, order) for _ in range(3)]
    return X, Y, sample_weight, params, opt_state, batches


def assert_states_close(fast, pure, rtol, atol):
    assert list(fast) == list(pure)
    for key, value in pure.items():
        if isinstance(value, np.ndarray):
            assert fast[key].shape == value.shape
            assert_allclose(fast[key], value, rtol=rtol, atol=atol, err_msg=key)
        else:
            assert fast[key] == value


@pytest.fixture(params=["whole", "chunked"])
def batch_layout(request, monkeypatch):
    """Run each batch whole, or cut into chunks of 8 rows spread over 3 threads.

    The second layout is the one large batches (full-batch gradient descent)
    take; here it is forced on the small batches of these tests.
    """
    if request.param == "chunked":
        monkeypatch.setattr(_fast, "_MIN_CHUNK_ROWS", 8)
        monkeypatch.setattr(_fast, "_CHUNK_BYTES", 1)
        monkeypatch.setattr(_fast, "_blas_threads", lambda: 3)
    return request.param


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize("output", sorted(OUTPUTS))
@pytest.mark.parametrize("rule", list(RULES))
@pytest.mark.parametrize("shuffle", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
def test_fast_epoch_equals_pure_epoch_float64(
    activation, output, rule, shuffle, weighted, batch_layout
):
    X, Y, sample_weight, params, opt_state, batches = setup(output, rule, shuffle, weighted)
    config = Network(activation, output, 0.1)
    args = (X, Y, sample_weight, params, opt_state, batches, RULES[rule], config)
    pure_params, pure_state, pure_scores = train(run_epoch, *args)
    fast_params, fast_state, fast_scores = train(run_epoch_fast, *args)

    # atol only matters for entries near zero (biases, moments), where the
    # rounding of the larger terms they are summed from sets the error.
    assert_states_close(fast_params, pure_params, rtol=1e-10, atol=1e-14)
    assert_states_close(fast_state, pure_state, rtol=1e-10, atol=1e-14)
    assert_allclose(fast_scores, pure_scores, rtol=1e-10)
    assert all(P.dtype == np.float64 for P in fast_params.values())


@pytest.mark.parametrize("rule", list(RULES))
@pytest.mark.parametrize("output", sorted(OUTPUTS))
def test_fast_epoch_float32_stays_float32_and_close(rule, output, batch_layout):
    """float32 work end to end, close to the float64 result.

    float32 rounds at ~6e-8; nine steps, each adding a few roundings that the
    training dynamics carry forward, leave absolute errors around 1e-7 on
    parameters of size O(0.1 .. 1) (measured: at most 1.3e-7). ``rtol=1e-5`` with
    ``atol=1e-6`` leaves a tenfold margin and still catches any wrong equation,
    which moves parameters by 1e-3 or more.
    """
    X, Y, w, params, opt_state, batches = setup(output, rule, True, True, dtype=np.float32)
    config = Network("tanh", output, 0.1)
    fast_params, fast_state, fast_scores = train(
        run_epoch_fast, X, Y, w, params, opt_state, batches, RULES[rule], config
    )
    as64 = {k: v.astype(np.float64) for k, v in params.items()}
    state64 = {
        k: v.astype(np.float64) if isinstance(v, np.ndarray) else v for k, v in opt_state.items()
    }
    pure_params, pure_state, pure_scores = train(
        run_epoch,
        X.astype(np.float64),
        Y.astype(np.float64),
        w.astype(np.float64),
        as64,
        state64,
        batches,
        RULES[rule],
        config,
    )
    for state in (fast_params, fast_state):
        for value in state.values():
            if isinstance(value, np.ndarray):
                assert value.dtype == np.float32
    for name, P in pure_params.items():
        assert_allclose(fast_params[name], P, rtol=1e-5, atol=1e-6, err_msg=name)
    assert_allclose(fast_scores, pure_scores, rtol=1e-5)


@pytest.mark.parametrize("rule", list(RULES))
def test_fast_epoch_does_not_mutate_its_inputs(rule, batch_layout):
    X, Y, w, params, opt_state, batches = setup("softmax", rule, True, True)
    copies = [a.copy() for a in (X, Y, w)]
    params_copy = {k: v.copy() for k, v in params.items()}
    state_copy = {k: v.copy() if isinstance(v, np.ndarray) else v for k, v in opt_state.items()}
    config = Network("relu", "softmax", 0.1)
    new_params, new_state, _, _ = run_epoch_fast(
        X,
        Y,
        w,
        params,
        opt_state,
        batches=batches[0],
        rule=RULES[rule],
        learning_rate=0.1,
        network=config,
    )
    for before, after in zip(copies, (X, Y, w), strict=True):
        assert_array_equal(after, before)
    for key, value in params_copy.items():
        assert_array_equal(params[key], value)
        assert not np.shares_memory(new_params[key], params[key])
    for key, value in state_copy.items():
        if isinstance(value, np.ndarray):
            assert_array_equal(opt_state[key], value)
        else:
            assert opt_state[key] == value
    assert not np.array_equal(new_params["W1"], params["W1"])


@pytest.mark.parametrize("rule", list(RULES))
def test_fast_epoch_flushes_subnormals(rule, batch_layout):
    """A weight (and optimiser memory) that would stay subnormal becomes exactly 0.

    Feature 0 is all zeros, so the gradient of column 0 of ``W1`` is 0 (no L2):
    the weight and its moments only decay, as those of a dead unit do.
    """
    X, Y, w, params, opt_state, batches = setup("softmax", rule, False, False)
    X[:, 0] = 0.0
    subnormal = np.finfo(np.float64).smallest_normal / 4
    params["W1"][:, 0] = subnormal
    for value in opt_state.values():
        if isinstance(value, np.ndarray):
            value[...] = subnormal
    config = Network("relu", "softmax", 0.0)
    args = (X, Y, w, params, opt_state, batches[:1], RULES[rule], config)
    fast_params, fast_state, _ = train(run_epoch_fast, *args)
    pure_params, pure_state, _ = train(run_epoch, *args)

    if rule != "adam":  # Adam moves the weight by step * M / sqrt(S), out of that range
        assert_array_equal(fast_params["W1"][:, 0], 0.0)
    for name, P in {**fast_params, **fast_state}.items():
        if isinstance(P, np.ndarray):
            tiny = np.finfo(P.dtype).smallest_normal
            assert not np.any((P != 0) & (np.abs(P) < tiny)), name
    assert_states_close(fast_params, pure_params, rtol=1e-10, atol=0)
    assert_states_close(fast_state, pure_state, rtol=1e-10, atol=0)


def test_supports_fast_path():
    config = Network("relu", "softmax", 0.0)
    X = np.ones((4, 3))
    assert supports_fast_path(X, Adam(), config)
    assert supports_fast_path(X.astype(np.float32), GradientDescent(), config)
    assert supports_fast_path(np.asfortranarray(X), Momentum(), config)
    assert not supports_fast_path(sp.csr_matrix(X), Adam(), config)
    assert not supports_fast_path(X.astype(np.float16), Adam(), config)
    assert not supports_fast_path(X[:, ::2], Adam(), config)
    assert not supports_fast_path(X, type("MyAdam", (Adam,), {})(), config)
    assert not supports_fast_path(X, Adam(), Network("softplus", config.output, config.l2))
    for output in ("identity", "exp"):  # the regressors' outputs
        assert supports_fast_path(X, Adam(), Network("relu", output, 0.0))
    assert not supports_fast_path(X, Adam(), Network("relu", "softplus", 0.0))


def test_fast_epoch_falls_back_when_dtypes_differ():
    """float32 data with float64 parameters (e.g. warm start): the pure path decides."""
    X, Y, w, params, opt_state, batches = setup("softmax", "adam", True, False)
    X32 = X.astype(np.float32)
    config = Network("relu", "softmax", 0.0)
    args = (X32, Y, w, params, opt_state, batches, RULES["adam"], config)
    fast_params, _, fast_scores = train(run_epoch_fast, *args)
    pure_params, _, pure_scores = train(run_epoch, *args)
    assert_states_close(fast_params, pure_params, rtol=0, atol=0)
    assert fast_scores == pure_scores


@pytest.mark.parametrize("solver", ["gd", "sgd", "adam"])
def test_estimator_with_fast_path_matches_pure(iris, solver):
    X, y = iris
    model = ShallowNNClassifier(8, solver=solver, max_iter=5, tol=None, batch_size=32)
    model.set_params(random_state=0)
    fast = ShallowNNClassifier(**model.get_params()).fit(X, y)
    with training_path("pure"):
        pure = model.fit(X, y)
    pure_params = pure.params_
    assert_states_close(fast.params_, pure_params, rtol=1e-10, atol=1e-14)
    assert_allclose(fast.loss_curve_, pure.loss_curve_, rtol=1e-10)


@pytest.mark.parametrize("solver", ["gd", "sgd", "adam", "lbfgs"])
@pytest.mark.parametrize("loss", ["squared_error", "poisson"])
def test_regressor_with_fast_path_matches_pure(solver, loss, monkeypatch):
    """The regressor's fit (identity or exp output, R² history) on both paths."""
    runners = []
    init = FastEpochs.__init__
    monkeypatch.setattr(
        FastEpochs, "__init__", lambda self, *a, **k: runners.append(self) or init(self, *a, **k)
    )
    rng = np.random.RandomState(0)
    X = rng.randn(120, 4)
    y = np.exp(0.3 * X[:, 0]) + rng.rand(120) if loss == "poisson" else X @ [1.0, -2, 0, 3]
    model = ShallowNNRegressor(
        8, loss=loss, solver=solver, max_iter=6, tol=None, batch_size=32, random_state=0
    )
    fast = clone(model).fit(X, y)
    assert len(runners) == 1
    with training_path("pure"):
        pure = clone(model).fit(X, y)
    assert len(runners) == 1
    assert_states_close(fast.params_, pure.params_, rtol=1e-10, atol=1e-14)
    for key in ("loss", "r2"):
        assert_allclose(fast.history_[key], pure.history_[key], rtol=1e-10, err_msg=key)


@pytest.mark.parametrize("rule", list(RULES))
@pytest.mark.parametrize("shuffle", [False, True])
def test_runner_kept_across_epochs_equals_pure_epochs(rule, shuffle, batch_layout):
    """One runner for the whole fit (buffers reused, returned views fed back in)."""
    X, Y, w, params, opt_state, batches = setup("softmax", rule, shuffle, True)
    config = Network("tanh", "softmax", 0.1)
    pure_params, pure_state, pure_scores = train(
        run_epoch, X, Y, w, params, opt_state, batches, RULES[rule], config
    )
    params_copy = {k: v.copy() for k, v in params.items()}
    run = epoch_runner(X, Y, w, params, opt_state, rule=RULES[rule], network=config)
    fast_params, fast_state = run.load(params, opt_state)
    scores = []
    for epoch_batches_ in batches:
        fast_params, fast_state, J, accuracy = run(
            fast_params, fast_state, batches=epoch_batches_, learning_rate=0.05
        )
        scores.append((J, accuracy))
    assert_states_close(fast_params, pure_params, rtol=1e-10, atol=1e-14)
    assert_states_close(fast_state, pure_state, rtol=1e-10, atol=1e-14)
    assert_allclose(scores, pure_scores, rtol=1e-10)
    for key, value in params_copy.items():
        assert_array_equal(params[key], value)


def test_estimator_keeps_copies_of_the_params_it_hands_out(iris):
    """The runner overwrites its views each epoch; callbacks and early stopping get copies."""
    X, y = iris
    seen = []
    model = ShallowNNClassifier(
        8, max_iter=4, tol=None, random_state=0, callback=lambda m, r: seen.append(r["params"])
    ).fit(X, y)
    W1s = [params["W1"] for params in seen]
    assert len(W1s) == 4
    assert all(not np.array_equal(a, b) for a, b in itertools.pairwise(W1s))
    assert_array_equal(W1s[-1], model.params_["W1"])

    stopped = ShallowNNClassifier(
        8, max_iter=40, early_stopping=True, n_iter_no_change=3, random_state=0
    ).fit(X, y)
    assert stopped.best_epoch_ < stopped.n_iter_  # the kept weights are not the last ones
    refit = ShallowNNClassifier(
        8, max_iter=stopped.best_epoch_, tol=None, random_state=0, early_stopping=True
    )
    # Same data split and draws, stopped at the best epoch: the same weights.
    assert_array_equal(refit.fit(X, y).params_["W1"], stopped.params_["W1"])


def test_chunked_batch_is_cut_and_spread_over_threads(monkeypatch):
    """The chunked layout really runs: every chunk of at most 8 rows, on 3 workers."""
    monkeypatch.setattr(_fast, "_MIN_CHUNK_ROWS", 8)
    monkeypatch.setattr(_fast, "_CHUNK_BYTES", 1)
    monkeypatch.setattr(_fast, "_blas_threads", lambda: 3)
    seen = []
    chunks = _fast.FastEpochs._chunks

    def recorded(self, worker, total, parts, m):
        seen.append((id(worker), parts))
        return chunks(self, worker, total, parts, m)

    monkeypatch.setattr(_fast.FastEpochs, "_chunks", recorded)
    X, Y, w, params, opt_state, batches = setup("softmax", "gd", False, False)
    config = Network("relu", "softmax", 0.0)
    run = epoch_runner(X, Y, w, params, opt_state, rule=RULES["gd"], network=config)
    run(*run.load(params, opt_state), batches=[slice(0, N_SAMPLES)], learning_rate=0.1)
    rows = [part.stop - part.start for _, parts in seen for part in parts]
    assert len({worker for worker, _ in seen}) == 3
    assert len(seen) == _fast._GROUPS
    assert sum(rows) == N_SAMPLES and max(rows) <= 8


@pytest.mark.parametrize("rule", ["gd", "adam"])
def test_chunked_epochs_do_not_depend_on_the_number_of_threads(monkeypatch, rule):
    """Bit-identical results with 1, 2, 3 or 5 threads (another fit may hold the limit)."""
    monkeypatch.setattr(_fast, "_MIN_CHUNK_ROWS", 8)
    monkeypatch.setattr(_fast, "_CHUNK_BYTES", 1)
    X, Y, w, params, opt_state, batches = setup("softmax", rule, False, True)
    config = Network("tanh", "softmax", 0.1)
    results = []
    for n_threads in (1, 2, 3, 5):
        monkeypatch.setattr(_fast, "_blas_threads", lambda n=n_threads: n)
        run = epoch_runner(X, Y, w, params, opt_state, rule=RULES[rule], network=config)
        state = run.load(params, opt_state)
        for _ in range(3):
            *state, J, accuracy = run(*state, batches=[slice(0, N_SAMPLES)], learning_rate=0.1)
        results.append(({k: v.copy() for k, v in state[0].items()}, J, accuracy))
    for other in results[1:]:
        assert_states_close(other[0], results[0][0], rtol=0, atol=0)
        assert other[1:] == results[0][1:]


def test_chunked_fit_gives_the_same_bits_under_any_blas_thread_limit(monkeypatch):
    monkeypatch.setattr(_fast, "_MIN_CHUNK_ROWS", 64)
    monkeypatch.setattr(_fast, "_CHUNK_BYTES", 1)
    X, y = make_classification(n_samples=3000, n_features=6, random_state=0)
    model = ShallowNNClassifier(32, solver="gd", max_iter=3, tol=None, random_state=0)
    fits = []
    for limit in (1, 2, 3):
        with threadpool_limits(limit, user_api="blas"):
            fits.append(clone(model).fit(X, y).params_)
    for other in fits[1:]:
        assert_states_close(other, fits[0], rtol=0, atol=0)


@pytest.mark.parametrize("solver,n_features", [("gd", 300), ("adam", 6)])
def test_whole_batches_vary_only_by_blas_rounding_with_its_thread_count(solver, n_features):
    """What the docs say varies: products run whole on BLAS's threads round as BLAS does.

    OpenBLAS cuts a product differently for another thread count, which changes
    the last bits of some sums; nothing else differs.
    """
    X, y = make_classification(n_samples=3000, n_features=n_features, random_state=0)
    model = ShallowNNClassifier(32, solver=solver, max_iter=3, tol=None, random_state=0)
    fits = []
    for limit in (1, 2):
        with threadpool_limits(limit, user_api="blas"):
            fits.append(clone(model).fit(X, y).params_)
    assert_states_close(fits[1], fits[0], rtol=1e-12, atol=1e-15)


def test_fit_while_another_fit_holds_the_blas_limit_gives_the_same_bits(monkeypatch):
    """A fit that starts while another holds BLAS at one thread computes the same bits."""
    monkeypatch.setattr(_fast, "_MIN_CHUNK_ROWS", 8)
    monkeypatch.setattr(_fast, "_CHUNK_BYTES", 1)
    X, y = make_classification(n_samples=300, n_features=6, random_state=0)
    model = ShallowNNClassifier(5, solver="gd", max_iter=20, tol=None, random_state=0)
    with threadpool_limits(2, user_api="blas"):
        alone = clone(model).fit(X, y).params_
        with single_threaded("numpy", numpy_blas()):
            beside = clone(model).fit(X, y).params_
    assert_states_close(beside, alone, rtol=0, atol=0)


@pytest.mark.parametrize("rule", list(RULES))
@pytest.mark.parametrize("make_runner", [epoch_runner, pure_epoch_runner])
def test_runner_starts_from_the_rules_initial_state(rule, make_runner):
    """``load(params, None)`` gives ``rule.init_state(params)``: same keys, order, values."""
    X, Y, w, params, opt_state, batches = setup("softmax", rule, False, False)
    config = Network("relu", "softmax", 0.0)
    run = make_runner(X, Y, w, params, None, rule=RULES[rule], network=config)
    run(*run.load(params, None), batches=batches[0], learning_rate=0.1)  # moments move
    _, state = run.load(params, None)
    expected = RULES[rule].init_state(params)
    assert list(state) == list(expected)
    assert_states_close(state, expected, rtol=0, atol=0)
    # A state left by another rule (other keys) is not continued either.
    _, state = run.load(params, {"t": 7})
    assert_states_close(state, expected, rtol=0, atol=0)


@pytest.mark.parametrize("output", sorted(OUTPUTS))
@pytest.mark.parametrize("weighted", [False, True])
def test_full_batch_objective_equals_the_pure_steps(output, weighted, batch_layout):
    """What L-BFGS-B minimises: loss, gradients and accuracy at given parameters."""
    X, Y, w, params, _, _ = setup(output, "gd", False, weighted)
    config = Network("tanh", output, 0.1)
    objective = full_batch_objective(X, Y, w, params, config)
    options = {"activation": "tanh", "output": output}
    for seed in range(3):  # several points, each loaded into the same buffers
        point = initialize([N_FEATURES, N_HIDDEN, Y.shape[1]], random_state=seed)
        J, grads, accuracy = objective(point)
        A_out, cache = forward(X.T, point, **options)
        pure_grads = backward(X.T, Y.T, point, cache, **options, sample_weight=w, l2=0.1)
        pure_J = loss(A_out, Y.T, output=output, sample_weight=w, params=point, l2=0.1)
        assert_allclose(J, pure_J, rtol=1e-12)
        assert_states_close(grads, pure_grads, rtol=1e-10, atol=1e-14)
        _, pure_accuracy = evaluate(X, Y, w, point, config)
        assert_allclose(accuracy, pure_accuracy, rtol=1e-12)


def test_runner_off_the_fast_path_is_the_pure_one():
    X, Y, w, params, _, _ = setup("softmax", "gd", False, False)
    config = Network("relu", "softmax", 0.0)
    run = epoch_runner(
        sp.csr_matrix(X), Y, w, params, None, rule=GradientDescent(), network=config
    )
    assert isinstance(run, PureEpochs)
    assert isinstance(epoch_runner(X, Y, w, params, None, rule=Adam(), network=config), FastEpochs)
    with training_path("pure"):
        run = epoch_runner(X, Y, w, params, None, rule=Adam(), network=config)
    assert isinstance(run, PureEpochs)


def _blas_thread_counts():
    return [lib["num_threads"] for lib in numpy_blas().info()]


def test_overlapping_users_of_the_one_thread_limit_restore_blas_once():
    """Fits in several threads share the limit: only the last one out restores BLAS."""
    with threadpool_limits(2, user_api="blas"):
        before = _blas_thread_counts()
        first, second = (single_threaded("numpy", numpy_blas()) for _ in range(2))
        first.__enter__()
        second.__enter__()
        assert set(_blas_thread_counts()) == {1}
        first.__exit__(None, None, None)  # not nested: the first one leaves first
        assert set(_blas_thread_counts()) == {1}
        second.__exit__(None, None, None)
        assert _blas_thread_counts() == before


def test_chunked_fits_in_parallel_threads_match_sequential_fits(monkeypatch):
    monkeypatch.setattr(_fast, "_MIN_CHUNK_ROWS", 8)
    monkeypatch.setattr(_fast, "_CHUNK_BYTES", 1)
    X, y = make_classification(n_samples=300, n_features=6, random_state=0)
    models = [
        ShallowNNClassifier(5, solver="gd", max_iter=30, tol=None, random_state=s) for s in (0, 1)
    ]
    with threadpool_limits(2, user_api="blas"):
        before = _blas_thread_counts()
        sequential = [clone(m).fit(X, y).params_["W1"] for m in models]
        with ThreadPoolExecutor(2) as pool:
            parallel = list(pool.map(lambda m: m.fit(X, y).params_["W1"], models))
        assert _blas_thread_counts() == before
    for a, b in zip(sequential, parallel, strict=True):
        assert_array_equal(a, b)


@pytest.mark.parametrize("solver", ["gd", "adam", "lbfgs"])
def test_fit_copies_X_once_to_scale_it_and_never_its_batches(solver, peak_fit_memory):
    """The user guide's promise, and what a copied X costs: its size again."""
    X, y = make_classification(n_samples=20_000, n_features=50, random_state=0)
    model = ShallowNNClassifier(8, solver=solver, max_iter=2, tol=None, shuffle=False)
    model.set_params(early_stopping=False, input_scaling=None)
    assert peak_fit_memory(model, X, y) < X.nbytes / 2
    # The scaled inputs are one copy.
    model.set_params(input_scaling="minmax")
    assert X.nbytes < peak_fit_memory(model, X, y) < 1.5 * X.nbytes
    # A validation split (early_stopping='auto' on 20,000 rows) copies the rows once,
    # and the parts are then scaled in place (input_scaling='auto': centred): still one copy.
    if solver != "lbfgs":
        model.set_params(early_stopping="auto", input_scaling="auto")
        assert X.nbytes < peak_fit_memory(model, X, y) < 1.5 * X.nbytes


def test_chunks_run_on_one_blas_thread_even_with_one_worker(monkeypatch):
    """A fit that found one thread still holds BLAS at one: another fit may release it."""
    monkeypatch.setattr(_fast, "_MIN_CHUNK_ROWS", 8)
    monkeypatch.setattr(_fast, "_CHUNK_BYTES", 1)
    monkeypatch.setattr(_fast, "_blas_threads", lambda: 1)
    seen = []
    chunks = _fast.FastEpochs._chunks

    def recorded(self, worker, total, parts, m):
        seen.append(_blas_thread_counts())
        return chunks(self, worker, total, parts, m)

    monkeypatch.setattr(_fast.FastEpochs, "_chunks", recorded)
    X, Y, w, params, opt_state, batches = setup("softmax", "gd", False, False)
    run = epoch_runner(
        X, Y, w, params, opt_state, rule=RULES["gd"], network=Network("relu", "softmax")
    )
    with threadpool_limits(2, user_api="blas"):
        run(*run.load(params, opt_state), batches=[slice(0, N_SAMPLES)], learning_rate=0.1)
    assert seen and all(set(counts) == {1} for counts in seen)
