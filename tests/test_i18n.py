"""The translation catalogs and the Russian UI: every message translated, the .mo current, placeholders kept,
and no English left on screen when both apps run in Russian (headless: every widget, every figure text).

The catalogs are gettext's: dense_viz/locale/dense_viz.pot (extracted with Babel from _() and N_(), babel.cfg),
dense_viz/locale/ru/LC_MESSAGES/dense_viz.po (the translations) and its compiled dense_viz.mo (committed, so
installs need no Babel). `python3 dev.py catalog` re-extracts, merges and compiles.
"""
import gettext
import string

import matplotlib
import pytest

matplotlib.use("Agg")

from babel.messages.extract import extract_from_dir  # noqa: E402
from babel.messages.mofile import read_mo  # noqa: E402
from babel.messages.pofile import read_po  # noqa: E402
from conftest import ROOT  # noqa: E402
from russian_text import english_in, english_words  # noqa: E402

import numpy as np  # noqa: E402

from dense_viz import explain, explain_training, i18n  # noqa: E402
from dense_viz.io import FileRefused, read_batch, read_layers, read_points  # noqa: E402
from dense_viz.app import explain_errors, presets  # noqa: E402
from dense_viz.app.training import presets as training_presets  # noqa: E402
from dense_viz.app.ui import status_html  # noqa: E402

LOCALE = ROOT / "dense_viz" / "locale"
POT = LOCALE / "dense_viz.pot"
CATALOGS = sorted(LOCALE.glob("*/LC_MESSAGES/dense_viz.po"))
FIX = "run `python3 dev.py catalog`, translate the new messages in {po}, and run it again"


def read(path):
    with open(path, "rb") as f:
        return read_po(f)


def messages(catalog):
    """{msgid: msgstr} of a catalog, header left out."""
    return {m.id: m.string for m in catalog if m.id}


def fields(text):
    """The set of `{name:spec}` replacement fields of a str.format template (None if it is no valid one)."""
    try:
        return {(name, spec, conv) for _lit, name, spec, conv in string.Formatter().parse(text) if name is not None}
    except ValueError:
        return None


@pytest.fixture(autouse=True)
def english_after():
    """Every test leaves the kernel-wide language as it found it: English."""
    yield
    i18n.set_language("en")


def test_catalogs_exist_for_every_language():
    assert [p.parents[1].name for p in CATALOGS] == [lang for lang in i18n.LANGUAGES if lang != "en"]
    for po in CATALOGS:
        assert po.with_suffix(".mo").exists(), f"{po.with_suffix('.mo')} is missing: {FIX.format(po=po)}"


def test_template_has_every_string_of_the_code():
    """The .pot holds exactly the _() / N_() strings of the package (so the code and the catalogs agree)."""
    extracted = {msg for _file, _line, msg, _comments, _ctx in extract_from_dir(
        ROOT, method_map=[("dense_viz/**.py", "python")], keywords={"_": None, "N_": None})}
    template = set(messages(read(POT)))
    assert not extracted - template, f"strings missing from {POT.name} ({FIX.format(po='the .po')}): " \
                                     f"{sorted(extracted - template)[:10]}"
    assert not template - extracted, f"stale strings in {POT.name}: {sorted(template - extracted)[:10]}"


@pytest.mark.parametrize("po", CATALOGS, ids=lambda p: p.parents[1].name)
def test_every_message_translated(po):
    """Every msgid of the .pot has a non-empty, non-fuzzy translation in the language's .po."""
    catalog, template = read(po), read(POT)
    missing = [m.id for m in template if m.id and not (catalog.get(m.id) and catalog.get(m.id).string)]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not missing, f"{len(missing)} untranslated in {po} ({FIX.format(po=po)}), e.g. {missing[:5]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy (a changed English text) in {po}: check them, e.g. {fuzzy[:5]}"


@pytest.mark.parametrize("po", CATALOGS, ids=lambda p: p.parents[1].name)
def test_placeholders_match(po):
    """A translation has the same {name:spec} fields as its English text (a missing one would be a KeyError)."""
    wrong = {}
    for msgid, msgstr in messages(read(po)).items():
        want = fields(msgid)
        if msgstr and want is not None and fields(msgstr) != want:
            wrong[msgid] = msgstr
    assert not wrong, f"placeholders differ in {po}: {list(wrong.items())[:3]}"


@pytest.mark.parametrize("po", CATALOGS, ids=lambda p: p.parents[1].name)
def test_mo_is_compiled_from_the_po(po):
    """The committed .mo says exactly what the .po says (compare the messages, not the bytes of one Babel)."""
    with open(po.with_suffix(".mo"), "rb") as f:
        compiled = {m.id: m.string for m in read_mo(f) if m.id}
    wanted = {msgid: msgstr for msgid, msgstr in messages(read(po)).items()
              if msgstr and not read(po)[msgid].fuzzy}
    assert compiled == wanted, f"{po.with_suffix('.mo')} is out of date: {FIX.format(po=po)}"


def test_set_language_switches_every_lookup():
    i18n.set_language("ru")
    assert i18n.language() == "ru"
    assert i18n._("Weights") == "Веса"
    assert i18n._("a text no catalog has") == "a text no catalog has"
    i18n.set_language("en")
    assert i18n._("Weights") == "Weights"
    with pytest.raises(ValueError, match="Received an invalid value for `lang`"):
        i18n.set_language("xx")


def test_the_catalog_is_found_where_the_package_is():
    """gettext finds the compiled catalog next to the imported package (an editable or a regular install)."""
    assert gettext.find(i18n.DOMAIN, i18n.LOCALE_DIR, languages=["ru"])


# -- refusals: Keras' English kept, a Russian explanation beside it ----------------------------------------------
REFUSALS = [
    "Received an invalid value for `units`, expected an integer from 1 to 65536. Received: units='abc' "
    "(not readable as arithmetic)",
    "Received an invalid value for `input_dim`, expected an integer from 1 to 4096. Received: input_dim=0",
    "Received an invalid value for `batch_size`, expected an integer from 1 to 512. Received: batch_size='' (empty)",
    "Received an invalid value for `leading_dims`, expected comma-separated integers such as 5 or 5,3. "
    "Received: leading_dims='5,0' (0 is below 1)",
    "Received an invalid value for `seed`, expected a non-negative integer. Received: seed=-1",
    "Received an invalid value for `kernel_regularizer_factor`, expected a non-negative number such as 0.01. "
    "Received: kernel_regularizer_factor=-1.0",
    "Refused: a kernel of 4,096 × 65,536 = 268,435,456 entries is above this app's limit of 10,000,000. Expected "
    "input_dim × units at most that; raise `max_kernel_entries` in explain() to allow it.",
    "Could not interpret activation function identifier: 'rlu'. Expected one of: relu. Received: activation='rlu'",
    "Could not interpret initializer identifier: 'x'. Expected one of: zeros. Received: kernel_initializer='x'",
    "Activation 'glu' halves the last axis, so `units` must be divisible by 2. Received: units=3",
    "Lora is incompatible with kernel constraints. In order to enable lora on this layer, remove the "
    "`kernel_constraint` argument.",
    "Received an invalid value for `units`, expected an integer. Received: units='2/3' (2/3 is not allowed: / makes "
    "fractions, // divides whole numbers)",
    "Received an invalid value for `units`, expected an integer. Received: units='1//0' (1//0 divides by zero)",
    "Unknown key `x1` in the link was ignored. Expected some of: preset, units.",
    "`units` appears twice in the link; the first value was used.",
    "Received an invalid value for `preset`, expected one of the keys ('tiny',) or their display names. "
    "Received: preset='nope'",
]


@pytest.mark.parametrize("message", REFUSALS, ids=lambda m: m[:40])
def test_refusals_are_explained_in_russian_and_kept_in_english(message):
    markup = status_html(message, "error", "ru")
    assert message.replace("'", "&#x27;") in markup or message in markup  # Keras' exact words stay
    notes = explain_errors.explain(message, "ru")
    assert notes, f"no Russian explanation for: {message}"
    for note in notes:
        assert not english_words(note), (note, english_words(note))
        assert "dv-status-explain" in markup
    assert "dv-status-explain" not in status_html(message, "error", "en")  # English needs no explanation


# Your own files: the readers' own refusals (not copies of their words), each explained in Russian.
def _npz(**arrays):
    import io
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def _zip(*names):
    import io
    import zipfile
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for name in names:
            archive.writestr(name, "x")
    return buf.getvalue()


FILE_REFUSALS = {
    "binary as csv": lambda: read_points(b"\x00\x01\x02\xff\xfe", name="a.csv"),
    "no rows": lambda: read_points(b"", name="a.csv"),
    "ragged rows": lambda: read_points(b"1,2,0\n1,2\n", name="a.csv"),
    "four columns": lambda: read_points(b"1,2,3,4\n" * 5, name="a.csv"),
    "nan": lambda: read_points(b"nan,1,0\n" + b"1,2,1\n" * 5, name="a.csv"),
    "too few points": lambda: read_points(b"1,2,0\n1,2,1\n", name="a.csv"),
    "one class": lambda: read_points(b"1,2,0\n" * 10, name="a.csv"),
    "class 12": lambda: read_points(b"1,2,0\n1,2,12\n" * 5, name="a.csv"),
    "fractional labels": lambda: read_points(b"1,2,0.5\n1,2,1\n" * 5, name="a.csv"),
    "a cell not a number": lambda: read_points(b"x1,x2,label\n1,2,abc\n" + b"1,2,1\n" * 5, name="a.csv"),
    "too large": lambda: read_points(b"1,2,0\n" * 1000, name="a.csv", max_bytes=100),
    "renamed": lambda: read_layers(b"not a zip at all", name="model.keras"),
    "truncated zip": lambda: read_layers(b"PK\x03\x04garbage", name="model.keras"),
    "unknown ending": lambda: read_layers(b"hello", name="model.txt"),
    "pickled npz": lambda: read_layers(_npz(kernel=np.array([None, 1], dtype=object)), name="w.npz"),
    "torch file without torch": lambda: read_layers(b"\x80\x02}q\x00.", name="w.pt"),  # the tests' venvs: no torch
    "path traversal": lambda: read_layers(_zip("../evil", "config.json"), name="m.keras"),
    "not a keras archive": lambda: read_layers(_zip("a.txt"), name="m.keras"),
    "strings in npz": lambda: read_layers(_npz(kernel=np.array(["a", "b"])), name="w.npz"),
    "no such file": lambda: read_layers("/nonexistent/dense_viz/file.keras"),
    "batch of the wrong width": lambda: read_batch(b"1,2\n3,4\n", 3, name="x.csv"),
}


@pytest.mark.parametrize("case", FILE_REFUSALS)
def test_every_refusal_of_your_own_files_is_explained_in_russian(case):
    with pytest.raises(FileRefused) as refused:
        FILE_REFUSALS[case]()
    notes = explain_errors.explain(str(refused.value), "ru")
    assert len(notes) == 1, (str(refused.value), notes)  # one explanation, not two that half fit
    assert not english_words(notes[0]), (notes[0], english_words(notes[0]))


# -- the walker: both apps in Russian, every widget and figure text ----------------------------------------------
def open_everything(app):
    """Open every tab and the share panel, so every view draws its texts."""
    for index in range(len(app.tabs.children)):
        app.tabs.selected_index = index
        app.refresh_visible()
    app._share_box.selected_index = 0
    app.refresh_visible()
    return app


def assert_russian(app, what):
    found = english_in(open_everything(app))
    assert not found, f"English in the Russian {what}: " + "; ".join(
        f"{word!r} in {where}: {text!r}" for word, (where, text) in list(found.items())[:12])


@pytest.mark.parametrize("preset", [None, *presets.PRESETS])
def test_explainer_in_russian_shows_no_english(preset):
    assert_russian(explain(lang="ru", preset=preset), f"explainer (preset {preset})")


@pytest.mark.parametrize("preset", [None, *training_presets.PRESETS])
def test_training_in_russian_shows_no_english(preset):
    assert_russian(explain_training(lang="ru", preset=preset), f"training panel (preset {preset})")


def test_explainer_language_switch_rebuilds_in_place():
    app = explain(preset="tiny", lang="en")
    app.tabs.selected_index = 2
    app.language.value = "ru"
    assert i18n.language() == "ru" and app.language.value == "ru"
    assert app.tabs.titles[2] == "Прямой проход" and app.tabs.selected_index == 2
    assert app.state.units == 2
    app.language.value = "en"
    assert app.tabs.titles[2] == "Forward"


def test_training_language_switch_rebuilds_in_place():
    app = explain_training(preset="xor", lang="en")
    app.state.train(3)
    app.tabs.selected_index = 1
    app.language.value = "ru"
    assert i18n.language() == "ru" and app.tabs.selected_index == 1
    assert app.state.step == 3  # the run goes on
    assert app.tabs.titles[0] == "Поток градиента"
    app.language.value = "en"
    assert app.tabs.titles[0] == "Gradient flow"


def test_link_language():
    app = explain(query="lang=ru&preset=tiny")
    assert i18n.language() == "ru" and app.tabs.titles[1] == "Веса"
    app = explain_training(query="lang=ru")
    assert app.tabs.titles[0] == i18n._("Gradient flow") != "Gradient flow"
