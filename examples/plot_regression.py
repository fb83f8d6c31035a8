"""
=====================================
Regression with the same network
=====================================

``ShallowNNRegressor`` is the course's network with a regression output: the
identity for the squared error, the exponential for Poisson counts, each paired
with its cost so that the backward pass still starts with ``dZ2 = A2 - Y``. It
scores R² and records it per epoch in ``history_``. Its targets need no scaling:
it standardises ``y`` inside and ``predict`` undoes it.
"""

# %%
# Targets in their own units
# --------------------------
# The diabetes data: ten measurements, and a disease progression score between
# 25 and 346. ``MLPRegressor()`` fits ``y`` as it is: its outputs start near 0
# and its 200 epochs end far from the scale of ``y``. ``ShallowNNRegressor()``
# trains on standardised targets, with an L2 penalty (``l2=4.0``, divided by the
# number of samples) that keeps its 100 hidden units from over-fitting 442
# noisy samples: it matches the linear baseline. With MLP's penalty
# (``l2=0.0001``) the same network over-fits.
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import RidgeCV
from sklearn.model_selection import cross_val_score
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_shallow import ShallowNNRegressor
from sklearn_shallow.plotting import TrainingHistoryDisplay

X, y = load_diabetes(return_X_y=True)
models = {
    "MLPRegressor()": MLPRegressor(random_state=0),
    "ShallowNNRegressor()": ShallowNNRegressor(random_state=0),
    "... l2=0.0001 (MLP's)": ShallowNNRegressor(l2=0.0001, random_state=0),
    "RidgeCV()": RidgeCV(),
}
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)  # MLPRegressor's, at 200 epochs
    for name, model in models.items():
        scores = cross_val_score(make_pipeline(StandardScaler(), model), X, y, cv=5)
        print(f"{name:<24} 5-fold CV R² {scores.mean():.3f}")

# %%
# The curves of a fit
# -------------------
# With ``early_stopping=True`` a tenth of the data is held out; training stops
# when its R² stalls and keeps the parameters of the best epoch.
model = make_pipeline(
    StandardScaler(), ShallowNNRegressor(early_stopping=True, random_state=0)
).fit(X, y)
display = TrainingHistoryDisplay.from_estimator(model)
display.figure_.suptitle("Loss of the standardised targets, and R²")
plt.show()

# %%
# Counts: ``loss='poisson'``
# --------------------------
# Counts whose mean grows exponentially with a feature. The exponential output
# keeps every prediction positive.
rng = np.random.RandomState(0)
X_counts = rng.uniform(-2, 2, size=(1000, 2))
y_counts = rng.poisson(np.exp(1.0 + 0.8 * X_counts[:, 0]))
poisson = ShallowNNRegressor(loss="poisson", random_state=0).fit(X_counts, y_counts)
order = np.argsort(X_counts[:, 0])
fig, ax = plt.subplots()
ax.scatter(X_counts[:, 0], y_counts, s=4, alpha=0.3, label="counts")
ax.plot(X_counts[order, 0], np.exp(1.0 + 0.8 * X_counts[order, 0]), "k--", label="true mean")
ax.plot(X_counts[order, 0], poisson.predict(X_counts)[order], ".", ms=2, label="prediction")
ax.set(xlabel="first feature", ylabel="count")
ax.legend()
plt.show()
