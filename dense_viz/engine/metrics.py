"""Keras 3 accuracy metrics: the fraction of samples whose prediction is the target's class.

`binary_accuracy(y_true, y_pred, threshold=0.5)` (keras.metrics.binary_accuracy: y_pred > threshold counts as
class 1) and `sparse_categorical_accuracy(y_true, y_pred)` (the argmax of the last axis against integer
labels). Both return the mean over every sample as a float; an empty batch gives nan.
"""
import numpy as np


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """Mean of (y_pred > threshold) == y_true; y_true (n,) or (n, 1) of 0/1, y_pred the same shape."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.size == 0:
        return float("nan")
    predicted = (y_pred > threshold).reshape(y_true.shape)
    return float(np.mean(predicted == (y_true > 0.5)))


def sparse_categorical_accuracy(y_true, y_pred):
    """Mean of argmax(y_pred, -1) == y_true; y_true (n,) or (n, 1) integer labels, y_pred (n, classes)."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.size == 0:
        return float("nan")
    return float(np.mean(np.argmax(y_pred, axis=-1) == y_true.reshape(-1).astype(np.int64)))


REGISTRY = {"binary_accuracy": binary_accuracy, "sparse_categorical_accuracy": sparse_categorical_accuracy}
NAMES = tuple(REGISTRY)


def get(identifier):
    """A metric function by its Keras name (or the function itself)."""
    if callable(identifier):
        return identifier
    if identifier not in REGISTRY:
        raise ValueError(f"Could not interpret metric identifier: {identifier!r}. Expected one of {NAMES}")
    return REGISTRY[identifier]
