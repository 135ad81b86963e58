"""Files of named arrays: `.npz`, `.safetensors`, PyTorch `state_dict` (`.pt`, `.pth`).

Names are grouped by prefix: `fc1.weight` + `fc1.bias` is a torch Linear (weight (out, in), transposed to
Keras' (in, out)); `dense/kernel` + `dense/bias` (or `kernel` + `bias`) is a Keras Dense. Anything else is
named in the notes. A PyTorch file is only ever opened with `torch.load(..., weights_only=True)`.
"""
import importlib.util
import io
import re

import numpy as np

from ._files import EXTRA, FileRefused, open_zip, require
from .build import Layers, dense_from_arrays, dense_from_config, leaf, natural_key

_DENSE_LEAVES = ("kernel", "bias", "lora_kernel_a", "lora_kernel_b", "kernel_scale")
_CHECKPOINT_KEYS = ("state_dict", "model_state_dict", "model")


def layers_from_arrays(items, source):
    """[(name, array)] in model order -> Layers: one Dense per prefix with a kernel or a torch weight."""
    result, groups = Layers(source), {}
    for key, array in items:
        name = re.sub(r":\d+$", "", key)
        end = leaf(name)
        prefix = name[: -len(end)].rstrip("./") or "dense"
        groups.setdefault(prefix, {})[end] = array
    transposed = False
    for prefix, arrays in groups.items():
        if "weight" in arrays and np.ndim(arrays["weight"]) == 2 and set(arrays) <= {"weight", "bias"}:
            layer = dense_from_arrays(prefix, {"kernel": arrays["weight"], "bias": arrays.get("bias")}, result.notes,
                                      transposed=True)
            transposed = transposed or layer is not None
        elif "kernel" in arrays and np.ndim(arrays["kernel"]) == 2 and set(arrays) <= set(_DENSE_LEAVES):
            if {"lora_kernel_a", "lora_kernel_b"} <= set(arrays) or "kernel_scale" in arrays:
                config = {"name": prefix, "units": np.shape(arrays["kernel"])[1], "use_bias": "bias" in arrays,
                          "dtype": "int8_from_float32" if "kernel_scale" in arrays else "float32"}
                if "lora_kernel_a" in arrays:
                    config["lora_rank"] = np.shape(arrays["lora_kernel_a"])[1]
                layer = dense_from_config(config, arrays, result.notes, prefix)
            else:
                layer = dense_from_arrays(prefix, arrays, result.notes)
        else:
            shapes = ", ".join(f"{k} {tuple(np.shape(v))}" for k, v in arrays.items())
            result.notes.append(f"{prefix}: {shapes} is not a Dense or Linear layer; left out")
            continue
        result.add(prefix, layer)
    if transposed:
        result.notes.append("PyTorch weights are (out, in): transposed to Keras' kernel (in, out)")
    if groups and len(result):
        result.notes.append("no activations in a file of arrays: shown as linear")
    return result


def read_npz(data, budget):
    """An `.npz` of kernel/bias arrays (object arrays refused: they are pickles)."""
    open_zip(data, budget.left)
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            items = [(k, npz[k]) for k in npz.files]
    except ValueError as error:
        if "allow_pickle" in str(error):
            raise FileRefused("Refusing the .npz: it holds pickled object arrays, and dense_viz never unpickles. "
                              "Expected numeric arrays") from None
        raise
    for key, array in items:
        if array.dtype.kind not in "fiub":
            raise FileRefused(f"Expected numeric arrays in the .npz. Received: {array.dtype} for {key!r}")
    return layers_from_arrays(items, "npz")


def read_safetensors(data, budget):
    """A `.safetensors` file, through the safetensors NumPy API (no torch); order by name."""
    numpy_api = require("safetensors.numpy", ".safetensors files")
    tensors = numpy_api.load(data)
    return layers_from_arrays(sorted(tensors.items(), key=lambda kv: natural_key(kv[0])), "safetensors")


def read_torch(data, budget):
    """A PyTorch state_dict, loaded with torch.load(..., weights_only=True) when torch is installed."""
    if importlib.util.find_spec("torch") is None:
        raise FileRefused("Reading a PyTorch .pt/.pth file needs torch, loaded with torch.load(..., weights_only=True)"
                          f"; dense_viz never unpickles without it. Install torch, or save the weights as "
                          f".safetensors (read by `pip install '{EXTRA}'`). Received: torch is not installed")
    torch = importlib.import_module("torch")
    if data[:4] == b"PK\x03\x04":
        open_zip(data, budget.left)
    try:
        state = torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
    except Exception as error:  # noqa: BLE001 — torch's UnpicklingError and friends
        raise FileRefused("Refusing the PyTorch file: torch.load(..., weights_only=True) would not load it (it needs "
                          f"arbitrary pickled objects, or is damaged). Received: {type(error).__name__}: "
                          f"{str(error)[:300]}") from None
    notes = []
    if isinstance(state, dict):
        for key in _CHECKPOINT_KEYS:
            if isinstance(state.get(key), dict):
                notes.append(f"a checkpoint: read its {key!r}")
                state = state[key]
                break
    if not isinstance(state, dict):
        raise FileRefused(f"Expected a state_dict (a mapping of names to tensors). Received: {type(state).__name__}")
    items = []
    for key, value in state.items():
        if isinstance(value, torch.Tensor):
            value = value.detach().cpu()
            if value.dtype in (torch.bfloat16, torch.float16):
                value = value.float()
            items.append((str(key), value.numpy()))
    result = layers_from_arrays(items, "torch")
    result.notes[:0] = notes
    return result
