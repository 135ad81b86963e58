"""The one PNG path of every figure: a cached static frame (axes, ticks, labels) plus the animated artists.

matplotlib 3.11 rasterises text glyph by glyph (≈ 0.1 ms a glyph here), so a fully labelled figure costs
40–50 ms to draw. `FrameCache` draws the static frame once per layout and then only the artists marked
animated (images, histograms, curves, highlights, a few texts). `png_bytes` writes an unfiltered PNG in
≈ 2 ms where PIL's adaptive filtering takes ≈ 9 ms. Numbers redrawn on every refresh are `CachedText`s: each
distinct text is rendered once (plain text composed from FreeType's glyph bitmaps, `Glyphs`; anything else by
matplotlib offscreen) and later draws paste that image (public API only).
"""
import functools
import math
import struct
import zlib
from collections import OrderedDict, namedtuple

import numpy as np
from matplotlib import colors as mcolors
from matplotlib.backends.backend_agg import FigureCanvasAgg, get_hinting_flag
from matplotlib.font_manager import findfont, get_font
from matplotlib.ft2font import Kerning
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
    """The visible animated artists of `fig`, axes by axes in z-order, then the figure's own."""
    out = []
    for ax in fig.axes:
        out += sorted((a for a in ax.get_children() if a.get_animated() and a.get_visible()),
                      key=lambda a: a.get_zorder())
    return out + [a for a in fig.get_children() if a.get_animated() and a.get_visible()]


def draw_artists(artists, renderer):
    """Draw `artists` in order; each run of CachedTexts in a row is drawn by one CachedText.draw_all."""
    run = []
    for artist in artists:
        if type(artist) is CachedText:
            run.append(artist)
            continue
        if run:
            CachedText.draw_all(run, renderer)
            run = []
        artist.draw(renderer)
    if run:
        CachedText.draw_all(run, renderer)


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
        draw_artists(dynamic_artists(self.fig), canvas.get_renderer())
        return png_bytes(np.asarray(canvas.buffer_rgba())[..., :3], self.compress_level)  # opaque: drop alpha


def _png_chunk(tag, data):
    """One PNG chunk: length, tag, data, CRC."""
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))


def png_bytes(rgb, level=1):
    """PNG file bytes of an (h, w, 3) uint8 image: no row filters, zlib `level` (≈ 2 ms for 720 × 260,
    where PIL's adaptive filtering takes ≈ 9 ms and writes a larger file for these plots)."""
    h, w, _ = rgb.shape
    raw = np.empty((h, 3 * w + 1), np.uint8)  # each row: filter type 0, then the pixels
    raw[:, 0] = 0
    pixels = raw[:, 1:].reshape(h, w, 3)
    for channel in range(3):   # channel by channel: ≈ 10× faster than one copy of a strided (h, w, 3) view
        pixels[..., channel] = rgb[..., channel]
    header = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)  # 8-bit RGB, deflate, no interlace
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header)
            + _png_chunk(b"IDAT", zlib.compress(raw.tobytes(), level)) + _png_chunk(b"IEND", b""))


class CachedText(Text):
    """A Text for short, often-redrawn labels (numbers in cells, norms): drawn by matplotlib once per look.

    The first draw of a (string, font, colour, alignment, …) renders it: plain text (no box, rotation, math,
    wrap) from FreeType's glyph bitmaps laid out as Text lays it out (TextImages._render_plain, ≈ 0.05 ms), any
    other text with matplotlib's own Text.draw onto a small offscreen canvas (≈ 1 ms). Every draw pastes the
    image with the renderer's public `draw_image` (≈ 0.02 ms, where Text.draw costs ≈ 0.7 ms for "−0.21").
    Text's pixels where each line's baseline falls on a whole pixel (ha left, va baseline, a whole-pixel anchor);
    else each baseline is rounded to one (±0.5 px). Lines are aligned by ha (matplotlib's default multialignment).
    """

    _image = None   # (dpi, (image, dx, dy)) of the look last drawn; dropped by any change (stale = True)
    _style = None   # TextImages.style(self): all of the look but the string; dropped by any change but set_text

    @property
    def stale(self):
        """Artist.stale; setting it True (every property setter does) also drops the remembered image."""
        return Text.stale.fget(self)

    @stale.setter
    def stale(self, value):
        if value:
            self._image = self._style = None
        Text.stale.fset(self, value)

    def set_text(self, s):
        """Text.set_text; the rest of the look (font, colour, alignment, …) is kept."""
        style = self._style
        super().set_text(s)
        self._style = style

    def set_position(self, xy):
        """Text.set_position; where a text is does not change its image: that is kept."""
        image, style = self._image, self._style
        super().set_position(xy)
        self._image, self._style = image, style

    def image(self, dpi):
        """(RGBA image, dx, dy) of this text at `dpi`: remembered until the text changes, else TEXT_IMAGES."""
        if self._image is None or self._image[0] != dpi:
            if self._style is None:
                self._style = TextImages.style(self)
            self._image = (dpi, TEXT_IMAGES.get(self, dpi, self._style))
        return self._image[1]

    def draw(self, renderer):
        """Paste the cached image of this text at its anchor (rendering it first if this look is new)."""
        CachedText.draw_all([self], renderer)

    @staticmethod
    def draw_all(texts, renderer):
        """Draw CachedTexts in order: each anchor through its transform (one transform call per run of texts that
        share one, as the numbers of one heatmap's cells do), each image pasted by the renderer's draw_image; the
        texts of one run that lie close together (a heatmap's numbers) are first laid into one image, pasted
        once. Where two of them overlap, the more opaque pixel wins."""
        texts = [t for t in texts if t.get_visible() and t.get_text()]
        stamps = []   # (RGBA image, rows bottom-up; x, y of its lower-left pixel)
        start = 0
        while start < len(texts):
            transform, end = texts[start].get_transform(), start + 1
            while end < len(texts) and texts[end].get_transform() is transform:
                end += 1
            axes = texts[start].axes   # numbers as they are, unless an axis converts units (dates, categories)
            plain = axes is None or not (axes.xaxis.have_units() or axes.yaxis.have_units())
            anchors = transform.transform([t.get_position() if plain and t.axes is axes else t.get_unitless_position()
                                           for t in texts[start:end]])
            for text, (x, y) in zip(texts[start:end], anchors):
                if math.isfinite(x) and math.isfinite(y):
                    image, dx, dy = text.image(renderer.dpi)
                    stamps.append((image, round(x) + dx, round(y) + dy))
                text.stale = False
            start = end
        gc = renderer.new_gc()
        for image, x, y in _layers(stamps):
            renderer.draw_image(gc, x, y, image)
        gc.restore()


def _layers(stamps, min_stamps=4, max_spread=8.0):
    """The (image, x, y) stamps as few images to paste: all in one when there are at least `min_stamps` and their
    bounding box is at most `max_spread` times their own pixels (else each as it is: pasting a big, mostly empty
    image would cost more than it saves)."""
    if len(stamps) < min_stamps:
        return stamps
    left, bottom = min(x for _, x, _ in stamps), min(y for _, _, y in stamps)
    right, top = max(x + i.shape[1] for i, x, _ in stamps), max(y + i.shape[0] for i, _, y in stamps)
    if (right - left) * (top - bottom) > max_spread * sum(i.shape[0] * i.shape[1] for i, _, _ in stamps):
        return stamps
    layer = np.zeros((top - bottom, right - left, 4), np.uint8)
    for image, x, y in stamps:
        region = layer[y - bottom:y - bottom + image.shape[0], x - left:x - left + image.shape[1]]
        if region[..., 3].any():   # overlaps an earlier one: the more opaque pixel wins
            more = image[..., 3] > region[..., 3]
            region[more] = image[more]
        else:
            region[...] = image
    return [(layer, left, bottom)]


class TextImages:
    """The inked pixels of each distinct look of a text, rendered once by matplotlib (an LRU of `size` looks)."""

    def __init__(self, size=4096, scratch_px=(320, 96)):
        """Keep up to `size` images; render them on a `scratch_px` (width, height) canvas, grown when needed."""
        self.size, self.scratch_px = size, scratch_px
        self._images = OrderedDict()  # look -> (RGBA (h, w, 4) uint8, dx, dy: its lower-left corner - anchor)
        self.renders = 0  # how many texts were rendered (for tests and benchmarks)
        self._canvas = None

    @staticmethod
    def style(text):
        """What a text's pixels depend on besides its string: font, colour, alpha, alignment, rotation, line
        spacing, wrap, box."""
        box = text.get_bbox_patch()
        box = None if box is None else (str(box.get_boxstyle()), box.get_facecolor(), box.get_edgecolor(),
                                         box.get_linewidth(), box.get_alpha())
        font = text.get_fontproperties()
        font = (tuple(font.get_family()), font.get_style(), font.get_variant(), font.get_weight(), font.get_stretch(),
                font.get_size_in_points(), font.get_file(), font.get_math_fontfamily())
        return (font, mcolors.to_rgba(text.get_color()), text.get_alpha(), text.get_horizontalalignment(),
                text.get_verticalalignment(), text.get_rotation(), text.get_rotation_mode(), text.get_antialiased(),
                text.get_usetex(), text.get_linespacing(), text.get_wrap(), box)

    def get(self, text, dpi, style=None):
        """(RGBA image, dx, dy) of `text` drawn at `dpi`, from the cache or rendered now (`style`: style(text),
        if the caller has it)."""
        key = (text.get_text(), style or self.style(text), dpi)
        found = self._images.get(key)
        if found is not None:
            self._images.move_to_end(key)
            return found
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
        """The image of `text`: composed from FreeType glyph bitmaps for plain text, else matplotlib's own draw."""
        string = text.get_text()
        plain = (text.get_bbox_patch() is None and not text.get_rotation() and not text.get_usetex()
                 and "$" not in string and not text.get_path_effects() and not text.get_wrap()
                 and _has_glyphs(_font_file(text.get_fontproperties()), string.replace("\n", "")))
        return self._render_plain(text, dpi) if plain else self._render_text(text, dpi)

    def _render_plain(self, text, dpi):
        """Plain text (one line or more) as matplotlib 3.11's Text.draw lays it out and Agg draws it: the lines of
        Text._get_layout (the font's typographic ascent / descent / line gap, `linespacing`, aligned by ha / va,
        each line by ha), each glyph FreeType's bitmap at its pen position (Glyphs.line, ≈ 0.04 ms where Text.draw
        takes ≈ 0.7 ms). Each line's baseline is rounded to a whole pixel; on whole pixels they are Text's pixels."""
        prop = text.get_fontproperties()
        table = glyphs(_font_file(prop), prop.get_size_in_points(), dpi, bool(text.get_antialiased()))
        lines = text.get_text().split("\n")
        min_ascent, min_descent, gap = table.font_metrics()
        gap = gap if len(lines) > 1 else 0.0   # Text._get_layout: no line gap for one line
        spacing = text.get_linespacing()

        def extent(line):   # (ascent, descent) of a line's box, at least the font's, as _get_layout spaces it
            a, d = (line.height - line.descent, line.descent) if line else (0.0, 0.0)
            if spacing == "normal":
                return max(a, min_ascent) + gap / 2, max(d, min_descent) + gap / 2
            leading = spacing * (min_ascent + min_descent) - (a + d)
            return a + leading / 2, d + leading / 2

        share = _HA_SHARE[text.get_horizontalalignment()]
        self.renders += 1
        if len(lines) == 1:   # one line (a number): the same rules, worked out for one
            line = table.line(lines[0])
            a, d = extent(line)
            offset_y = {"bottom": -a - d, "top": 0.0, "center": (-a - d) / 2, "baseline": -a,
                        "center_baseline": -a / 2}[text.get_verticalalignment()]
            if not line.coverage.size:
                return np.zeros((1, 1, 4), np.uint8), 0, 0
            left, top = round(-line.advance * share) + line.left, round(-a - offset_y) + line.top
            return _coloured(text, line.coverage), left, top - line.coverage.shape[0]
        placed, y = [], 0.0   # per line: (its Line or None, advance, baseline y); y: down from the block's top
        for string in lines:
            line = table.line(string) if string else None
            a, d = extent(line)
            baseline = a - y
            y -= a
            placed.append((line, line.advance if line else 0.0, y))
            y -= d
        width, ymin = max(w for _, w, _ in placed), y   # y: the last baseline less its descent
        offset_y = {"bottom": ymin, "top": 0.0, "center": ymin / 2, "baseline": ymin + d,
                    "center_baseline": -baseline / 2}[text.get_verticalalignment()]
        stamps = [(line.coverage, round((width - w) * share - width * share) + line.left,
                   round(base - offset_y) + line.top) for line, w, base in placed if line and line.coverage.size]
        if not stamps:
            return np.zeros((1, 1, 4), np.uint8), 0, 0
        left, top = min(x for _, x, _ in stamps), max(t for _, _, t in stamps)
        right, bottom = max(x + c.shape[1] for c, x, _ in stamps), min(t - c.shape[0] for c, _, t in stamps)
        coverage = np.zeros((top - bottom, right - left), np.uint8)
        for ink, x, t in stamps:
            _stamp(coverage, ink, top - t, x - left)
        return _coloured(text, coverage), left, bottom

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
        extent = copy.get_window_extent(renderer)   # its box (a glyph may stick out: the ink is checked too)
        if extent.x0 < 2 or extent.y0 < 2 or extent.x1 > width - 2 or extent.y1 > height - 2:
            self.scratch_px = (2 * width, 2 * height)   # does not fit: render again on a bigger canvas
            return self._render_text(text, dpi)
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


_HA_SHARE = {"left": 0.0, "center": 0.5, "right": 1.0}   # how much of a line's width lies left of its anchor


def _coloured(text, coverage):
    """The RGBA image (top row first) of glyph `coverage` (h, w) uint8 in `text`'s colour and alpha."""
    *rgb, alpha = mcolors.to_rgba(text.get_color(), text.get_alpha())
    image = np.empty(coverage.shape + (4,), np.uint8)
    image[..., :3] = [round(c * 255) for c in rgb]
    image[..., 3] = coverage if alpha == 1 else np.round(coverage * alpha)
    return image


def _stamp(image, ink, row, col):
    """Ink (h, w) uint8 coverage into `image` with its top-left corner at (row, col): the larger coverage wins
    where glyphs overlap."""
    view = image[row:row + ink.shape[0], col:col + ink.shape[1]]
    np.maximum(view, ink, out=view)


Line = namedtuple("Line", "coverage left top advance height descent")
Line.__doc__ = """One line of text as FreeType draws it for matplotlib: `coverage` (h, w) uint8, top row first, its
top-left pixel `left` pixels right of the pen's start and `top` pixels above the baseline (whole pixels); and the
metrics matplotlib lays it out by (FT2Font.set_text: advance, box height, descent; pixels)."""


class Glyphs:
    """One font file at one size, dpi and antialiasing: each character's bitmap and box as FreeType renders it for
    matplotlib (FT2Font.set_text + draw_glyphs_to_bitmap, public API), rendered once; `line(s)` composes a line.

    matplotlib 3.11's Agg draws text glyph by glyph, each at its pen position. With its hinting every advance and
    its pen is a whole pixel too, unless a kerned pair moves it (Agg places glyphs with FreeType's unfitted
    kerning): then a glyph at pen `p` is its bitmap at pen 0 moved p pixels, and composing gives the pixels
    Text.draw gives (a test compares them). A glyph after a kerned pair off the pixel grid ("rg" by −0.2 px at
    8.5 pt) goes to the nearest whole pixel, as hinted text renderers place glyphs.
    """

    def __init__(self, fname, size, dpi, antialiased=True):
        self.font, self.antialiased = get_font(fname), antialiased
        self.size, self.dpi = size, dpi
        self._chars, self._lines, self._kerning = {}, OrderedDict(), {}   # _kerning: (left, right) -> 26.6 units
        self._metrics = None
        self.advances = _Advances(self)   # {character: advance in pixels}

    def _whole(self, string):
        """(coverage with the top-left ink pixel at its own (row, col), xmin, ymin, ymax, advance in 26.6) of
        `string` set by FT2Font.set_text and drawn by draw_glyphs_to_bitmap. The font object is shared: the size is
        set every time."""
        font = self.font
        font.set_size(self.size, self.dpi)
        font.set_text(string, 0.0, flags=get_hinting_flag())
        font.draw_glyphs_to_bitmap(antialiased=self.antialiased)
        advance, height = font.get_width_height()
        ymin = -font.get_descent()
        return np.asarray(font.get_image()), font.get_bitmap_offset()[0], ymin, ymin + height, advance

    def char(self, c):
        """(ink coverage, its left and top in pixels from the pen on the baseline, advance, box (xmin, ymin, ymax)
        or None for a glyph without an outline (a space, whose box FreeType counts as 0, 0, 0 wherever the pen is),
        glyph index). 26.6 units for advance and box."""
        found = self._chars.get(c)
        if found is None:
            image, xmin, ymin, ymax, advance = self._whole(c)
            rows, cols = np.flatnonzero(image.any(axis=1)), np.flatnonzero(image.any(axis=0))
            box = (xmin, ymin, ymax)
            if rows.size == 0:
                ink, left, top = np.zeros((0, 0), np.uint8), 0, 0
                box = None if box == (0, 0, 0) else box
            else:
                # draw_glyphs_to_bitmap put the bitmap (left = floor, top = ceil of the glyph's box) at column 0 and
                # row int(ymax - ceil(ymax) + 1): 1 when the top is on a whole pixel, else 0
                own_row = int(ymax / 64 - math.ceil(ymax / 64) + 1)
                ink = image[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1].copy()
                left = math.floor(xmin / 64) + int(cols[0])
                top = math.ceil(ymax / 64) - (int(rows[0]) - own_row)
            found = self._chars[c] = (ink, left, top, advance, box, self.font.get_char_index(ord(c)))
        return found

    def font_metrics(self):
        """(ascent, descent, line gap) in pixels from the font's OS/2 (else hhea) table: what Text._get_layout
        spaces lines by."""
        if self._metrics is None:
            scale = self.size * self.dpi / 72 / self.font.get_sfnt_table("head")["unitsPerEm"]
            for table, gap, ascent, descent in (("OS/2", "sTypoLineGap", "sTypoAscender", "sTypoDescender"),
                                                ("hhea", "lineGap", "ascent", "descent")):
                found = self.font.get_sfnt_table(table)
                if found is not None:
                    self._metrics = (found[ascent] * scale, -found[descent] * scale, found[gap] * scale)
                    break
            else:
                lp = self.line("lp")
                self._metrics = (lp.height - lp.descent, lp.descent, 0.0)
        return self._metrics

    def line(self, string):
        """The Line of `string` (one line), composed from the characters' bitmaps (the 1024 most recent kept)."""
        found = self._lines.get(string)
        if found is None:
            found = self._lines[string] = self._compose(string)
            if len(self._lines) > 1024:
                self._lines.popitem(last=False)
        else:
            self._lines.move_to_end(string)
        return found

    def _compose(self, string):
        """line(string), worked out (see the class docstring)."""
        pen = drawn = previous = 0
        ymin = ymax = None   # the line's box: the glyphs' boxes (a glyph without an outline counts as 0, 0)
        stamps = []   # (ink, left, top) of each inked glyph
        kerning = self._kerning
        for ink, left, top, advance, box, index in map(self.char, string):
            if previous and index:   # set_text (the metrics) kerns fitted; Agg's draw_text places glyphs unfitted
                pair = kerning.get((previous, index))
                if pair is None:
                    pair = kerning[previous, index] = (self.font.get_kerning(previous, index, Kerning.DEFAULT),
                                                       self.font.get_kerning(previous, index, Kerning.UNFITTED))
                pen, drawn = pen + pair[0], drawn + pair[1]
            low, high = (0, 0) if box is None else box[1:]
            ymin, ymax = (low, high) if ymin is None else (min(ymin, low), max(ymax, high))
            if ink.size:
                stamps.append((ink, left + round(drawn / 64), top))   # a kerned pair off the grid: nearest pixel
            pen, drawn, previous = pen + advance, drawn + advance, index
        ymin, ymax = ymin or 0, ymax or 0
        metrics = dict(advance=pen / 64, height=(ymax - ymin) / 64, descent=-ymin / 64)
        if not stamps:
            return Line(np.zeros((0, 0), np.uint8), 0, 0, **metrics)
        left, top = min(x for _, x, _ in stamps), max(t for _, _, t in stamps)
        right, bottom = max(x + i.shape[1] for i, x, _ in stamps), min(t - i.shape[0] for i, _, t in stamps)
        coverage = np.zeros((top - bottom, right - left), np.uint8)
        reached = left   # the right edge of the ink so far: a glyph right of it is copied, not blended
        for ink, x, t in stamps:
            row, col = top - t, x - left
            if x >= reached:
                coverage[row:row + ink.shape[0], col:col + ink.shape[1]] = ink
            else:
                _stamp(coverage, ink, row, col)
            reached = max(reached, x + ink.shape[1])
        return Line(coverage, left, top, **metrics)


class _Advances(dict):
    """{character: its advance in pixels} of one Glyphs table, filled as characters are asked for."""

    def __init__(self, table):
        super().__init__()
        self.table = table

    def __missing__(self, c):
        found = self[c] = self.table.char(c)[3] / 64
        return found


@functools.lru_cache(maxsize=64)
def glyphs(fname, size, dpi, antialiased=True):
    """The Glyphs table of font file `fname` at `size` points, `dpi` (kept: the 64 most recent)."""
    return Glyphs(fname, size, dpi, antialiased)


TEXT_IMAGES = TextImages()


def char_advances(prop, dpi):
    """{character: advance in pixels} in FontProperties `prop` at `dpi`, filled on demand: a one-line string's
    width is the sum of its characters' (kerning aside; no text is drawn)."""
    return glyphs(_font_file(prop), prop.get_size_in_points(), dpi).advances


def text_width_px(strings, prop, dpi):
    """The width in pixels of the widest of `strings` set in FontProperties `prop` at `dpi` (0 for none)."""
    table = glyphs(_font_file(prop), prop.get_size_in_points(), dpi)
    return max((table.line(s).advance for s in strings), default=0.0)


def cached_text(ax, x, y, s="", **kwargs):
    """ax.text(x, y, s, **kwargs) as a CachedText (same arguments, same Text API, not clipped); returns it."""
    text = CachedText(x, y, s, **kwargs)
    text.set_clip_on(False)
    return ax.add_artist(text)
