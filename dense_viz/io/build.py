"""From what a file or a live framework object says about a layer to a built dense_viz Dense.

`Layers` is the result: {name: Dense} in model order, plus `notes`, one sentence per thing that was left out,
changed or could not be represented (the app shows them in its status line).
"""
import re

import numpy as np

from ..engine import Dense, activations, constraints, initializers, regularizers

# Keras serializes these with their class names; their constructor arguments are the config's keys.
_IGNORED_INIT_KEYS = ("seed", "input_axes", "output_axes")
_QUANTIZED_POLICY = re.compile(r"^(int8|int4|float8|gptq|awq)[^_]*_from_(\w+)$")
# Activations whose Keras 2 (tf.keras 2.x) formula is not Keras 3's, which the engine implements.
KERAS2_DIFFERENT = {"hard_sigmoid": "clip(0.2·z + 0.5, 0, 1) (Keras 3: relu6(z + 3) / 6)"}


def keras_major(version):
    """The major version of a Keras version string ('2.15.0' -> 2); 3 when it says nothing."""
    match = re.match(r"\s*(\d+)", str(version or ""))
    return int(match.group(1)) if match else 3


class Layers(dict):
    """{name: Dense} in model order; `notes`: what was not represented; `source`: the format read."""

    def __init__(self, source):
        super().__init__()
        self.source, self.notes = source, []

    def add(self, name, layer):
        """Insert under a unique name (a second 'dense' becomes 'dense (2)'); None (a noted layer) is skipped."""
        if layer is None:
            return
        key, i = name, 2
        while key in self:
            key, i = f"{name} ({i})", i + 1
        self[key] = layer

    def __repr__(self):
        layers = ", ".join(f"{k!r}: {v.input_dim} → {v.units}" for k, v in self.items())
        return f"Layers({self.source}: {{{layers}}}, notes={len(self.notes)})"


def natural_key(key):
    """Sort key: 'dense_10' after 'dense_2'."""
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", key)]


def leaf(key):
    """'sequential/dense/kernel:0' -> 'kernel'; 'fc1.weight' -> 'weight'."""
    return re.split(r"[/.]", re.sub(r":\d+$", "", key))[-1]


def _keras_object(module, entry, kind, where, notes):
    """A Keras-serialized initializer/regularizer/constraint (None, a name or a {class_name, config}) as ours."""
    if entry is None:
        return None
    if isinstance(entry, str):
        entry = {"class_name": entry, "config": {}}
    class_name = entry.get("class_name") if isinstance(entry, dict) else None
    config = entry.get("config") if isinstance(entry, dict) else None
    try:
        base = module.get(class_name)
        kwargs = {k: v for k, v in (config or {}).items() if k not in _IGNORED_INIT_KEYS}
        return type(base)(**kwargs) if kwargs else base
    except (ValueError, TypeError):
        notes.append(f"{where}: {kind} {class_name or entry!r} is not one of Keras' built-in ones; left out")
        return None


def activation_name(entry, where, notes, keras=3):
    """A Keras-serialized activation as an engine name; a custom one, or (`keras`=2) one whose Keras 2 formula
    differs from Keras 3's, is noted and shown as linear."""
    name = entry
    if isinstance(entry, dict):  # {"class_name": "function", "config": "relu", ...} or a custom object
        name = entry.get("config") if isinstance(entry.get("config"), str) else entry.get("class_name")
    if keras == 2 and name in KERAS2_DIFFERENT:
        notes.append(f"{where}: tf.keras 2's activation {name!r} is {KERAS2_DIFFERENT[name]}, not dense_viz's "
                     "Keras 3 one; shown as linear (y = z here)")
        return None
    if name is None or name in activations.NAMES:
        return name
    notes.append(f"{where}: activation {name!r} is not one dense_viz knows; shown as linear (y = z here)")
    return None


def dtype_of(entry, where, notes):
    """(engine dtype, quantization mode or None) from a Keras dtype or dtype-policy config."""
    name = entry
    if isinstance(entry, dict):
        config = entry.get("config") or {}
        if "mode" in config:
            name = f"{config['mode']}_from_{config.get('source_name', 'float32')}"
        else:
            name = config.get("name", "float32")
    name = name or "float32"
    mode = None
    match = _QUANTIZED_POLICY.match(str(name))
    if match:
        mode, name = match.group(1), match.group(2)
    if name not in ("float32", "float64"):
        notes.append(f"{where}: dtype policy {name!r} is not represented; computed in float32")
        name = "float32"
    return name, mode


def dense_from_config(config, arrays, notes, where=None, keras=3):
    """A built Dense from a Keras Dense config and its arrays {kernel, bias, lora_kernel_a/b, kernel_scale}.

    The arrays are Keras' own: kernel (in, units) (int8 with kernel_scale (units,) when quantized). `keras`: the
    major version that wrote the config (2: tf.keras 2.x, whose hard_sigmoid differs). Returns None (with a note)
    when the layer cannot be represented.
    """
    where = where or config.get("name", "dense")
    dtype, mode = dtype_of(config.get("dtype"), where, notes)
    if mode not in (None, "int8"):
        notes.append(f"{where}: {mode} quantization is not represented (dense_viz implements int8); left out")
        return None
    if config.get("trainable") is False:
        notes.append(f"{where}: frozen in the model (trainable=False); trainable here")
    lora_rank = config.get("lora_rank") or None
    kernel = np.asarray(arrays["kernel"])
    layer = Dense(
        int(config.get("units", kernel.shape[1])), activation_name(config.get("activation"), where, notes, keras),
        bool(config.get("use_bias", "bias" in arrays)),
        _keras_object(initializers, config.get("kernel_initializer"), "initializer", where, notes) or "glorot_uniform",
        _keras_object(initializers, config.get("bias_initializer"), "initializer", where, notes) or "zeros",
        _keras_object(regularizers, config.get("kernel_regularizer"), "regularizer", where, notes),
        _keras_object(regularizers, config.get("bias_regularizer"), "regularizer", where, notes),
        _keras_object(regularizers, config.get("activity_regularizer"), "regularizer", where, notes),
        None if lora_rank else _keras_object(constraints, config.get("kernel_constraint"), "constraint", where, notes),
        _keras_object(constraints, config.get("bias_constraint"), "constraint", where, notes),
        dtype=dtype, name=config.get("name") or where)
    layer.build((None, kernel.shape[0]))
    if mode == "int8":
        layer.quantize("int8")
    if lora_rank:
        a = arrays.get("lora_kernel_a", np.zeros((kernel.shape[0], lora_rank)))
        b = arrays.get("lora_kernel_b", np.zeros((lora_rank, kernel.shape[1])))
        layer.enable_lora(int(np.shape(a)[1]), config.get("lora_alpha"))
        arrays = {**arrays, "lora_kernel_a": a, "lora_kernel_b": b}
    missing = [n for n in layer.weight_names if n not in arrays]
    if missing:
        raise ValueError(f"Layer {where!r}: expected the arrays {layer.weight_names}. Received: {sorted(arrays)}")
    layer.set_weights([arrays[n] for n in layer.weight_names])
    return layer


def dense_from_arrays(name, arrays, notes, transposed=False):
    """A built linear Dense from a kernel (in, units) (or a torch weight (units, in) if `transposed`) and bias."""
    kernel = np.asarray(arrays["kernel"])
    if transposed:
        kernel = kernel.T
    bias = arrays.get("bias")
    if bias is not None and np.shape(bias) != (kernel.shape[1],):
        notes.append(f"{name}: bias of shape {np.shape(bias)} does not fit a kernel {kernel.shape}; left out")
        return None
    dtype = "float64" if kernel.dtype == np.float64 else "float32"
    if kernel.dtype not in (np.float32, np.float64):
        notes.append(f"{name}: {kernel.dtype} weights computed in float32")
    layer = Dense(kernel.shape[1], use_bias=bias is not None, dtype=dtype, name=name)
    layer.set_weights([kernel] + ([bias] if bias is not None else []))
    return layer
