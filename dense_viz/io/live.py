"""Live framework objects as dense_viz layers, recognised through sys.modules and duck typing (never imported).

Keras 3 / tf.keras 2.x: a Dense (its get_config() and get_weights(), LoRA and int8 included) or a model (its
Dense layers, nested models walked in order); tf.keras 2's variables have no `.path`, their names
('dense/kernel:0') say the same, and its hard_sigmoid (a different formula) is noted. PyTorch: an nn.Linear (weight (out, in) transposed to (in,
out)) or a module (its Linear layers in order; an elementwise activation module right after a Linear in an
nn.Sequential becomes its activation when the engine has it exactly).
"""
import sys

import numpy as np

from ..engine import Dense
from .build import Layers, dense_from_config, keras_major, leaf


def _torch_activations(nn):
    """{torch module class: (engine name, test of its arguments or None)} for the exact equivalents only."""
    table = {
        "ReLU": ("relu", None), "Tanh": ("tanh", None), "Sigmoid": ("sigmoid", None), "SiLU": ("silu", None),
        "GELU": ("gelu", lambda m: m.approximate == "none"), "ELU": ("elu", lambda m: m.alpha == 1.0),
        "CELU": ("celu", lambda m: m.alpha == 1.0), "SELU": ("selu", None), "ReLU6": ("relu6", None),
        "LeakyReLU": ("leaky_relu", lambda m: abs(m.negative_slope - 0.2) < 1e-12),
        "Softplus": ("softplus", lambda m: m.beta == 1.0), "Softsign": ("softsign", None),
        "Hardtanh": ("hard_tanh", lambda m: (m.min_val, m.max_val) == (-1.0, 1.0)), "Mish": ("mish", None),
        "LogSigmoid": ("log_sigmoid", None), "Hardsigmoid": ("hard_sigmoid", None), "Hardswish": ("hard_silu", None),
        "Hardshrink": ("hard_shrink", lambda m: m.lambd == 0.5), "Softshrink": ("soft_shrink", lambda m: m.lambd == 0.5),
        "Tanhshrink": ("tanh_shrink", None), "Identity": ("linear", None),
        "Softmax": ("softmax", lambda m: m.dim == -1), "LogSoftmax": ("log_softmax", lambda m: m.dim == -1),
        "GLU": ("glu", lambda m: m.dim == -1),
    }
    return {getattr(nn, k): v for k, v in table.items() if hasattr(nn, k)}


def _torch_linear(torch, module, name, notes, activation=None):
    """A Dense from an nn.Linear (weight (out, in) -> kernel (in, out))."""
    if type(module) is not torch.nn.Linear:
        notes.append(f"{name}: {type(module).__name__} is a subclass of Linear; its forward may differ")
    hooks = [h for h in ("_forward_hooks", "_forward_pre_hooks", "_backward_hooks")
             if getattr(module, h, None)]  # torch has no public way to list a module's hooks
    if hooks:
        notes.append(f"{name}: its hooks ({', '.join(hooks)}) are not represented")
    weight = module.weight.detach().cpu()
    dtype = "float64" if weight.dtype == torch.float64 else "float32"
    if weight.dtype not in (torch.float32, torch.float64):
        notes.append(f"{name}: {weight.dtype} weights computed in float32")
    layer = Dense(module.out_features, activation=activation, use_bias=module.bias is not None, dtype=dtype,
                  name=name)
    arrays = [weight.float().numpy().T if dtype == "float32" else weight.numpy().T]
    if module.bias is not None:
        arrays.append(module.bias.detach().cpu().to(weight.dtype if dtype == "float64" else torch.float32).numpy())
    layer.set_weights(arrays)
    return layer


def _from_torch(torch, obj):
    """(Dense or Layers, notes) from an nn.Linear or an nn.Module."""
    notes = []
    if isinstance(obj, torch.nn.Linear):
        notes.append("PyTorch's weight is (out, in): transposed to Keras' kernel (in, out)")
        return _torch_linear(torch, obj, "linear", notes), notes
    known = _torch_activations(torch.nn)
    following = {}  # id(Linear) -> the module right after it in an nn.Sequential
    for module in obj.modules():
        if isinstance(module, torch.nn.Sequential):
            children = list(module.children())
            following.update({id(a): b for a, b in zip(children, children[1:]) if isinstance(a, torch.nn.Linear)})
    result = Layers("torch")
    for name, module in obj.named_modules():
        if not isinstance(module, torch.nn.Linear):
            continue
        name, activation = name or "linear", None
        after = following.get(id(module))
        if after is not None and type(after) in known:
            act, ok = known[type(after)]
            if ok is None or ok(after):
                activation = act
            else:
                result.notes.append(f"{name}: the {after!r} after it differs from Keras' {act}; left out")
        elif after is not None:
            result.notes.append(f"{name}: the {type(after).__name__} after it is not an activation dense_viz has")
        result.add(name, _torch_linear(torch, module, name, result.notes, activation))
    result.notes.append("PyTorch's weights are (out, in): transposed to Keras' kernel (in, out)")
    if not any(isinstance(m, torch.nn.Sequential) for m in obj.modules()):
        result.notes.append("activations are known only inside an nn.Sequential: shown as linear")
    return result, result.notes


def _keras_dense(obj, notes):
    """A Dense from a live Keras Dense: its config and its arrays by variable name."""
    config = dict(obj.get_config())
    policy = getattr(obj, "dtype_policy", None)
    if getattr(policy, "quantization_mode", None):
        config["dtype"] = policy.name
    if getattr(obj, "lora_enabled", False):
        config["lora_rank"], config["lora_alpha"] = obj.lora_rank, obj.lora_alpha
    arrays = {leaf(getattr(v, "path", None) or v.name): np.asarray(w) for v, w in zip(obj.weights, obj.get_weights())}
    return dense_from_config(config, arrays, notes, config.get("name"), _keras_version(obj))


def _keras_version(obj):
    """The major version of the Keras that `obj`'s class comes from: 2 for tf_keras and TensorFlow's own
    tf.keras (tensorflow.python.keras), else the `__version__` of its top package (keras 2.x or 3.x)."""
    top = type(obj).__module__.split(".")[0]
    if top in ("tf_keras", "tensorflow"):
        return 2
    return keras_major(getattr(sys.modules.get(top), "__version__", None))


def _is_keras(obj):
    """True for an instance of a class from keras, tf_keras or tensorflow (only when already imported)."""
    modules = {m for m in ("keras", "tf_keras", "tensorflow") if m in sys.modules}
    return any(c.__module__.split(".")[0] in modules for c in type(obj).__mro__)


def from_framework(obj):
    """(Dense or Layers {name: Dense}, notes) from a dense_viz Dense, a Keras Dense or model, a torch Linear or
    Module. A Layers' notes are its `.notes`; nothing is imported that the caller has not imported already."""
    if isinstance(obj, Dense):
        return obj, []
    if _is_keras(obj) and hasattr(obj, "get_config") and hasattr(obj, "get_weights"):
        if type(obj).__name__ == "Dense":
            notes = []
            return _keras_dense(obj, notes), notes
        if hasattr(obj, "layers"):
            result = Layers("keras")

            def walk(model, prefix=""):
                for layer in model.layers:
                    if type(layer).__name__ == "Dense":
                        dense = _keras_dense(layer, result.notes)
                        if dense is not None:
                            result.add(prefix + layer.name, dense)
                    elif hasattr(layer, "layers"):
                        walk(layer, prefix + layer.name + "/")
                    elif type(layer).__name__ != "InputLayer":
                        result.notes.append(f"{prefix}{layer.name} ({type(layer).__name__}): not a Dense layer; "
                                            "left out")
            walk(obj)
            return result, result.notes
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(obj, torch.nn.Module):  # after Keras: its torch-backend layers are Modules
        return _from_torch(torch, obj)
    raise ValueError("Expected a dense_viz.Dense, a keras.layers.Dense or Keras model, or a torch.nn.Linear or "
                     f"torch.nn.Module. Received: {type(obj).__module__}.{type(obj).__name__}")
