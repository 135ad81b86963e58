"""Install as users do, outside the checkout: build the wheel and sdist, install the wheel into a fresh venv, serve the
app with `dense-viz app` from another folder and load it in Chromium; then the same venv with an editable install.

Slow (a fresh venv gets every dependency from pip; its cache makes a second run quicker): marked `install`, bounded
by timeouts, and never skipped (no network for pip fails, as it should in CI).
"""
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
from browser import UNITS_INPUT
from conftest import free_port, stop_process
from test_cli import assert_app_page, clean_env, fetch, serve

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.install


def pip(venv, *args, timeout=900):
    """Run the venv's pip quietly; raise with its output if it fails."""
    subprocess.run([venv / "bin" / "python", "-m", "pip", "install", "-q", *args], check=True, timeout=timeout)


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    """(wheel, sdist) built by `python -m build` from the checkout, in a venv of their own."""
    venv, out = tmp_path_factory.mktemp("build-venv"), tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip(venv, "build")
    subprocess.run([venv / "bin" / "python", "-m", "build", "--outdir", str(out), str(ROOT)], check=True,
                   capture_output=True, timeout=600)
    (wheel,), (sdist,) = out.glob("*.whl"), out.glob("*.tar.gz")
    return wheel, sdist


@pytest.fixture(scope="module")
def fresh_venv(tmp_path_factory, dist):
    """A venv outside the checkout with the wheel installed (and pytest, for the sdist's own tests)."""
    venv = tmp_path_factory.mktemp("fresh-venv")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip(venv, f"{dist[0]}[app]", "pytest", "hypothesis", "nbclient", "nbformat")
    return venv


def test_wheel_ships_the_launcher_settings_template_and_notebooks(dist):
    names = set(zipfile.ZipFile(dist[0]).namelist())
    data = next(n.split("/")[0] for n in names if ".data/" in n)
    assert {"dense_viz/cli.py", "dense_viz/jupyter_config/voila.json",
            "dense_viz/jupyter_config/jupyter_server_config.json",
            f"{data}/data/share/jupyter/voila/templates/dense_viz/index.html.j2",
            f"{data}/data/share/jupyter/dense_viz/notebooks/explainer.ipynb",
            f"{data}/data/share/jupyter/dense_viz/notebooks/training.ipynb"} <= names
    assert not [n for n in names if n.startswith("tests/")]


def test_sdist_carries_what_its_tests_need(dist):
    with tarfile.open(dist[1]) as tar:
        names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
    assert {"tests/conftest.py", "tests/browser.py", "tests/test_engine_dense.py", "notebooks/explainer.ipynb",
            "notebooks/training.ipynb", "share/jupyter/voila/templates/dense_viz/index.html.j2", "voila.json",
            "binder/environment.yml", "environment.yml", "dev.py"} <= names


def test_the_sdists_own_tests_run_against_the_installed_wheel(dist, fresh_venv, tmp_path):
    pip(fresh_venv, "--no-deps", "--force-reinstall", str(dist[0]))  # the wheel, whatever ran before (shuffled)
    with tarfile.open(dist[1]) as tar:
        tar.extractall(tmp_path, filter="data")
    (src,) = tmp_path.iterdir()
    result = subprocess.run([fresh_venv / "bin" / "python", "-m", "pytest", "-q", "-p", "no:cacheprovider",
                             "tests/test_engine_dense.py", "tests/test_notebooks.py"], cwd=src, capture_output=True,
                            text=True, timeout=600, env=clean_env(tmp_path))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert " passed" in result.stdout.splitlines()[-1]


def serve_app(venv, tmp_path):
    """`dense-viz app` of `venv`, run from a folder outside the checkout; (process, URL, log path)."""
    port, log = free_port(), tmp_path / "dense-viz.log"
    cmd = [str(venv / "bin" / "dense-viz"), "app", f"--port={port}"]
    proc, url = serve(cmd, tmp_path, clean_env(tmp_path), log, "/voila/templates/dense_viz/static/voila.js")
    return proc, url, log


def test_installed_wheel_serves_the_app_from_anywhere_in_chromium(fresh_venv, dist, tmp_path, new_page):
    pip(fresh_venv, "--no-deps", "--force-reinstall", str(dist[0]))  # the wheel, even if the editable test ran first
    proc, url, log = serve_app(fresh_venv, tmp_path)
    try:
        page, events = new_page(url + "/", f"{UNITS_INPUT}:not([disabled])")
        problems = list(events.problems)  # before the server stops (its closed websocket is no problem)
    finally:
        stop_process(proc)
    text = log.read_text()
    assert f"serving {fresh_venv}" in text  # the wheel's notebook, not the checkout's
    assert "Culling kernels with idle durations > 600 seconds" in text
    assert problems == []  # no CDN request, no console error


def test_editable_install_serves_the_app_with_the_checkouts_template(fresh_venv, tmp_path):
    pip(fresh_venv, "--no-deps", "-e", str(ROOT))  # replaces the wheel
    template = fresh_venv / "share" / "jupyter" / "voila" / "templates" / "dense_viz" / "index.html.j2"
    assert template.read_bytes() == (ROOT / "share" / "jupyter" / "voila" / "templates" / "dense_viz" /
                                     "index.html.j2").read_bytes()  # the build backend adds the data files
    proc, url, log = serve_app(fresh_venv, tmp_path)
    try:
        body = fetch(url + "/")
    finally:
        stop_process(proc)
    assert_app_page(body)
    assert f"serving {ROOT / 'notebooks' / 'explainer.ipynb'}" in log.read_text()


def test_after_an_editable_install_plain_voila_from_the_checkout_serves_the_app(fresh_venv, dist, tmp_path):
    """The issue's words: `pip install -e .`, then `voila notebooks/explainer.ipynb` from the repo root (./voila.json
    names the dense_viz template) -- a whole page with the app, not an empty 200 that never completes."""
    pip(fresh_venv, "--no-deps", "-e", str(ROOT))
    port = free_port()
    cmd = [str(fresh_venv / "bin" / "voila"), "notebooks/explainer.ipynb", "--no-browser", f"--port={port}",
           "--Voila.ip=127.0.0.1"]
    proc, url = serve(cmd, ROOT, clean_env(tmp_path), tmp_path / "voila.log", "/voila/templates/dense_viz/static/voila.js")
    try:
        body = fetch(url + "/")
    finally:
        stop_process(proc)
    assert_app_page(body)
    assert "TemplateNotFound" not in (tmp_path / "voila.log").read_text()
    pip_uninstall = [str(fresh_venv / "bin" / "python"), "-m", "pip", "uninstall", "-q", "-y", "dense_viz"]
    subprocess.run(pip_uninstall, check=True, timeout=300)
    assert not (fresh_venv / "share" / "jupyter" / "voila" / "templates" / "dense_viz").exists()  # RECORD lists them
    pip(fresh_venv, "--no-deps", str(dist[0]))  # the other tests of this module expect an installed dense_viz
