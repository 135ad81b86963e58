"""Click to select in a real browser: a mouse click on a cell of Forward's y heatmap selects that (i, j), and the
written-out arithmetic line shows y[i, j] (Voila + ipyevents + Chromium, the fixtures of conftest.py)."""
import pytest
from browser import UNITS_INPUT, UPDATE_TIMEOUT_MS, open_tab, refreshed, screenshot_app
from playwright.sync_api import expect

from dense_viz.app.presets import preset_config
from dense_viz.app.state import ExplainerState
from dense_viz.app.views.forward import ForwardView

pytestmark = pytest.mark.browser
EXPLAINER = "voila/render/explainer.ipynb"


def cell_pixel(row, col):
    """The PNG pixel (x right, y down) of the centre of y[row, col] in the Tiny preset's Forward figure, computed
    from the very figure the page shows."""
    view = ForwardView(ExplainerState(**preset_config("tiny")))
    view.refresh()
    ax = view._heat.ax_y
    x, y = ax.transData.transform((col, row))
    return x, ax.figure.bbox.height - y, ax.figure.bbox.width


def test_clicking_a_y_cell_selects_it_and_the_arithmetic_follows(new_page, voila_server, artifacts_dir):
    page, events = new_page(voila_server + EXPLAINER + "?preset=tiny", f"{UNITS_INPUT}:not([disabled])")
    panel = open_tab(page, "Forward")
    arithmetic = page.locator(".dv-forward-arithmetic").first
    expect(arithmetic).to_contain_text("y[0, 0]", timeout=UPDATE_TIMEOUT_MS)
    image = panel.locator(".dv-clickable").first
    assert image.evaluate("img => getComputedStyle(img).cursor") == "pointer"   # the cursor says: click me
    box = image.bounding_box()
    px, py, width = cell_pixel(3, 1)
    scale = box["width"] / width                       # the PNG may be shown scaled down (max-width: 100%)
    with refreshed(page):
        page.mouse.click(box["x"] + px * scale, box["y"] + py * scale)
    expect(arithmetic).to_contain_text("y[3, 1]", timeout=UPDATE_TIMEOUT_MS)
    expect(arithmetic).to_contain_text("z[3, 1]")
    expect(page.locator(".dv-forward-sample input").first).to_have_value("3")
    expect(page.locator(".dv-forward-unit input").first).to_have_value("1")
    expect(page.locator(".dv-forward-hint").first).to_contain_text("selected i = 3, j = 1")
    screenshot_app(page, str(artifacts_dir / "learner-forward-clicked.png"))
    assert events.problems == [], "\n".join(events.problems)
