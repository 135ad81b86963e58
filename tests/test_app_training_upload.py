"""Your own data set in the training panel (headless): a CSV through `dv-train-upload` or explain_training(data=),
the task and the plots following it, and every refusal keeping the data set there was with training alive."""
import datetime
import html

import numpy as np
import pytest

from dense_viz.app.training import explain_training
from dense_viz.app.training.state import UPLOADED, TrainingState
from dense_viz.io import MAX_BYTES
from dense_viz.plots import training as tplot


def upload(app, name, data):
    """What ipywidgets' FileUpload puts in its value when a file is chosen in the browser."""
    app.controls.upload.upload.value = ({"name": name, "type": "text/csv", "size": len(data),
                                         "content": memoryview(data), "last_modified": datetime.datetime.now()},)


def blobs_csv(n=120, classes=3, centre=(50.0, -20.0), seed=0):
    """Points far from the toy sets' [-1.5, 1.5]²: `classes` blobs around `centre`, labels 0…classes−1."""
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % classes
    x = np.asarray(centre) + 4.0 * np.column_stack([np.cos(labels * 2.1), np.sin(labels * 2.1)]) + \
        rng.normal(size=(n, 2))
    return ("x1,x2,label\n" + "".join(f"{a:.4f},{b:.4f},{k}\n" for (a, b), k in zip(x, labels))).encode()


def regression_csv(n=60):
    xs = np.linspace(10, 20, n)
    return ("x,y\n" + "".join(f"{a},{3 * np.sin(a)}\n" for a in xs)).encode()


def test_an_uploaded_csv_becomes_the_data_set_with_its_own_task_and_range():
    app = explain_training()
    upload(app, "blobs.csv", blobs_csv())
    s, controls = app.state, app.controls
    assert s.dataset == UPLOADED and s.task == "multiclass" and s.status_level == "warning"
    assert "Its inputs reach 5" in s.status and "keras.layers.Normalization" in s.status  # |x| ≈ 50
    assert s.model.layers[-1].units == 3 and s.output_activation == "softmax"
    assert s.loss == "sparse_categorical_crossentropy"
    assert "Your data set blobs.csv: 120 points in 3 classes, a multiclass task" in s.status
    assert len(s.data.x_train) == 96 and len(s.data.x_test) == 24  # train_fraction 0.8
    assert controls.controls["dataset"].value == UPLOADED
    assert controls.controls["dataset"].label == "uploaded (blobs.csv, 120 points)"
    assert controls.controls["noise"].disabled
    assert "Training on your points: blobs.csv, 120 points." in controls.upload.note.value
    x0, x1, y0, y1 = s.extent()
    points = np.concatenate([s.data.x_train, s.data.x_test])
    assert x0 < points[:, 0].min() < points[:, 0].max() < x1 and y0 < points[:, 1].min() < points[:, 1].max() < y1
    assert x0 > 30 and y1 < 0  # the uploaded points' range, not the toy sets'
    start = s.train_loss
    s.train(200)
    assert s.step == 200 and s.train_loss < start
    app.refresh_visible()
    art = app.views["boundary"].art
    assert tuple(art.image.get_extent()) == pytest.approx(s.extent())
    np.testing.assert_array_equal(art.train.get_offsets(), s.data.x_train)
    out = s.model.predict(tplot.grid_points(s.extent(), art.grid).astype("float32"))
    np.testing.assert_allclose(art.image.get_array(), tplot.probabilities_to_rgb(out.reshape(60, 60, 3)))
    assert app.views["boundary"].image.value[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_regression_csv_fits_a_curve_over_its_x_range():
    app = explain_training()
    upload(app, "wave.csv", regression_csv())
    s = app.state
    assert s.task == "regression" and s.loss == "mean_squared_error" and s.model.layers[-1].units == 1
    assert "wave.csv: 60 points (x, y), a regression task" in s.status
    assert "Its inputs reach 20" in s.status  # x up to 20
    s.train(50)
    app.refresh_visible()
    curve = app.views["boundary"].art.curve
    assert curve.get_visible() and (curve.get_xdata().min(), curve.get_xdata().max()) == pytest.approx((9, 21))  # ±10 %
    assert app.views["readout"].texts()["steps"] == "50"


@pytest.mark.parametrize("name, data, message", [
    ("four.csv", b"a,b,c,d\n1,2,3,0\n4,5,6,1\n7,8,9,0\n1,1,1,1\n", "Received: shape (4, 4)"),
    ("words.csv", b"x1,x2,label\n1,2,0\n3,two,1\n5,6,0\n7,8,1\n", "Received: 'two' in line 3, column 2"),
    ("empty.csv", b"", "no data rows"),
    ("one.csv", b"1,2,1\n3,4,1\n5,6,1\n7,8,1\n", "only class 1 (4 points)"),
    ("nan.csv", b"1,2,0\n3,nan,1\n5,6,0\n7,8,1\n", "Received: nan in line 2, column 2"),
    ("few.csv", b"1,2,0\n3,4,1\n", "Received: 2"),
    ("image.csv", b"\x89PNG\r\n\x1a\n\x00\x00\xff", "binary data"),
])
def test_a_bad_csv_is_refused_and_the_data_set_and_training_stay(name, data, message):
    app = explain_training()
    s = app.state
    upload(app, "good.csv", blobs_csv(classes=2))
    s.train(5)
    weights = s.model.layers[0].kernel.copy()
    upload(app, name, data)
    assert s.status_level == "error" and message in s.status, s.status
    assert s.dataset == UPLOADED and s.points.name == "good.csv" and s.task == "binary"
    assert app.controls.controls["dataset"].label == "uploaded (good.csv, 120 points)"
    assert s.step == 5  # not rebuilt: the same network, the same history
    np.testing.assert_array_equal(s.model.layers[0].kernel, weights)
    s.train(3)
    assert s.step == 8 and np.isfinite(s.train_loss)


def test_points_of_the_toy_sets_scale_get_no_rescaling_hint():
    app = explain_training()
    upload(app, "near.csv", blobs_csv(centre=(0.5, -0.5), classes=2))
    assert app.state.status_level == "ok" and "Normalization" not in app.state.status


def test_a_refused_first_upload_keeps_the_toy_set_and_offers_no_uploaded_entry():
    app = explain_training(dataset="xor")
    upload(app, "bad.csv", b"1,2\n")
    assert app.state.dataset == "xor" and app.state.points is None and app.state.status_level == "error"
    assert UPLOADED not in [value for _label, value in app.controls.controls["dataset"].options]
    assert app.state.train(2) == 2


def test_a_file_too_large_is_refused_before_it_is_read():
    app = explain_training(max_upload_bytes=1000)
    upload(app, "big.csv", blobs_csv(200))
    assert "The file is too large: expected at most" in app.state.status and "max_bytes=1000" in app.state.status
    assert app.state.dataset == "circle"
    assert explain_training().controls.upload.max_bytes == MAX_BYTES


def test_the_menu_switches_between_a_toy_set_and_your_points_and_a_new_upload_relabels_it():
    app = explain_training()
    menu = app.controls.controls["dataset"]
    upload(app, "a.csv", blobs_csv(classes=2))
    menu.value = "spiral3"
    assert app.state.dataset == "spiral3" and app.state.task == "multiclass" and not app.controls.controls["noise"].disabled
    assert app.controls.upload.note.value == ""
    menu.value = UPLOADED
    assert app.state.dataset == UPLOADED and app.state.task == "binary"
    upload(app, "b.csv", regression_csv(30))
    assert menu.label == "uploaded (b.csv, 30 points)" and menu.value == UPLOADED and app.state.task == "regression"
    app.state.update(train_fraction=0.5, seed=3)  # your points split again, by the seed
    assert len(app.state.data.x_train) == 15 and app.state.data.name == "b.csv"


def test_a_hostile_file_name_is_escaped_in_every_html_it_reaches():
    app = explain_training()
    name = "<img src=x onerror=alert(1)>.csv"
    upload(app, name, blobs_csv(classes=2))
    assert app.state.points.name == name
    status = app.children[1]  # the StatusLine
    for markup in (app.controls.upload.note.value, status.value):
        assert "<img" not in markup and html.escape("<img", quote=False) in markup
    app.share.refresh()
    shared = "".join(child.value for child in app.share.children if hasattr(child, "value"))
    assert "<img" not in shared and "onerror" in shared
    upload(app, name, b"1,2\n")  # a refusal naming the file
    assert "<img" not in status.value


def test_explain_training_takes_a_path_or_an_array_and_the_code_names_the_file(tmp_path):
    path = tmp_path / "mine.csv"
    path.write_bytes(blobs_csv(classes=2))
    app = explain_training(data=path, hidden_layers=[{"units": 4}])
    assert app.state.dataset == UPLOADED and app.state.points.name == "mine.csv" and app.state.task == "binary"
    assert "data='mine.csv'" in app.code() and "dataset=" not in app.code()
    assert "dataset=uploaded" in app.link()  # the points are not in the link: opening it says so
    xy = np.column_stack([np.linspace(0, 1, 10), np.linspace(0, 1, 10) ** 2])
    assert explain_training(data=xy).state.task == "regression"
    with pytest.raises(ValueError, match="only class 0"):
        explain_training(data=np.zeros((5, 3)))
    with pytest.raises(ValueError, match="max_upload_bytes"):
        explain_training(max_upload_bytes=0)
    opened = explain_training(query="dataset=uploaded")  # a shared link without the points
    assert opened.state.dataset == "circle" and "expected a data set of your own first" in opened.state.status


def test_the_state_refuses_uploaded_without_points_in_keras_words():
    state = TrainingState()
    assert state.update(dataset=UPLOADED) is False
    assert state.status == ("Received an invalid value for `dataset`, expected a data set of your own first (upload a "
                            "CSV of points). Received: dataset='uploaded'")
    assert state.dataset == "circle"
