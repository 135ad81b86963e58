"""pyproject.toml, environment.yml and binder/environment.yml name the same packages; binder installs us."""
import re
from importlib.metadata import requires
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def names(requirements):
    """Package names without versions, markers or extras, lower-case, '-' and '_' folded."""
    return {re.split(r"[<>=!~\[; ]", r.strip(), maxsplit=1)[0].lower().replace("_", "-") for r in requirements}


def conda_packages(path):
    """Conda dependencies of an environment.yml, without python and pip (and the pip section)."""
    deps = []
    text = path.read_text()
    for line in text[text.index("dependencies:"):].splitlines():
        match = re.match(r"^  - ([A-Za-z0-9_.-]+[^#]*)$", line)
        if match:
            deps.append(match.group(1))
    return names(d.rstrip(":") for d in deps) - {"python", "pip"}


def test_three_dependency_lists_agree():
    pip_names = names(requires("dense_viz"))  # the installed metadata: dependencies and every extra
    assert {"numpy", "voila", "ipywidgets", "pytest"} <= pip_names
    assert conda_packages(ROOT / "environment.yml") == pip_names
    assert conda_packages(ROOT / "binder" / "environment.yml") == pip_names


def test_environment_pins_python_and_binder_has_no_local_paths():
    for path in (ROOT / "environment.yml", ROOT / "binder" / "environment.yml"):
        assert "  - python=3.12" in path.read_text().splitlines()
    binder = (ROOT / "binder" / "environment.yml").read_text()
    assert "-e ." not in binder and "file:" not in binder
    post = (ROOT / "binder" / "postBuild").read_text()
    assert "set -euo pipefail" in post and "python -m pip install --no-deps ." in post
