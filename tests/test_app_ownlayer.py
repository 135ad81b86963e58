"""Your own layer and data in the explainer: files, live objects, a picker, uploads, LoRA and int8 views."""
import datetime
import io
import zipfile

import numpy as np
import pytest

import dense_viz
from dense_viz import Dense
from dense_viz.app.app import TABS
from dense_viz.app.views.code import keras_code

RNG = np.random.default_rng(7)


def upload(app, name, data):
    """What ipywidgets' FileUpload puts in its value when a file is chosen in the browser."""
    app.own.upload.value = ({"name": name, "type": "", "size": len(data), "content": memoryview(data),
                             "last_modified": datetime.datetime.now()},)


def npz(**arrays):
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def two_layers():
    return npz(**{"dense/kernel": RNG.normal(size=(4, 5)).astype(np.float32), "dense/bias": np.zeros(5, np.float32),
                  "dense_1/kernel": RNG.normal(size=(5, 2)).astype(np.float32),
                  "dense_1/bias": np.ones(2, np.float32)})


def test_explain_a_file_path_picks_the_first_layer_and_offers_the_rest(tmp_path):
    path = tmp_path / "model.npz"
    path.write_bytes(two_layers())
    app = dense_viz.explain(path)
    assert (app.state.input_dim, app.state.units) == (4, 5)
    assert [label for label, _ in app.own.picker.options] == ["dense (4 → 5, linear)", "dense_1 (5 → 2, linear)"]
    app.own.picker.value = "dense_1"
    assert (app.state.input_dim, app.state.units) == (5, 2) and (app.state.layer.bias == 1).all()
    app = dense_viz.explain(str(path), layer_name="dense_1")
    assert app.state.units == 2 and "no activations" in app.state.status
    with pytest.raises(ValueError, match="Received: layer_name='nope'"):
        dense_viz.explain(path, layer_name="nope")


def test_the_apps_y_is_the_layers_own_output():
    layer = Dense(6, activation="gelu", seed=3)
    x = RNG.normal(size=(8, 9)).astype(np.float32)
    expected = layer(x)
    app = dense_viz.explain(layer)
    app.state.use_input(x)
    np.testing.assert_allclose(app.state.y, expected, rtol=1e-6)


def test_an_uploaded_model_file_is_explained_and_a_bad_one_refused_with_the_layer_kept():
    app = dense_viz.explain()
    upload(app, "model.npz", two_layers())
    assert app.state.units == 5 and app.own.picker.layout.display is None
    kernel = app.state.layer.kernel.copy()
    for name, data, message in [
        ("broken.keras", b"PK\x03\x04not really", "Expected a readable zip archive"),
        ("weights.pt", b"\x80\x04\x95pickle", "weights_only"),
        ("x.safetensors", b"\x00" * 12, "safetensors"),
        ("../../etc/passwd.npz", b"garbage", ""),
    ]:
        upload(app, name, data)
        assert app.state.status_level == "error" and message in app.state.status, name
        np.testing.assert_array_equal(app.state.layer.kernel, kernel)  # the previous layer stays on screen


def test_a_zip_bomb_and_path_traversal_are_refused():
    app = dense_viz.explain()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("../config.json", "{}")
    upload(app, "evil.keras", buffer.getvalue())
    assert app.state.status_level == "error"
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("config.json", b"\x00" * 50_000_000)
    upload(app, "bomb.keras", bomb.getvalue())
    assert app.state.status_level == "error" and app.state.units == 3


def test_an_uploaded_batch_becomes_x_and_a_wrong_width_is_refused_in_keras_words():
    app = dense_viz.explain(input_dim=3)
    x = RNG.normal(size=(2, 4, 3)).astype(np.float32)
    buffer = io.BytesIO()
    np.save(buffer, x)
    upload(app, "batch.npy", buffer.getvalue())
    assert app.state.input_data == "uploaded" and app.state.batch_shape == (2, 4, 3)
    np.testing.assert_array_equal(app.state.x, x)
    upload(app, "wide.csv", b"1,2,3,4\n5,6,7,8\n")
    assert ('expected axis -1 of input shape to have value 3, but received input with shape (2, 4)'
            in app.state.status)
    np.testing.assert_array_equal(app.state.x, x)
    assert 'np.load("your_batch.npy")' in keras_code(app.state)


def test_a_hostile_file_name_is_escaped():
    app = dense_viz.explain(input_dim=2)
    upload(app, "<img src=x onerror=alert(1)>.csv", b"1,2\n3,4\n")
    assert "<img" not in app.own.note.value and "&lt;img" in app.own.note.value


@pytest.mark.parametrize("config", [{"lora_rank": 2}, {"quantization": "int8"},
                                    {"lora_rank": 3, "lora_alpha": 6.0, "quantization": "int8"}])
def test_the_adapt_view_shows_lora_and_int8_with_their_counts(config):
    app = dense_viz.explain(preset="tiny", **config)
    app.tabs.selected_index = [key for key, _ in TABS].index("adapt")
    view, layer = app.views["adapt"], app.state.layer
    if config.get("lora_rank"):
        r = config["lora_rank"]
        assert f"Trainable: {r * 5 + 2:,} = {r} × (3 + 2) + 2 instead of 8" in view._lora_text.value
        assert view.lora.layout.display is None and bytes(view.lora.image.value[:4]) == b"\x89PNG"
        assert f"enable_lora({r}" in keras_code(app.state)
    else:
        assert view.lora.layout.display == "none"
    if config.get("quantization"):
        assert "as int8 + 2 float32 scales" in view._int8_text.value and layer.kernel.dtype == np.int8
        assert 'quantize("int8")' in keras_code(app.state)


def test_lora_learns_through_the_learning_step_and_int8_turns_off_again():
    app = dense_viz.explain(preset="tiny", lora_rank=1)
    kernel = app.state.float_kernel.copy()
    assert not app.state.layer.lora_kernel_b.any()
    app.state.sgd_step()
    assert app.state.layer.lora_kernel_b.any() and np.array_equal(app.state.float_kernel, kernel)  # W frozen
    assert app.state.last_step.delta["kernel"].any()  # the applied W + (α/r)·A·B moved
    app.state.update(quantization="int8")
    app.state.update(quantization="none", lora_rank=0)
    np.testing.assert_array_equal(app.state.layer.kernel, kernel)
    assert "Lora is incompatible with kernel constraints" in (
        app.state.update(lora_rank=2, kernel_constraint="max_norm") or app.state.status)
