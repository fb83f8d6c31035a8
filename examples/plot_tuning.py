"""
===================================================
Tuning n1, alpha and l2 with ShallowNNClassifierCV
===================================================

:class:`~sklearn_shallow.ShallowNNClassifierCV` tunes the network as
``LogisticRegressionCV`` tunes a logistic regression: it takes every parameter
of :class:`~sklearn_shallow.ShallowNNClassifier`, a ``param_grid``, and ``cv``.
The candidates of a fold that differ only in ``n1``, ``alpha`` and ``l2`` train
side by side on the same batches, each with its own stopping rule, so the
search costs far less than a ``GridSearchCV`` over the same grid; and its
default search prunes the weaker candidates early and keeps training the
others from where they are.
"""

# %%
# Every candidate, trained to its end
# -----------------------------------
# ``search='grid'`` gives every candidate the scores ``GridSearchCV`` would give
# it; ``cv_results_`` has ``GridSearchCV``'s keys, so it reads as a data frame
# and draws as a heat map over ``n1`` x ``alpha``.
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.datasets import load_digits
from sklearn.model_selection import StratifiedKFold, train_test_split

from sklearn_shallow import ShallowNNClassifierCV

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)
folds = StratifiedKFold(3, shuffle=True, random_state=0)

grid = {"n1": [10, 25, 50, 100], "alpha": [0.001, 0.003, 0.01, 0.03]}
search = ShallowNNClassifierCV(param_grid=grid, cv=folds, search="grid", random_state=0)
search.fit(X_train, y_train)
results = pd.DataFrame(search.cv_results_)
print(results[["param_n1", "param_alpha", "mean_test_score", "n_epochs", "mean_fit_time"]])

scores = results.pivot_table(index="param_n1", columns="param_alpha", values="mean_test_score")
fig, ax = plt.subplots(figsize=(5, 4))
image = ax.imshow(scores.to_numpy(), cmap="viridis", origin="lower")
ax.set_xticks(range(len(scores.columns)), [f"{a:g}" for a in scores.columns])
ax.set_yticks(range(len(scores.index)), scores.index)
ax.set_xlabel("alpha (learning rate)")
ax.set_ylabel("n1 (hidden units)")
for (i, j), value in np.ndenumerate(scores.to_numpy()):
    ax.text(j, i, f"{value:.3f}", ha="center", va="center", color="w", fontsize=8)
fig.colorbar(image, label="mean CV accuracy")
ax.set_title("search='grid': every candidate to its end")

# %%
# The refitted best candidate predicts like any single estimator: it is one,
# fitted on the whole training data with the best parameters.
print("best:", search.best_params_, f"CV {search.best_score_:.3f}")
print(f"test accuracy {search.score(X_test, y_test):.3f}")

# %%
# The default search: rounds that keep the better third
# -----------------------------------------------------
# With the default ``search='halving'``, every candidate trains 10 epochs; the
# better third (by mean test score over the folds) trains 30 more, and so on
# until one remains, which trains to the end of its own stopping rule.
# ``cv_results_`` records each candidate's last ``round`` and the epochs it got
# (``n_epochs``). Here the grid of the first search, with ``l2`` as well.
grid = {**grid, "l2": [0.001, 0.1]}
pruned = ShallowNNClassifierCV(param_grid=grid, cv=folds, random_state=0)
pruned.fit(X_train, y_train)
results = pd.DataFrame(pruned.cv_results_)

fig, ax = plt.subplots(figsize=(6, 4))
for round_, group in results.groupby("round"):
    ax.scatter(group["n_epochs"], group["mean_test_score"], label=f"last round {round_}", s=30)
best = results.loc[pruned.best_index_]
ax.scatter(best["n_epochs"], best["mean_test_score"], marker="*", s=250, c="k", label="best")
ax.set_xscale("log")
ax.set_xlabel("epochs trained (mean over folds)")
ax.set_ylabel("mean CV accuracy when last scored")
ax.set_title("search='halving': pruned early, the rest continued")
ax.legend()
print("best:", pruned.best_params_, f"CV {pruned.best_score_:.3f}")
print(f"test accuracy {pruned.score(X_test, y_test):.3f}")
print(f"epochs over all candidates and folds: {results['n_epochs'].sum() * 3:.0f}")
plt.show()
