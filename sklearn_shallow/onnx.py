"""Export to ONNX: converters for ``ShallowNNClassifier`` and ``ShallowNNRegressor``.

Importing this module registers the converters with skl2onnx (when it is
installed), so that ``skl2onnx.to_onnx`` converts either estimator, alone or
inside a ``Pipeline``. The ONNX graph is the forward propagation of the course, with
samples as rows (``Z1 = X · W1ᵀ + b1ᵀ``), after the model's scaling of its inputs
(``input_scaling``)::

    [Sub -> Div ->] MatMul -> Add -> g -> MatMul -> Add
           -> Softmax (multiclass) | Sigmoid (binary, multilabel)

where ``g`` is the ONNX operator that the activation's entry in
:data:`sklearn_shallow._activations.ACTIVATIONS` names (``Relu``, ``LeakyRelu``,
``Tanh``, ``Sigmoid``, ``Identity``).

Outputs are ``label`` (the class of :meth:`~ShallowNNClassifier.predict`, via
``ArgMax`` and the class labels; ``proba > 0.5`` per label for multilabel targets)
and ``probabilities`` (two columns for binary targets, as ``predict_proba``).
The options ``{"zipmap": False}`` (a plain probability matrix), ``True`` (the
default of skl2onnx, a list of dicts) and ``"columns"`` are supported.

The regressor's graph ends with its output activation (``Identity`` or ``Exp``)
and undoes the scaling of ``y`` (``A2 · y_scale_ + y_offset_``); its one output
is ``variable`` of shape ``[N, n_outputs_]``, as skl2onnx's regressors have.

skl2onnx, onnx and onnxruntime are optional: ``pip install "sklearn-shallow[onnx]"``.
"""

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._activations import ACTIVATIONS
from ._classifier import ShallowNNClassifier
from ._regressor import ShallowNNRegressor

__all__ = ["register_onnx_converter"]

ALIAS = "SklearnShallowNNClassifier"
REGRESSOR_ALIAS = "SklearnShallowNNRegressor"


def _skl2onnx():
    try:
        import skl2onnx
    except ImportError as error:
        raise ImportError(
            "sklearn_shallow.onnx needs skl2onnx, onnx and onnxruntime, which are not "
            'installed; install them with pip install "sklearn-shallow[onnx]"'
        ) from error
    return skl2onnx


def register_onnx_converter():
    """Register the ONNX converters of the classifier and the regressor.

    Importing :mod:`sklearn_shallow.onnx` already calls this when skl2onnx is
    installed; calling it again does no harm.

    Raises
    ------
    ImportError
        When skl2onnx is not installed.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import MinMaxScaler
    >>> from sklearn_shallow import ShallowNNClassifier
    >>> from sklearn_shallow.onnx import register_onnx_converter
    >>> X, y = load_iris(return_X_y=True)
    >>> X = X.astype(np.float32)
    >>> clf = ShallowNNClassifier(n1=5, solver="lbfgs", random_state=0)
    >>> model = make_pipeline(MinMaxScaler(), clf).fit(X, y)
    >>> register_onnx_converter()
    >>> from onnxruntime import InferenceSession
    >>> from skl2onnx import to_onnx
    >>> onx = to_onnx(model, X[:1], options={"zipmap": False})
    >>> session = InferenceSession(onx.SerializeToString())
    >>> labels, proba = session.run(None, {"X": X})
    >>> bool(np.abs(proba - model.predict_proba(X)).max() < 1e-5)
    True
    """
    skl2onnx = _skl2onnx()
    skl2onnx.update_registered_converter(
        ShallowNNClassifier,
        ALIAS,
        _shape_calculator,
        _converter,
        options={
            "zipmap": [True, False, "columns"],
            "nocl": [False, True],
            "output_class_labels": [False, True],
        },
    )
    skl2onnx.update_registered_converter(
        ShallowNNRegressor, REGRESSOR_ALIAS, _regressor_shape_calculator, _regressor_converter
    )


# ------------------------------------------------------------------ shapes


def _label_proto_type(classes):
    """``INT64`` for numeric labels (scikit-learn only accepts whole floats), else ``STRING``."""
    from onnx import TensorProto

    return TensorProto.INT64 if classes.dtype.kind in "biuf" else TensorProto.STRING


def _shape_calculator(operator):
    """Declare the outputs: ``label`` of shape ``[N]`` (``[N, n_labels]``) and ``[N, C]`` proba."""
    from onnx import TensorProto
    from skl2onnx.common.data_types import (
        DoubleTensorType,
        FloatTensorType,
        Int64TensorType,
        StringTensorType,
    )
    from skl2onnx.common.utils import check_input_and_output_numbers

    check_input_and_output_numbers(operator, input_count_range=1, output_count_range=2)
    model = operator.raw_operator
    check_is_fitted(model)
    N = operator.inputs[0].get_first_dimension()
    multilabel = model._multilabel
    label_shape = [N, len(model.classes_)] if multilabel else [N]
    nocl = operator.scope_inst.get_options(model, {"nocl": False})["nocl"]
    if not nocl and _label_proto_type(model.classes_) == TensorProto.STRING:
        operator.outputs[0].type = StringTensorType(label_shape)
    else:
        operator.outputs[0].type = Int64TensorType(label_shape)
    proba_type = (
        DoubleTensorType
        if isinstance(operator.inputs[0].type, DoubleTensorType)
        else FloatTensorType
    )
    operator.outputs[1].type = proba_type([N, len(model.classes_)])


def _tensor_type(operator):
    from skl2onnx.common.data_types import DoubleTensorType, FloatTensorType

    double = isinstance(operator.inputs[0].type, DoubleTensorType)
    return DoubleTensorType if double else FloatTensorType


def _regressor_shape_calculator(operator):
    """Declare the output: ``variable`` of shape ``[N, n_outputs_]``."""
    from skl2onnx.common.utils import check_input_and_output_numbers

    check_input_and_output_numbers(operator, input_count_range=1, output_count_range=1)
    model = operator.raw_operator
    check_is_fitted(model)
    N = operator.inputs[0].get_first_dimension()
    operator.outputs[0].type = _tensor_type(operator)([N, model.n_outputs_])


# --------------------------------------------------------------- the graph


def _converter(scope, operator, container):
    from onnx import TensorProto
    from skl2onnx.common.data_types import DoubleTensorType

    model = operator.raw_operator
    double = isinstance(operator.inputs[0].type, DoubleTensorType)
    proto_dtype = TensorProto.DOUBLE if double else TensorProto.FLOAT
    graph = _Graph(scope, container, proto_dtype, np.float64 if double else np.float32)

    X = graph.node("Cast", [operator.inputs[0].full_name], to=proto_dtype)
    Z2 = _forward(graph, X, model)
    proba, label = operator.outputs[1].full_name, operator.outputs[0].full_name
    _output_layer(graph, Z2, model, proba)
    nocl = container.get_options(model, {"nocl": False})["nocl"]
    _labels(graph, proba, model, label, nocl)


def _regressor_converter(scope, operator, container):
    from onnx import TensorProto
    from skl2onnx.common.data_types import DoubleTensorType

    model = operator.raw_operator
    double = isinstance(operator.inputs[0].type, DoubleTensorType)
    proto_dtype = TensorProto.DOUBLE if double else TensorProto.FLOAT
    graph = _Graph(scope, container, proto_dtype, np.float64 if double else np.float32)

    X = graph.node("Cast", [operator.inputs[0].full_name], to=proto_dtype)
    Z2 = _forward(graph, X, model)
    A2 = graph.node("Exp" if model.out_activation_ == "exp" else "Identity", [Z2])
    scale = graph.constant(np.asarray(model.y_scale_).reshape(1, -1))
    offset = graph.constant(np.asarray(model.y_offset_).reshape(1, -1))
    graph.node("Add", [graph.node("Mul", [A2, scale]), offset], operator.outputs[0].full_name)


class _Graph:
    """A small helper that names the variables and adds nodes and initializers."""

    def __init__(self, scope, container, proto_dtype, dtype):
        self.scope, self.container = scope, container
        self.proto_dtype, self.dtype = proto_dtype, dtype

    def constant(self, values, proto_dtype=None):
        from onnx import TensorProto

        values = np.asarray(values)
        proto_dtype = self.proto_dtype if proto_dtype is None else proto_dtype
        if proto_dtype == TensorProto.STRING:
            content = [str(v).encode("utf-8") for v in values.ravel()]
        elif proto_dtype == TensorProto.INT64:
            content = values.astype(np.int64).ravel()
        else:
            content = values.astype(self.dtype).ravel()
        name = self.scope.get_unique_variable_name("const")
        self.container.add_initializer(name, proto_dtype, list(values.shape), content)
        return name

    def node(self, op_type, inputs, output=None, **attributes):
        output = output or self.scope.get_unique_variable_name(op_type.lower())
        name = self.scope.get_unique_operator_name(op_type)
        self.container.add_node(op_type, inputs, output, name=name, **attributes)
        return output


def _forward(graph, X, model):
    """``Z2`` for rows of ``X``: the course's ``W · X + b`` transposed, ``X · Wᵀ + bᵀ``.

    The inputs are first scaled as the model scales them (``input_scaling``):
    ``(X - X_offset_) / X_scale_``.
    """
    if getattr(model, "X_offset_", None) is not None:
        offset, scale = (
            graph.constant(np.asarray(a).reshape(1, -1)) for a in (model.X_offset_, model.X_scale_)
        )
        X = graph.node("Div", [graph.node("Sub", [X, offset]), scale])
    params = model.params_
    W1, b1, W2, b2 = (graph.constant(params[name].T) for name in ("W1", "b1", "W2", "b2"))
    Z1 = graph.node("Add", [graph.node("MatMul", [X, W1]), b1])
    op_type, attributes = ACTIVATIONS[model._fitted_hidden_activation()].onnx
    A1 = graph.node(op_type, [Z1], **attributes)
    return graph.node("Add", [graph.node("MatMul", [A1, W2]), b2])


def _output_layer(graph, Z2, model, proba):
    if model.out_activation_ == "softmax":
        graph.node("Softmax", [Z2], proba, axis=1)
    elif model._multilabel:
        graph.node("Sigmoid", [Z2], proba)
    else:
        # One sigmoid unit: P(classes_[1]) = σ(z) and P(classes_[0]) = σ(-z), as predict_proba.
        negative = graph.node("Sigmoid", [graph.node("Neg", [Z2])])
        graph.node("Concat", [negative, graph.node("Sigmoid", [Z2])], proba, axis=1)


def _labels(graph, proba, model, label, nocl):
    """``predict``: the arg-max class (its index with ``nocl``), or ``proba > 0.5`` per label."""
    from onnx import TensorProto

    if model._multilabel:
        above = graph.node("Greater", [proba, graph.constant(np.array([0.5]))])
        graph.node("Cast", [above], label, to=TensorProto.INT64)
        return
    if nocl:
        graph.node("ArgMax", [proba], label, axis=1, keepdims=0)
        return
    index = graph.node("ArgMax", [proba], axis=1, keepdims=0)
    classes = graph.constant(model.classes_, _label_proto_type(model.classes_))
    graph.node("Gather", [classes, index], label, axis=0)


def _register_if_available():
    try:
        register_onnx_converter()
    except ImportError:
        pass  # register_onnx_converter() says what to install when it is called


_register_if_available()
