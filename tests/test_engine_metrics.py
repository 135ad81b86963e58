"""engine.metrics against Keras 3's definitions, and Sequential.evaluate with metrics."""
import math

import numpy as np
import pytest

from dense_viz.engine import Dense, Sequential, metrics


def test_binary_accuracy_thresholds_at_one_half():
    y_true = np.array([[0], [1], [1], [0]])
    y_pred = np.array([[0.2], [0.7], [0.5], [0.51]])  # 0.5 is not > 0.5: class 0 (Keras: greater)
    assert metrics.binary_accuracy(y_true, y_pred) == 0.5
    assert metrics.binary_accuracy(y_true, y_pred, threshold=0.1) == 0.5
    assert math.isnan(metrics.binary_accuracy(np.empty((0, 1)), np.empty((0, 1))))


def test_sparse_categorical_accuracy_takes_the_argmax():
    y_pred = np.array([[0.1, 0.8, 0.1], [0.6, 0.3, 0.1], [0.2, 0.2, 0.6]])
    assert metrics.sparse_categorical_accuracy(np.array([1, 0, 0]), y_pred) == pytest.approx(2 / 3)
    assert metrics.sparse_categorical_accuracy(np.array([[1], [0], [2]]), y_pred) == 1.0


def test_evaluate_with_metrics_gives_the_loss_and_each_metric_from_one_prediction():
    model = Sequential([Dense(4, activation="tanh", seed=1), Dense(1, activation="sigmoid", seed=2)],
                       input_shape=(2,))
    x = np.random.default_rng(0).normal(size=(20, 2))
    y = (x[:, :1] > 0).astype(float)
    loss, accuracy = model.evaluate(x, y, "binary_crossentropy", metrics=["binary_accuracy"])
    assert loss == model.evaluate(x, y, "binary_crossentropy")
    assert accuracy == metrics.binary_accuracy(y, model.predict(x))
    with pytest.raises(ValueError, match="Could not interpret metric identifier: 'f1'"):
        metrics.get("f1")
