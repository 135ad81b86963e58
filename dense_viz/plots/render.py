"""The one PNG path of every figure: a cached static frame (axes, ticks, labels) plus the animated artists.

matplotlib 3.11 rasterises text glyph by glyph (≈ 0.1 ms a glyph here), so a fully labelled figure costs
40–50 ms to draw. `FrameCache` draws the static frame once per layout and then only the artists marked
animated (images, histograms, curves, highlights, a few texts). `png_bytes` writes an unfiltered PNG in
≈ 2 ms where PIL's adaptive filtering takes ≈ 9 ms. Numbers redrawn on every refresh are `CachedText`s:
matplotlib draws each distinct text once, offscreen, and later draws paste that image (public API only).
"""
import functools
import struct
import zlib
from collections import OrderedDict

import numpy as np
from matplotlib import colors as mcolors
from matplotlib.backends.backend_agg import FigureCanvasAgg, get_hinting_flag
from matplotlib.font_manager import findfont, get_font
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import IdentityTransform


TITLE_LOCS = ("left", "center", "right")


def animate(*artists):
    """Mark artists as changing on refresh (drawn over the cached frame); returns the first one."""
    for artist in artists:
        artist.set_animated(True)
    return artists[0]


def _axis_key(axis, lim):
    """What an axis' ticks look like: (limits, tick locations), or () for an axis without ticks."""
    ticks = tuple(axis.get_majorticklocs())
    return (tuple(lim), ticks) if ticks else ()


def frame_key(fig):
    """Everything the static frame shows: figure size, axes positions, limits with ticks, titles, labels, legends,
    static texts."""
    parts = [tuple(fig.bbox.size)]
    for ax in fig.axes:
        legend = ax.get_legend()
        parts.append((ax.get_visible(), ax.get_position().bounds, *(ax.get_title(loc) for loc in TITLE_LOCS),
                      ax.get_xlabel(), ax.get_ylabel(), _axis_key(ax.xaxis, ax.get_xlim()),
                      _axis_key(ax.yaxis, ax.get_ylim()),
                      tuple(t.get_text() for t in legend.get_texts()) if legend is not None else ()))
        parts += [(t.get_text(), t.get_visible()) for t in ax.texts if not t.get_animated()]
    parts += [(t.get_text(), t.get_visible()) for t in fig.texts if not t.get_animated()]
    return tuple(parts)


def dynamic_artists(fig):
    """The animated artists of `fig`, axes by axes in z-order, then the figure's own."""
    out = []
    for ax in fig.axes:
        out += sorted((a for a in ax.get_children() if a.get_animated()), key=lambda a: a.get_zorder())
    return out + [a for a in fig.get_children() if a.get_animated()]


class FrameCache:
    """Renders a figure to PNG bytes, drawing the static frame only for a `frame_key` it has not seen lately.

    Keeps the last `max_frames` frames, so going back to a layout (relu → tanh → relu, batch 8 → 9 → 8)
    costs a blit, not a full draw.
    """

    def __init__(self, fig, compress_level=1, max_frames=8):
        """Cache for `fig` (a Figure with an Agg canvas); PNGs are written with zlib `compress_level`."""
        self.fig, self.compress_level, self.max_frames = fig, compress_level, max_frames
        self._frames = OrderedDict()  # frame_key -> background (copy_from_bbox), most recent last
        self.full_draws = 0  # how many times the whole figure was drawn (for tests and benchmarks)

    def render(self):
        """PNG bytes of the figure as it is now: cached frame (or a full draw), then the animated artists."""
        canvas, key = self.fig.canvas, frame_key(self.fig)
        if key in self._frames:
            self._frames.move_to_end(key)
            canvas.restore_region(self._frames[key])
        else:
            canvas.draw()  # skips animated artists
            self._frames[key] = canvas.copy_from_bbox(self.fig.bbox)
            if len(self._frames) > self.max_frames:
                self._frames.popitem(last=False)
            self.full_draws += 1
        renderer = canvas.get_renderer()
        for artist in dynamic_artists(self.fig):
            artist.draw(renderer)
        return png_bytes(np.asarray(canvas.buffer_rgba())[..., :3], self.compress_level)  # opaque: drop alpha


def _png_chunk(tag, data):
    """One PNG chunk: length, tag, data, CRC."""
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))


def png_bytes(rgb, level=1):
    """PNG file bytes of an (h, w, 3) uint8 image: no row filters, zlib `level` (≈ 2 ms for 720 × 260,
    where PIL's adaptive filtering takes ≈ 9 ms and writes a larger file for these plots)."""
    h, w, _ = rgb.shape
    raw = np.zeros((h, 3 * w + 1), np.uint8)  # each row: filter type 0, then the pixels
    raw[:, 1:] = rgb.reshape(h, 3 * w)
    header = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)  # 8-bit RGB, deflate, no interlace
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header)
            + _png_chunk(b"IDAT", zlib.compress(raw.tobytes(), level)) + _png_chunk(b"IEND", b""))


class CachedText(Text):
    """A Text for short, often-redrawn labels (numbers in cells, norms): drawn by matplotlib once per look.

    The first draw of a (string, font, colour, alignment, …) renders this very Text with matplotlib's own
    Text.draw onto a small offscreen Agg renderer and keeps the inked pixels; every draw pastes them with the
    renderer's public `draw_image` (≈ 0.01 ms, where Text.draw costs ≈ 0.7 ms for "−0.21"). Same pixels as
    Text, except that the anchor is rounded to a whole pixel (±0.5 px). Any Text property works.
    """

    def draw(self, renderer):
        """Paste the cached image of this text at its anchor (rendering it first if this look is new)."""
        if not self.get_visible() or not self.get_text():
            return
        image, dx, dy = TEXT_IMAGES.get(self, renderer.dpi)
        x, y = self.get_transform().transform(self.get_unitless_position())
        if not (np.isfinite(x) and np.isfinite(y)):
            return
        gc = renderer.new_gc()
        renderer.draw_image(gc, round(x) + dx, round(y) + dy, image)
        gc.restore()
        self.stale = False


class TextImages:
    """The inked pixels of each distinct look of a text, rendered once by matplotlib (an LRU of `size` looks)."""

    def __init__(self, size=4096, scratch_px=(320, 96)):
        """Keep up to `size` images; render them on a `scratch_px` (width, height) canvas, grown when needed."""
        self.size, self.scratch_px = size, scratch_px
        self._images = OrderedDict()  # look -> (RGBA (h, w, 4) uint8, dx, dy: its lower-left corner - anchor)
        self.renders = 0  # how many texts were rendered (for tests and benchmarks)
        self._canvas = None

    @staticmethod
    def look(text, dpi):
        """What a text's pixels depend on: string, font, colour, alpha, alignment, rotation, spacing, box, dpi."""
        box = text.get_bbox_patch()
        box = None if box is None else (str(box.get_boxstyle()), box.get_facecolor(), box.get_edgecolor(),
                                         box.get_linewidth(), box.get_alpha())
        return (text.get_text(), text.get_fontproperties(), mcolors.to_rgba(text.get_color()), text.get_alpha(),
                text.get_horizontalalignment(), text.get_verticalalignment(), text.get_rotation(),
                text.get_rotation_mode(), text.get_antialiased(), text.get_usetex(), box, dpi)

    def get(self, text, dpi):
        """(RGBA image, dx, dy) of `text` drawn at `dpi`, from the cache or rendered now."""
        key = self.look(text, dpi)
        if key in self._images:
            self._images.move_to_end(key)
            return self._images[key]
        image, dx, dy = self._render(text, dpi)
        # the renderer's draw_image takes rows bottom-up (y up); the rendered image is top-down: flip it once
        found = self._images[key] = (np.ascontiguousarray(image[::-1]), dx, dy)
        if len(self._images) > self.size:
            self._images.popitem(last=False)
        return found

    def _scratch(self, dpi):
        """The offscreen (Figure, RendererAgg) texts are rendered on (text layout asks its figure for the dpi)."""
        width, height = self.scratch_px
        if self._canvas is None or self._canvas[0].dpi != dpi or self._canvas[1].width != width:
            figure = Figure(figsize=(width / dpi, height / dpi), dpi=dpi)
            self._canvas = figure, FigureCanvasAgg(figure).get_renderer()
        return self._canvas

    def _render(self, text, dpi):
        """The image of `text`: one FreeType bitmap for a plain one-line label, else matplotlib's own draw."""
        plain = (text.get_bbox_patch() is None and not text.get_rotation() and not text.get_usetex()
                 and "\n" not in text.get_text() and "$" not in text.get_text() and not text.get_path_effects()
                 and _has_glyphs(_font_file(text.get_fontproperties()), text.get_text()))
        return self._render_line(text, dpi) if plain else self._render_text(text, dpi)

    def _render_line(self, text, dpi):
        """A one-line label as FreeType draws it (matplotlib's font objects, ≈ 0.1 ms where Text.draw takes
        ≈ 0.7 ms), aligned the way matplotlib aligns one line: by the box of "lp" in this font."""
        prop = text.get_fontproperties()
        fname, size = _font_file(prop), prop.get_size_in_points()
        box_height, box_descent = _line_box(fname, size, dpi)
        font = get_font(fname)
        font.set_size(size, dpi)
        font.set_text(text.get_text(), 0.0, flags=get_hinting_flag())
        font.draw_glyphs_to_bitmap(antialiased=text.get_antialiased())
        width, descent = font.get_width_height()[0] / 64, font.get_descent() / 64
        xo, yo = (v / 64 for v in font.get_bitmap_offset())
        coverage = np.asarray(font.get_image())
        self.renders += 1
        if coverage.size == 0 or not coverage.any():
            return np.zeros((1, 1, 4), np.uint8), 0, 0
        r, g, b, a = mcolors.to_rgba(text.get_color(), text.get_alpha())
        image = np.empty(coverage.shape + (4,), np.uint8)
        image[..., :3] = np.round(np.array([r, g, b]) * 255).astype(np.uint8)
        image[..., 3] = np.round(coverage * a).astype(np.uint8)
        shift_x = {"left": 0.0, "center": width / 2, "right": width}[text.get_horizontalalignment()]
        shift_y = {"baseline": 0.0, "bottom": box_descent, "top": box_descent - box_height,   # to the baseline
                   "center": box_descent - box_height / 2, "center_baseline": 0.0}[text.get_verticalalignment()]
        bottom = shift_y - yo - descent - 1  # the bitmap's lower edge, relative to the anchor (y up)
        return image, round(xo - shift_x), round(bottom)

    def _render_text(self, text, dpi):
        """Draw a copy of `text` with matplotlib at the middle of a transparent canvas; crop to its ink."""
        width, height = self.scratch_px
        copy = Text(0, 0, text.get_text())
        copy.update_from(text)
        copy.set_bbox(None)
        box = text.get_bbox_patch()
        if box is not None:
            copy.set_bbox({"boxstyle": box.get_boxstyle(), "facecolor": box.get_facecolor(),
                           "edgecolor": box.get_edgecolor(), "linewidth": box.get_linewidth(),
                           "alpha": box.get_alpha()})
        scratch, renderer = self._scratch(dpi)
        renderer.clear()
        copy.set(figure=scratch, transform=IdentityTransform(), clip_on=False, visible=True, animated=False,
                 position=(width // 2, height // 2))
        copy.draw(renderer)
        self.renders += 1
        rgba = np.asarray(renderer.buffer_rgba())
        rows, cols = np.flatnonzero(rgba[..., 3].any(axis=1)), np.flatnonzero(rgba[..., 3].any(axis=0))
        if rows.size == 0:
            return np.zeros((1, 1, 4), np.uint8), 0, 0
        if rows[0] == 0 or cols[0] == 0 or rows[-1] == height - 1 or cols[-1] == width - 1:
            self.scratch_px = (2 * width, 2 * height)   # touches the edge: render again on a bigger canvas
            return self._render_text(text, dpi)
        image = rgba[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1].copy()
        # draw_image places the image's lower-left corner; buffer row r is y = height - 1 - r (y up)
        return image, int(cols[0]) - width // 2, (height - 1 - int(rows[-1])) - height // 2


@functools.lru_cache(maxsize=64)
def _font_file(prop):
    """The font file matplotlib picks for FontProperties `prop` (findfont, remembered)."""
    return findfont(prop)


@functools.lru_cache(maxsize=64)
def _charmap(fname):
    """The code points font file `fname` has glyphs for."""
    return frozenset(get_font(fname).get_charmap())


def _has_glyphs(fname, string):
    """True if the font has every character of `string` (else matplotlib's Text.draw, which falls back to other
    fonts, draws it: '‖' is not in DejaVu Sans)."""
    charmap = _charmap(fname)
    return all(ord(c) in charmap for c in string)


@functools.lru_cache(maxsize=64)
def _line_box(fname, size, dpi):
    """(height, descent) in pixels of "lp" in this font: the box matplotlib aligns one line of text by."""
    font = get_font(fname)
    font.set_size(size, dpi)
    font.set_text("lp", 0.0, flags=get_hinting_flag())
    return font.get_width_height()[1] / 64, font.get_descent() / 64


TEXT_IMAGES = TextImages()


def _advance(fname, size, dpi, char):
    """Horizontal advance in pixels of one character of font file `fname` at `size` points and `dpi` (remembered
    by the _Advances table that asks)."""
    font = get_font(fname)
    font.set_size(size, dpi)
    return font.load_char(ord(char), flags=get_hinting_flag()).linearHoriAdvance / 65536


class _Advances(dict):
    """{character: its advance in pixels} of one font file, size and dpi, filled as characters are asked for."""

    def __init__(self, fname, size, dpi):
        super().__init__()
        self.font = (fname, size, dpi)

    def __missing__(self, char):
        found = self[char] = _advance(*self.font, char)
        return found


@functools.lru_cache(maxsize=64)
def _advance_table(fname, size, dpi):
    """The _Advances of one font file, size and dpi (kept)."""
    return _Advances(fname, size, dpi)


def char_advances(prop, dpi):
    """{character: advance in pixels} in FontProperties `prop` at `dpi`, filled on demand: a one-line string's
    width is the sum of its characters' (no text is drawn)."""
    return _advance_table(_font_file(prop), prop.get_size_in_points(), dpi)


def text_width_px(strings, prop, dpi):
    """The width in pixels of the widest of `strings` set in FontProperties `prop` at `dpi` (0 for none)."""
    advance = char_advances(prop, dpi).__getitem__
    return max((sum(map(advance, s)) for s in strings), default=0.0)


def cached_text(ax, x, y, s="", **kwargs):
    """ax.text(x, y, s, **kwargs) as a CachedText (same arguments, same Text API, not clipped); returns it."""
    text = CachedText(x, y, s, **kwargs)
    text.set_clip_on(False)
    return ax.add_artist(text)
