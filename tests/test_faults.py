"""Faults: an interrupted or refused fit leaves the estimator exactly as it was.

Interrupts are injected with ``sys.settrace`` at evenly spread points of the
package's own code (function entries and returns, where CPython delivers
signals; and every one of the last points, where the fitted state is
committed), for every solver, a first fit, a warm start and ``partial_fit``.
After each, the estimator is either exactly the old one (the same attribute
objects, arrays unchanged) or the complete new one, and no BLAS limit is left.
"""

import inspect
import os
import sys
import tracemalloc
import warnings
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_array_equal
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_info

import sklearn_shallow
from sklearn_shallow import (
    ShallowNNClassifier,
    ShallowNNRegressor,
    _blas,
    _classifier,
    _fast,
    _memory,
)

PACKAGE = os.path.dirname(os.path.abspath(sklearn_shallow.__file__)) + os.sep
#: Injection points per scenario spread over the whole fit, and the last points of
#: the fit tried one by one (where the commit happens). SHALLOW_INJECTIONS raises
#: the first for a denser sweep.
SPREAD = int(os.environ.get("SHALLOW_INJECTIONS", "40"))
TAIL = 25


class Interrupt:
    """A trace function that raises ``KeyboardInterrupt`` at the ``at``-th point of the package.

    The points are where CPython delivers a signal to Python code: the entry of a
    function of the package (the eval-breaker check on entering it) and the
    return from one (the check after a call returns), except the suspension of a
    generator (no signal can throw a generator away without its ``finally``). Only
    the main thread is traced: that is where ``KeyboardInterrupt`` arrives.
    """

    def __init__(self, at=None):
        self.at, self.points = at, 0

    def __call__(self, frame, event, arg):
        if not frame.f_code.co_filename.startswith(PACKAGE):
            return None
        self._count(frame, event)
        return self.local

    def local(self, frame, event, arg):
        if event == "return":
            self._count(frame, event)
        return self.local

    def _count(self, frame, event):
        if event == "return" and frame.f_code.co_flags & inspect.CO_GENERATOR:
            return
        self.points += 1
        if self.points == self.at:
            raise KeyboardInterrupt(
                f"injected at point {self.at} ({event} of {frame.f_code.co_name})"
            )


def traced(function, interrupt):
    sys.settrace(interrupt)
    try:
        return function()
    finally:
        sys.settrace(None)


def snapshot(estimator):
    """The attribute objects, and copies of every array among them (params_ included)."""
    state = dict(vars(estimator))
    arrays = {}
    for name, value in state.items():
        if isinstance(value, np.ndarray):
            arrays[name] = value.copy()
        elif isinstance(value, dict):
            arrays.update(
                {(name, k): v.copy() for k, v in value.items() if isinstance(v, np.ndarray)}
            )
    return state, arrays


def is_unchanged(estimator, saved):
    state, arrays = saved
    current = vars(estimator)
    if current.keys() != state.keys() or any(current[k] is not v for k, v in state.items()):
        return False
    for key, copy in arrays.items():
        value = current[key] if isinstance(key, str) else current[key[0]][key[1]]
        if not np.array_equal(value, copy):
            return False
    return True


def is_complete(estimator, reference):
    current = vars(estimator)
    return current.keys() == vars(reference).keys() and all(
        np.array_equal(estimator.params_[k], reference.params_[k]) for k in reference.params_
    )


def blas_settings():
    return [(lib["filepath"], lib["num_threads"]) for lib in threadpool_info()]


SCENARIOS = [
    (solver, mode)
    for solver in ("gd", "sgd", "adam", "lbfgs")
    for mode in ("fit", "warm_start", "partial_fit")
    if not (solver == "lbfgs" and mode == "partial_fit")
]


@pytest.fixture
def chunked(monkeypatch):
    """Cut full batches into chunks, so that the BLAS limit is taken during the fits."""
    monkeypatch.setattr(_fast, "_MIN_CHUNK_ROWS", 16)
    monkeypatch.setattr(_fast, "_CHUNK_BYTES", 1)
    monkeypatch.setattr(_fast, "_blas_threads", lambda: 2)


def make_scenario(solver, mode):
    X, y = make_classification(
        n_samples=120, n_features=5, n_classes=3, n_informative=3, random_state=0
    )
    model = ShallowNNClassifier(4, solver=solver, max_iter=3, tol=None, random_state=0)
    if mode == "fit":
        return model, lambda m: m.fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    if mode == "warm_start":
        model.set_params(warm_start=True)
        return model, lambda m: m.fit(X, y)
    return model, lambda m: m.partial_fit(X, y)


@pytest.mark.parametrize("solver,mode", SCENARIOS)
def test_an_interrupt_anywhere_leaves_the_old_model_or_the_complete_new_one(chunked, solver, mode):
    model, step = make_scenario(solver, mode)
    reference = step(clone(model) if mode == "fit" else _copy(model))
    count = Interrupt()
    traced(lambda: step(_copy(model)), count)
    n_points = count.points
    points = sorted(
        set(np.linspace(1, n_points, SPREAD).astype(int))
        | set(range(max(1, n_points - TAIL), n_points + 1))
    )
    blas_before = blas_settings()
    outcomes = {"old": 0, "new": 0}
    for at in points:
        candidate = _copy(model)
        saved = snapshot(candidate)
        with pytest.raises(KeyboardInterrupt):
            traced(lambda c=candidate: step(c), Interrupt(at))
        if is_unchanged(candidate, saved):
            outcomes["old"] += 1
        else:
            assert is_complete(candidate, reference), f"mixed state after point {at}"
            outcomes["new"] += 1
        assert _blas._users == {}, f"BLAS limit left held after point {at}"
        assert blas_settings() == blas_before, f"BLAS threads changed after point {at}"
    assert outcomes["old"] > 0
    # Shown with pytest -rP: how many points were tried, and what each left.
    print(f"{solver} {mode}: {len(points)} of {n_points} points, {outcomes}, 0 mixed")


def _copy(model):
    """A fitted copy sharing nothing mutable with ``model`` (as if saved and loaded)."""
    import pickle

    return pickle.loads(pickle.dumps(model))


def test_an_interrupted_first_fit_leaves_the_estimator_unfitted(iris):
    X, y = iris
    model = ShallowNNClassifier(4, max_iter=3, tol=None)
    with pytest.raises(KeyboardInterrupt):
        traced(lambda: model.fit(X, y), Interrupt(100))
    assert vars(model) == vars(ShallowNNClassifier(4, max_iter=3, tol=None))


def fitted_five_units(X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return ShallowNNClassifier(5, max_iter=2, tol=None, random_state=0).fit(X, y)


@pytest.mark.parametrize("name,new", [("n1", 9), ("activation", "tanh")])
@pytest.mark.parametrize("method", ["partial_fit", "warm_start"])
def test_a_changed_architecture_is_refused_naming_the_parameter(iris, name, new, method):
    X, y = iris
    model = fitted_five_units(X, y)
    saved = snapshot(model)
    old = model.get_params()[name]
    model.set_params(**{name: new})
    saved[0][name] = new  # the parameter was set by the user; nothing else may change
    with pytest.raises(ValueError, match=rf"{name}={new!r}.*{name}={old!r}"):
        if method == "partial_fit":
            model.partial_fit(X, y)
        else:
            model.set_params(warm_start=True)
            saved[0]["warm_start"] = True
            model.fit(X, y)
    assert is_unchanged(model, saved)


def test_a_changed_number_of_features_is_refused_naming_both(iris):
    X, y = iris
    model = fitted_five_units(X, y)
    saved = snapshot(model)
    with pytest.raises(ValueError, match="X has 3 features.*expecting 4 features"):
        model.partial_fit(X[:, :3], y)
    assert is_unchanged(model, saved)


def test_too_large_a_network_is_refused_before_anything_is_allocated(iris, monkeypatch):
    X, y = iris
    monkeypatch.setattr(_memory, "available", lambda: 2**30)  # 1 GiB left
    model = ShallowNNClassifier(n1=10**7)
    tracemalloc.start()
    try:
        with pytest.raises(MemoryError, match=r"n1=10000000.*GiB.*Reduce n1.*batch_size"):
            model.fit(X, y)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2**20  # not a single weight matrix (320 MB for W1) was drawn
    assert vars(model) == vars(ShallowNNClassifier(n1=10**7))


def test_memory_estimate_lets_ordinary_fits_through(iris, monkeypatch):
    X, y = iris
    monkeypatch.setattr(_memory, "available", lambda: 64 * 2**20)  # 64 MiB left
    ShallowNNClassifier(100, max_iter=2, tol=None).fit(X, y)


def test_memory_estimate_counts_what_grows_with_each_size():
    base = dict(
        n_samples=1000, n_features=20, n1=50, n_outputs=3, batch_size=200, n_val=100, itemsize=8
    )
    adam = sum(_memory.estimate(_memory.FitSize(**base, solver="adam")).values())
    gd = sum(_memory.estimate(_memory.FitSize(**base, solver="gd")).values())
    assert adam > gd
    for name in ("n1", "batch_size", "n_val", "n_features"):
        bigger = {**base, name: 10 * base[name]}
        assert sum(_memory.estimate(_memory.FitSize(**bigger, solver="adam")).values()) > adam


def test_concurrent_fits_equal_sequential_fits(chunked):
    X, y = make_classification(n_samples=400, n_features=6, random_state=0)
    models = [
        ShallowNNClassifier(5, solver=solver, max_iter=10, tol=None, random_state=0)
        for solver in ("gd", "gd", "lbfgs", "sgd")
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        sequential = [clone(m).fit(X, y).params_ for m in models]
        with ThreadPoolExecutor(len(models)) as pool:
            parallel = list(pool.map(lambda m: clone(m).fit(X, y).params_, models))
    for alone, beside in zip(sequential, parallel, strict=True):
        for name in alone:
            assert_array_equal(alone[name], beside[name])


def test_warnings_point_at_the_callers_line(iris):
    X, y = iris
    with pytest.warns(ConvergenceWarning) as record:
        ShallowNNClassifier(max_iter=1).fit(X, y)
    assert record[0].filename == __file__


@pytest.mark.parametrize("solver", ["adam", "gd", "lbfgs"])
@pytest.mark.parametrize("container", [np.asarray, sp.csr_matrix])
def test_memory_estimate_is_within_a_factor_two_of_what_a_fit_allocates(
    monkeypatch, solver, container, peak_fit_memory
):
    """The estimate against the peak that tracemalloc sees (numpy reports its arrays)."""
    estimates = []
    check = _classifier.check_fit_memory
    monkeypatch.setattr(
        _classifier,
        "check_fit_memory",
        lambda size, name: (
            estimates.append(sum(_memory.estimate(size).values())) or check(size, name)
        ),
    )
    X, y = make_classification(
        n_samples=4000, n_features=50, n_classes=3, n_informative=5, random_state=0
    )
    X = container(X)
    model = ShallowNNClassifier(1000, solver=solver, batch_size=1000, max_iter=2, tol=None)
    peak = peak_fit_memory(model, X, y)
    assert 0.5 < estimates[0] / peak < 2


@pytest.mark.parametrize("Estimator", [ShallowNNClassifier, ShallowNNRegressor])
def test_memory_estimate_counts_bytes_not_numbers(monkeypatch, Estimator):
    """float64 data takes twice the bytes of the same data in float32, and so does its share."""
    sizes = []
    module = sys.modules[Estimator.__module__]
    monkeypatch.setattr(module, "check_fit_memory", lambda size, name: sizes.append(size))
    X, y = make_classification(n_samples=500, n_features=30, random_state=0)
    for dtype in (np.float32, np.float64):
        Estimator(20, max_iter=1, tol=None).fit(X.astype(dtype), y)
    single, double = (_memory.estimate(size) for size in sizes)
    assert [size.itemsize for size in sizes] == [4, 8]
    # X, its scaled copy (input_scaling) and Y, in float32 bytes.
    assert double["data"] == 2 * single["data"] == 2 * 500 * (2 * 30 + 1) * 4
