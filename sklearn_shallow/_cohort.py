"""Networks trained side by side: one problem, the same batches, each with its own rules.

A search trains the candidates of a fold that share their data settings (every
hyper-parameter but ``n1``, ``alpha`` and ``l2``) as one :class:`Cohort`. Each
member has its own :class:`~._engine.FitState`, :class:`~._engine.Settings`,
:class:`~._runners.Network` and :class:`~._engine.NetworkRun` (its learning
rate schedule, stopping rule and best epoch), exactly as a fit of that network
alone; the cohort draws each epoch's batches once, from the problem's data
stream, and hands them to every member still training. Since a fit draws its
batches from a stream independent of its initial weights
(:func:`._base.fresh_random_states`), a member sees the batches it would see
alone, and its state is the state of that fit.

The epochs run through one epoch runner per member, or through one stacked
runner for all of them (:mod:`._stacked`, where it applies): the same
arithmetic, with the products of the batch by the first layer's weights done
once for the whole cohort.

Training can pause and resume (:meth:`Cohort.train` with ``epochs``), and
members can be dropped (:meth:`Cohort.keep`): a pruned search keeps training
its better candidates from where they are.
"""

import contextlib
import dataclasses
import time

import numpy as np

from ._blas import numpy_blas, single_threaded
from ._engine import EpochEnd, NetworkRun, train
from ._runners import epoch_batches, epoch_runner
from ._stacked import StackedEpochs, supports_stacking

__all__ = ["Cohort", "Member"]

#: Multiply-adds of a cohort's product with a batch under which BLAS runs on one thread.
SMALL_PRODUCT = 2**22


@dataclasses.dataclass
class Member:
    """One network of a cohort: its run (state, settings, network) and what became of it.

    ``error`` holds the exception that ended a failed member (a divergence with
    no validated epoch to keep); ``epochs`` counts its epochs (L-BFGS:
    iterations) over every call.
    """

    run: NetworkRun
    error: Exception | None = None
    finished: bool = False
    runner: object = None

    @property
    def epochs(self):
        return self.run.state.n_iter

    @property
    def training(self):
        return self.error is None and not self.run.done


class Cohort:
    """Networks trained on the same data and batches, each with its own rules.

    Parameters
    ----------
    problem : ._base.Problem
        The data, validation set and data stream all members share.
    states : list of FitState
        Where each member starts (fresh states: ``opt_state`` None).
    settings : list of Settings
        Each member's solver settings; the solver, ``batch_size`` and
        ``shuffle`` are the same for all. Members report nothing (verbose 0, no
        callback).
    networks : list of Network
        Each member's activation, output and ``l2``.
    """

    def __init__(self, problem, states, settings, networks):
        self.problem = problem
        self.members = []
        for state, member_settings, network in zip(states, settings, networks, strict=True):
            member_settings = dataclasses.replace(member_settings, verbose=0, callback=None)
            end = EpochEnd(member_settings, member_settings.max_iter, problem.validation, network)
            self.members.append(Member(NetworkRun(state, member_settings, network, end)))
        self.seconds = 0.0
        self._stack = None

    @property
    def lbfgs(self):
        return self.members[0].run.settings.solver == "lbfgs"

    def train(self, epochs=None):
        """Train every member still training for up to ``epochs`` more epochs (None: to its end).

        L-BFGS members are not epoch-based: they train to their end, one after
        the other.
        """
        start = time.perf_counter()
        with np.errstate(over="ignore", invalid="ignore"), self._blas_limit():
            if self.lbfgs:
                self._train_lbfgs()
            else:
                self._train_epochs(epochs)
        self.seconds += time.perf_counter() - start
        return self

    def _blas_limit(self):
        """One BLAS thread for small products, where threads cost more than they bring.

        A stack's products with the batch, ``batch x n0 x Σ n1``, are large enough
        for OpenBLAS to thread them where each member's own are not; under
        ``SMALL_PRODUCT`` multiply-adds the threads only wait for one another
        (``benchmarks/stacked.py``: iris and wine, 12 members, 4-5 times slower
        on two threads of a busy machine; breast_cancer and digits faster).
        """
        data, settings = self.problem.data, self.members[0].run.settings
        m, n0 = data.X.shape
        width = sum(member.run.state.params["W1"].shape[0] for member in self.members)
        if min(settings.batch_size, m) * n0 * width >= SMALL_PRODUCT:
            return contextlib.nullcontext()
        return single_threaded("numpy", numpy_blas())

    def __getstate__(self):
        """The cohort without its runners, to travel to a joblib worker and back.

        A runner's buffers alias its member's parameters, which pickling would
        separate; the runners are rebuilt from the parameters and optimiser
        states at the next epoch.
        """
        members = [dataclasses.replace(member, runner=None) for member in self.members]
        return {**vars(self), "members": members, "_stack": None}

    def keep(self, indices):
        """Keep the members at ``indices`` (in this order); the others are dropped."""
        self.members = [self.members[i] for i in indices]
        return self

    def finish(self):
        """Each member's state after training (best validated epoch restored), or its error."""
        outcomes = []
        for member in self.members:
            if member.error is None and not member.finished:
                member.run.finish()
                member.finished = True
            outcomes.append(member.error if member.error is not None else member.run.state)
        return outcomes

    # --------------------------------------------------------------- epochs

    def _train_epochs(self, epochs):
        data = self.problem.data
        n_samples = data.X.shape[0]
        settings = self.members[0].run.settings
        batch_size = min(settings.batch_size, n_samples)
        while epochs is None or epochs > 0:
            active = [member for member in self.members if member.training]
            if not active:
                return
            rates = [member.run.start_epoch() for member in active]
            batches = epoch_batches(n_samples, batch_size, settings.shuffle, self.problem.rng)
            outcomes, finite = self._epoch(active, batches, rates)
            for member, outcome in zip(active, outcomes, strict=True):
                try:
                    member.run.end_epoch(*outcome, n_samples=n_samples, finite=finite)
                except ValueError as error:  # diverged, with no validated epoch to keep
                    member.error = error
            epochs = None if epochs is None else epochs - 1

    def _epoch(self, active, batches, rates):
        """One epoch of every active member, ``(params, opt_state, J, score)``, and a flag.

        Two or more members train stacked where :func:`._stacked.supports_stacking`
        says so, each alone otherwise. The flag is True where the stack found all
        its parameters finite (one check for all), None where each member checks
        its own.
        """
        stack = self._stack_of(active)
        if stack is not None:
            states = [member.run.state for member in active]
            outcomes = stack(
                [s.params for s in states],
                [s.opt_state for s in states],
                batches=batches,
                learning_rates=rates,
            )
            return outcomes, stack.all_finite() or None
        outcomes = []
        for member, runner, rate in zip(active, self._runners_of(active), rates, strict=True):
            state = member.run.state
            outcomes.append(
                runner(state.params, state.opt_state, batches=batches, learning_rate=rate)
            )
        return outcomes, None

    def _stack_of(self, active):
        """The stacked runner of the active members (built when they change), or None."""
        if len(active) < 2:
            return None
        key = tuple(id(member) for member in active)
        if self._stack is not None and self._stack[0] == key:
            return self._stack[1]
        data, first = self.problem.data, active[0].run
        states = [member.run.state for member in active]
        networks = [member.run.network for member in active]
        params = [state.params for state in states]
        rule = first.settings.rule
        if not supports_stacking(
            data.X, rule, networks, params, Y=data.Y, sample_weight=data.sample_weight
        ):
            return None
        stack = StackedEpochs(*data.arrays(), params, rule=rule, networks=networks)
        loaded = stack.load(params, [state.opt_state for state in states])
        for member, state, member_params, opt_state in zip(active, states, *loaded, strict=True):
            state.params, state.opt_state = member_params, opt_state
            member.runner = None  # the member's own runner no longer holds its parameters
        self._stack = (key, stack)
        return stack

    def _runners_of(self, active):
        """One epoch runner per member, built on a member's first epoch and kept."""
        data = self.problem.data
        for member in active:
            if member.runner is None:
                state, run = member.run.state, member.run
                arrays = data.arrays()
                runner = epoch_runner(
                    *arrays,
                    state.params,
                    state.opt_state,
                    rule=run.settings.rule,
                    network=run.network,
                )
                # A fresh state's opt_state is None: the optimiser starts afresh.
                state.params, state.opt_state = runner.load(state.params, state.opt_state)
                member.runner = runner
        return [member.runner for member in active]

    def _train_lbfgs(self):
        for member in self.members:
            if not member.training:
                continue
            run = member.run
            try:
                train(
                    self.problem.data,
                    self.problem.validation,
                    run.state,
                    run.settings,
                    run.network,
                    rng=self.problem.rng,
                )
            except ValueError as error:
                member.error = error
            member.finished = True
            run.epochs_left = 0
