"""The Shapes and Code tabs: live shapes, the parameter count explained, the summary table, and Keras /
PyTorch source that follows every control."""
import ast
import html

import pytest

from dense_viz.app.presets import apply_preset
from dense_viz.app.state import ExplainerState
from dense_viz.app.catalog import ACTIVATIONS
from dense_viz.app.views.code import CodeView, dense_arguments, keras_code, torch_code
from dense_viz.app.views.shapes import ShapesView, diagram_html, explanation_html, summary_text
from dense_viz.engine import activations, initializers

QUESTION_KERAS = '''\
import keras
from keras import layers

model = keras.Sequential([
    keras.Input((100,)),
    layers.Dense(25600, use_bias=False),
])
model.summary()  # Total params: 2,560,000 (9.77 MB)

x = keras.random.normal((8, 100))
y = model(x)  # (8, 25600)

# Random weights differ between libraries. To load this app's kernel
# (app = dense_viz.explain(...)): model.layers[0].set_weights(app.state.layer.get_weights())
'''

QUESTION_TORCH = '''\
import torch
import torch.nn.functional as F
from torch import nn

linear = nn.Linear(100, 25600, bias=False)  # weight: (25600, 100) = kernel.T, stored (out, in)
# PyTorch's default init differs: weight ~ U(±1/√in) = U(±0.1) (kaiming_uniform_, a=√5).
# Keras' init instead:
nn.init.xavier_uniform_(linear.weight)  # kernel_initializer="glorot_uniform": U(±0.01528)

x = torch.randn(8, 100)
y = linear(x)  # (8, 25600)

# Copy Keras weights (kernel (100, 25600)) into PyTorch: transpose the kernel.
(kernel,) = model.layers[0].get_weights()  # or app.state.layer.get_weights()
with torch.no_grad():
    linear.weight.copy_(torch.from_numpy(kernel.T))
'''


@pytest.fixture
def question():
    state = ExplainerState()
    apply_preset(state, "question")
    return state


def plain(markup):
    """Text content of an HTML string (tags removed, entities decoded)."""
    import re
    return html.unescape(re.sub(r"<[^>]+>", " ", markup))


# -- Code ----------------------------------------------------------------------------------------------------------
def test_the_question_in_keras_and_pytorch_exactly(question):
    assert keras_code(question) == QUESTION_KERAS
    assert torch_code(question) == QUESTION_TORCH


def test_only_non_default_keras_arguments_appear():
    state = ExplainerState()
    assert dense_arguments(state) == ["3", 'activation="relu"']
    state.update(activation="linear", use_bias=False, bias_initializer="ones")  # bias init is moot without bias
    assert dense_arguments(state) == ["3", "use_bias=False"]
    state.update(use_bias=True, kernel_initializer="he_normal")
    assert dense_arguments(state) == ["3", 'kernel_initializer="he_normal"', 'bias_initializer="ones"']


def test_n_d_input_in_both_languages():
    state = ExplainerState()
    apply_preset(state, "sequence")
    keras_src, torch_src = keras_code(state), torch_code(state)
    assert "    keras.Input((5, 8))," in keras_src and "x = keras.random.normal((32, 5, 8))" in keras_src
    assert "y = model(x)  # (32, 5, 4)" in keras_src
    assert "linear = nn.Linear(8, 4)  # weight: (4, 8) = kernel.T" in torch_src
    assert "x = torch.randn(32, 5, 8)" in torch_src and "y = torch.relu(z)  # (32, 5, 4)" in torch_src


def test_regularizers_and_constraints_in_both_languages():
    state = ExplainerState(kernel_regularizer="l1", kernel_regularizer_factor=0.5, bias_regularizer="l2",
                           activity_regularizer="l1l2", activity_regularizer_factor=0.001,
                           kernel_constraint="max_norm", bias_constraint="non_neg")
    keras_src, torch_src = keras_code(state), torch_code(state)
    assert "        kernel_regularizer=keras.regularizers.L1(0.5),\n" in keras_src  # one argument per line
    assert "        bias_regularizer=keras.regularizers.L2(0.01),\n" in keras_src
    assert "        activity_regularizer=keras.regularizers.L1L2(l1=0.001, l2=0.001),\n" in keras_src
    assert "        kernel_constraint=keras.constraints.MaxNorm(),\n" in keras_src
    assert "        bias_constraint=keras.constraints.NonNeg(),\n" in keras_src
    assert "penalty += 0.5 * linear.weight.abs().sum()" in torch_src
    assert "penalty += 0.01 * linear.bias.pow(2).sum()" in torch_src
    assert "penalty += (0.001 * y.abs().sum() + 0.001 * y.pow(2).sum()) / y.shape[0]" in torch_src
    assert "    n = linear.weight.norm(dim=1, keepdim=True)\n    linear.weight.mul_(n.clamp(max=2) / (n + 1e-7))" \
        in torch_src
    assert "    linear.bias.clamp_(min=0.0)" in torch_src


def test_every_activation_has_a_pytorch_form_and_all_code_parses():
    assert set(ACTIVATIONS) == set(activations.NAMES)
    for name in activations.NAMES:
        state = ExplainerState(activation=name, units=4)
        assert ast.parse(keras_code(state)) and ast.parse(torch_code(state))
        assert f'activation="{name}"' in keras_code(state) or name == "linear"
    state = ExplainerState(activation="leaky_relu")
    assert "negative_slope=0.2" in torch_code(state)


@pytest.mark.parametrize("name", initializers.NAMES)
def test_every_initializer_has_a_pytorch_line(name):
    state = ExplainerState(kernel_initializer=name, input_dim=6, units=5)
    code = torch_code(state)
    assert ast.parse(code) and f'kernel_initializer="{name}"' in code
    line = next(line for line in code.splitlines() if line.startswith("nn.init.") and "linear.weight" in line)
    assert "no PyTorch equivalent" not in line
    init = initializers.get(name)
    if isinstance(init, initializers.VarianceScaling) and init.distribution == "uniform":
        assert f"{init.limit((6, 5)):.4g}" in line


def test_code_follows_the_state(question):
    view = CodeView(question)
    view.refresh()
    assert "dv-code-view" in view._dom_classes
    assert "layers.Dense(25600, use_bias=False)" in plain(view._keras.value)
    assert "nn.Linear(100, 25600, bias=False)" in plain(view._torch.value)
    assert "<pre" in view._keras.value and "&quot;" not in view._keras.value  # escaped for text, not attributes
    question.update(units=10, activation="softmax", use_bias=True)
    view.refresh()
    assert 'layers.Dense(10, activation="softmax")' in plain(view._keras.value)
    assert "y = torch.softmax(z, dim=-1)  # (8, 10)" in plain(view._torch.value)
    assert plain(view._keras.value).count("keras.Input((100,))") == 1


# -- Shapes --------------------------------------------------------------------------------------------------------
def test_shapes_view_for_the_question(question):
    kernel = question.layer.kernel
    view = ShapesView(question)
    view.refresh()
    assert "dv-shapes-view" in view._dom_classes
    diagram = plain(view._diagram.value)
    for text in ("x", "(8, 100)", "(B, in)", "W", "(100, 25600)", "(in, units)", "no bias", "use_bias=False",
                 "(8, 25600)", "(B, units)", "linear", "pre-activation", "output"):
        assert text in diagram, text
    explain = plain(view._explain.value)
    assert "100 × 25,600 = 2,560,000 weights" in explain and "use_bias=False adds no bias" in explain
    assert "2,560,000 parameters (9.77 MB as float32)" in explain
    assert "Keras writes it as None" in explain
    summary = plain(view._summary.value)
    assert "dense (Dense)" in summary and "(None, 25600)" in summary and "2,560,000" in summary
    assert "Total params: 2,560,000 (9.77 MB)" in summary and 'Model: "sequential"' in summary
    assert question.layer.kernel is kernel  # the summary did not rebuild the weights


def test_shapes_view_follows_n_d_input_bias_and_glu():
    state = ExplainerState()
    apply_preset(state, "sequence")
    view = ShapesView(state)
    view.refresh()
    diagram = plain(view._diagram.value)
    assert "(32, 5, 8)" in diagram and "(B, …, in)" in diagram and "(4,)" in diagram and "(32, 5, 4)" in diagram
    explain = plain(view._explain.value)
    assert "8 × 4 = 32 weights, plus 4 biases (one per unit), so 36 parameters" in explain
    assert "every one of the 5 positions" in explain
    state.update(activation="glu", units=6)
    view.refresh()
    diagram = plain(view._diagram.value)
    assert "(32, 5, 6)" in diagram and "(32, 5, 3)" in diagram and "(B, …, units/2)" in diagram
    assert "so y has 3" in plain(view._explain.value)
    assert "(None, 5, 3)" in summary_text(state)


def test_shapes_html_is_escaped_and_self_contained():
    state = ExplainerState()
    assert "<script" not in diagram_html(state) and "style=" in diagram_html(state)
    assert explanation_html(state).startswith("<div class='dv-shapes-explain'")
