"""LoRA and int8 on Dense, with Keras 3's rules (keras/src/layers/core/dense.py, Keras 3.15).

LoRA: the kernel W (in, units) is frozen and the layer learns A (in, r) and B (r, units) instead; the matmul
uses `W + (alpha / r) · A @ B`. A starts he_uniform, B zeros (so the layer starts as it was); `lora_alpha`
defaults to r; A and B carry the kernel's regularizer, W's penalty is dropped (Keras penalises trainable
weights only); a kernel constraint is refused.

int8: `quantize("int8")` replaces the float kernel by an int8 one and one scale per output unit (see
engine.quantize); each call quantizes its inputs per row. The int8 kernel is not trainable; the gradient
Keras gives the inputs uses the dequantized kernel, which `backward` does too. LoRA and int8 combine, as
in Keras: the low-rank term is added in float after the integer product.

Weight order is Keras': a float layer has [kernel, bias, lora_kernel_a, lora_kernel_b]; a quantized one
[bias, lora_kernel_a, lora_kernel_b, kernel, kernel_scale] (Keras lists trainable variables first, and the
int8 kernel is created non-trainable). Missing ones are left out.
"""
from numbers import Integral, Real

import numpy as np

from . import initializers, quantize as q

_FLOAT_ORDER = ("kernel", "bias", "lora_kernel_a", "lora_kernel_b")
_QUANTIZED_ORDER = ("bias", "lora_kernel_a", "lora_kernel_b", "kernel", "kernel_scale")
_LORA_NAMES = ("lora_kernel_a", "lora_kernel_b")


def check_lora_rank(rank, argname="lora_rank", allow_none=True):
    """None (when allowed) or a positive integer, else a Keras-style ValueError."""
    if rank is None and allow_none:
        return None
    if isinstance(rank, bool) or not isinstance(rank, Integral) or rank <= 0:
        expected = "None or a positive integer" if allow_none else "a positive integer"
        raise ValueError(f"Received an invalid value for `{argname}`, expected {expected}. Received: {argname}={rank!r}")
    return int(rank)


def check_lora_alpha(alpha):
    """None or a positive finite number, else a Keras-style ValueError."""
    if alpha is None:
        return None
    if isinstance(alpha, bool) or not isinstance(alpha, Real) or not np.isfinite(alpha) or alpha <= 0:
        raise ValueError("Received an invalid value for `lora_alpha`, expected None or a positive number. "
                         f"Received: lora_alpha={alpha!r}")
    return alpha


class Adapters:
    """Mixin of Dense: LoRA (`enable_lora`, `lora_rank=`) and int8 (`quantize("int8")`)."""

    def _init_adapters(self, lora_rank, lora_alpha):
        """Validate the constructor's LoRA arguments; nothing is created until build."""
        self.lora_rank = check_lora_rank(lora_rank)
        alpha = check_lora_alpha(lora_alpha)
        self.lora_alpha = alpha if alpha is not None else self.lora_rank
        if self.lora_rank and self.kernel_constraint is not None:
            raise ValueError(_CONSTRAINT_MESSAGE)
        self.lora_enabled = False
        self.lora_kernel_a = self.lora_kernel_b = None
        self.quantization_mode = None
        self.kernel_scale = None

    # -- LoRA ----------------------------------------------------------------------------------------------
    def enable_lora(self, rank, lora_alpha=None, a_initializer="he_uniform", b_initializer="zeros", *, rng=None):
        """Freeze the kernel; add A (in, rank) and B (rank, units); the matmul uses W + (alpha/rank)·A@B.

        `rng`: a np.random.Generator for A (default: drawn from the layer's `seed`, after kernel and bias).
        """
        rank, alpha = check_lora_rank(rank, "rank", allow_none=False), check_lora_alpha(lora_alpha)
        if self.kernel_constraint is not None:
            raise ValueError(_CONSTRAINT_MESSAGE)
        if not self.built:
            raise ValueError("Cannot enable lora on a layer that isn't yet built.")
        if self.lora_enabled:
            raise ValueError("lora is already enabled. This can only be done once per layer.")
        rng = rng if rng is not None else np.random.default_rng(self.seed).spawn(3)[2]
        input_dim = self.kernel.shape[0]
        self.lora_kernel_a = initializers.get(a_initializer)((input_dim, rank), self.dtype, rng)
        self.lora_kernel_b = initializers.get(b_initializer)((rank, self.units), self.dtype, rng)
        self.lora_enabled, self.lora_rank = True, rank
        self.lora_alpha = alpha if alpha is not None else rank

    @property
    def lora_scale(self):
        """alpha / rank, the factor on A @ B (None without LoRA)."""
        return self.lora_alpha / self.lora_rank if self.lora_enabled else None

    # -- int8 -----------------------------------------------------------------------------------------------
    def quantize(self, mode):
        """Replace the float kernel by int8 `kernel` (in, units) and `kernel_scale` (units,), as Keras does."""
        if not self.built:
            raise ValueError(f"Cannot quantize a layer that isn't yet built. Layer '{self.name}' (of type "
                             f"'{type(self).__name__}') is not built yet.")
        if self.quantization_mode is not None:
            raise ValueError(f"Layer '{self.name}' is already quantized with dtype_policy='{self.dtype_policy}'. "
                             f"Received: mode={mode}")
        if mode not in q.MODES:
            raise ValueError(f"Invalid quantization mode. Expected one of {q.MODES}. Received: mode={mode}")
        if mode != "int8":
            raise ValueError(f"dense_viz implements Keras' int8 quantization only. Received: mode={mode}")
        self.kernel, self.kernel_scale = q.quantize_kernel(self.kernel)
        self.quantization_mode = mode

    @property
    def dtype_policy(self):
        """Keras' dtype policy name: 'float32', or 'int8_from_float32' once quantized."""
        return f"{self.quantization_mode}_from_{self.dtype}" if self.quantization_mode else self.dtype

    # -- what the matmul uses, and what is trainable --------------------------------------------------------
    @property
    def kernel_trainable(self):
        """False once LoRA freezes the kernel or int8 replaces it."""
        return not self.lora_enabled and self.quantization_mode is None

    @property
    def effective_kernel(self):
        """The float kernel (in, units) the layer applies: kernel (dequantized if int8) + (alpha/r)·A@B."""
        kernel = self.kernel if self.quantization_mode is None else q.dequantize(self.kernel, self.kernel_scale)
        if self.lora_enabled:
            kernel = kernel + self.lora_scale * (self.lora_kernel_a @ self.lora_kernel_b)
        return kernel

    def _matmul(self, x):
        """x (B, …, in) -> x @ effective kernel (B, …, units), computed the way Keras' call does for each mode."""
        if self.quantization_mode is None:
            return x @ self.effective_kernel
        z = q.int8_matmul(x, self.kernel, self.kernel_scale)
        if self.lora_enabled:
            z = z + self.lora_scale * ((x @ self.lora_kernel_a) @ self.lora_kernel_b)
        return z

    def _lora_grads(self, x2, dz2):
        """x2 (N, in), δ (N, units) -> {'lora_kernel_a': s·xᵀδBᵀ, 'lora_kernel_b': s·(xA)ᵀδ} (+ penalties)."""
        if not self.lora_enabled:
            return {}
        a, b, s = self.lora_kernel_a, self.lora_kernel_b, self.lora_scale
        grads = {"lora_kernel_a": s * (x2.T @ (dz2 @ b.T)), "lora_kernel_b": s * ((x2 @ a).T @ dz2)}
        if self.kernel_regularizer is not None:
            for name in _LORA_NAMES:
                grads[name] += self.kernel_regularizer.gradient(getattr(self, name))
        return grads

    def _lora_loss_terms(self):
        """{'lora_kernel_a': …, 'lora_kernel_b': …}: the kernel regularizer's penalties on A and B."""
        if not self.lora_enabled or self.kernel_regularizer is None:
            return {}
        return {name: float(self.kernel_regularizer(getattr(self, name))) for name in _LORA_NAMES}

    # -- weights in Keras' order ---------------------------------------------------------------------------
    @property
    def weight_names(self):
        """Names of the layer's arrays in Keras' order (see the module docstring); [] until built."""
        if self.quantization_mode is None and self.lora_kernel_a is None and self.lora_kernel_b is None:
            return [] if self.kernel is None else ["kernel"] if self.bias is None else ["kernel", "bias"]  # plain
        order = _FLOAT_ORDER if self.quantization_mode is None else _QUANTIZED_ORDER
        return [name for name in order if getattr(self, name) is not None]

    @property
    def trainable_weight_names(self):
        """Names of the arrays an optimizer may update, in Keras' order (no kernel under LoRA or int8)."""
        frozen = {"kernel_scale"} | (set() if self.kernel_trainable else {"kernel"})
        return [n for n in self.weight_names if n not in frozen]

    @property
    def trainable_weights(self):
        """The arrays of `trainable_weight_names` (live, not copies)."""
        return [getattr(self, n) for n in self.trainable_weight_names]

    @property
    def non_trainable_weights(self):
        """The frozen arrays: the kernel under LoRA; the int8 kernel and its scale."""
        trainable = {id(w) for w in self.trainable_weights}
        return [w for w in self.weights if id(w) not in trainable]

    def _set_adapted_weights(self, weights):
        """set_weights for a LoRA or int8 layer: arrays in `weight_names` order, shapes checked."""
        if not self.built and self.lora_rank and weights and np.ndim(weights[0]) == 2:
            self.build((None, np.shape(weights[0])[0]))
        names = self.weight_names
        if len(weights) != len(names):
            raise ValueError(f"You called `set_weights(weights)` on layer '{self.name}' with a weight list of length "
                             f"{len(weights)}, but the layer was expecting {len(names)} weights.")
        for name, new in zip(names, weights):
            have = getattr(self, name)
            if have.shape != np.shape(new):
                raise ValueError(f"Layer {self.name} weight shape {have.shape} is not compatible with provided "
                                 f"weight shape {np.shape(new)}.")
        for name, new in zip(names, weights):
            setattr(self, name, np.array(new, dtype=getattr(self, name).dtype))

    def _adapter_config(self):
        """Keras' extra config keys: lora_rank and lora_alpha when LoRA is asked for."""
        return {"lora_rank": self.lora_rank, "lora_alpha": self.lora_alpha} if self.lora_rank else {}


_CONSTRAINT_MESSAGE = ("Lora is incompatible with kernel constraints. In order to enable lora on this layer, "
                       "remove the `kernel_constraint` argument.")
