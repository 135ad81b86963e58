"""Keras 3 losses: the value and its exact gradient with respect to y_pred.

Each loss turns (y_true, y_pred) into one loss per sample (reducing the last axis), then
applies Keras' default reduction "sum_over_batch_size": L = sum(per-sample losses) / their count.
`gradient` returns dL/dy_pred, what autodiff gives through Keras' normalisation and clipping
(the clip passes the gradient on [eps, 1 - eps] inclusive and blocks it strictly outside,
as tf.clip_by_value and torch.clamp do). Formulas follow keras/src/losses/losses.py and
keras/src/backend/numpy/nn.py. Arithmetic runs in y_pred's float dtype (float64 for ints).
"""
import numpy as np

from ._util import Configurable, as_real_array, resolve

EPSILON = 1e-7  # keras.backend.epsilon()


def _float_pred(y_pred):
    """y_pred as an array in its own float dtype (float64 when it is not floating)."""
    y_pred = as_real_array(y_pred, "y_pred")
    return y_pred if np.issubdtype(y_pred.dtype, np.floating) else y_pred.astype(np.float64)


def _match_rank(y_true, y_pred):
    """Keras' squeeze_or_expand_to_same_rank: fix a rank difference of one caused by a trailing 1."""
    if y_true.ndim == y_pred.ndim + 1 and y_true.shape[-1] == 1:
        if y_pred.ndim == 1:
            return y_true, y_pred[:, None]
        return y_true[..., 0], y_pred
    if y_pred.ndim == y_true.ndim + 1 and y_pred.shape[-1] == 1:
        if y_true.ndim == 1:
            return y_true[:, None], y_pred
        return y_true, y_pred[..., 0]
    return y_true, y_pred


def _check_same_shape(y_true, y_pred):
    """Raise Keras' shape error unless y_true and y_pred have the same shape."""
    if y_true.shape != y_pred.shape:
        raise ValueError(
            "Arguments `target` and `output` must have the same shape. "
            f"Received: target.shape={y_true.shape}, output.shape={y_pred.shape}"
        )


def _clip(p):
    """np.clip(p, eps, 1 - eps), the bounds cast to p's dtype like Keras."""
    return np.clip(p, EPSILON, 1.0 - EPSILON)


def _clip_passes(p):
    """1 where the clip passes the gradient (p inside [eps, 1 - eps]), else 0; p's shape and dtype."""
    low, high = p.dtype.type(EPSILON), p.dtype.type(1.0 - EPSILON)
    return ((p >= low) & (p <= high)).astype(p.dtype)


class Loss(Configurable):
    """Base: `loss(y_true, y_pred) -> float`; `gradient(...)` -> dL/dy_pred, shaped like y_pred."""

    name = "loss"
    needs_rank_1 = False  # the crossentropies over classes refuse scalars, as Keras' backends do

    def _prepare(self, y_true, y_pred):
        """Validated (targets, predictions) in the form the formulas below expect."""
        y_pred = _float_pred(y_pred)
        y_true, y_pred = _match_rank(as_real_array(y_true, "y_true", y_pred.dtype), y_pred)
        _check_same_shape(y_true, y_pred)
        if y_pred.ndim == 0:
            if self.needs_rank_1:
                raise ValueError("Arguments `target` and `output` must be at least rank 1. "
                                 f"Received: target.shape={y_true.shape}, output.shape={y_pred.shape}")
            y_true, y_pred = y_true[None], y_pred[None]  # Keras' mean over axis -1 of a scalar is the scalar
        return y_true, y_pred

    def _losses(self, t, p):
        """Per-sample losses, shape p.shape[:-1]."""
        raise NotImplementedError

    def _losses_gradient(self, t, p):
        """d(sum of per-sample losses)/dp, shape p.shape."""
        raise NotImplementedError

    def per_sample(self, y_true, y_pred):
        """Per-sample losses before reduction: (batch, k) inputs -> (batch,)."""
        return self._losses(*self._prepare(y_true, y_pred))

    def __call__(self, y_true, y_pred):
        """Reduced loss (sum over batch size) as a Python float."""
        losses = self.per_sample(y_true, y_pred)
        return float(np.sum(losses) / losses.size) if losses.size else 0.0  # Keras' divide_no_nan: 0 for none

    def gradient(self, y_true, y_pred):
        """dL/dy_pred of the reduced loss; same shape as y_pred."""
        t, p = self._prepare(y_true, y_pred)
        n_losses = max(1, int(np.prod(p.shape[:-1])))  # the per-sample losses the reduction divides by
        return (self._losses_gradient(t, p) / n_losses).reshape(np.shape(y_pred))

    def get_config(self):
        """Keras' Loss config: name and reduction."""
        return {"name": self.name, "reduction": "sum_over_batch_size"}


class MeanSquaredError(Loss):
    """mean((y_true - y_pred)², axis=-1) per sample; y_true, y_pred (batch, k)."""

    name = "mean_squared_error"

    def _losses(self, t, p):
        return np.mean(np.square(t - p), axis=-1)

    def _losses_gradient(self, t, p):
        return 2 * (p - t) / p.shape[-1]


class BinaryCrossentropy(Loss):
    """mean(-(y·log q + (1-y)·log(1-q)), axis=-1), q = clip(p, eps, 1-eps); y_true, y_pred (batch, k)."""

    name = "binary_crossentropy"

    def _losses(self, t, p):
        q = _clip(p)
        return np.mean(-(t * np.log(q) + (1.0 - t) * np.log(1.0 - q)), axis=-1)

    def _losses_gradient(self, t, p):
        q = _clip(p)
        return (-t / q + (1.0 - t) / (1.0 - q)) * _clip_passes(p) / p.shape[-1]


class CategoricalCrossentropy(Loss):
    """-Σ y·log q over the last axis, q = clip(p / Σp, eps, 1-eps); one-hot y_true, y_pred (batch, k)."""

    name = "categorical_crossentropy"
    needs_rank_1 = True

    def _losses(self, t, p):
        q = _clip(p / np.sum(p, axis=-1, keepdims=True))
        return -np.sum(t * np.log(q), axis=-1)

    def _losses_gradient(self, t, p):
        total = np.sum(p, axis=-1, keepdims=True)
        r = p / total
        g_r = -t / _clip(r) * _clip_passes(r)  # through log and clip
        return (g_r - np.sum(g_r * r, axis=-1, keepdims=True)) / total  # through r = p / Σp


class SparseCategoricalCrossentropy(CategoricalCrossentropy):
    """Categorical crossentropy with integer labels y_true (batch,) or (batch, 1); y_pred (batch, k)."""

    name = "sparse_categorical_crossentropy"

    def _prepare(self, y_true, y_pred):
        y_pred = _float_pred(y_pred)
        if y_pred.ndim < 1:
            raise ValueError(f"Argument `output` must be at least rank 1. Received: output.shape={y_pred.shape}")
        labels, y_pred = _match_rank(as_real_array(y_true, "y_true"), y_pred)
        if y_pred.ndim < 1:  # a (1,) output squeezed to match a scalar label
            raise ValueError(f"Argument `output` must be at least rank 1. Received: output.shape={y_pred.shape}")
        if labels.ndim == y_pred.ndim and labels.shape[-1] == 1:
            labels = labels[..., 0]
        if labels.shape != y_pred.shape[:-1]:
            raise ValueError(
                "Arguments `target` and `output` must have the same shape up until the last "
                f"dimension: target.shape={labels.shape}, output.shape={y_pred.shape}"
            )
        return _one_hot(labels, y_pred.shape[-1], y_pred.dtype), y_pred


def _one_hot(labels, n_classes, dtype):
    """(batch, …) integer class indices -> (batch, …, n_classes) one-hot rows in dtype (no n_classes² identity)."""
    as_float = labels.astype(np.float64)
    valid = (as_float == np.round(as_float)) & (as_float >= 0) & (as_float < n_classes)
    if not np.all(valid):
        raise ValueError(
            f"Received an invalid value for `y_true`, expected integer class indices in [0, {n_classes}). "
            f"Received: y_true={as_float[~valid][:5].tolist()!r} (the first invalid ones)"
        )
    return one_hot(labels.astype(np.int64), n_classes, dtype)


def one_hot(indices, n_classes, dtype):
    """Integer indices (...) -> one-hot rows (..., n_classes) in dtype: ones put into zeros by index."""
    out = np.zeros((*np.shape(indices), n_classes), dtype=dtype)
    np.put_along_axis(out, np.asarray(indices)[..., None], 1, axis=-1)
    return out


_CLASSES = (MeanSquaredError, BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy)
REGISTRY = {cls.name: cls for cls in _CLASSES}
NAMES = tuple(REGISTRY)
_LOOKUP = {
    **REGISTRY,
    **{cls.__name__: cls for cls in _CLASSES},
    "mse": MeanSquaredError,
    "MSE": MeanSquaredError,
    "bce": BinaryCrossentropy,
    "BCE": BinaryCrossentropy,
}


def get(identifier):
    """Resolve a name ('mse', 'binary_crossentropy', 'CategoricalCrossentropy', …) or a Loss instance."""
    return resolve(identifier, _LOOKUP, "loss", "loss", Loss)
