"""The lessons (notebooks/lesson_*.ipynb) and their checkers (dense_viz.lessons).

Each exercise cell is tagged `exercise` with metadata {"dense_viz": {"exercise": name}} and holds one stub line
`...  # your code`; the test replaces it with REFERENCE[name], runs the lesson top to bottom with nbclient and
expects every check to print ✓. Unfilled, every check says "not done yet" and nothing raises (tests/test_notebooks.py
runs the unfilled lessons top to bottom as well).
"""
import re
from pathlib import Path

import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient

from dense_viz.lessons import EXERCISES, MESSAGES, REFERENCE, STUB, Checker, reference

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
LESSONS = {"en": NOTEBOOKS / "lesson_dense.ipynb", "ru": NOTEBOOKS / "lesson_dense_ru.ipynb"}
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
STUB_LINE = re.compile(r"^( *)" + re.escape(STUB) + r"$", re.M)


def exercise_cells(nb):
    """[(exercise name, cell)] in notebook order."""
    return [(cell.metadata["dense_viz"]["exercise"], cell) for cell in nb.cells
            if cell.cell_type == "code" and "exercise" in cell.metadata.get("tags", ())]


def fill(nb):
    """Replace each exercise's stub line with its reference body (indented like the stub)."""
    for name, cell in exercise_cells(nb):
        indent = STUB_LINE.search(cell.source).group(1)
        body = "\n".join(indent + line for line in REFERENCE[name].splitlines())
        cell.source = STUB_LINE.sub(lambda match: body, cell.source, count=1)
    return nb


def execute(nb, path):
    """Run `nb` in a fresh python3 kernel with the notebooks folder as cwd; returns nb with outputs."""
    client = NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
    client.execute()  # raises CellExecutionError on the first failing cell
    return nb


def printed(cell):
    """The text a cell printed to stdout."""
    return "".join(out.text for out in cell.outputs if out.output_type == "stream" and out.name == "stdout")


def errors(nb):
    """The error outputs of every code cell."""
    return [out for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs if out.output_type == "error"]


@pytest.mark.parametrize("lang", LESSONS)
def test_lesson_has_every_exercise_with_one_stub(lang):
    nb = nbformat.read(LESSONS[lang], as_version=4)
    names = [name for name, _cell in exercise_cells(nb)]
    assert names == list(EXERCISES)  # every exercise once, in the module's order (the lesson's order)
    for name, cell in exercise_cells(nb):
        assert cell.source.startswith(f"def {EXERCISES[name].signature}:"), cell.source
        assert len(STUB_LINE.findall(cell.source)) == 1, cell.source
        assert cell.source.rstrip().endswith(f"check.{name}({name});"), cell.source
    setup = next(cell for cell in nb.cells if cell.cell_type == "code")
    assert f'check = Checker(lang="{lang}")' in setup.source


def test_lessons_have_the_same_structure():
    cells = {lang: nbformat.read(path, as_version=4).cells for lang, path in LESSONS.items()}
    assert [c.cell_type for c in cells["en"]] == [c.cell_type for c in cells["ru"]]
    code = {lang: [c.source for c in cs if c.cell_type == "code" and "exercise" not in c.metadata.get("tags", ())]
            for lang, cs in cells.items()}
    # the same apps with the same configs (the Russian ones may also say lang="ru"), the checker in its language
    russian = [s.replace(', lang="ru")', ")").replace('"ru"', '"en"') for s in code["ru"]]
    assert russian == code["en"]


@pytest.mark.parametrize("lang", LESSONS)
def test_lesson_runs_with_the_reference_answers(lang):
    path = LESSONS[lang]
    nb = execute(fill(nbformat.read(path, as_version=4)), path)
    assert not errors(nb)
    ok = MESSAGES[lang]["ok"].split("{name}")[1].split("{n}")[0]  # ": correct — all " / ": верно — все проверки ("
    for name, cell in exercise_cells(nb):
        assert printed(cell).startswith(f"✓ {name}{ok}"), (name, printed(cell))
        assert not [out for out in cell.outputs if out.output_type == "execute_result"]  # the `;` hides True
    last = [cell for cell in nb.cells if cell.cell_type == "code"][-1]
    assert [out.output_type for out in last.outputs] == ["execute_result"]
    assert last.outputs[0].data[WIDGET_MIME]["model_id"]


@pytest.mark.parametrize("lang", LESSONS)
def test_unfilled_exercises_say_not_done_yet(lang):
    """The exercises as committed (the apps left out: test_notebooks.py runs the whole unfilled lesson)."""
    path = LESSONS[lang]
    nb = nbformat.read(path, as_version=4)
    setup = next(cell for cell in nb.cells if cell.cell_type == "code")
    nb.cells = [setup] + [cell for _name, cell in exercise_cells(nb)]
    nb = execute(nb, path)
    assert not errors(nb)
    for name, cell in exercise_cells(nb):
        assert printed(cell) == MESSAGES[lang]["not_done"].format(name=name) + "\n"


# -- the checkers without a kernel ---------------------------------------------------------------------------
def quiet(lang="en"):
    said = []
    return Checker(lang, out=said.append), said


@pytest.mark.parametrize("lang", MESSAGES)
@pytest.mark.parametrize("name", EXERCISES)
def test_reference_passes_and_stub_is_not_done(lang, name):
    check, said = quiet(lang)
    assert getattr(check, name)(reference(name)) is True
    assert said[-1].startswith("✓")

    def stub(*args):
        ...

    def not_implemented(*args):
        raise NotImplementedError

    for unfinished in (stub, not_implemented):
        assert getattr(check, name)(unfinished) is False
        assert said[-1] == MESSAGES[lang]["not_done"].format(name=name)


@pytest.mark.parametrize("name", EXERCISES)
def test_wrong_and_broken_answers_get_a_hint_not_a_traceback(name):
    check, said = quiet()

    def broken(*args):
        return 1 / 0

    assert getattr(check, name)(broken) is False
    assert said[-1].startswith(f"✗ {name}: for ") and "ZeroDivisionError" in said[-1]
    assert getattr(check, name)(lambda *args: "nonsense") is False
    assert said[-1].startswith(f"✗ {name}: for ") and "the engine gives" in said[-1]
    assert getattr(check, name)(42) is False and "pass the function itself" in said[-1]


def test_hints_name_the_likely_mistake():
    check, said = quiet()
    assert not check.param_count(lambda input_dim, units, use_bias: input_dim * units)
    assert "use_bias=True each unit also has one bias" in said[-1]
    assert not check.param_count(lambda input_dim, units, use_bias: input_dim * units + units)
    assert "use_bias=False there is no bias vector" in said[-1] and "2560000" in said[-1]
    assert not check.dense_relu(lambda x, kernel, bias: np.maximum(x @ kernel + bias, 0))
    assert "bias is None" in said[-1]
    naive = lambda x, kernel, delta: (x.T @ delta, delta.sum(axis=0), delta @ kernel.T)  # noqa: E731
    assert not check.gradients(naive)
    assert "x.reshape(-1, x.shape[-1])" in said[-1] and "(2, 3, 4)" in said[-1]
    assert not check.gradients(lambda x, kernel, delta: (delta.T @ x, delta.sum(axis=0), delta @ kernel.T))
    assert "∂L/∂W: an array of shape (2, 3)" in said[-1]
    assert not check.output_shape(lambda input_shape, units: (input_shape[0], units))
    assert "(32, 5, 4)" in said[-1] and "(32, 4)" in said[-1]
    assert check.output_shape(lambda input_shape, units: [*input_shape[:-1], units])  # a list is a shape too


def test_messages_are_complete_in_every_language_and_solution_prints():
    assert set(MESSAGES["en"]) == set(MESSAGES["ru"])
    for lang, table in MESSAGES.items():
        placeholders = {key: set(re.findall(r"{(\w+)", text)) for key, text in table.items()}
        assert placeholders == {key: set(re.findall(r"{(\w+)", text)) for key, text in MESSAGES["en"].items()}, lang
    check, said = quiet("ru")
    assert check.solution("param_count").startswith("def param_count(input_dim, units, use_bias):")
    assert said[-1].startswith("Одно из решений param_count:")
    assert check.solution("nope") is None and "nope" in said[-1]
    with pytest.raises(ValueError, match="Received: lang='de'"):
        Checker("de")
