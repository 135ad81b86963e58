"""Sequential: the seed question's summary, shapes through a stack, backward through a stack."""
import numpy as np
import pytest

from dense_viz import Dense, Sequential
from dense_viz.engine.gradcheck import numerical_gradient, relative_error
from dense_viz.engine.sequential import readable_memory_size

SEED_SUMMARY = '''Model: "sequential"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ dense (Dense)                   │ (None, 25600)          │     2,560,000 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 2,560,000 (9.77 MB)
 Trainable params: 2,560,000 (9.77 MB)
 Non-trainable params: 0 (0.00 B)'''  # printed by Keras 3.15.1 (torch backend) for the same model


def test_seed_question_summary_matches_keras():
    model = Sequential([Dense(10 * 10 * 256, use_bias=False, name="dense")], input_shape=(100,), name="sequential")
    assert model.summary() == SEED_SUMMARY
    assert model.output_shapes == [(None, 25600)]


def test_two_layer_summary_matches_keras():
    model = Sequential([Dense(4, activation="relu", name="dense_1"), Dense(3, name="dense_2")],
                       input_shape=(5, 8), name="seq")
    text = model.summary()
    assert "│ dense_1 (Dense)                 │ (None, 5, 4)           │            36 │" in text
    assert "├─────────────────────────────────┼────────────────────────┼───────────────┤" in text
    assert "│ dense_2 (Dense)                 │ (None, 5, 3)           │            15 │" in text
    assert " Total params: 51 (204.00 B)" in text


def test_readable_memory_size():
    assert readable_memory_size(0) == "0.00 B"
    assert readable_memory_size(204) == "204.00 B"
    assert readable_memory_size(2048) == "2.00 KB"
    assert readable_memory_size(10_240_000) == "9.77 MB"


def test_stack_forward_backward_against_finite_differences():
    rng = np.random.default_rng(0)
    model = Sequential([Dense(5, activation="tanh", dtype="float64", seed=1, bias_initializer="random_normal"),
                        Dense(4, activation="sigmoid", dtype="float64", seed=2, kernel_regularizer="l2"),
                        Dense(2, dtype="float64", seed=3)])
    x = rng.normal(size=(3, 6))
    dy = rng.normal(size=(3, 2))

    def loss():
        return float(np.sum(dy * model(x)) + sum(model.losses))

    model(x)
    dx = model.backward(dy)
    assert relative_error(dx, numerical_gradient(loss, x)) < 1e-6
    for layer in model.layers:
        assert relative_error(layer.grads["kernel"], numerical_gradient(loss, layer.kernel)) < 1e-6
        assert relative_error(layer.grads["bias"], numerical_gradient(loss, layer.bias)) < 1e-6
    assert model.count_params() == 6 * 5 + 5 + 5 * 4 + 4 + 4 * 2 + 2


def test_lazy_build_and_errors():
    model = Sequential([Dense(3), Dense(2)])
    assert not model.built
    with pytest.raises(ValueError, match="has not been built"):
        model.summary()
    y = model(np.ones((4, 7)))
    assert y.shape == (4, 2) and model.input_shape == (None, 7)
    assert model.compute_output_shape((None, 2, 7)) == (None, 2, 2)
    built = Sequential([Dense(3), Dense(2)], input_shape=(4,))
    with pytest.raises(ValueError, match="expected axis -1 of input shape to have value 3"):
        built.layers[1].compute_output_shape((None, 5))
