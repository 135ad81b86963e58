"""dense_viz.io: files the tests write themselves (numpy, h5py, safetensors), every refusal, random bytes."""
import io
import json
import sys
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from dense_viz import Dense, read_layers
from dense_viz.engine import datasets
from dense_viz.io import FileRefused, from_framework, read_batch, read_points, read_points_csv
from dense_viz.io.build import keras_major

import h5py  # noqa: E402  (the dense_viz[import] extra, which dev.py test installs)
import safetensors.numpy as safetensors_numpy  # noqa: E402

RNG = np.random.default_rng(0)
K1, B1 = RNG.normal(size=(3, 4)).astype(np.float32), RNG.normal(size=4).astype(np.float32)
K2 = RNG.normal(size=(4, 2)).astype(np.float32)
X = RNG.normal(size=(5, 3)).astype(np.float32)


def dense_config(name, units, activation="linear", use_bias=True, **extra):
    """A Dense entry as Keras 3 writes it in config.json."""
    policy = {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}}
    return {"module": "keras.layers", "class_name": "Dense", "config": {
        "name": name, "trainable": True, "dtype": policy, "units": units, "activation": activation,
        "use_bias": use_bias, "kernel_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform",
                                                     "config": {"seed": None}},
        "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}},
        "kernel_regularizer": None, "bias_regularizer": None, "kernel_constraint": None, "bias_constraint": None,
        **extra}}


def model_config(*layers):
    return {"module": "keras", "class_name": "Sequential", "config": {"name": "sequential", "layers": [
        {"class_name": "InputLayer", "config": {"batch_shape": [None, 3], "name": "input_layer"}}, *layers]}}


def keras3_h5(layers):
    """model.weights.h5 bytes: layers/<key>/vars/<i> with the vars group named after the layer (a name of None:
    no name attribute, as tf.keras 2.15 writes it)."""
    buf = io.BytesIO()
    with h5py.File(buf, "w") as f:
        group = f.create_group("layers")
        for key, name, arrays in layers:
            v = group.create_group(key).create_group("vars")
            if name is not None:
                v.attrs["name"] = name
            for i, a in enumerate(arrays):
                v.create_dataset(str(i), data=a)
        f.create_group("vars")
    return buf.getvalue()


def keras_file(config, weights, extra_members=(), keras_version="3.15.1"):
    """A .keras zip as Keras 3 (or `keras_version`) writes it (stored, no compression)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("metadata.json", json.dumps({"keras_version": keras_version}))
        z.writestr("config.json", json.dumps(config))
        z.writestr("model.weights.h5", weights)
        for name, data in extra_members:
            z.writestr(name, data)
    return buf.getvalue()


def two_layer_keras():
    config = model_config(
        dense_config("hidden", 4, "relu", kernel_regularizer={"class_name": "L2", "config": {"l2": 0.03}},
                     kernel_constraint={"class_name": "MaxNorm", "config": {"max_value": 2, "axis": 0}}),
        {"class_name": "Dropout", "config": {"name": "dropout", "rate": 0.1}},
        dense_config("out", 2, "softmax", use_bias=False))
    weights = keras3_h5([("dense", "hidden", [K1, B1]), ("dropout", "dropout", []), ("dense_1", "out", [K2])])
    return keras_file(config, weights)


def test_keras_file_layers_config_and_outputs(tmp_path):
    path = tmp_path / "model.keras"
    path.write_bytes(two_layer_keras())
    layers = read_layers(path)
    assert list(layers) == ["hidden", "out"] and layers.source == "keras"
    hidden, out = layers.values()
    assert hidden.activation.name == "relu" and out.activation.name == "softmax" and out.bias is None
    assert hidden.kernel_regularizer.l2 == pytest.approx(0.03) and hidden.kernel_constraint.max_value == 2
    np.testing.assert_array_equal(hidden.kernel, K1)
    z = np.maximum(X @ K1 + B1, 0) @ K2
    np.testing.assert_allclose(out(hidden(X)), np.exp(z) / np.exp(z).sum(-1, keepdims=True), rtol=1e-6)
    assert any("dropout (Dropout): not a Dense layer" in n for n in layers.notes)
    assert list(read_layers(str(path))) == ["hidden", "out"]  # str works as well as Path


def test_keras_file_lora_int8_custom_activation_and_policy():
    kq = RNG.integers(-127, 128, size=(3, 4)).astype(np.int8)
    scale = RNG.uniform(50, 100, size=4).astype(np.float32)
    config = model_config(
        dense_config("lora", 4, lora_rank=2, lora_alpha=4),
        dense_config("int8", 4, dtype={"module": "keras.dtype_policies", "class_name": "QuantizedDTypePolicy",
                                       "config": {"mode": "int8", "source_name": "float32"}}),
        dense_config("custom", 4, activation={"module": "builtins", "class_name": "function", "config": "my_act"}),
        dense_config("half", 4, dtype={"class_name": "DTypePolicy", "config": {"name": "mixed_float16"}}),
        dense_config("int4", 4, dtype={"class_name": "QuantizedDTypePolicy", "config": {"mode": "int4"}}))
    weights = keras3_h5([("dense", "lora", [K1, B1]), ("dense_1", "int8", [kq, B1, scale]),
                         ("dense_2", "custom", [K1, B1]), ("dense_3", "half", [K1, B1]),
                         ("dense_4", "int4", [kq, B1, scale])])
    layers = read_layers(keras_file(config, weights), name="m.keras")
    assert list(layers) == ["lora", "int8", "custom", "half"]
    lora = layers["lora"]
    assert lora.lora_enabled and lora.lora_alpha == 4 and not lora.lora_kernel_b.any()  # Keras zeroes A, B on load
    np.testing.assert_allclose(lora(X), X @ K1 + B1, rtol=1e-6)
    q = layers["int8"]
    assert q.quantization_mode == "int8" and q.kernel.dtype == np.int8
    np.testing.assert_array_equal(q.kernel_scale, scale)
    notes = " | ".join(layers.notes)
    assert "activation 'my_act' is not one dense_viz knows" in notes
    assert "dtype policy 'mixed_float16' is not represented" in notes
    assert "int4 quantization is not represented" in notes


def test_weights_h5_and_legacy_h5(tmp_path):
    path = tmp_path / "m.weights.h5"
    path.write_bytes(keras3_h5([("dense", "dense", [K1, B1]), ("dense_1", "dense_1", [K2])]))
    layers = read_layers(path)
    assert list(layers) == ["dense", "dense_1"] and "no config" in layers.notes[0]
    legacy = tmp_path / "legacy.h5"
    with h5py.File(legacy, "w") as f:
        f.attrs["model_config"] = json.dumps(model_config(dense_config("dense", 4, "tanh")))
        g = f.create_group("model_weights")
        g.attrs["layer_names"] = [b"dense"]
        d = g.create_group("dense")
        d.attrs["weight_names"] = [b"dense/kernel:0", b"dense/bias:0"]
        d.create_dataset("dense/kernel:0", data=K1)
        d.create_dataset("dense/bias:0", data=B1)
    (layer,) = read_layers(legacy).values()
    assert layer.activation.name == "tanh"
    np.testing.assert_allclose(layer(X), np.tanh(X @ K1 + B1), rtol=1e-6)


def test_npz_safetensors_and_state_dict_names():
    buf = io.BytesIO()
    np.savez(buf, kernel=K1, bias=B1)
    (layer,) = read_layers(buf.getvalue(), name="w.npz").values()
    np.testing.assert_array_equal(layer.kernel, K1)
    data = safetensors_numpy.save({"10.weight": K2.T.copy(), "2.weight": K1.T.copy(), "2.bias": B1})
    layers = read_layers(data, name="w.safetensors")
    assert list(layers) == ["2", "10"]  # natural order of the names
    np.testing.assert_array_equal(layers["2"].kernel, K1)
    assert any("transposed" in n for n in layers.notes)
    mixed = safetensors_numpy.save({"conv.weight": np.zeros((2, 2, 3, 3), np.float32), "fc.weight": K2.T.copy()})
    layers = read_layers(mixed, name="w.safetensors")
    assert list(layers) == ["fc"] and any("conv: weight (2, 2, 3, 3) is not a Dense" in n for n in layers.notes)


def _zip(members, compression=zipfile.ZIP_STORED):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as z:
        for name, data in members:
            z.writestr(name, data)
    return buf.getvalue()


def _npz_bytes(**arrays):
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


@pytest.mark.parametrize("data, name, message", [
    (b"not a model", "m.keras", "The file's name says 'keras', but its content is not a known format"),
    (keras3_h5([]) if h5py else b"", "m.keras", "The file's name says 'keras', but its content is hdf5"),
    (b"PK\x03\x04" + b"\0" * 40, "m.keras", "Expected a readable zip archive"),
    (_zip([("../evil.txt", b"x"), ("config.json", b"{}")]), "m.keras", "expected relative member names. "
                                                                      "Received: '../evil.txt'"),
    (_zip([("/etc/passwd", b"x")]), "m.npz", "Received: '/etc/passwd'"),
    (_zip([("config.json", b"{}")]), "m.keras", "Expected a Keras 3 .keras archive with config.json and "
                                                "model.weights.h5"),
    (_zip([("config.json", b"[1"), ("model.weights.h5", b"")]), "m.keras", "Expected JSON in config.json"),
    (_zip([("a.npy", b"\0" * (3 * 2**20))], zipfile.ZIP_BZIP2), "m.npz", "more than 1100:1, a zip bomb"),
    (b"\x80\x04\x95" + b"\0" * 20, "m.pkl", "Expected a file ending in one of"),
    (_npz_bytes(a=np.array([{"x": 1}], dtype=object)), "m.npz", "it holds pickled object arrays"),
    (_npz_bytes(a=np.zeros((2, 2, 2))), "m.npz", "Expected at least one Dense or Linear layer"),
    (b"\x89HDF\r\n\x1a\n" + b"\0" * 100, "m.h5", "Could not read m.h5 as a Keras HDF5 file: it is malformed"),
    (b"hello", None, "Received: 5 bytes of unknown content"),
])
def test_refusals(data, name, message):
    with pytest.raises(FileRefused, match=_escape(message)):
        read_layers(data, name=name)


def _escape(text):
    import re
    return re.escape(text)


def test_size_limit_and_unpacked_size(tmp_path):
    path = tmp_path / "big.npz"
    path.write_bytes(b"PK\x03\x04" + b"\0" * 2000)
    with pytest.raises(FileRefused, match=r"The file is too large: expected at most 1,000 bytes \(max_bytes=1000\)\. "
                                          r"Received: 1\.96 KB \(big\.npz\)"):   # never "0.0 MB"
        read_layers(path, max_bytes=1000)
    buf = io.BytesIO()
    np.savez_compressed(buf, kernel=np.zeros((300, 300)))
    data = buf.getvalue()
    with pytest.raises(FileRefused, match="expected at most 500000 bytes unpacked"):
        read_layers(data, name="w.npz", max_bytes=500_000)
    with pytest.raises(FileRefused, match="Expected a path to an existing file"):
        read_layers(tmp_path / "missing.keras")
    with pytest.raises(ValueError, match="Received an invalid value for `max_bytes`"):
        read_layers(data, max_bytes=0)


def test_hdf5_external_links_refused():
    buf = io.BytesIO()
    with h5py.File(buf, "w") as f:
        f.create_group("layers").create_group("dense")["vars"] = h5py.ExternalLink("/etc/secret.h5", "/")
    with pytest.raises(FileRefused, match="Received: a link at /layers/dense/vars"):
        read_layers(buf.getvalue(), name="w.weights.h5")


def test_torch_file_without_torch_is_refused(monkeypatch):
    import importlib.util
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda n, *a: None if n == "torch" else real(n, *a))
    with pytest.raises(FileRefused, match=r"needs torch, loaded with torch\.load\(\.\.\., weights_only=True\).*"
                                          r"dense_viz\[import\]"):
        read_layers(b"\x80\x02}q\x00.", name="m.pt")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=600), name=st.sampled_from(["m.keras", "m.h5", "m.pt", "m.safetensors", "m.npz",
                                                           None]))
def test_random_bytes_are_refused_cleanly(data, name):
    with pytest.raises(FileRefused):
        read_layers(data, name=name)


FILES = {"keras": (two_layer_keras, "m.keras"),
         "h5": (lambda: keras3_h5([("dense", "dense", [K1, B1])]), "m.weights.h5"),
         "npz": (lambda: _npz_bytes(kernel=K1, bias=B1), "m.npz"),
         "safetensors": (lambda: safetensors_numpy.save({"fc.weight": K1.T.copy()}), "m.safetensors")}


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kind=st.sampled_from(sorted(FILES)), cut=st.floats(0, 0.999), flip=st.integers(0, 2**31))
def test_truncated_and_damaged_files_are_refused_cleanly(kind, cut, flip):
    make, name = FILES[kind]
    data = make()
    truncated = data[: int(len(data) * cut)]
    with pytest.raises(FileRefused):
        read_layers(truncated, name=name)
    damaged = bytearray(data)
    damaged[flip % len(data)] ^= 0xFF
    try:
        read_layers(bytes(damaged), name=name)  # a flipped byte may land in padding: reading is fine then
    except FileRefused:
        pass


def test_read_batch_npy_csv_and_keras_messages():
    buf = io.BytesIO()
    np.save(buf, X)
    np.testing.assert_array_equal(read_batch(buf.getvalue(), 3), X)
    np.testing.assert_array_equal(read_batch(b"a,b,c\n1,2,3\n4,5,6\n", 3), [[1, 2, 3], [4, 5, 6]])
    with pytest.raises(FileRefused, match=_escape('Input 0 of layer "dense" is incompatible with the layer: expected '
                                                  "axis -1 of input shape to have value 100, but received input "
                                                  "with shape (8, 3)")):
        read_batch(b"1,2,3\n" * 8, 100)
    buf = io.BytesIO()
    np.save(buf, np.arange(3.0))
    with pytest.raises(FileRefused, match="expected min_ndim=2, found ndim=1"):
        read_batch(buf.getvalue(), 3)
    for bad, message in ((b"1,2\n3\n", "the same number of columns"), (b"1,x\n2,y\n", "Expected numbers"),
                         (b"\xff\xfe\0\0", "binary data"), (b"1,nan\n", "finite")):
        with pytest.raises(FileRefused, match=message):
            read_batch(bad, 2)


def test_read_points_csv_tasks():
    rows = "".join(f"{i / 10},{-i / 10},{i % 3}\n" for i in range(20))
    ds = read_points_csv(("x1,x2,label\n" + rows).encode(), name="three.csv")
    assert ds.task == "multiclass" and ds.n_classes == 3 and ds.name == "three"
    assert ds.x_train.shape == (16, 2) and ds.y_train.shape == (16,) and len(ds.x_test) == 4
    binary = read_points_csv("".join(f"{i},{i},{i % 2}\n" for i in range(10)).encode())
    assert binary.task == "binary" and binary.y_train.shape == (8, 1)
    regression = read_points_csv(b"x,y\n" + b"".join(f"{i},{i * i}\n".encode() for i in range(10)))
    assert regression.task == "regression" and regression.x_train.shape == (8, 1) and regression.n_classes is None
    with pytest.raises(FileRefused, match="column of class numbers"):
        read_points_csv(b"a,b,label\n1,2,0.5\n3,4,0\n5,6,1\n7,8,0\n")  # (at least 4 points: read_points)


def test_from_framework_passes_dense_viz_and_refuses_others():
    layer = Dense(3)
    assert from_framework(layer) == (layer, [])
    with pytest.raises(ValueError, match="Expected a dense_viz.Dense, a keras.layers.Dense .* Received: builtins.int"):
        from_framework(3)


def test_io_imports_no_optional_library():
    import subprocess
    code = ("import sys, dense_viz, dense_viz.io; "
            "print(sorted(m for m in ('h5py', 'safetensors', 'torch', 'keras') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_npz_with_keras_lora_and_int8_arrays_and_file_objects():
    kq = RNG.integers(-127, 128, size=(3, 4)).astype(np.int8)
    scale = RNG.uniform(50, 100, size=4).astype(np.float32)
    a, b = RNG.normal(size=(3, 2)).astype(np.float32), RNG.normal(size=(2, 4)).astype(np.float32)
    data = _npz_bytes(**{"lora/kernel": K1, "lora/bias": B1, "lora/lora_kernel_a": a, "lora/lora_kernel_b": b,
                         "q/kernel": kq, "q/bias": B1, "q/kernel_scale": scale})
    layers = read_layers(io.BytesIO(data), name="adapters.npz")
    lora, q = layers["lora"], layers["q"]
    np.testing.assert_allclose(lora(X), X @ (K1 + a @ b) + B1, rtol=1e-5)  # alpha = rank: scale 1
    assert q.quantization_mode == "int8" and q.weight_names == ["bias", "kernel", "kernel_scale"]


def test_content_that_disagrees_with_the_name():
    with pytest.raises(FileRefused, match="The file's name says 'h5', but its content is zip"):
        read_layers(_npz_bytes(kernel=K1), name="m.h5")
    with pytest.raises(FileRefused, match="The file's name says 'npz', but its content is hdf5"):
        read_layers(keras3_h5([]), name="m.npz")


# -- tf.keras 2.x files (the layout tf.keras 2.15 writes; checked against real TensorFlow in parity_tf_keras.py) --
def test_a_tf_keras_2_keras_file_matches_groups_by_class_counter_not_by_layer_name():
    """tf.keras 2.15 names the groups dense, dense_1, … in model order, without a `name` attribute, while its layers
    are named dense_1, dense_2 (the names a session had used up): the group called 'dense_1' is the second layer."""
    config = model_config(dense_config("dense_1", 4, "relu"), {"class_name": "Dropout", "config": {"name": "dropout"}},
                          dense_config("dense_2", 2, "hard_sigmoid"))
    weights = keras3_h5([("dense", None, [K1, B1]), ("dense_1", None, [K2, np.zeros(2, np.float32)]),
                         ("dropout", None, [])])
    layers = read_layers(keras_file(config, weights, keras_version="2.15.0"), name="tf2.keras")
    assert [(name, layer.kernel.shape) for name, layer in layers.items()] == [("dense_1", (3, 4)), ("dense_2", (4, 2))]
    np.testing.assert_array_equal(layers["dense_1"].kernel, K1)
    assert layers["dense_1"].activation.name == "relu"
    assert layers["dense_2"].activation.name == "linear"  # tf.keras 2's hard_sigmoid is another formula
    assert any("clip(0.2·z + 0.5, 0, 1)" in n for n in layers.notes), layers.notes
    keras3 = read_layers(keras_file(config, weights), name="k3.keras")  # Keras 3 says the same names: its formula
    assert keras3["dense_2"].activation.name == "hard_sigmoid"


@pytest.mark.parametrize("version, major", [("2.15.0", 2), ("3.15.1", 3), (None, 3), ("", 3), ("unknown", 3)])
def test_keras_major(version, major):
    assert keras_major(version) == major


# -- your own training points (read_points / read_points_csv) ------------------------------------------------
def labelled(n=20, classes=2, header="x1,x2,label"):
    rows = "".join(f"{i / 10},{(i * 7 % 11) / 5},{i % classes}\n" for i in range(n))
    return ((header + "\n") if header else "") + rows


def test_read_points_tasks_names_and_the_split():
    points = read_points(labelled(30, 3).encode(), name="three.csv")
    assert (points.name, points.task, points.n_classes, points.x.shape, points.y.shape) == \
        ("three.csv", "multiclass", 3, (30, 2), (30,))
    ds = points.split(0.8, 5)
    assert ds.name == "three.csv" and ds.x_train.shape == (24, 2) and ds.x_test.shape == (6, 2)
    again = points.split(0.8, 5)
    np.testing.assert_array_equal(ds.x_train, again.x_train)  # seeded
    assert sorted(map(tuple, np.concatenate([ds.x_train, ds.x_test]))) == sorted(map(tuple, points.x))
    csv = read_points_csv(labelled(30, 3).encode(), name="three.csv", seed=5)
    np.testing.assert_array_equal(csv.x_train, ds.x_train)
    assert csv.name == "three"
    label_first = read_points(b"label,a,b\n" + b"".join(f"{i % 2},{i},{-i}\n".encode() for i in range(6)))
    assert label_first.task == "binary" and label_first.x[:, 0].tolist() == list(range(6))
    array = read_points(np.array([[0, 0, 0], [1, 1, 1], [2, 0, 0], [0, 2, 1]]))
    assert array.name == "array" and array.task == "binary" and array.y.shape == (4, 1)
    regression = read_points(np.column_stack([np.arange(5.0), np.arange(5.0) ** 2]))
    assert regression.task == "regression" and regression.x.shape == (5, 1) and regression.n_classes is None
    with pytest.raises(ValueError, match="train_fraction"):
        points.split(0.0)


@pytest.mark.parametrize("data, message", [
    (b"", "no data rows"),
    (b"x1,x2,label\n", "no data rows"),
    (b"\xff\xfe\x00\x00binary", "binary data"),
    (b"a,b,c,d\n1,2,3,0\n4,5,6,1\n7,8,9,0\n1,1,1,1\n", r"3 columns: x1, x2, label\) or of x, y \(2 columns.*Received: shape \(4, 4\)"),
    (b"1\n2\n3\n4\n", r"Received: shape \(4, 1\)"),
    (b"x1,x2,label\n1,2,0\n3,oops,1\n5,6,0\n7,8,1\n", r"Expected numbers in every CSV cell. Received: 'oops' in line 3, column 2"),
    (b"1,2,0\n3,4\n5,6,1\n", "same number of columns"),
    (b"x1,x2,label\n1,2,0\n3,nan,1\n5,6,0\n7,8,1\n", r"Expected finite numbers in the CSV. Received: nan in line 3, column 2"),
    (b"1,2,0\n3,inf,1\n5,6,0\n7,8,1\n", r"finite numbers.*inf in line 2"),
    (b"1,2,0\n3,4,1\n", r"Expected from 4 to 1,000,000 points \(rows\). Received: 2"),
    (b"1,2,0\n3,4,0\n5,6,0\n7,8,0\n", r"Expected at least two classes in the 'label' column. Received: only class 0 \(4 points\)"),
    (b"1,2,0\n3,4,0.5\n5,6,1\n7,8,0\n", "column of class numbers 0, 1"),
    (b"1,2,-1\n3,4,0\n5,6,1\n7,8,0\n", "labels from -1 to 1"),
    (b"1,2,0\n3,4,10\n5,6,1\n7,8,0\n", r"class numbers from 0 to 9 in the 'label' column \(at most 10 classes\). Received: a label 10"),
    (b"x,label\n1,0\n2,1\n3,0\n4,1\n", "Received: 1 feature columns"),
])
def test_read_points_refusals_say_what_was_expected_and_received(data, message):
    with pytest.raises(FileRefused, match=message):
        read_points(data, name="mine.csv")


def test_read_points_size_and_row_limits(tmp_path, monkeypatch):
    data = labelled(50).encode()
    with pytest.raises(FileRefused, match=r"too large: expected at most .*max_bytes=100\)"):
        read_points(data, name="big.csv", max_bytes=100)
    path = tmp_path / "big.csv"
    path.write_bytes(data)
    with pytest.raises(FileRefused, match="too large"):
        read_points(path, max_bytes=100)
    monkeypatch.setattr("dense_viz.io.batches.MAX_SAMPLES", 40)
    with pytest.raises(FileRefused, match=r"Expected at most 40 rows. Received: 50 rows \(big.csv\)"):
        read_points(path)
    assert datasets.MAX_SAMPLES == 1_000_000
    with pytest.raises(FileRefused, match="numeric array"):
        read_points(np.array([["a", "b", "c"]] * 4))
