"""Tests of ``sklearn_shallow.plotting``: what the display draws, not how it looks."""

import builtins

import numpy as np
import pytest
from sklearn.datasets import make_regression
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler

from sklearn_shallow import ShallowNNClassifier, ShallowNNRegressor
from sklearn_shallow.plotting import TrainingHistoryDisplay

matplotlib = pytest.importorskip(
    "matplotlib", reason="TrainingHistoryDisplay needs the optional [plot] extra"
)
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture
def history():
    return {
        "loss": [0.9, 0.6, 0.5, 0.45],
        "accuracy": [0.5, 0.7, 0.8, 0.85],
        "val_loss": [0.95, 0.7, 0.65, 0.7],
        "val_accuracy": [0.5, 0.65, 0.75, 0.7],
        "learning_rate": [0.01] * 4,
        "time": [0.01] * 4,
    }


@pytest.fixture
def early_stopped(moons):
    X, y = moons
    model = ShallowNNClassifier(
        n1=6, alpha=0.05, early_stopping=True, n_iter_no_change=5, max_iter=300, random_state=0
    )
    return model.fit(X, y)


def _labels(axis):
    return [line.get_label() for line in axis.get_lines()]


def test_plot_draws_train_and_validation_curves(history):
    display = TrainingHistoryDisplay(history).plot()
    assert display.ax_.shape == (2,)
    assert sorted(display.lines_) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    for axis in display.ax_:
        assert _labels(axis) == ["train", "validation"]
    assert display.figure_ is display.ax_[0].figure
    assert [axis.get_xlabel() for axis in display.ax_] == ["epoch", "epoch"]


def test_curves_hold_the_history_against_1_based_epochs(history):
    display = TrainingHistoryDisplay(history).plot()
    for key, line in display.lines_.items():
        np.testing.assert_array_equal(line.get_xdata(), [1, 2, 3, 4])
        np.testing.assert_array_equal(line.get_ydata(), history[key])


def test_without_validation_only_training_curves(history):
    train_only = {k: v for k, v in history.items() if not k.startswith("val_")}
    display = TrainingHistoryDisplay(train_only).plot()
    assert sorted(display.lines_) == ["accuracy", "loss"]
    for axis in display.ax_:
        assert len(axis.get_lines()) == 1


@pytest.mark.parametrize("best_epoch", [1, 3])
def test_best_epoch_is_marked_on_every_axes(history, best_epoch):
    display = TrainingHistoryDisplay(history, best_epoch=best_epoch).plot()
    assert len(display.best_epoch_lines_) == 2
    for axis, marker in zip(display.ax_, display.best_epoch_lines_, strict=True):
        assert marker in axis.get_lines()
        np.testing.assert_array_equal(marker.get_xdata(), [best_epoch, best_epoch])
        assert str(best_epoch) in marker.get_label()


def test_no_best_epoch_no_marker(history):
    display = TrainingHistoryDisplay(history).plot()
    assert display.best_epoch_lines_ == []


def test_estimator_name_prefixes_labels(history):
    display = TrainingHistoryDisplay(history, estimator_name="net").plot(metrics=["loss"])
    assert _labels(display.ax_[0]) == ["net: train", "net: validation"]


def test_metrics_choose_the_axes(history):
    display = TrainingHistoryDisplay(history).plot(metrics=["loss", "learning_rate", "time"])
    assert [axis.get_title() for axis in display.ax_] == ["loss", "learning_rate", "time"]
    assert len(display.ax_[1].get_lines()) == 1


def test_unknown_metric_raises(history):
    with pytest.raises(ValueError, match="not in history"):
        TrainingHistoryDisplay(history).plot(metrics=["val_loss"])


def test_plot_on_given_axes(history):
    fig, axes = plt.subplots(2, 1)
    display = TrainingHistoryDisplay(history).plot(ax=axes)
    assert display.figure_ is fig
    assert list(display.ax_) == list(axes)


def test_single_axes_for_a_single_metric(history):
    fig, axis = plt.subplots()
    display = TrainingHistoryDisplay(history).plot(axis, metrics="accuracy")
    assert display.ax_[0] is axis
    assert len(axis.get_lines()) == 2


def test_wrong_number_of_axes_raises(history):
    _, axis = plt.subplots()
    with pytest.raises(ValueError, match="one axes per metric"):
        TrainingHistoryDisplay(history).plot(axis)


def test_from_estimator_marks_the_kept_epoch(early_stopped):
    display = TrainingHistoryDisplay.from_estimator(early_stopped)
    n_epochs = early_stopped.n_iter_
    assert display.lines_["val_loss"].get_xdata()[-1] == n_epochs
    np.testing.assert_allclose(display.lines_["loss"].get_ydata(), early_stopped.loss_curve_)
    for marker in display.best_epoch_lines_:
        assert marker.get_xdata()[0] == early_stopped.best_epoch_
    assert _labels(display.ax_[0])[0] == "ShallowNNClassifier: train"


def test_from_estimator_accepts_a_pipeline(moons):
    X, y = moons
    pipe = make_pipeline(MinMaxScaler(), ShallowNNClassifier(n1=4, solver="lbfgs", random_state=0))
    pipe.fit(X, y)
    display = TrainingHistoryDisplay.from_estimator(pipe, name="scaled")
    assert sorted(display.lines_) == ["accuracy", "loss"]
    assert _labels(display.ax_[1])[0] == "scaled: train"
    assert display.best_epoch_lines_[0].get_xdata()[0] == pipe[-1].best_epoch_


@pytest.mark.parametrize(
    "estimator",
    [ShallowNNClassifier(), make_pipeline(MinMaxScaler(), ShallowNNClassifier())],
    ids=["estimator", "pipeline"],
)
def test_from_estimator_unfitted_raises(estimator):
    with pytest.raises(NotFittedError):
        TrainingHistoryDisplay.from_estimator(estimator)


def test_from_estimator_without_history_raises(moons):
    X, y = moons
    with pytest.raises(TypeError, match="history_"):
        TrainingHistoryDisplay.from_estimator(LogisticRegression().fit(X, y))


def test_missing_matplotlib_names_the_extra(history, monkeypatch):
    real_import = builtins.__import__

    def no_matplotlib(name, *args, **kwargs):
        if name.startswith("matplotlib"):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    with pytest.raises(ImportError, match=r'pip install "sklearn-shallow\[plot\]"'):
        TrainingHistoryDisplay(history).plot()


def test_regressor_history_draws_r2_by_default():
    X, y = make_regression(n_samples=80, n_features=3, noise=1, random_state=0)
    model = ShallowNNRegressor(n1=5, max_iter=5, tol=None, early_stopping=True, random_state=0)
    display = TrainingHistoryDisplay.from_estimator(model.fit(X, y))
    assert [ax.get_title() for ax in display.ax_] == ["loss", "r2"]
    assert sorted(display.lines_) == ["loss", "r2", "val_loss", "val_r2"]
    assert display.ax_[1].get_ylabel() == "R²" and display.ax_[0].get_ylabel() == "loss"
    np.testing.assert_array_equal(display.lines_["val_r2"].get_ydata(), model.validation_scores_)
