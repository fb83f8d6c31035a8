"""
=======================================
Class weights for an imbalanced problem
=======================================

When one class is rare, the mean cross-entropy is dominated by the frequent one:
the network can reach a small loss, and a high accuracy, by mostly ignoring the
rare class. ``class_weight`` multiplies each sample's term of the loss (and so
its column of ``dZ2``) by the weight of its class. ``'balanced'`` weights each
class by ``n_samples / (n_classes * n_samples_of_the_class)``, so that both
classes count the same in the total. The price is paid in precision: more
samples of the frequent class are predicted as the rare one.
"""

# %%
# An imbalanced data set
# ----------------------
# Two features, so that the boundary can be drawn; 5% of the samples belong to
# class 1.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_classification
from sklearn.inspection import DecisionBoundaryDisplay
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    precision_score,
    recall_score,
)
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler

from sklearn_shallow import ShallowNNClassifier

X, y = make_classification(
    n_samples=2000,
    n_features=2,
    n_redundant=0,
    n_informative=2,
    n_clusters_per_class=1,
    weights=[0.95],
    class_sep=0.8,
    random_state=3,
)
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)
print("samples per class:", np.bincount(y))

# %%
# Without and with class weights
# ------------------------------
# Everything else is equal: the same network, the same seed.
models = {}
for class_weight in [None, "balanced"]:
    network = ShallowNNClassifier(
        n1=8, activation="tanh", alpha=0.01, class_weight=class_weight, random_state=0
    )
    models[str(class_weight)] = make_pipeline(MinMaxScaler(), network).fit(X_train, y_train)

# %%
# The boundary moves towards the frequent class: the region predicted as the
# rare class (red) grows until it holds most of the rare samples.
fig, axes = plt.subplots(1, 2, figsize=(9, 4), layout="constrained", sharey=True)
for ax, (name, model) in zip(axes, models.items(), strict=True):
    DecisionBoundaryDisplay.from_estimator(
        model, X, response_method="predict", cmap="RdBu_r", alpha=0.3, ax=ax
    )
    ax.scatter(*X_test[y_test == 0].T, s=8, color="tab:blue", label="class 0")
    ax.scatter(*X_test[y_test == 1].T, s=14, color="tab:red", edgecolor="k", label="class 1")
    ax.set(title=f"class_weight={name}", xlabel="feature 0", ylabel="feature 1")
axes[0].legend(loc="lower right")
plt.show()

# %%
# Recall of the rare class
# ------------------------
# On the test set: the share of rare samples that are found (recall), the share
# of predictions of the rare class that are right (precision), and the two
# accuracies. The plain accuracy hardly sees the rare class; the balanced
# accuracy (the mean recall of the two classes) does.
metrics = {
    "recall, class 1": lambda y, p: recall_score(y, p, pos_label=1),
    "precision, class 1": lambda y, p: precision_score(y, p, pos_label=1),
    "recall, class 0": lambda y, p: recall_score(y, p, pos_label=0),
    "accuracy": accuracy_score,
    "balanced accuracy": balanced_accuracy_score,
}
results = {}
for name, model in models.items():
    predicted = model.predict(X_test)
    results[name] = [metric(y_test, predicted) for metric in metrics.values()]
    print(f"class_weight={name:8}", "  ".join(f"{v:.2f}" for v in results[name]))

fig, ax = plt.subplots(figsize=(8, 3.8), layout="constrained")
positions = np.arange(len(metrics))
for offset, (name, values) in zip([-0.2, 0.2], results.items(), strict=True):
    bars = ax.bar(positions + offset, values, width=0.4, label=f"class_weight={name}")
    ax.bar_label(bars, fmt="%.2f", fontsize=8)
ax.set(xticks=positions, xticklabels=list(metrics), ylim=(0, 1.25), ylabel="score on test set")
ax.legend(loc="upper center", ncols=2)
plt.show()

# %%
# ``class_weight`` is a product with ``sample_weight``: passing
# ``sample_weight=compute_sample_weight("balanced", y)`` to ``fit`` trains the
# same network. A dict such as ``{0: 1, 1: 5}`` sets the trade-off between recall
# and precision by hand.
