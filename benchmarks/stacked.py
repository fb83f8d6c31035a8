"""Stacked epochs of a search's candidates against the sum of their separate fast epochs.

A search trains candidates that differ only in ``n1``, the learning rate and
``l2`` on the same batches. ``_stacked.StackedEpochs`` runs them as one stack
(one product with each batch of ``X`` for all of them); without it each
candidate has its own ``_fast.FastEpochs``. This script times one epoch of the
stack against the K separate epochs (same batches, same learning rates),
interleaved round by round and in alternating order, and reports medians. It
then trains the stack and each candidate alone for ``--epochs`` epochs from the
same start and reports the largest relative difference of the parameters and
of the epochs' losses and scores.

Data: scikit-learn's iris, wine, breast cancer and digits, MinMax-scaled, the
first 80 % of a shuffled split (the size of a 5-fold search's training part):
iris 120 x 4 (3 classes), wine 142 x 13 (3 classes), breast cancer 455 x 30
(binary: one sigmoid output), digits 1437 x 64 (10 classes). Networks: relu,
softmax (sigmoid for binary), adam, batches of 200, ``n1`` in {50, 100, 200}
four times each (K = 12), learning rates 1e-3 .. 1e-2 and ``l2`` 0 .. 1e-2.

    python benchmarks/stacked.py                  # BLAS threads as given
    python benchmarks/stacked.py --threads 1      # numpy's BLAS held at one thread
    python benchmarks/stacked.py --rounds 50 --dtype float32
"""

import argparse
import os
import time

import numpy as np
from sklearn.datasets import load_breast_cancer, load_digits, load_iris, load_wine
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import MinMaxScaler
from threadpoolctl import threadpool_info, threadpool_limits

from sklearn_shallow._fast import FastEpochs
from sklearn_shallow._runners import Network, epoch_batches
from sklearn_shallow._solvers import Adam
from sklearn_shallow._stacked import StackedEpochs
from sklearn_shallow.network import initialize

DATASETS = {
    "iris": load_iris,
    "wine": load_wine,
    "breast cancer": load_breast_cancer,
    "digits": load_digits,
}
N1S = [50, 100, 200] * 4
LEARNING_RATES = [1e-3, 2e-3, 5e-3, 1e-2]
L2S = [0.0, 1e-4, 1e-3, 1e-2]


def problem(name, dtype):
    """Training part of a data set, scaled: ``X`` (m, n0), one-hot or 0/1 ``Y``, the output."""
    X, y = DATASETS[name](return_X_y=True)
    X, _, y, _ = train_test_split(X, y, test_size=0.2, random_state=0, stratify=y)
    X = MinMaxScaler().fit_transform(X).astype(dtype)
    classes = np.unique(y)
    if len(classes) == 2:
        return X, (y == classes[1]).astype(dtype)[:, None], "sigmoid"
    return X, (y[:, None] == classes).astype(dtype), "softmax"


def candidates(X, Y, output, n1s):
    """Initial parameters, networks and learning rates of the K candidates."""
    dtype = X.dtype
    params = [
        initialize([X.shape[1], n1, Y.shape[1]], random_state=k, dtype=dtype)
        for k, n1 in enumerate(n1s)
    ]
    networks = [Network("relu", output, L2S[k % len(L2S)]) for k in range(len(n1s))]
    rates = [LEARNING_RATES[(k // 3) % len(LEARNING_RATES)] for k in range(len(n1s))]
    return params, networks, rates


class Stack:
    """The K candidates as one ``StackedEpochs``."""

    def __init__(self, X, Y, params, networks, rates):
        self.runner = StackedEpochs(X, Y, None, params, rule=Adam(), networks=networks)
        self.params, self.states = self.runner.load(params, None)
        self.rates = rates

    def epoch(self, batches):
        results = self.runner(self.params, self.states, batches=batches, learning_rates=self.rates)
        self.params = [r[0] for r in results]
        self.states = [r[1] for r in results]
        return [r[2:] for r in results]


class Separate:
    """The K candidates, each with its own ``FastEpochs``."""

    def __init__(self, X, Y, params, networks, rates):
        self.runners = [
            FastEpochs(X, Y, None, p, rule=Adam(), network=n)
            for p, n in zip(params, networks, strict=True)
        ]
        self.states = [r.load(p, None) for r, p in zip(self.runners, params, strict=True)]
        self.rates = rates

    @property
    def params(self):
        return [state[0] for state in self.states]

    def epoch(self, batches):
        scores = []
        for k, runner in enumerate(self.runners):
            params, opt_state, J, score = runner(
                *self.states[k], batches=batches, learning_rate=self.rates[k]
            )
            self.states[k] = (params, opt_state)
            scores.append((J, score))
        return scores


def timings(X, Y, output, n1s, rounds, batch_size):
    """Median seconds per epoch of the stack and of the K separate runners, interleaved."""
    args = (X, Y, *candidates(X, Y, output, n1s))
    contenders = {"stacked": Stack(*args), "separate": Separate(*args)}
    rng = np.random.RandomState(0)
    seconds = {name: [] for name in contenders}
    for r in range(rounds + 2):  # the first two rounds warm up
        batches = epoch_batches(X.shape[0], batch_size, True, rng)
        order = list(contenders) if r % 2 else list(contenders)[::-1]
        for name in order:
            start = time.perf_counter()
            contenders[name].epoch(batches)
            if r >= 2:
                seconds[name].append(time.perf_counter() - start)
    return {name: float(np.median(s)) for name, s in seconds.items()}


def differences(X, Y, output, n1s, epochs, batch_size):
    """Largest relative differences, stacked vs separate, after ``epochs`` epochs.

    Parameters: ``max |a - b| / max |b|`` over each array of each candidate;
    losses and scores: ``|a - b| / |b|`` over every epoch and candidate.
    """
    args = (X, Y, *candidates(X, Y, output, n1s))
    stack, separate = Stack(*args), Separate(*args)
    rng = np.random.RandomState(1)
    scores = 0.0
    for _ in range(epochs):
        batches = epoch_batches(X.shape[0], batch_size, True, rng)
        a, b = np.array(stack.epoch(batches)), np.array(separate.epoch(batches))
        scores = max(scores, float(np.max(np.abs(a - b) / np.abs(b))))
    params = max(
        float(np.max(np.abs(p[name] - q[name])) / np.max(np.abs(q[name])))
        for p, q in zip(stack.params, separate.params, strict=True)
        for name in q
    )
    return params, scores


def blas_threads():
    return max(
        (info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"),
        default=1,
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30, help="timed epochs per contender")
    parser.add_argument("--epochs", type=int, default=20, help="epochs for the differences")
    parser.add_argument("--threads", type=int, default=None, help="limit numpy's BLAS")
    parser.add_argument("--dtype", choices=["float64", "float32"], default="float64")
    parser.add_argument("--batch-size", type=int, default=200)
    parser.add_argument("--datasets", nargs="+", choices=list(DATASETS), default=list(DATASETS))
    args = parser.parse_args(argv)
    limit = threadpool_limits(args.threads, user_api="blas") if args.threads else None
    blas = [i for i in threadpool_info() if i["user_api"] == "blas"]
    print(
        f"{args.dtype}, adam, relu, batches of {args.batch_size}; BLAS: "
        + ", ".join(f"{i['internal_api']} {i['version']} {i['architecture']}" for i in blas)
        + f", {blas_threads()} thread(s); {os.cpu_count()} CPUs; "
        f"load average before: {os.getloadavg()[0]:.2f}\n"
    )
    print(
        "| data | m x n0 | K | n1 | stacked ms/epoch | separate ms/epoch (sum of K) | ratio "
        f"| max rel. param diff after {args.epochs} epochs | max rel. loss/score diff |"
    )
    print("|---|---|---|---|---:|---:|---:|---:|---:|")
    for name in args.datasets:
        X, Y, output = problem(name, np.dtype(args.dtype))
        t = timings(X, Y, output, N1S, args.rounds, args.batch_size)
        params, scores = differences(X, Y, output, N1S, args.epochs, args.batch_size)
        n1s = "{" + ", ".join(map(str, sorted(set(N1S)))) + "} x " + str(len(N1S) // 3)
        print(
            f"| {name} | {X.shape[0]} x {X.shape[1]} | {len(N1S)} | {n1s} "
            f"| {t['stacked'] * 1e3:.2f} | {t['separate'] * 1e3:.2f} "
            f"| {t['stacked'] / t['separate']:.2f} | {params:.1e} | {scores:.1e} |"
        )
    print(f"\nload average after: {os.getloadavg()[0]:.2f}")
    if limit is not None:
        limit.restore_original_limits()


if __name__ == "__main__":
    main()
