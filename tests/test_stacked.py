"""Stacked epochs (``_stacked.StackedEpochs``) against one ``_fast.FastEpochs`` per network.

A stack trains K networks on the same batches; each network must end where its
own ``FastEpochs`` run ends (same batches, learning rate and ``l2``). In float64
the two differ only in how BLAS rounds a column block of a larger product and
in the order of a few sums (a few units in the last place per step), so
``rtol=1e-10`` after several epochs is a real check: a slip in an equation, or
one network's scalar (learning rate, ``l2``, Adam's step count) given to
another, moves parameters by 1e-3 or more.
"""

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal

from sklearn_shallow import _fast
from sklearn_shallow._activations import ACTIVATIONS, OUTPUTS
from sklearn_shallow._fast import FastEpochs
from sklearn_shallow._runners import Network, epoch_batches
from sklearn_shallow._solvers import Adam, GradientDescent, Momentum
from sklearn_shallow._stacked import StackedEpochs, supports_stacking
from sklearn_shallow.network import initialize

RULES = {
    "gd": GradientDescent(),
    "momentum": Momentum(0.9, nesterov=False),
    "nesterov": Momentum(0.9, nesterov=True),
    "adam": Adam(),
}

N_SAMPLES, N_FEATURES = 90, 6
#: Three networks: their hidden units, learning rates and L2 strengths all differ.
WIDTHS, RATES, L2S = (5, 3, 8), (0.05, 0.02, 0.1), (0.1, 0.0, 0.3)


def make_targets(output, rng, n_samples=N_SAMPLES):
    """Targets as the estimators encode them: one-hot (softmax), 0/1 labels (sigmoid),
    two real targets (identity) or two counts (exp)."""
    if output == "softmax":
        return np.eye(3)[rng.randint(0, 3, n_samples)]
    if output == "identity":
        return rng.randn(n_samples, 2)
    if output == "exp":
        return rng.poisson(1.5, (n_samples, 2)).astype(float)
    return (rng.rand(n_samples, 2) > 0.5).astype(float)


def setup(output, weighted, dtype=np.float64, shuffle=True, batch_size=32, widths=WIDTHS):
    """Data, each network's starting parameters, and three epochs of batches."""
    rng = np.random.RandomState(0)
    X = rng.randn(N_SAMPLES, N_FEATURES).astype(dtype)
    Y = make_targets(output, rng).astype(dtype)
    w = rng.rand(N_SAMPLES).astype(dtype) if weighted else None
    params = [
        initialize([N_FEATURES, n1, Y.shape[1]], random_state=k, dtype=dtype)
        for k, n1 in enumerate(widths)
    ]
    order = np.random.RandomState(1)
    batches = [epoch_batches(N_SAMPLES, batch_size, shuffle, order) for _ in range(3)]
    return X, Y, w, params, batches


def train_stacked(X, Y, w, params, states, batches, rule, networks, rates):
    """Every epoch of the stack; returns its last results and every epoch's (loss, score)."""
    runner = StackedEpochs(X, Y, w, params, rule=rule, networks=networks)
    scores = []
    for epoch in batches:
        results = runner(params, states, batches=epoch, learning_rates=rates)
        params, states = [r[0] for r in results], [r[1] for r in results]
        scores.append([r[2:] for r in results])
    return params, states, np.array(scores, dtype=object)


def train_fast(X, Y, w, params, state, batches, rule, network, rate):
    """One network through its own FastEpochs: its last parameters, state and scores."""
    runner = FastEpochs(X, Y, w, params, rule=rule, network=network)
    scores = []
    for epoch in batches:
        params, state, J, score = runner(params, state, batches=epoch, learning_rate=rate)
        scores.append((J, score))
    return params, state, scores


def assert_states_close(actual, desired, rtol, atol):
    assert list(actual) == list(desired)
    for key, value in desired.items():
        if isinstance(value, np.ndarray):
            assert actual[key].shape == value.shape
            assert actual[key].dtype == value.dtype
            assert_allclose(actual[key], value, rtol=rtol, atol=atol, err_msg=key)
        else:
            assert actual[key] == value and type(actual[key]) is type(value), key


def assert_stack_equals_separate(X, Y, w, params, batches, rule, networks, rates, states=None):
    """Train the stack and each network alone; compare parameters, states, losses and scores.

    atol only matters for entries near zero (biases, moments), where the rounding
    of the larger terms they are summed from sets the error.
    """
    states = [None] * len(params) if states is None else states
    stacked = train_stacked(X, Y, w, params, states, batches, rule, networks, rates)
    for k in range(len(params)):
        alone = train_fast(X, Y, w, params[k], states[k], batches, rule, networks[k], rates[k])
        assert_states_close(stacked[0][k], alone[0], rtol=1e-10, atol=1e-14)
        assert_states_close(stacked[1][k], alone[1], rtol=1e-10, atol=1e-14)
        for (J, score), (J_alone, score_alone) in zip(stacked[2][:, k], alone[2], strict=True):
            assert_allclose(J, J_alone, rtol=1e-10)
            assert_allclose(score, score_alone, rtol=1e-10)
    return stacked


@pytest.mark.parametrize("output", sorted(OUTPUTS))
@pytest.mark.parametrize("rule", list(RULES))
@pytest.mark.parametrize("weighted", [False, True])
def test_stacked_epochs_equal_separate_fast_epochs(output, rule, weighted):
    X, Y, w, params, batches = setup(output, weighted)
    networks = [Network("tanh", output, l2) for l2 in L2S]
    assert_stack_equals_separate(X, Y, w, params, batches, RULES[rule], networks, RATES)


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize("output", sorted(OUTPUTS))
def test_stacked_epochs_equal_separate_for_every_activation(activation, output):
    X, Y, w, params, batches = setup(output, weighted=True)
    networks = [Network(activation, output, l2) for l2 in L2S]
    assert_stack_equals_separate(X, Y, w, params, batches, RULES["adam"], networks, RATES)


@pytest.mark.parametrize("batch_size", [32, N_SAMPLES])
@pytest.mark.parametrize("rule", ["momentum", "adam"])
def test_stacked_epochs_on_slices_equal_separate(batch_size, rule):
    """Unshuffled batches (views of X, a short last one) and one batch of every sample."""
    X, Y, w, params, batches = setup("softmax", True, shuffle=False, batch_size=batch_size)
    networks = [Network("relu", "softmax", l2) for l2 in L2S]
    assert_stack_equals_separate(X, Y, w, params, batches, RULES[rule], networks, RATES)


def test_stacked_epochs_equal_separate_on_larger_products():
    """Products large enough for BLAS to round the stacked ones otherwise.

    With OpenBLAS 0.3.31 (Haswell kernels) no array of any network ends with the
    same bits as alone: the tolerance, not luck, is what this checks.
    """
    rng = np.random.RandomState(0)
    X, Y, w = rng.rand(400, 40), np.eye(5)[rng.randint(0, 5, 400)], rng.rand(400)
    params = [initialize([40, n1, 5], random_state=k) for k, n1 in enumerate((30, 70, 45))]
    order = np.random.RandomState(1)
    batches = [epoch_batches(400, 100, True, order) for _ in range(3)]
    networks = [Network("relu", "softmax", l2) for l2 in L2S]
    assert_stack_equals_separate(X, Y, w, params, batches, Adam(), networks, RATES)


def test_whole_batch_equals_the_chunked_batch_of_fast_epochs(monkeypatch):
    """A large batch runs whole in the stack; FastEpochs cuts it in chunks over threads."""
    monkeypatch.setattr(_fast, "_MIN_CHUNK_ROWS", 8)
    monkeypatch.setattr(_fast, "_CHUNK_BYTES", 1)
    monkeypatch.setattr(_fast, "_blas_threads", lambda: 3)
    X, Y, w, params, batches = setup("sigmoid", True, batch_size=N_SAMPLES)
    assert (
        FastEpochs(X, Y, w, params[0], rule=Adam(), network=Network("relu", "sigmoid")).chunk_rows
        == 8
    )
    networks = [Network("relu", "sigmoid", l2) for l2 in L2S]
    assert_stack_equals_separate(X, Y, w, params, batches, RULES["adam"], networks, RATES)


@pytest.mark.parametrize("rule", list(RULES))
def test_one_network_in_a_stack_of_one_equals_fast_epochs(rule):
    X, Y, w, params, batches = setup("softmax", True, widths=(7,))
    networks = [Network("relu", "softmax", 0.1)]
    assert_stack_equals_separate(X, Y, w, params, batches, RULES[rule], networks, [0.05])


@pytest.mark.parametrize("rule", ["nesterov", "adam"])
def test_a_network_does_not_depend_on_the_others_in_the_stack(rule):
    """Network A trained with B and C (in the middle of the stack) equals A trained alone."""
    X, Y, w, params, batches = setup("softmax", True, widths=(9, 4, 6))
    networks = [Network("relu", "softmax", l2) for l2 in L2S]
    together = train_stacked(X, Y, w, params, None, batches, RULES[rule], networks, RATES)
    for k in range(3):
        alone = train_stacked(
            X,
            Y,
            w,
            params[k : k + 1],
            None,
            batches,
            RULES[rule],
            networks[k : k + 1],
            RATES[k : k + 1],
        )
        assert_states_close(together[0][k], alone[0][0], rtol=1e-10, atol=1e-14)
        assert_states_close(together[1][k], alone[1][0], rtol=1e-10, atol=1e-14)
        assert_allclose(
            np.array(together[2][:, k].tolist()), np.array(alone[2][:, 0].tolist()), rtol=1e-10
        )


@pytest.mark.parametrize("rule", list(RULES))
def test_stacked_epochs_do_not_write_the_callers_arrays(rule):
    X, Y, w, params, batches = setup("softmax", True)
    states = [RULES[rule].init_state(p) for p in params]
    for state in states:  # moments that are not zero, so that a copy is needed
        for value in state.values():
            if isinstance(value, np.ndarray):
                value += 0.01
    copies = [a.copy() for a in (X, Y, w)]
    params_copy = [{k: v.copy() for k, v in p.items()} for p in params]
    states_copy = [
        {k: v.copy() if isinstance(v, np.ndarray) else v for k, v in s.items()} for s in states
    ]
    networks = [Network("relu", "softmax", l2) for l2 in L2S]
    runner = StackedEpochs(X, Y, w, params, rule=RULES[rule], networks=networks)
    results = runner(params, states, batches=batches[0], learning_rates=RATES)

    for before, after in zip(copies, (X, Y, w), strict=True):
        assert_array_equal(after, before)
    for k, (new_params, new_state, _, _) in enumerate(results):
        for key, value in params_copy[k].items():
            assert_array_equal(params[k][key], value)
            assert not np.shares_memory(new_params[key], params[k][key])
        assert not np.array_equal(new_params["W1"], params[k]["W1"])
        for key, value in states_copy[k].items():
            if isinstance(value, np.ndarray):
                assert_array_equal(states[k][key], value)
                assert not np.shares_memory(new_state[key], states[k][key])
            else:
                assert states[k][key] == value


def test_epochs_continue_on_the_runners_own_views():
    """What an epoch hands out is what the next one starts from, without a copy in between."""
    X, Y, w, params, batches = setup("softmax", False)
    networks = [Network("relu", "softmax", l2) for l2 in L2S]
    runner = StackedEpochs(X, Y, w, params, rule=Adam(), networks=networks)
    loaded, states = runner.load(params, None)
    first = runner(loaded, states, batches=batches[0], learning_rates=RATES)
    second = runner(
        [r[0] for r in first], [r[1] for r in first], batches=batches[1], learning_rates=RATES
    )
    for (p1, s1, _, _), (p2, s2, _, _), p0 in zip(first, second, loaded, strict=True):
        for name in p0:
            assert p2[name] is p1[name] is p0[name]
        assert s2["t"] == 2 * len(batches[0])
        assert s2["MW1"] is s1["MW1"]


def test_optimiser_states_start_afresh_or_continue_network_by_network():
    """None, a state of another rule, and a state to continue (Adam's own step count)."""
    X, Y, w, params, batches = setup("softmax", True)
    continued = Adam().init_state(params[2])
    rng = np.random.RandomState(3)
    for key, value in continued.items():
        if isinstance(value, np.ndarray):
            value[...] = rng.rand(*value.shape) * (1e-3 if key[0] == "S" else 1e-2)
    continued["t"] = 7
    states = [None, Momentum().init_state(params[1]), continued]
    networks = [Network("relu", "softmax", l2) for l2 in L2S]
    stacked = assert_stack_equals_separate(
        X, Y, w, params, batches, RULES["adam"], networks, RATES, states=states
    )
    steps = sum(len(epoch) for epoch in batches)
    assert [state["t"] for state in stacked[1]] == [steps, steps, 7 + steps]


@pytest.mark.parametrize("rule", ["nesterov", "adam"])
def test_loading_none_restarts_a_network_on_a_runner_that_trained_it(rule):
    """A network given ``None`` restarts from zero moments; the others continue."""
    X, Y, w, params, batches = setup("softmax", True)
    networks = [Network("relu", "softmax", l2) for l2 in L2S]
    runner = StackedEpochs(X, Y, w, params, rule=RULES[rule], networks=networks)
    first = runner(params, None, batches=batches[0], learning_rates=RATES)
    trained = [{k: v.copy() for k, v in r[0].items()} for r in first]
    kept = {k: v.copy() if isinstance(v, np.ndarray) else v for k, v in first[1][1].items()}
    states = [None, first[1][1], None]
    loaded, loaded_states = runner.load([r[0] for r in first], states)
    for k in (0, 2):
        assert_states_close(loaded_states[k], RULES[rule].init_state(trained[k]), rtol=0, atol=0)
    assert_states_close(loaded_states[1], kept, rtol=0, atol=0)
    results = runner(loaded, loaded_states, batches=batches[1], learning_rates=RATES)
    for k, start in ((0, None), (1, kept), (2, None)):
        alone = train_fast(
            X, Y, w, trained[k], start, batches[1:2], RULES[rule], networks[k], RATES[k]
        )
        assert_states_close(results[k][0], alone[0], rtol=1e-10, atol=1e-14)
        assert_states_close(results[k][1], alone[1], rtol=1e-10, atol=1e-14)


def test_a_batch_of_zero_weight_is_skipped():
    X, Y, w, params, batches = setup("sigmoid", True, shuffle=False)
    w[32:64] = 0.0  # the second batch of every epoch
    networks = [Network("tanh", "sigmoid", l2) for l2 in L2S]
    stacked = assert_stack_equals_separate(
        X, Y, w, params, batches, RULES["adam"], networks, RATES
    )
    assert {state["t"] for state in stacked[1]} == {2 * len(batches)}


@pytest.mark.parametrize("rule", list(RULES))
def test_stacked_epochs_flush_subnormals(rule):
    """A weight (and optimiser memory) that would stay subnormal becomes exactly 0, as alone.

    Feature 0 is all zeros, so the gradient of column 0 of ``W1`` is 0 (no L2):
    the weight and its moments only decay, as those of a dead unit do.
    """
    X, Y, w, params, batches = setup("softmax", False)
    X[:, 0] = 0.0
    subnormal = np.finfo(np.float64).smallest_normal / 4
    states = [RULES[rule].init_state(p) for p in params]
    for p, state in zip(params, states, strict=True):
        p["W1"][:, 0] = subnormal
        for value in state.values():
            if isinstance(value, np.ndarray):
                value[...] = subnormal
    networks = [Network("relu", "softmax", 0.0)] * 3
    stacked = assert_stack_equals_separate(
        X, Y, w, params, batches[:1], RULES[rule], networks, RATES, states=states
    )
    for new_params, new_state in zip(*stacked[:2], strict=True):
        if rule != "adam":  # Adam moves the weight by step * M / sqrt(S), out of that range
            assert_array_equal(new_params["W1"][:, 0], 0.0)
        for name, P in {**new_params, **new_state}.items():
            if isinstance(P, np.ndarray):
                assert not np.any((P != 0) & (np.abs(P) < np.finfo(P.dtype).smallest_normal)), name


@pytest.mark.parametrize("rule", list(RULES))
@pytest.mark.parametrize("output", sorted(OUTPUTS))
def test_stacked_float32_stays_float32_and_close_to_separate(rule, output):
    """float32 end to end, close to each network's own float32 FastEpochs.

    Both round at float32's 6e-8; they differ where BLAS rounds a column block
    of the stacked product otherwise than the network's own product, and each
    such difference is carried forward by the training. Over nine steps the
    parameters (of size 0.1 .. 1) end at most 1.8e-7 apart, and the losses and
    scores 1.4e-7 (measured over these cases; relative differences of R² mean
    little, as R² may be near 0): ``atol=2e-6`` (parameters) and ``1e-6``
    (scores) leave a tenfold margin and still catch any slip in an equation,
    which moves them by 1e-3 or more.
    """
    X, Y, w, params, batches = setup(output, True, dtype=np.float32)
    networks = [Network("tanh", output, l2) for l2 in L2S]
    stacked = train_stacked(X, Y, w, params, None, batches, RULES[rule], networks, RATES)
    for k in range(3):
        alone = train_fast(X, Y, w, params[k], None, batches, RULES[rule], networks[k], RATES[k])
        for name, P in alone[0].items():
            assert stacked[0][k][name].dtype == np.float32
            assert_allclose(stacked[0][k][name], P, rtol=1e-5, atol=2e-6, err_msg=name)
        for key, value in alone[1].items():
            if isinstance(value, np.ndarray):
                assert stacked[1][k][key].dtype == np.float32
        assert_allclose(np.array(stacked[2][:, k].tolist()), alone[2], rtol=1e-5, atol=1e-6)


def test_supports_stacking():
    X = np.ones((4, 3))
    Y = np.eye(2)[[0, 1, 0, 1]]
    params = [initialize([3, n1, 2], random_state=0) for n1 in (2, 5)]
    networks = [Network("relu", "softmax", 0.0), Network("relu", "softmax", 0.1)]

    def supported(X=X, rule=None, networks=networks, params=params, **kwargs):
        return supports_stacking(X, rule or Adam(), networks, params, **kwargs)

    assert supported()
    assert supported(rule=GradientDescent()) and supported(rule=Momentum())
    assert supported(X=np.asfortranarray(X), Y=Y, sample_weight=np.ones(4))
    assert supported(
        X=X.astype(np.float32),
        params=[{k: v.astype(np.float32) for k, v in p.items()} for p in params],
    )
    assert supported(opt_states=[None, Adam().init_state(params[1])])
    # the data
    assert not supported(X=sp.csr_matrix(X))
    assert not supported(X=X.astype(np.float16))
    assert not supported(X=X.astype(np.float32))  # parameters in another dtype
    assert not supported(X=np.ones((4, 6))[:, ::2])
    assert not supported(Y=Y.astype(np.float32))
    assert not supported(sample_weight=np.ones(4, np.float32))
    # the networks
    assert not supported(networks=[Network("relu", "softmax"), Network("tanh", "softmax")])
    assert not supported(networks=[Network("relu", "softmax"), Network("relu", "sigmoid")])
    assert not supported(networks=[Network("softplus", "softmax")] * 2)
    assert not supported(networks=networks[:1])
    assert not supported(networks=[], params=[])
    # the parameters and states
    assert not supported(params=[params[0], initialize([3, 4, 3], random_state=0)])
    assert not supported(params=[params[0], initialize([4, 4, 2], random_state=0)])
    assert not supported(params=[params[0], initialize([3, 4, 4, 2], random_state=0)])
    assert not supported(opt_states=[None, Adam().init_state(params[0])])
    # the rule
    assert not supported(rule=type("MyAdam", (Adam,), {})())
    assert not supported(rule=type("MyGD", (GradientDescent,), {"step_inplace": None})())
