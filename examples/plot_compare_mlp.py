"""
============================================
Comparison with scikit-learn's MLPClassifier
============================================

:class:`sklearn.neural_network.MLPClassifier` with one hidden layer is the same
network as :class:`~sklearn_shallow.ShallowNNClassifier`; only the parameter
names differ. This example translates the settings from one to the other, fits
both on three data sets, and compares test accuracy and training time.
"""

# %%
# Translating the parameters
# --------------------------
# ``n1`` is ``hidden_layer_sizes=(n1,)``, the learning rate ``alpha`` is
# ``learning_rate_init``, the L2 penalty ``l2`` is ``alpha``, and
# ``activation="sigmoid"`` is ``"logistic"``. Every other parameter used here has
# the same name.
import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_breast_cancer, load_digits, make_moons
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler

from sklearn_shallow import ShallowNNClassifier

settings = {"n1": 32, "alpha": 0.003, "l2": 1e-4, "activation": "tanh", "max_iter": 500}


def translate(n1, alpha, l2, activation, **same):
    """MLPClassifier's names for ShallowNNClassifier's parameters."""
    return {
        "hidden_layer_sizes": (n1,),
        "learning_rate_init": alpha,
        "alpha": l2,
        "activation": "logistic" if activation == "sigmoid" else activation,
        **same,
    }


models = {
    "ShallowNNClassifier": ShallowNNClassifier(**settings, random_state=0),
    "MLPClassifier": MLPClassifier(**translate(**settings), random_state=0),
}
print(translate(**settings))

# %%
# Three data sets
# ---------------
# Inputs scaled to ``[0, 1]``; a quarter of each data set is kept for testing.
datasets = {
    "moons": make_moons(n_samples=1000, noise=0.2, random_state=0),
    "breast cancer": load_breast_cancer(return_X_y=True),
    "digits": load_digits(return_X_y=True),
}


def fit_and_score(model, X, y):
    X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)
    pipe = make_pipeline(MinMaxScaler(), model)
    start = time.perf_counter()
    pipe.fit(X_train, y_train)
    seconds = time.perf_counter() - start
    return pipe, pipe.score(X_test, y_test), seconds


accuracy = {name: [] for name in models}
seconds = {name: [] for name in models}
for data_name, (X, y) in datasets.items():
    for name, model in models.items():
        pipe, score, elapsed = fit_and_score(model, X, y)
        accuracy[name].append(score)
        seconds[name].append(elapsed)
        print(
            f"{data_name:14} {name:20} accuracy {score:.3f}  "
            f"{pipe[-1].n_iter_:3} epochs  {elapsed:.2f} s"
        )

# %%
# Accuracy and time
# -----------------
# The two reach similar accuracies; they do not draw the same initial weights or
# batches, so the numbers differ a little. Times are for one fit on this
# machine, whatever else it was doing; the ``benchmarks/`` folder of the
# repository has careful measurements.
fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), layout="constrained")
positions = np.arange(len(datasets))
for offset, name in zip([-0.2, 0.2], models, strict=True):
    bars = axes[0].bar(positions + offset, accuracy[name], width=0.4, label=name)
    axes[0].bar_label(bars, fmt="%.3f", fontsize=8)
    bars = axes[1].bar(positions + offset, seconds[name], width=0.4, label=name)
    axes[1].bar_label(bars, fmt="%.2f", fontsize=8)
axes[0].set(ylim=(0.5, 1.05), ylabel="test accuracy", title="Accuracy")
axes[1].set(ylabel="seconds", title="Training time (one fit)")
for ax in axes:
    ax.set(xticks=positions, xticklabels=list(datasets))
fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncols=2)
plt.show()

# %%
# The same parameters, transposed
# -------------------------------
# ``MLPClassifier`` stores ``W1`` as ``coefs_[0]`` with samples-as-rows shapes,
# ``(n0, n1)``: the transpose of the course's ``(n1, n0)``. The biases are
# rank-1 arrays there and columns here.
X, y = datasets["breast cancer"]
shallow = make_pipeline(MinMaxScaler(), models["ShallowNNClassifier"]).fit(X, y)[-1]
mlp = make_pipeline(MinMaxScaler(), models["MLPClassifier"]).fit(X, y)[-1]
print("ShallowNNClassifier params_['W1']:", shallow.params_["W1"].shape)
print("MLPClassifier coefs_[0]:          ", mlp.coefs_[0].shape)
print("ShallowNNClassifier params_['b1']:", shallow.params_["b1"].shape)
print("MLPClassifier intercepts_[0]:     ", mlp.intercepts_[0].shape)
