"""
=================================================
Decision boundaries: activations and hidden units
=================================================

What can one hidden layer draw? Each hidden unit ``j`` draws one line
``W1[j] · x + b1[j] = 0`` in the input plane and bends the output around it with
its activation ``g``; the output unit combines the ``n1`` bent pieces. This
example fits :class:`~sklearn_shallow.ShallowNNClassifier` on two non-linear
problems, for each hidden activation and a few values of ``n1``, and draws the
boundaries with :class:`sklearn.inspection.DecisionBoundaryDisplay`.
"""

# %%
# Two data sets that no straight line separates
# ---------------------------------------------
import matplotlib.pyplot as plt
from sklearn.datasets import make_circles, make_moons
from sklearn.inspection import DecisionBoundaryDisplay
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler

from sklearn_shallow import ShallowNNClassifier

datasets = {
    "moons": make_moons(n_samples=200, noise=0.2, random_state=0),
    "circles": make_circles(n_samples=200, noise=0.1, factor=0.5, random_state=0),
}
activations = ["identity", "sigmoid", "tanh", "relu"]
hidden_units = [2, 4, 16]

# %%
# One grid of boundaries per data set
# -----------------------------------
# ``solver="lbfgs"`` converges in a few hundred iterations on 200 samples, so
# each picture shows what the network *can* draw rather than how far gradient
# descent got. The inputs are standardised (mean 0, variance 1): with zero
# initial biases every hidden unit's line then starts through the middle of the
# data (the last section shows why this matters for ``relu``). The colour is the
# predicted probability of class 1 (red).


def fit(X, y, activation, n1, scaler=StandardScaler):
    # input_scaling=None: the network sees what the scaler in front gives it (by
    # default it would scale its inputs itself, whatever the scaler).
    network = ShallowNNClassifier(
        n1=n1,
        activation=activation,
        solver="lbfgs",
        max_iter=2000,
        input_scaling=None,
        random_state=0,
    )
    return make_pipeline(scaler(), network).fit(X, y)


def draw(model, X, y, ax, title):
    DecisionBoundaryDisplay.from_estimator(
        model,
        X,
        response_method="predict_proba",
        cmap="RdBu_r",
        alpha=0.7,
        vmin=0,
        vmax=1,
        grid_resolution=120,
        ax=ax,
    )
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap="RdBu_r", edgecolor="k", s=14)
    ax.set(title=title, xticks=[], yticks=[], xlabel="", ylabel="")


def boundary_grid(name, X, y):
    fig, axes = plt.subplots(
        len(hidden_units),
        len(activations),
        figsize=(2.6 * len(activations), 2.6 * len(hidden_units)),
        layout="constrained",
    )
    for row, n1 in enumerate(hidden_units):
        for col, activation in enumerate(activations):
            model = fit(X, y, activation, n1)
            title = f"{activation}, n1={n1}\naccuracy {model.score(X, y):.2f}"
            draw(model, X, y, axes[row, col], title)
    fig.suptitle(f"{name}: hidden activation (columns) and hidden units (rows)")
    plt.show()


boundary_grid("moons", *datasets["moons"])

# %%
# With ``activation="identity"`` the network is linear whatever ``n1`` is:
# ``W2 (W1 x + b1) + b2`` is one straight line. Every other activation bends the
# boundary, and more units give it more pieces to bend.

boundary_grid("circles", *datasets["circles"])

# %%
# A circle needs at least three lines around it: with two hidden units no
# activation closes the boundary. ``relu`` builds it from straight pieces,
# ``tanh`` and ``sigmoid`` from smooth ones.
#
# ``relu`` and the input scale
# ----------------------------
# The course scales inputs to ``[0, 1]`` with ``MinMaxScaler``. With zero initial
# biases, each hidden unit then starts with its line ``W1[j] · x = 0`` through the
# corner ``(0, 0)`` of the data: a ``relu`` unit is active on almost all samples
# (it acts as the identity) or on almost none (it is *dead*: no gradient reaches
# it). The network starts nearly linear and may stay so. Standardised inputs put
# the lines through the middle of the data, where each unit can bend the boundary.
X, y = datasets["moons"]
fig, axes = plt.subplots(1, 2, figsize=(7, 3.4), layout="constrained")
for ax, scaler in zip(axes, [MinMaxScaler, StandardScaler], strict=True):
    model = fit(X, y, "relu", 8, scaler=scaler)
    hidden = model[-1].params_["W1"] @ model[0].transform(X).T + model[-1].params_["b1"]
    active = hidden > 0
    # A unit that is active on some samples and not on others bends the boundary.
    bending = int((active.any(axis=1) & ~active.all(axis=1)).sum())
    title = (
        f"relu, n1=8, {scaler.__name__}\n"
        f"accuracy {model.score(X, y):.2f}, bending units: {bending}"
    )
    draw(model, X, y, ax, title)
plt.show()
