"""Visual diagnostics: the training curves of a fitted estimator of this package.

The course plots the loss and the accuracy (R², for a regressor) against the epochs to see whether
gradient descent converges and whether the network over-fits. ``history_``
holds those curves; :class:`TrainingHistoryDisplay` draws them, following
scikit-learn's ``Display`` convention (``from_estimator``, ``plot``,
``figure_``, ``ax_``). For decision boundaries use
:class:`sklearn.inspection.DecisionBoundaryDisplay`.

matplotlib is an optional dependency, imported only when something is drawn:
``pip install "sklearn-shallow[plot]"``.
"""

from collections.abc import Mapping

import numpy as np
from sklearn.utils.validation import check_is_fitted

__all__ = ["TrainingHistoryDisplay"]

_INSTALL_HINT = 'pip install "sklearn-shallow[plot]"'

_AXIS_LABELS = {
    "loss": "log loss",
    "accuracy": "accuracy",
    "r2": "R²",
    "learning_rate": "learning rate",
    "time": "seconds per epoch",
}


def _import_pyplot():
    """Return ``matplotlib.pyplot``, or raise an ImportError saying how to install it."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as error:
        raise ImportError(
            f"TrainingHistoryDisplay needs matplotlib, an optional dependency: {_INSTALL_HINT}"
        ) from error
    return plt


def _final_estimator(estimator):
    """The last step of a ``Pipeline`` (the estimator itself otherwise)."""
    steps = getattr(estimator, "steps", None)
    return estimator if steps is None else steps[-1][1]


class TrainingHistoryDisplay:
    """Training curves (loss, accuracy or R², ...) per epoch, train and validation.

    Each metric gets its own axes: the training curve, the validation curve when
    validation data was used during ``fit`` (``early_stopping=True`` or
    ``X_val, y_val``), and a vertical line at ``best_epoch``, the epoch whose
    parameters the estimator kept.

    Create it with :meth:`from_estimator`, or from a ``history_`` dict with the
    constructor followed by :meth:`plot`. All parameters are stored as attributes.

    Parameters
    ----------
    history : dict of list of float
        Per-epoch values keyed by metric, as in ``ShallowNNClassifier.history_``:
        ``'loss'``, ``'accuracy'``, ``'learning_rate'``, ``'time'``, and
        ``'val_loss'``, ``'val_accuracy'`` when validation data was used
        (``'r2'`` and ``'val_r2'`` instead of the accuracies for
        ``ShallowNNRegressor.history_``).
    best_epoch : int, default=None
        1-based epoch to mark (``best_epoch_`` of the estimator). ``None`` marks
        nothing.
    estimator_name : str, default=None
        Name put in front of the legend labels; ``None`` leaves them as
        ``'train'`` and ``'validation'``.

    Attributes
    ----------
    figure_ : matplotlib Figure
        Figure holding the axes.
    ax_ : ndarray of matplotlib Axes
        One axes per metric, in the order of ``metrics``.
    lines_ : dict of matplotlib Line2D
        The curves, keyed by history key (``'loss'``, ``'val_loss'``, ...).
    best_epoch_lines_ : list of matplotlib Line2D
        The vertical line at ``best_epoch`` on each axes (empty when
        ``best_epoch`` is None).

    See Also
    --------
    sklearn.inspection.DecisionBoundaryDisplay : Decision boundary of a classifier.
    sklearn.model_selection.LearningCurveDisplay : Score against training-set size.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import make_moons
    >>> from sklearn_shallow import ShallowNNClassifier
    >>> from sklearn_shallow.plotting import TrainingHistoryDisplay
    >>> X, y = make_moons(n_samples=200, noise=0.2, random_state=0)
    >>> model = ShallowNNClassifier(n1=8, alpha=0.01, early_stopping=True,
    ...                             random_state=0).fit(X, y)
    >>> display = TrainingHistoryDisplay.from_estimator(model)
    >>> sorted(display.lines_)
    ['accuracy', 'loss', 'val_accuracy', 'val_loss']
    >>> display.ax_.shape
    (2,)
    """

    def __init__(self, history, *, best_epoch=None, estimator_name=None):
        self.history = history
        self.best_epoch = best_epoch
        self.estimator_name = estimator_name

    @classmethod
    def from_estimator(
        cls,
        estimator,
        *,
        metrics=None,
        ax=None,
        name=None,
        line_kwargs=None,
        val_line_kwargs=None,
        best_epoch_kwargs=None,
    ):
        """Plot the training history of a fitted estimator.

        Parameters
        ----------
        estimator : ShallowNNClassifier, ShallowNNRegressor or Pipeline
            A fitted estimator of this package, or a fitted ``Pipeline`` whose
            last step is one.
        metrics : sequence of str, default=None
            Keys of ``history_`` to draw, one axes each (``'loss'``,
            ``'accuracy'`` or ``'r2'``, ``'learning_rate'``, ``'time'``).
            ``None`` draws the loss and the score: ``('loss', 'accuracy')`` for a
            classifier, ``('loss', 'r2')`` for a regressor.
        ax : matplotlib Axes or array-like of Axes, default=None
            One axes per metric. ``None`` creates a figure with a row of axes.
        name : str, default=None
            Name for the legend labels; ``None`` uses the estimator's class name.
        line_kwargs : dict, default=None
            Keyword arguments passed to ``Axes.plot`` for the training curves.
        val_line_kwargs : dict, default=None
            Keyword arguments passed to ``Axes.plot`` for the validation curves.
        best_epoch_kwargs : dict, default=None
            Keyword arguments passed to ``Axes.axvline`` for the best-epoch line.

        Returns
        -------
        display : TrainingHistoryDisplay
            The display, with ``figure_``, ``ax_`` and ``lines_`` set.

        Raises
        ------
        sklearn.exceptions.NotFittedError
            If the estimator (or the pipeline's last step) is not fitted.
        TypeError
            If the fitted estimator has no ``history_``.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from sklearn.datasets import load_iris
        >>> from sklearn.pipeline import make_pipeline
        >>> from sklearn.preprocessing import MinMaxScaler
        >>> from sklearn_shallow import ShallowNNClassifier
        >>> from sklearn_shallow.plotting import TrainingHistoryDisplay
        >>> X, y = load_iris(return_X_y=True)
        >>> pipe = make_pipeline(
        ...     MinMaxScaler(), ShallowNNClassifier(n1=5, solver="lbfgs", random_state=0)
        ... ).fit(X, y)
        >>> display = TrainingHistoryDisplay.from_estimator(pipe, metrics=["loss"])
        >>> display.lines_["loss"].get_label()
        'ShallowNNClassifier: train'
        """
        _import_pyplot()
        final = _final_estimator(estimator)
        check_is_fitted(final)
        if not hasattr(final, "history_"):
            raise TypeError(
                "TrainingHistoryDisplay.from_estimator needs an estimator with a "
                f"history_ attribute (a ShallowNNClassifier or ShallowNNRegressor); got "
                f"{type(final).__name__}."
            )
        display = cls(
            final.history_,
            best_epoch=getattr(final, "best_epoch_", None),
            estimator_name=type(final).__name__ if name is None else name,
        )
        return display.plot(
            ax=ax,
            metrics=metrics,
            line_kwargs=line_kwargs,
            val_line_kwargs=val_line_kwargs,
            best_epoch_kwargs=best_epoch_kwargs,
        )

    def plot(
        self,
        ax=None,
        *,
        metrics=None,
        line_kwargs=None,
        val_line_kwargs=None,
        best_epoch_kwargs=None,
    ):
        """Draw the curves.

        Parameters
        ----------
        ax : matplotlib Axes or array-like of Axes, default=None
            One axes per metric. ``None`` creates a figure with a row of axes.
        metrics : sequence of str, default=None
            Keys of ``history`` to draw, one axes each. A metric's validation
            curve (``'val_' + metric``) is drawn too when ``history`` has it.
            ``None`` draws ``('loss', 'r2')`` when ``history`` holds ``'r2'``,
            else ``('loss', 'accuracy')``.
        line_kwargs : dict, default=None
            Keyword arguments passed to ``Axes.plot`` for the training curves.
        val_line_kwargs : dict, default=None
            Keyword arguments passed to ``Axes.plot`` for the validation curves.
        best_epoch_kwargs : dict, default=None
            Keyword arguments passed to ``Axes.axvline`` for the best-epoch line.

        Returns
        -------
        display : TrainingHistoryDisplay
            ``self``, with ``figure_``, ``ax_``, ``lines_`` and
            ``best_epoch_lines_`` set.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from sklearn_shallow.plotting import TrainingHistoryDisplay
        >>> history = {"loss": [0.7, 0.5, 0.4], "accuracy": [0.5, 0.8, 0.9]}
        >>> display = TrainingHistoryDisplay(history, best_epoch=3).plot()
        >>> [ax.get_title() for ax in display.ax_]
        ['loss', 'accuracy']
        >>> display.best_epoch_lines_[0].get_xdata()
        [3, 3]
        """
        plt = _import_pyplot()
        metrics = self._check_metrics(metrics)
        axes = self._axes(plt, ax, len(metrics))
        self.lines_ = {}
        self.best_epoch_lines_ = []
        for metric, axis in zip(metrics, axes, strict=True):
            self._plot_metric(axis, metric, line_kwargs, val_line_kwargs)
            if self.best_epoch is not None:
                self.best_epoch_lines_.append(self._mark_best_epoch(axis, best_epoch_kwargs))
            axis.set(title=metric, xlabel="epoch", ylabel=self._axis_label(metric))
            axis.legend()
        self.ax_ = axes
        self.figure_ = axes[0].figure
        return self

    def _axis_label(self, metric):
        if metric == "loss" and "r2" in self.history:
            return "loss"  # a regressor's: squared error or Poisson deviance
        return _AXIS_LABELS.get(metric, metric)

    def _check_metrics(self, metrics):
        if not isinstance(self.history, Mapping):
            raise TypeError(
                f"history must be a dict of lists (history_); got {type(self.history).__name__}."
            )
        if metrics is None:
            metrics = ("loss", "r2" if "r2" in self.history else "accuracy")
        metrics = [metrics] if isinstance(metrics, str) else list(metrics)
        if not metrics:
            raise ValueError("metrics must name at least one key of history.")
        known = [key for key in self.history if not key.startswith("val_")]
        unknown = [metric for metric in metrics if metric not in known]
        if unknown:
            raise ValueError(f"metrics {unknown!r} are not in history; choose from {known!r}.")
        return metrics

    @staticmethod
    def _axes(plt, ax, n_metrics):
        """A 1-D object array of ``n_metrics`` axes: the given ones, or a new row."""
        if ax is None:
            width = min(5.0 * n_metrics, 15.0)
            _, axes = plt.subplots(1, n_metrics, figsize=(width, 4), squeeze=False)
            axes = axes[0]
            axes[0].figure.set_layout_engine("constrained")
            return axes
        axes = np.empty(1, dtype=object)
        axes[0] = ax
        if not hasattr(ax, "plot"):
            axes = np.asarray(ax, dtype=object).ravel()
        if axes.size != n_metrics:
            raise ValueError(f"ax must hold one axes per metric ({n_metrics}); got {axes.size}.")
        return axes

    def _label(self, part):
        return part if self.estimator_name is None else f"{self.estimator_name}: {part}"

    def _plot_metric(self, axis, metric, line_kwargs, val_line_kwargs):
        curves = [(metric, "train", line_kwargs)]
        if "val_" + metric in self.history:
            curves.append(("val_" + metric, "validation", val_line_kwargs))
        for key, part, kwargs in curves:
            values = np.asarray(self.history[key], dtype=float)
            epochs = np.arange(1, values.size + 1)
            (self.lines_[key],) = axis.plot(
                epochs, values, **{"label": self._label(part), **(kwargs or {})}
            )

    def _mark_best_epoch(self, axis, best_epoch_kwargs):
        style = {
            "color": "0.4",
            "linestyle": "--",
            "linewidth": 1,
            "label": f"kept: epoch {self.best_epoch}",
        }
        return axis.axvline(self.best_epoch, **{**style, **(best_epoch_kwargs or {})})
