"""
====================================================
Choosing n1 and the learning rate with a grid search
====================================================

Two settings matter most for the course's network: the number of hidden units
``n1`` and the learning rate ``alpha``. Because
:class:`~sklearn_shallow.ShallowNNClassifier` is a scikit-learn estimator,
:class:`~sklearn.model_selection.GridSearchCV` can try every pair with
cross-validation. A heat map of the scores shows where the good region is, and
how sharply it ends.
"""

# %%
# The search
# ----------
# Full-batch gradient descent (``solver="gd"``, the course's method) on noisy
# half-moons, in a pipeline that standardises the inputs (see the User Guide on
# scaling). Every pair gets the same budget, 400 epochs (``tol=None`` turns the
# stopping rule off). Parameters of a pipeline step are named
# ``<step>__<parameter>``.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_moons
from sklearn.model_selection import GridSearchCV, StratifiedKFold, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_shallow import ShallowNNClassifier
from sklearn_shallow.plotting import TrainingHistoryDisplay

X, y = make_moons(n_samples=400, noise=0.25, random_state=0)
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)

pipe = make_pipeline(
    StandardScaler(),
    ShallowNNClassifier(solver="gd", activation="tanh", max_iter=400, tol=None, random_state=0),
)
n1_values = [1, 2, 4, 8, 16]
alpha_values = [0.03, 0.1, 0.3, 1.0, 3.0]
search = GridSearchCV(
    pipe,
    {"shallownnclassifier__n1": n1_values, "shallownnclassifier__alpha": alpha_values},
    cv=StratifiedKFold(n_splits=3, shuffle=True, random_state=0),
    error_score="raise",
)
search.fit(X_train, y_train)
print("best:", search.best_params_, f"cross-validated accuracy {search.best_score_:.3f}")
print(f"accuracy of the refitted best model on the test set: {search.score(X_test, y_test):.3f}")

# %%
# The heat map
# ------------
# ``cv_results_`` holds one row per pair; arrange the mean scores as a table with
# one row per learning rate and one column per ``n1``.
scores = np.empty((len(alpha_values), len(n1_values)))
results = search.cv_results_
for params, score in zip(results["params"], results["mean_test_score"], strict=True):
    row = alpha_values.index(params["shallownnclassifier__alpha"])
    col = n1_values.index(params["shallownnclassifier__n1"])
    scores[row, col] = score

fig, ax = plt.subplots(figsize=(6, 4.5), layout="constrained")
image = ax.imshow(scores, cmap="viridis", origin="lower", vmin=0.8, vmax=1.0)
for (row, col), score in np.ndenumerate(scores):
    ax.text(col, row, f"{score:.2f}", ha="center", va="center", color="w" if score < 0.9 else "k")
ax.set(
    xticks=range(len(n1_values)),
    xticklabels=n1_values,
    yticks=range(len(alpha_values)),
    yticklabels=alpha_values,
    xlabel="n1 (hidden units)",
    ylabel="alpha (learning rate)",
    title="Mean cross-validated accuracy",
)
fig.colorbar(image, ax=ax, label="accuracy")
plt.show()

# %%
# Below about four hidden units the network cannot bend its boundary enough
# around the moons, whatever the learning rate: about 0.84 is what a straight
# line achieves. With enough units, too small a learning rate does not get off
# the plateau of the straight-line solution within 400 epochs, and a larger one
# does.
#
# The best model's training
# -------------------------
# ``best_estimator_`` is the pipeline refitted on the whole training set;
# :class:`~sklearn_shallow.plotting.TrainingHistoryDisplay` accepts the pipeline
# and draws the curves of its last step.
display = TrainingHistoryDisplay.from_estimator(search.best_estimator_, name="best")
plt.show()

# %%
# The loss first drops to about 0.35, the straight-line solution, lingers there,
# and falls again once the hidden units start to bend the boundary: the plateau
# that too small a learning rate never leaves.
