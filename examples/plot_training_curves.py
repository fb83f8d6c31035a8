"""
==================================================
Training and validation curves, and early stopping
==================================================

The course watches the cost fall epoch after epoch to see that gradient descent
works. With a validation set the same curves also show **over-fitting**: the
training loss keeps falling while the validation loss turns back up.
``ShallowNNClassifier`` records both in ``history_``, and
:class:`~sklearn_shallow.plotting.TrainingHistoryDisplay` draws them.
"""

# %%
# Data with label noise
# ---------------------
# A classification problem where 10% of the labels are flipped at random: a big
# enough network can learn the noise by heart, which is what over-fitting is.
# The validation set is scaled with the training set's minimum and maximum.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import MinMaxScaler

from sklearn_shallow import ShallowNNClassifier
from sklearn_shallow.plotting import TrainingHistoryDisplay

X, y = make_classification(
    n_samples=400, n_features=40, n_informative=8, flip_y=0.1, random_state=0
)
X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)
scaler = MinMaxScaler().fit(X_train)
X_train, X_val = scaler.transform(X_train), scaler.transform(X_val)

# %%
# Training too long
# -----------------
# 100 hidden units, no L2 penalty, 250 epochs whatever happens (``tol=None``).
# Passing ``X_val, y_val`` to ``fit`` adds the ``val_loss`` and ``val_accuracy``
# curves to ``history_`` without changing the training.
model = ShallowNNClassifier(n1=100, alpha=0.01, l2=0.0, max_iter=250, tol=None, random_state=0)
model.fit(X_train, y_train, X_val=X_val, y_val=y_val)

display = TrainingHistoryDisplay.from_estimator(model, name="no early stopping")
display.figure_.suptitle("The validation loss turns up: the network learns the noise")
plt.show()

# %%
# The dashed line marks ``best_epoch_``, the epoch whose parameters ``params_``
# holds: without early stopping, the last one.
best = int(np.argmin(model.history_["val_loss"]))  # 0-based
print(f"lowest validation loss at epoch {best + 1}: {model.history_['val_loss'][best]:.3f}")
print(f"validation loss at the end (epoch {model.n_iter_}): {model.history_['val_loss'][-1]:.3f}")

# %%
# Early stopping
# --------------
# With ``early_stopping=True`` training stops once the validation accuracy has not
# improved for ``n_iter_no_change`` epochs, and the parameters of the best
# validation epoch are put back. Here the validation set is the one we pass; without
# it, ``validation_fraction`` of the training data would be held out.
stopped = ShallowNNClassifier(
    n1=100,
    alpha=0.01,
    l2=0.0,
    max_iter=250,
    early_stopping=True,
    n_iter_no_change=20,
    random_state=0,
)
stopped.fit(X_train, y_train, X_val=X_val, y_val=y_val)

display = TrainingHistoryDisplay.from_estimator(stopped, name="early stopping")
display.figure_.suptitle(
    f"Stopped after {stopped.n_iter_} epochs, kept epoch {stopped.best_epoch_}"
)
plt.show()

print(f"epochs run: {stopped.n_iter_}, epoch kept: {stopped.best_epoch_}")
print(
    f"validation accuracy: {stopped.score(X_val, y_val):.3f} (early stopping) vs "
    f"{model.score(X_val, y_val):.3f} (250 epochs)"
)

# %%
# Two network sizes on the same axes
# ----------------------------------
# ``plot`` draws on the axes it is given, so histories can be compared. With 4
# hidden units instead of 100 the network learns the noise more slowly: its
# validation loss reaches its lowest point much later and rises less after it.
small = ShallowNNClassifier(n1=4, alpha=0.01, l2=0.0, max_iter=250, tol=None, random_state=0)
small.fit(X_train, y_train, X_val=X_val, y_val=y_val)

fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
for network, color in [(small, "tab:green"), (model, "tab:purple")]:
    TrainingHistoryDisplay(network.history_, estimator_name=f"n1={network.n1}").plot(
        ax,
        metrics=["loss"],
        line_kwargs={"color": color, "alpha": 0.4},
        val_line_kwargs={"color": color},
    )
ax.set_title("Training (light) and validation (dark) loss")
plt.show()

# %%
# The displays follow scikit-learn's convention: ``figure_`` and ``ax_`` hold the
# figure and its axes, ``lines_`` the curves keyed by history name, ready for
# further styling.
