"""Keras files: a `.keras` zip (config.json + model.weights.h5; Keras 3 or tf.keras 2.13+), a `.weights.h5`, a legacy
`.h5`.

Keras 3's HDF5 stores a layer's arrays as `layers/<key>/vars/0, 1, …` in its serialization order (a Dense:
kernel, bias; int8: kernel, bias, kernel_scale; a LoRA layer saves its kernel with A·B merged in), the group's
`vars` attribute `name` being the layer's name. `<key>` is the snake-cased class name with a counter (`dense`,
`dense_1`, …, in model order), not the layer's name: tf.keras 2.13–2.15 write the same layout without the
`name` attribute, so there the key is all there is. Legacy files (`model.save("x.h5")`, Keras 2) keep
`model_weights/<layer>/…/kernel:0` with the names in each group's `weight_names` attribute.
"""
import io
import json
import re

import numpy as np

from ._files import FileRefused, open_zip, require
from .build import Layers, dense_from_arrays, dense_from_config, keras_major, leaf, natural_key

_SAVE_ORDER = {None: ("kernel", "bias"), "int8": ("kernel", "bias", "kernel_scale")}
_MODEL_CLASSES = ("Sequential", "Functional", "Model")


class _H5:
    """Safe reads from an h5py File: no external or soft links, no external or virtual datasets, a byte budget."""

    def __init__(self, h5py, budget):
        self.h5py, self.budget = h5py, budget

    def child(self, group, key):
        """group[key] after refusing links that point outside the file."""
        if not isinstance(group, self.h5py.Group) or key not in group:
            return None
        link = group.get(key, getlink=True)
        if isinstance(link, (self.h5py.ExternalLink, self.h5py.SoftLink)):
            raise FileRefused(f"Refusing the HDF5 file: expected plain groups and datasets. Received: a link at "
                              f"{group.name}/{key}")
        return group[key]

    def array(self, dataset, what):
        """The dataset's values as a NumPy array."""
        if not isinstance(dataset, self.h5py.Dataset):
            raise FileRefused(f"Expected a dataset for {what}. Received: {type(dataset).__name__}")
        if dataset.external or dataset.is_virtual:
            raise FileRefused(f"Refusing the HDF5 file: {what} reads data from other files")
        if dataset.dtype.kind not in "fiub":
            raise FileRefused(f"Expected numeric arrays. Received: {dataset.dtype} for {what}")
        self.budget.take(dataset.size * dataset.dtype.itemsize, what)
        return np.asarray(dataset[()])

    def vars(self, group, what):
        """Arrays `vars/0, 1, …` of a Keras 3 layer group, in order."""
        v = self.child(group, "vars")
        if v is None:
            return []
        keys = sorted((k for k in v.keys() if k.isdigit()), key=int)
        return [self.array(self.child(v, k), f"{what}/vars/{k}") for k in keys]


def _open_h5(data, budget):
    h5py = require("h5py", "HDF5 files (.h5, .keras)")
    return h5py.File(io.BytesIO(data), "r"), _H5(h5py, budget)


def _json(text, what):
    try:
        value = json.loads(text)
    except (ValueError, UnicodeDecodeError) as error:
        raise FileRefused(f"Expected JSON in {what}. Received: {error}") from None
    if not isinstance(value, dict):
        raise FileRefused(f"Expected a JSON object in {what}. Received: {type(value).__name__}")
    return value


def _layer_entries(model_config):
    """[(class_name, config)] of a Keras model config (dicts only)."""
    layers = (model_config.get("config") or {}).get("layers") or []
    return [(e.get("class_name"), e.get("config") or {}) for e in layers if isinstance(e, dict)]


def _keras3_layers(model_config, group, h5, result, prefix="", keras=3):
    """Walk a .keras model config in order, reading each Dense's vars from `group` (the 'layers' group);
    `keras`: the major version that wrote it (metadata.json)."""
    by_name, counts = {}, {}  # layer name -> group, where the file says it (Keras 3; Keras 2.13-2.15 do not)
    for key in (group.keys() if group is not None else []):
        sub = h5.child(group, key)
        v = h5.child(sub, "vars")
        name = v.attrs.get("name") if v is not None else None
        if name is not None:
            by_name[str(name.decode() if isinstance(name, bytes) else name)] = sub
    for class_name, config in _layer_entries(model_config):
        name = str(config.get("name", ""))
        where = prefix + name
        snake = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", class_name or "").lower()
        k = counts[snake] = counts.get(snake, -1) + 1
        sub = by_name.get(name) or h5.child(group, snake if k == 0 else f"{snake}_{k}")
        if class_name in _MODEL_CLASSES or "layers" in config:
            _keras3_layers({"config": config}, h5.child(sub, "layers"), h5, result, where + "/", keras)
        elif class_name == "Dense":
            dtype = config.get("dtype")
            mode = ((dtype or {}).get("config") or {}).get("mode") if isinstance(dtype, dict) else None
            arrays = h5.vars(sub, where) if sub is not None else []
            order = _SAVE_ORDER.get(mode, _SAVE_ORDER[None])
            if config.get("use_bias") is False:
                order = tuple(n for n in order if n != "bias")
            if mode in _SAVE_ORDER and len(arrays) != len(order):  # other modes: noted below
                raise FileRefused(f"Layer {where!r}: expected {len(order)} arrays ({', '.join(order)}). "
                                  f"Received: {len(arrays)}")
            result.add(where, dense_from_config(config, dict(zip(order, arrays)), result.notes, where, keras))
        elif class_name != "InputLayer":
            result.notes.append(f"{where} ({class_name}): not a Dense layer; left out")


def read_keras(data, budget):
    """A Keras 3 `.keras` file."""
    archive = open_zip(data, budget.left)
    names = set(archive.namelist())
    if not {"config.json", "model.weights.h5"} <= names:
        raise FileRefused("Expected a Keras 3 .keras archive with config.json and model.weights.h5. "
                          f"Received: members {sorted(names)[:10]}")
    config = _json(archive.read("config.json"), "config.json")
    metadata = _json(archive.read("metadata.json"), "metadata.json") if "metadata.json" in names else {}
    result = Layers("keras")
    f, h5 = _open_h5(archive.read("model.weights.h5"), budget)
    with f:
        if config.get("class_name") == "Dense":  # a single layer saved on its own
            config = {"config": {"layers": [config]}}
        _keras3_layers(config, h5.child(f, "layers"), h5, result, keras=keras_major(metadata.get("keras_version")))
    return result


def read_h5(data, budget):
    """A Keras 3 `.weights.h5`, or a legacy `.h5` (full model or weights only)."""
    f, h5 = _open_h5(data, budget)
    with f:
        if "layers" in f:
            return _weights_only_keras3(f, h5)
        root = h5.child(f, "model_weights") if "model_weights" in f else f
        if "layer_names" in root.attrs:
            config = _json(f.attrs["model_config"], "model_config") if "model_config" in f.attrs else None
            version = f.attrs.get("keras_version", root.attrs.get("keras_version"))
            return _legacy(root, config, h5, keras_major(version.decode() if isinstance(version, bytes) else version))
        raise FileRefused("Expected a Keras weights file: a 'layers' group (Keras 3 .weights.h5) or 'layer_names' "
                          f"(legacy .h5). Received: groups {sorted(f.keys())[:10]}")


def _weights_only_keras3(f, h5):
    """No config: each layer whose vars look like a Dense's (kernel (in, units), bias (units,))."""
    result = Layers("weights.h5")
    result.notes.append("a .weights.h5 has no config: activations unknown (shown as linear), order by name")
    group = h5.child(f, "layers")
    for key in sorted(group.keys(), key=natural_key):
        arrays = h5.vars(h5.child(group, key), key)
        if arrays and arrays[0].ndim == 2 and arrays[0].dtype == np.int8 and len(arrays) in (2, 3):
            config = {"name": key, "units": arrays[0].shape[1], "use_bias": len(arrays) == 3,
                      "dtype": {"config": {"mode": "int8", "source_name": "float32"}}}
            order = _SAVE_ORDER["int8"] if len(arrays) == 3 else ("kernel", "kernel_scale")
            result.add(key, dense_from_config(config, dict(zip(order, arrays)), result.notes, key))
        elif arrays and arrays[0].ndim == 2 and len(arrays) <= 2:
            result.add(key, dense_from_arrays(key, dict(zip(("kernel", "bias"), arrays)), result.notes))
        elif arrays:
            result.notes.append(f"{key}: arrays {[a.shape for a in arrays]} are not a Dense's; left out")
    return result


def _legacy(root, config, h5, keras=3):
    """A legacy HDF5: per layer, `weight_names` to datasets; the Dense config from `model_config` if present;
    `keras`: the major version that wrote it (the file's `keras_version`)."""
    result = Layers("h5")
    configs = {}
    if config is not None:
        def collect(model_config, prefix=""):
            for class_name, c in _layer_entries(model_config):
                if class_name in _MODEL_CLASSES or "layers" in c:
                    collect({"config": c})
                configs[c.get("name")] = (class_name, c)
        collect(config)
    else:
        result.notes.append("a weights-only .h5 has no config: activations unknown (shown as linear)")
    for raw in root.attrs["layer_names"]:
        name = raw.decode() if isinstance(raw, bytes) else str(raw)
        group = h5.child(root, name)
        weight_names = [w.decode() if isinstance(w, bytes) else str(w) for w in group.attrs.get("weight_names", [])]
        arrays = {}
        for w in weight_names:
            node = group
            for part in w.split("/"):
                node = h5.child(node, part)
            arrays[leaf(w)] = h5.array(node, f"{name}/{w}")
        class_name, c = configs.get(name, (None, None))
        if class_name == "Dense":
            layer = dense_from_config(c, arrays, result.notes, name, keras)
        elif class_name is None and "kernel" in arrays and arrays["kernel"].ndim == 2:
            layer = dense_from_arrays(name, arrays, result.notes)
        else:
            if arrays or class_name not in (None, "InputLayer"):
                result.notes.append(f"{name} ({class_name or 'unknown'}): not a Dense layer; left out")
            continue
        result.add(name, layer)
    return result

