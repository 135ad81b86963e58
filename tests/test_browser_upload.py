"""Uploads in a real browser (Playwright `set_input_files` on the apps' FileUpload widgets, Voila from this checkout).

The explainer's `dv-upload` takes a model file the test writes itself, lists its layers and explains the one
picked; a malformed file is refused in `dv-status` with that layer still on screen. The training panel's
`dv-train-upload` takes a CSV of points and trains on it. A file above tornado's default websocket limit
(10 MiB, which closes the connection) arrives whole: the shipped voila.json raises `websocket_max_message_size`.
"""
import io

import numpy as np
import pytest
from browser import UNITS_INPUT, UPDATE_TIMEOUT_MS, assert_drawn, wait_for_images
from playwright.sync_api import expect

pytestmark = pytest.mark.browser
EXPLAINER = "voila/render/explainer.ipynb?preset=custom"
TRAINING = "voila/render/training.ipynb"
APP_READY = f"{UNITS_INPUT}:not([disabled])"
TRAINING_READY = '.dv-train-loss-readout:has-text("·")'
RNG = np.random.default_rng(0)


def assert_no_problems(events):
    assert events.problems == [], "\n".join(events.problems)


def text(page, css):
    return page.locator(css).first.inner_text().strip()


def open_own_panel(page):
    """Open the explainer's 'Your layer and data' section (an Accordion, closed at first)."""
    page.locator(".dv-own").get_by_text("Your layer and data").first.click()
    expect(page.locator(".dv-upload").first).to_be_visible(timeout=UPDATE_TIMEOUT_MS)


def choose_file(page, css, path):
    """What a learner does: click the FileUpload button `css` and choose `path` in the file dialog. (ipywidgets 8
    keeps its <input type=file> out of the DOM once the button has drawn its label, so the dialog it opens is
    the way in: Playwright's FileChooser.set_files, i.e. set_input_files on that input.)"""
    with page.expect_file_chooser(timeout=UPDATE_TIMEOUT_MS) as chooser:
        page.locator(css).first.click()
    chooser.value.set_files(str(path))


def two_layer_npz(path):
    """An .npz of two Dense layers, as `np.savez` names Keras-style arrays: 3 → 4, then 4 → 2 (bias of ones)."""
    np.savez(path, **{"dense/kernel": RNG.normal(size=(3, 4)).astype(np.float32),
                      "dense/bias": np.zeros(4, np.float32),
                      "dense_1/kernel": RNG.normal(size=(4, 2)).astype(np.float32),
                      "dense_1/bias": np.ones(2, np.float32)})
    return path


def upload_model_and_pick_the_second_layer(page, path):
    open_own_panel(page)
    choose_file(page, ".dv-upload", path)
    picker = page.locator(".dv-layer-picker select").first
    expect(picker).to_be_visible(timeout=UPDATE_TIMEOUT_MS)
    expect(picker.locator("option")).to_have_count(2)
    expect(page.locator(".dv-output-shape").first).to_have_text("(None, 4)", timeout=UPDATE_TIMEOUT_MS)
    expect(page.locator(".dv-param-formula").first).to_contain_text("3 × 4 + 4")
    expect(page.locator(".dv-shape-W").first).to_contain_text("(3, 4)")  # the Shapes tab's kernel box
    picker.select_option(index=1)
    expect(page.locator(".dv-output-shape").first).to_have_text("(None, 2)", timeout=UPDATE_TIMEOUT_MS)
    expect(page.locator(".dv-param-formula").first).to_contain_text("4 × 2 + 2")
    expect(page.locator(UNITS_INPUT).first).to_have_value("2")
    expect(page.locator(".dv-shape-W").first).to_contain_text("(4, 2)")
    expect(page.locator(".dv-own-layer-note").first).to_contain_text("dense_1 (4 → 2, linear)")


def test_an_uploaded_model_file_is_listed_and_the_picked_layer_explained(new_page, voila_server, tmp_path):
    page, events = new_page(voila_server + EXPLAINER, APP_READY)
    upload_model_and_pick_the_second_layer(page, two_layer_npz(tmp_path / "two.npz"))
    expect(page.locator(".dv-batch-shape").first).to_contain_text(", 2)")  # y (batch, units 2)
    assert_no_problems(events)


@pytest.mark.parametrize("name, content, refusal", [
    ("broken.npz", b"PK\x03\x04 this is not a whole zip archive", "Expected a readable zip archive"),
    ("renamed.keras", b"just some text, not a model", "The file's name says 'keras', but its content is"),
])
def test_a_malformed_file_is_refused_and_the_previous_layer_stays(new_page, voila_server, tmp_path, name, content,
                                                                   refusal):
    page, events = new_page(voila_server + EXPLAINER, APP_READY)
    upload_model_and_pick_the_second_layer(page, two_layer_npz(tmp_path / "good.npz"))
    bad = tmp_path / name
    bad.write_bytes(content)
    choose_file(page, ".dv-upload", bad)
    expect(page.locator(".dv-status").first).to_contain_text(refusal, timeout=UPDATE_TIMEOUT_MS)
    expect(page.locator(".dv-output-shape").first).to_have_text("(None, 2)")  # the layer on screen stays
    expect(page.locator(".dv-param-formula").first).to_contain_text("4 × 2 + 2")
    expect(page.locator(".dv-layer-picker select option")).to_have_count(2)
    assert_no_problems(events)


def blobs_csv(path, n=150):
    """Three blobs of points around (4, -3), outside the toy sets' [-1.5, 1.5]², labels 0, 1, 2."""
    labels = np.arange(n) % 3
    x = np.array([4.0, -3.0]) + 2 * np.column_stack([np.cos(labels * 2.1), np.sin(labels * 2.1)]) + \
        0.5 * RNG.normal(size=(n, 2))
    path.write_text("x1,x2,label\n" + "".join(f"{a:.4f},{b:.4f},{k}\n" for (a, b), k in zip(x, labels)))
    return path


def test_a_training_csv_becomes_the_data_set_and_trains(new_page, voila_server, tmp_path, artifacts_dir):
    page, events = new_page(voila_server + TRAINING, TRAINING_READY, viewport={"width": 1300, "height": 1000})
    before = page.locator(".dv-train-boundary-view img").first.get_attribute("src")
    choose_file(page, ".dv-train-upload", blobs_csv(tmp_path / "blobs.csv"))
    expect(page.locator(".dv-train-status").first).to_contain_text(
        "Your data set blobs.csv: 150 points in 3 classes, a multiclass task", timeout=UPDATE_TIMEOUT_MS)
    menu = page.locator(".dv-train-dataset select").first
    expect(menu).to_have_value("uploaded (blobs.csv, 150 points)", timeout=UPDATE_TIMEOUT_MS)  # values: no &nbsp;
    expect(page.locator(".dv-train-architecture").first).to_contain_text("3 softmax")
    expect(page.locator(".dv-train-upload-note").first).to_contain_text("Training on your points: blobs.csv")
    wait_for_images(page, ".dv-train-boundary-view", old_src=before)

    start_loss = train_loss(page)
    play = page.locator(".dv-play").first
    play.click()
    expect(play).to_contain_text("Pause", timeout=UPDATE_TIMEOUT_MS)
    page.wait_for_function("() => Number(document.querySelector('.dv-train-steps').textContent.replace(/\\D/g, ''))"
                           " >= 100", timeout=UPDATE_TIMEOUT_MS)
    play.click()
    expect(play).to_contain_text("Play", timeout=UPDATE_TIMEOUT_MS)
    expect(page.locator(".dv-train-sps").first).to_contain_text("paused", timeout=UPDATE_TIMEOUT_MS)
    assert train_loss(page) < 0.8 * start_loss, (start_loss, text(page, ".dv-train-loss-readout"))
    wait_for_images(page, ".dv-train-boundary-view")
    png = screenshot_app_training(page, artifacts_dir / "training-uploaded-csv.png")
    assert_drawn(png, "the training panel on an uploaded CSV")

    bad = tmp_path / "one-class.csv"
    bad.write_text("x1,x2,label\n1,2,0\n3,4,0\n5,6,0\n7,8,0\n")
    choose_file(page, ".dv-train-upload", bad)
    expect(page.locator(".dv-train-status").first).to_contain_text(
        "Expected at least two classes in the 'label' column. Received: only class 0 (4 points)",
        timeout=UPDATE_TIMEOUT_MS)
    expect(menu).to_have_value("uploaded (blobs.csv, 150 points)")
    steps = int(text(page, ".dv-train-steps").replace(",", ""))
    page.locator(".dv-step").first.click()  # training still works on the points there were
    expect(page.locator(".dv-train-steps").first).to_have_text(f"{steps + 1:,}", timeout=UPDATE_TIMEOUT_MS)
    assert_no_problems(events)


def train_loss(page):
    """The train loss the readout shows ('1.099 · 1.103' -> 1.099)."""
    return float(text(page, ".dv-train-loss-readout").split("·")[0])


def screenshot_app_training(page, path):
    """The whole training panel (it is `.dv-train-app`, not the explainer's `.dv-app`)."""
    return page.locator(".dv-train-app").first.screenshot(path=str(path))


def test_an_upload_above_tornados_default_websocket_limit_arrives_whole(new_page, voila_server, tmp_path):
    """20 MiB in one websocket message: tornado's default (10 MiB) would close the kernel's connection; the
    shipped voila.json sets Voila.tornado_settings.websocket_max_message_size above the upload limit."""
    x = np.arange(2 * 2_621_440, dtype=np.float32).reshape(2_621_440, 2)  # 20 MiB, the wrong width on purpose
    path = tmp_path / "big.npy"
    buffer = io.BytesIO()
    np.save(buffer, x)
    path.write_bytes(buffer.getvalue())
    assert path.stat().st_size > 20 * 2**20
    page, events = new_page(voila_server + EXPLAINER, APP_READY)
    open_own_panel(page)
    choose_file(page, ".dv-upload", path)
    # the kernel parsed all 20 MiB (a cut message never reaches it; np.load refuses a truncated array)
    expect(page.locator(".dv-status").first).to_contain_text(
        "expected axis -1 of input shape to have value 4, but received input with shape (2621440, 2)",
        timeout=60_000)
    expect(page.locator(".dv-output-shape").first).to_have_text("(None, 3)")  # still the app's own layer
    assert_no_problems(events)
