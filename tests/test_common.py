"""scikit-learn's estimator checks, with no expected failures, for several configurations."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_shallow import (
    ShallowNNClassifier,
    ShallowNNClassifierCV,
    ShallowNNRegressor,
    ShallowNNRegressorCV,
)

CONFIGURATIONS = [
    ShallowNNClassifier(),
    ShallowNNClassifier(activation="tanh", n1=20),
    ShallowNNClassifier(activation="sigmoid", n1=20, alpha=0.01),
    ShallowNNClassifier(solver="gd", n1=20, alpha=0.5),
    ShallowNNClassifier(solver="sgd", n1=20, alpha=0.05),
    # L2 keeps the sigmoid outputs of this full-batch solver off exactly 0 and 1
    # (the multilabel predict_proba check wants 0 < p < 1) and makes the relu loss
    # curved enough that the weighted and the repeated fits of the sample-weight
    # check stop at the same optimum rather than at rounding-dependent points.
    ShallowNNClassifier(solver="lbfgs", n1=20, l2=1.0),
    ShallowNNRegressor(),
    # check_regressors_train sets alpha=0.01 (MLP's alpha is a penalty; ours, the
    # learning rate): full-batch descent at that rate needs more epochs on [0, 1]
    # inputs than the default 300.
    ShallowNNRegressor(solver="gd", n1=20, alpha=0.1, max_iter=2000),
    # As for the classifier: on the sample-weight check's 15 x 30 data, l2=4.0 (the
    # default is 0.2) curves the loss enough for the weighted and the repeated fits
    # to reach the same optimum (1e-10 apart; 0.03 with l2=1.0, 0.009 with 0.2).
    ShallowNNRegressor(solver="lbfgs", n1=20, l2=4.0),
    ShallowNNRegressor(loss="poisson"),
    # The searches, on small grids and few epochs (each check fits them several times).
    ShallowNNClassifierCV(param_grid={"n1": [5, 10], "alpha": [0.01, 0.03]}, cv=3, max_iter=50),
    ShallowNNClassifierCV(param_grid={"n1": [5, 10]}, cv=3, search="grid", max_iter=50),
    ShallowNNRegressorCV(param_grid={"l2": [0.2, 1.0]}, cv=3, max_iter=50),
]


@parametrize_with_checks(CONFIGURATIONS)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
