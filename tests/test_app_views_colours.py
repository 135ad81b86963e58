"""Colours that do not hide magnitudes: the shared gradient scale, the kernel's true range, pooled colour bars."""
import numpy as np
import pytest

from dense_viz.app.presets import preset_config
from dense_viz.app.state import ExplainerState
from dense_viz.app.views.gradients import GradientsView
from dense_viz.app.views.weights import WeightsView

QUESTION = dict(input_dim=100, units=25600, use_bias=False, activation="linear", batch_size=8)


def test_saturated_sigmoid_delta_is_pale_on_the_shared_scale_and_vivid_only_per_panel():
    state = ExplainerState(**preset_config("saturated_sigmoid"))
    view = GradientsView(state)
    view.refresh()
    assert view._scale.value == "shared"                         # the default tells the truth
    delta_peak = float(np.abs(state.dz).max())
    limit = view._artists.dz.image.get_clim()[1]
    assert limit == pytest.approx(float(np.abs(state.dy).max()))  # the gradient arriving at the layer sets L
    assert delta_peak < 1e-3 * limit                             # … so δ (σ′ ≈ 0) is near white
    assert "of ∂L/∂y" in view._artists.key_value.get_text()
    view._scale.value = "panel"                                  # the toggle redraws at once
    assert view._artists.dz.image.get_clim()[1] == pytest.approx(delta_peak)
    assert "not\ncomparable" in view._artists.key.axes.get_title(loc="left")


def test_dead_relus_share_one_scale_across_panels():
    state = ExplainerState(**preset_config("dead_relu"))
    view = GradientsView(state)
    view.refresh()
    clims = {getattr(view._artists, name).image.get_clim() for name in ("dz", "kernel", "bias", "x")}
    assert len(clims) == 1


def test_pooled_kernel_uses_its_true_range_and_says_what_a_pixel_is():
    state = ExplainerState(**QUESTION)
    view = WeightsView(state)
    view.refresh()
    bound = np.sqrt(6 / 25700)
    a = view._artists
    assert view._scale.value == "true" and view._scale.layout.display is None
    assert a.im_kernel.get_clim() == pytest.approx((-bound, bound))
    assert a.cbar.ax.get_ylabel() == "mean of each 1 × 80 block"
    assert a.hist_colours.get_clim() == a.im_kernel.get_clim()   # the histogram: the same colour mapping
    view._scale.value = "stretched"
    assert a.im_kernel.get_clim()[1] < 0.5 * bound and a.hist_colours.get_clim() == a.im_kernel.get_clim()
    view._mode.value = "maxabs"
    assert a.cbar.ax.get_ylabel() == "largest |w| of each 1 × 80 block"
