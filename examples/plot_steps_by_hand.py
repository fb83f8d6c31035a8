"""
=========================================
The four steps by hand, and the estimator
=========================================

The course trains its network with a loop of four steps: initialise the
parameters, then for each epoch run forward propagation, backward propagation
and the gradient-descent update. :mod:`sklearn_shallow.network` has each step as
a function. This example runs that loop by hand on a small data set, then fits
:class:`~sklearn_shallow.ShallowNNClassifier` with the settings that make it run
the same loop (``solver="gd"``: full-batch gradient descent, ``tol=None``: no
early stop, ``l2=0``: no penalty, the same ``random_state``), and checks that both
give the same numbers.
"""

# %%
# A toy data set
# --------------
# Two interleaved half-moons, scaled to ``[0, 1]``. The course puts samples in
# **columns**: ``X`` is ``(n0, m)`` and ``Y`` is ``(1, m)`` for a binary target.
# scikit-learn puts them in rows, so the hand-written loop works on the
# transposes.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_moons
from sklearn.preprocessing import MinMaxScaler

from sklearn_shallow import ShallowNNClassifier
from sklearn_shallow.network import backward, forward, initialize, loss, update

X_rows, y = make_moons(n_samples=200, noise=0.15, random_state=0)
X_rows = MinMaxScaler().fit_transform(X_rows)

X = X_rows.T  # (n0, m)
Y = y.reshape(1, -1).astype(float)  # (n2, m)
n0, m = X.shape
n1, n2 = 5, 1
print(f"X: {X.shape}, Y: {Y.shape}")

# %%
# The loop by hand
# ----------------
# Initialise once, then repeat forward, loss, backward, update. ``alpha`` is the
# learning rate.
alpha, n_epochs, seed = 1.0, 3000, 0

params = initialize([n0, n1, n2], random_state=seed)
print({name: P.shape for name, P in params.items()})

losses = []
for _ in range(n_epochs):
    A2, cache = forward(X, params, activation="tanh", output="sigmoid")
    losses.append(loss(A2, Y, output="sigmoid"))
    grads = backward(X, Y, params, cache, activation="tanh", output="sigmoid")
    params = update(params, grads, alpha)

A2, _ = forward(X, params, activation="tanh", output="sigmoid")
accuracy_by_hand = np.mean((A2 > 0.5) == Y)
print(f"loss after {n_epochs} epochs: {losses[-1]:.6f}, accuracy: {accuracy_by_hand:.3f}")

# %%
# The estimator
# -------------
# The same network, the same learning rate, the same number of epochs and the
# same seed, on the inputs as given (``input_scaling=None``: by default the
# estimator would scale them itself). Samples are rows again: the estimator
# transposes them itself.
model = ShallowNNClassifier(
    n1=n1,
    activation="tanh",
    solver="gd",
    alpha=alpha,
    max_iter=n_epochs,
    tol=None,
    l2=0.0,
    input_scaling=None,
    random_state=seed,
)
model.fit(X_rows, y)
print(
    f"loss after {model.n_iter_} epochs: {model.loss_curve_[-1]:.6f}, "
    f"accuracy: {model.score(X_rows, y):.3f}"
)

# %%
# The same numbers
# ----------------
# The parameters, the loss of every epoch and the predicted probabilities agree.
# The estimator runs these equations through a private in-place form of the loop
# (no temporaries, the products handed to BLAS in another layout), so the sums
# are taken in another order and the last digit can differ. On the plateau of the
# first 2000 epochs the two runs stay within a few units of the last digit; while
# the network leaves the plateau, gradient descent amplifies those differences
# (the plateau is a saddle: a tiny offset grows along its way out) to a few
# millionths, after which they stop growing.
for name in params:
    difference = np.max(np.abs(params[name] - model.params_[name]))
    print(f"{name} {str(params[name].shape):8} largest difference: {difference:.1e}")

relative = np.abs(np.subtract(losses, model.loss_curve_)) / np.abs(losses)
proba_difference = np.max(np.abs(A2[0] - model.predict_proba(X_rows)[:, 1]))
print(f"loss curves, largest relative difference, epochs 1-2000: {relative[:2000].max():.1e}")
print(f"loss curves, largest relative difference, all epochs: {relative.max():.1e}")
print(f"P(y=1), largest difference: {proba_difference:.1e}")

np.testing.assert_allclose(model.loss_curve_[:2000], losses[:2000], rtol=1e-13)
np.testing.assert_allclose(model.loss_curve_, losses, rtol=1e-5)
for name in params:
    np.testing.assert_allclose(model.params_[name], params[name], rtol=1e-4, atol=1e-6)

# %%
# The two loss curves lie on top of each other. Both show the long plateau near
# 0.28: the network first finds an almost straight boundary, and only after many
# epochs does gradient descent bend it around the moons.
fig, ax = plt.subplots(figsize=(6, 3.5), layout="constrained")
ax.plot(np.arange(1, n_epochs + 1), losses, linewidth=4, alpha=0.4, label="by hand")
ax.plot(
    np.arange(1, len(model.loss_curve_) + 1), model.loss_curve_, "k--", label="ShallowNNClassifier"
)
ax.set(xlabel="epoch", ylabel="log loss", title="Full-batch gradient descent, two ways")
ax.legend()
plt.show()
