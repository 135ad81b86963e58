"""The Dense layer, exact to Keras 3: `y = activation(x @ kernel + bias)`, kernel (input_dim, units).

Forward keeps what backward needs (x, z, y); `backward(dy)` returns dx and fills `grads`, the gradients
of L = sum(dy * y) + sum(layer.losses) with respect to kernel and bias.
"""
import itertools
from collections import namedtuple
from numbers import Integral

import numpy as np

from . import activations, constraints, initializers, regularizers
from ._util import as_real_array
from .adapters import Adapters

DTYPES = ("float32", "float64")
Cache = namedtuple("Cache", "x z y")  # input (B, …, in), pre-activation (B, …, units), output (B, …, out)
_NAME_COUNTERS = {}


def auto_name(prefix):
    """Keras-style unique names: 'dense', 'dense_1', 'dense_2', … per prefix in this process."""
    i = next(_NAME_COUNTERS.setdefault(prefix, itertools.count()))
    return prefix if i == 0 else f"{prefix}_{i}"


def format_shape(shape):
    """Shape tuple as Keras prints it: (None, 25600)."""
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def check_dtype(dtype):
    """Normalise a dtype to 'float32' or 'float64', else a Keras-style ValueError."""
    try:
        name = np.dtype(dtype).name if isinstance(dtype, (str, type, np.dtype)) else None
    except TypeError:  # a string NumPy does not know ('foo')
        name = None
    if name not in DTYPES:
        raise ValueError(f"Invalid dtype: expected one of {DTYPES}. Received: dtype={dtype!r}")
    return name


def _per_sample(penalty, batch_size):
    """The activity penalty divided by the batch size; 0.0 for an empty batch (whose penalty is 0)."""
    return penalty / batch_size if batch_size else 0.0


class Dense(Adapters):
    """Densely connected layer: x (batch, …, input_dim) -> y (batch, …, units); kernel (input_dim, units).

    `lora_rank`/`lora_alpha`, `enable_lora` and `quantize("int8")` are Keras 3's LoRA and int8 (engine.adapters).
    """

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 lora_rank=None, lora_alpha=None, *, seed=None, dtype="float32", name=None):
        if isinstance(units, bool) or not isinstance(units, Integral) or units <= 0:
            raise ValueError(
                f"Received an invalid value for `units`, expected a positive integer. Received: units={units!r}")
        self.units = int(units)
        self.activation = activations.get(activation)
        self.activation.output_units(self.units)  # glu needs an even number of units
        if not isinstance(use_bias, (bool, np.bool_, Integral)):  # bool("no") is True: refuse, don't guess
            raise ValueError(f"Received an invalid value for `use_bias`, expected a boolean. Received: "
                             f"use_bias={use_bias!r:.80}")
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, Integral) or seed < 0):
            raise ValueError(f"Received an invalid value for `seed`, expected None or a non-negative integer. "
                             f"Received: seed={seed!r}")
        self.seed = seed
        self.dtype = check_dtype(dtype)
        if name is not None and (not isinstance(name, str) or "/" in name):
            raise ValueError("Argument `name` must be a string and cannot contain character `/`. "
                             f"Received: name={name!r} (of type {type(name)})")
        self.name = name or auto_name("dense")
        self.built = False
        self.kernel = self.bias = None
        self.cache = None  # Cache(x, z, y) of the last forward call
        self.grads = {}
        self.dz = None  # δ = dL/dz of the last backward call (B, …, units)
        self.activity_loss = None
        self._init_adapters(lora_rank, lora_alpha)

    # -- building -------------------------------------------------------------------------------
    def _check_input_shape(self, shape):
        """Validate an input shape (B, …, input_dim) as Keras' InputSpec does."""
        if isinstance(shape, (str, bytes)) or not hasattr(shape, "__iter__"):
            raise ValueError(f"Expected an input shape: a tuple such as (None, 4) (batch axis first). "
                             f"Received: input_shape={shape!r}")
        shape = tuple(shape)
        if len(shape) < 2:
            raise ValueError(f'Input 0 of layer "{self.name}" is incompatible with the layer: expected min_ndim=2, '
                             f"found ndim={len(shape)}. Full shape received: {format_shape(shape)}")
        if self.built and shape[-1] != self.kernel.shape[0]:
            raise ValueError(f'Input 0 of layer "{self.name}" is incompatible with the layer: expected axis -1 of '
                             f"input shape to have value {self.kernel.shape[0]}, but received input with shape "
                             f"{format_shape(shape)}")
        if shape[-1] is None or isinstance(shape[-1], bool) or not isinstance(shape[-1], Integral) or shape[-1] <= 0:
            raise ValueError("The last dimension of the inputs to a Dense layer should be a positive integer. "
                             f"Received: input_shape={format_shape(shape)}")
        return shape

    def build(self, input_shape):
        """Create kernel (input_dim, units) and bias (units,) from the initializers and `seed`."""
        shape = self._check_input_shape(input_shape)
        kernel_rng, bias_rng = np.random.default_rng(self.seed).spawn(2)
        self.kernel = self.kernel_initializer((int(shape[-1]), self.units), self.dtype, kernel_rng)
        self.bias = self.bias_initializer((self.units,), self.dtype, bias_rng) if self.use_bias else None
        self.built = True
        if self.lora_rank:
            self.enable_lora(self.lora_rank, self.lora_alpha)

    @property
    def input_dim(self):
        """Size of the last input axis (None until built)."""
        return self.kernel.shape[0] if self.built else None

    def compute_output_shape(self, input_shape):
        """(B, …, input_dim) -> (B, …, units) (units/2 for glu)."""
        shape = self._check_input_shape(input_shape)
        return shape[:-1] + (self.activation.output_units(self.units),)

    def count_params(self):
        """input_dim·units + units (no bias term without use_bias)."""
        if not self.built:
            raise ValueError(f"You tried to call `count_params` on layer '{self.name}', but the layer isn't built. "
                             "You can build it manually via: `layer.build(input_shape)`.")
        return sum(int(w.size) for w in self.weights)

    # -- weights ----------------------------------------------------------------------------------
    @property
    def weights(self):
        """[kernel, bias] or [kernel] (the live arrays, not copies), in Keras' order with LoRA/int8; [] until built."""
        return [getattr(self, name) for name in self.weight_names]

    def get_weights(self):
        """[kernel, bias] or [kernel] (copies)."""
        return [w.copy() for w in self.weights]

    def set_weights(self, weights):
        """Replace kernel (and bias) with arrays of the same shapes; builds an unbuilt layer from them."""
        if isinstance(weights, (str, bytes, np.ndarray)) or not hasattr(weights, "__iter__"):
            raise ValueError(f"Expected `weights` to be a list of arrays (kernel, bias) as `get_weights()` returns. "
                             f"Received: weights={weights!r:.80}")
        weights = [as_real_array(w, "weights") for w in weights]
        if self.lora_rank or self.quantization_mode:
            return self._set_adapted_weights(weights)
        if not self.built and not weights:  # Keras: an unbuilt layer has no weights, so [] sets nothing
            return
        if not self.built and weights[0].ndim == 2:  # take the shapes from the arrays: no draw
            self._check_input_shape((None, weights[0].shape[0]))
            self.kernel = np.empty((weights[0].shape[0], self.units), self.dtype)
            self.bias = np.empty((self.units,), self.dtype) if self.use_bias else None
            self.built = True
        current = self.weights
        if len(weights) != len(current):
            raise ValueError(f"You called `set_weights(weights)` on layer '{self.name}' with a weight list of length "
                             f"{len(weights)}, but the layer was expecting {len(current)} weights.")
        for have, new in zip(current, weights):
            if have.shape != new.shape:
                raise ValueError(f"Layer {self.name} weight shape {have.shape} is not compatible with provided "
                                 f"weight shape {new.shape}.")
        self.kernel = weights[0].astype(self.dtype)
        if self.use_bias:
            self.bias = weights[1].astype(self.dtype)

    def column_slice(self, columns, dtype=None):
        """A new built Dense of the same configuration keeping kernel[:, columns] (in, k) and bias[columns] (k,).

        `columns`: a slice or a list of unit indices (for glu, value and gate columns: a_j and b_j = a_j +
        units/2). The weights are copies in `dtype` (default: the layer's); nothing is drawn, nothing cached.
        """
        if not self.built:
            raise ValueError(f"You tried to call `column_slice` on layer '{self.name}', but the layer isn't built. "
                             "You can build it manually via: `layer.build(input_shape)`.")
        dtype = check_dtype(dtype or self.dtype)
        kernel = np.array(self.kernel[:, columns], dtype=dtype)
        part = Dense(kernel.shape[1], self.activation, self.use_bias, self.kernel_initializer, self.bias_initializer,
                     self.kernel_regularizer, self.bias_regularizer, self.activity_regularizer, self.kernel_constraint,
                     self.bias_constraint, seed=self.seed, dtype=dtype, name=f"{self.name}_slice")
        part.kernel = kernel
        part.bias = None if self.bias is None else np.array(self.bias[columns], dtype=dtype)
        part.built = True
        return part

    def apply_constraints(self):
        """Project kernel and bias with their constraints (what Keras does after each optimizer step)."""
        if self.kernel_constraint is not None and self.kernel_trainable:
            self.kernel = np.asarray(self.kernel_constraint(self.kernel), dtype=self.dtype)
        if self.bias_constraint is not None and self.bias is not None:
            self.bias = np.asarray(self.bias_constraint(self.bias), dtype=self.dtype)

    # -- forward / backward -------------------------------------------------------------------------
    def call(self, x):
        """The computation alone, nothing cached: x (batch, …, input_dim) -> Cache(x, z, y), z = x @ kernel + bias."""
        x = as_real_array(x, "inputs", self.dtype)
        self._check_input_shape(x.shape)
        if not self.built:
            self.build(x.shape)
        z = self._matmul(x)
        if self.bias is not None:
            z += self.bias
        return Cache(x, z, self.activation(z))

    def forward(self, x):
        """y = activation(x @ kernel + bias); x: (batch, …, input_dim) -> y: (batch, …, units)."""
        self.cache = self.call(x)
        x, z, y = self.cache
        if self.activity_regularizer is not None:
            self.activity_loss = _per_sample(self.activity_regularizer(y), y.shape[0])
        return y

    __call__ = forward

    def backward(self, dy):
        """dy = dL/dy (batch, …, out) -> dx (batch, …, input_dim); fills grads['kernel'], grads['bias'] and dz."""
        if self.cache is None:
            raise ValueError(f"Layer '{self.name}' has no forward pass to differentiate: call it on an input first.")
        x, z, y = self.cache
        dy = as_real_array(dy, "dy", self.dtype)
        if dy.shape != y.shape:
            raise ValueError(f"Expected `dy` with the shape of the layer's output {y.shape}. Received: dy.shape={dy.shape}")
        if self.activity_regularizer is not None:  # d(penalty(y)/batch)/dy
            dy = dy + self.activity_regularizer.gradient(y) / max(y.shape[0], 1)
        dz = self.dz = self.activation.backward(z, y, dy)
        dz2, x2 = dz.reshape(-1, self.units), x.reshape(-1, x.shape[-1])
        self.grads = {}
        if self.kernel_trainable:                         # frozen under LoRA, integer under int8
            dW = x2.T @ dz2                               # xᵀ·δ summed over every batch/leading position
            if self.kernel_regularizer is not None:
                dW += self.kernel_regularizer.gradient(self.kernel)
            self.grads["kernel"] = dW
        if self.bias is not None:
            db = dz2.sum(axis=0)                          # Σ δ over every batch/leading position
            if self.bias_regularizer is not None:
                db += self.bias_regularizer.gradient(self.bias)
            self.grads["bias"] = db
        if self.lora_enabled:
            self.grads.update(self._lora_grads(x2, dz2))  # A and B under LoRA
        return dz @ self.effective_kernel.T               # δ·Wᵀ (W + (α/r)·AB; dequantized if int8)

    # -- penalties and config ---------------------------------------------------------------------------
    @property
    def loss_terms(self):
        """{'activity': …, 'kernel': …, 'bias': …}: the penalties that are present, as floats."""
        terms = {}
        if self.activity_regularizer is not None and self.activity_loss is not None:
            terms["activity"] = float(self.activity_loss)
        if self.built and self.kernel_regularizer is not None and self.kernel_trainable:
            terms["kernel"] = float(self.kernel_regularizer(self.kernel))
        if self.built and self.bias_regularizer is not None and self.bias is not None:
            terms["bias"] = float(self.bias_regularizer(self.bias))
        terms.update(self._lora_loss_terms())
        return terms

    @property
    def losses(self):
        """Penalties in Keras' order: activity (of the last call), then kernel, bias (and LoRA's A, B)."""
        return list(self.loss_terms.values())

    def get_config(self):
        """Keras argument names with plain values."""
        return {
            "name": self.name, "trainable": True, "dtype": self.dtype_policy, "units": self.units,
            "activation": self.activation.name, "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
            **self._adapter_config(),
        }

    def __repr__(self):
        shape = f" kernel={self.kernel.shape}" if self.built else " (unbuilt)"
        return f"<Dense name={self.name!r} units={self.units} activation={self.activation.name}{shape}>"
