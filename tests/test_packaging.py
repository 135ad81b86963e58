"""The dependency lists agree on names and bounds, Binder's pins satisfy them, and repo2docker reads binder/ as meant.

pyproject.toml is the truth: `dependencies` + the `app` and `import` extras are what the app needs; `test` adds the test tools.
environment.yml (developers with conda) lists all of them with the same lower bounds; binder/environment.yml only the
app's (app + import), each pinned to an exact version inside pyproject's range.
"""
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
PROJECT = PYPROJECT["project"]


def requirements(*extras):
    """{name: SpecifierSet} of the dependencies plus the given extras of pyproject.toml."""
    reqs = [Requirement(r) for r in PROJECT["dependencies"]]
    reqs += [Requirement(r) for extra in extras for r in PROJECT["optional-dependencies"][extra]]
    return {canonicalize_name(r.name): r.specifier for r in reqs}


def conda_dependencies(path):
    """{name: SpecifierSet} of an environment.yml's conda dependencies (python and pip left out), conda's `=` as `==`."""
    text = path.read_text()
    deps = {}
    for line in text[text.index("dependencies:"):].splitlines():
        match = re.match(r"^  - ([A-Za-z0-9_.-]+)\s*([<>=!~][^#\s]*)?\s*(#.*)?$", line)
        if match and match.group(1) not in ("python", "pip"):
            spec = match.group(2) or ""
            deps[canonicalize_name(match.group(1))] = SpecifierSet(re.sub(r"^=(?!=)", "==", spec))
    return deps


def test_every_dependency_has_a_lower_bound():
    for extras in ((), ("app",), ("import",), ("app", "import", "test")):
        for name, spec in requirements(*extras).items():
            assert [s for s in spec if s.operator == ">="], f"{name} has no lower bound"


def test_developer_environment_has_the_same_names_and_bounds():
    assert conda_dependencies(ROOT / "environment.yml") == requirements(*PROJECT["optional-dependencies"])  # every extra


def test_binder_pins_each_app_dependency_inside_its_range():
    pins = conda_dependencies(ROOT / "binder" / "environment.yml")
    wanted = requirements("app", "import")
    assert pins.keys() == wanted.keys()  # the app's packages (uploads read model files), nothing for tests
    for name, pin in pins.items():
        (spec,) = list(pin)
        assert spec.operator == "==", f"binder/environment.yml must pin {name} exactly, not {pin}"
        assert wanted[name].contains(spec.version), f"{name}=={spec.version} is outside pyproject's {wanted[name]}"


def test_python_versions_agree():
    classifiers = [c.rsplit(" ", 1)[1] for c in PROJECT["classifiers"]
                   if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)]
    oldest = min(classifiers, key=lambda v: int(v.split(".")[1]))
    assert PROJECT["requires-python"] == f">={oldest}"
    assert f"Python ≥ {oldest}" in (ROOT / "README.md").read_text()
    for path in (ROOT / "environment.yml", ROOT / "binder" / "environment.yml"):
        python = re.search(r"^  - python=(3\.\d+)$", path.read_text(), re.M).group(1)
        assert python in classifiers, f"{path.name} pins python={python}, not a supported version"


def test_binder_installs_the_package_and_its_settings_without_local_paths():
    binder = (ROOT / "binder" / "environment.yml").read_text()
    assert "-e ." not in binder and "file:" not in binder
    post = (ROOT / "binder" / "postBuild").read_text()
    assert "set -euo pipefail" in post and "python -m pip install --no-deps ." in post
    assert "dense-viz install-config" in post  # Voila under Jupyter Server reads etc/jupyter, not ./voila.json
    for script in ("postBuild", "start"):
        assert os.access(ROOT / "binder" / script, os.X_OK)


def test_metadata_has_the_launcher_authors_and_no_unused_dependency():
    assert PROJECT["scripts"] == {"dense-viz": "dense_viz.cli:main"}
    assert PROJECT["authors"] and "version" in PROJECT
    assert "ipympl" not in requirements("app", "test")  # no view uses it
    assert PYPROJECT["build-system"]["requires"] == ["setuptools>=77"]  # PEP 639 licence fields
    assert PYPROJECT["build-system"]["build-backend"] == "dense_viz_build"  # setuptools + editable data files
    assert (ROOT / PYPROJECT["build-system"]["backend-path"][0] / "dense_viz_build.py").is_file()


def test_project_urls_name_the_repository_the_share_links_use():
    """One repository: the metadata's URLs and the share panel's Binder links (dense_viz/deployment.json)."""
    import json
    repository = json.loads((ROOT / "dense_viz" / "deployment.json").read_text())["repository"]
    urls = PROJECT["urls"]
    assert {"Homepage", "Source", "Issues", "Changelog"} <= set(urls)
    assert all(f"github.com/{repository}" in url or f"gh/{repository}/" in url for url in urls.values()), urls


@pytest.fixture(scope="session")
def repo2docker(tmp_path_factory):
    """jupyter-repo2docker in a throw-away venv (it is a packaging check, not a dependency of the project)."""
    venv = tmp_path_factory.mktemp("repo2docker-venv")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([venv / "bin" / "python", "-m", "pip", "install", "-q", "jupyter-repo2docker"], check=True,
                   timeout=300)
    return venv / "bin" / "jupyter-repo2docker"


@pytest.mark.install
def test_repo2docker_builds_a_conda_python_312_image_with_postbuild_and_start(repo2docker):
    out = subprocess.run([repo2docker, "--no-build", "--debug", str(ROOT)], capture_output=True, text=True,
                         timeout=120, check=True)
    dockerfile = out.stdout + out.stderr
    assert "Building conda environment for python=3.12" in dockerfile, dockerfile[-3000:]
    assert '--file "binder/environment.yml"' in dockerfile
    assert "RUN ./binder/postBuild" in dockerfile and 'R2D_ENTRYPOINT="${REPO_DIR}/binder/start"' in dockerfile
