"""The `dense-viz` launcher: what it finds, what it runs, and the two server modes it starts (Voila, JupyterLab)."""
import json
import os
import re
import subprocess
import sys
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import pytest
from conftest import free_port, stop_process, wait_for_http

from dense_viz import cli

ROOT = Path(__file__).resolve().parents[1]
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


def test_importing_the_launcher_loads_no_jupyter_or_plotting_module():
    code = ("import sys, dense_viz, dense_viz.cli\n"
            "bad = [m for m in ('matplotlib', 'ipywidgets', 'traitlets', 'jupyter_core', 'voila') if m in sys.modules]\n"
            "assert not bad, bad\n")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_version_is_the_installed_metadata():
    from importlib.metadata import version
    import dense_viz
    assert dense_viz.__version__ == version("dense_viz") != "0+unknown"


def test_in_a_checkout_the_template_and_notebooks_come_from_it():
    assert cli.template_root() == ROOT / "share" / "jupyter"
    assert cli.notebook_path("training") == ROOT / "notebooks" / "training.ipynb"


def test_installed_layout_is_found_on_the_data_path(tmp_path):
    empty, full = tmp_path / "empty", tmp_path / "full"
    for relative in (cli.TEMPLATE_FILE, Path("dense_viz", "notebooks", "explainer.ipynb")):
        (full / relative).parent.mkdir(parents=True, exist_ok=True)
        (full / relative).write_text("{}")
    assert cli.template_root([empty, full]) == full
    assert cli.notebook_path("explainer", [empty, full]) == full / "dense_viz" / "notebooks" / "explainer.ipynb"


def test_a_missing_template_stops_the_launcher_with_a_message_naming_it(tmp_path):
    with pytest.raises(SystemExit) as error:
        cli.template_root([tmp_path / "a", tmp_path / "b"])
    message = str(error.value)
    assert "the Voila template 'dense_viz' is missing" in message
    assert str(Path("voila", "templates", "dense_viz", "index.html.j2")) in message
    assert str(tmp_path / "a") in message and str(tmp_path / "b") in message


def test_app_command_uses_only_the_shipped_settings_and_binds_loopback():
    args = cli.parser().parse_args(["app", "training", "--port", "9001"])
    argv, env = cli.voila_command(args, ["--preheat_kernel=True"])
    assert argv[1:4] == ["-m", "voila", str(ROOT / "notebooks" / "training.ipynb")]
    assert {"--port=9001", "--Voila.ip=127.0.0.1", f"--Voila.config_file_paths={cli.CONFIG_DIR}", "--no-browser",
            "--preheat_kernel=True"} <= set(argv)
    assert env["JUPYTER_PATH"].split(os.pathsep)[0] == str(ROOT / "share" / "jupyter")


def test_lab_command_copies_the_notebooks_once_and_allows_root(tmp_path, monkeypatch):
    monkeypatch.setattr(cli, "is_root", lambda: True)
    (tmp_path / "explainer.ipynb").write_text("mine")
    argv, env = cli.lab_command(cli.parser().parse_args(["lab", str(tmp_path), "--ip", "0.0.0.0"]), [])
    assert (tmp_path / "explainer.ipynb").read_text() == "mine"  # the user's edits are kept
    assert (tmp_path / "training.ipynb").read_bytes() == (ROOT / "notebooks" / "training.ipynb").read_bytes()
    assert {"--allow-root", "--ServerApp.ip=0.0.0.0", f"--ServerApp.root_dir={tmp_path}"} <= set(argv)
    assert env["JUPYTER_CONFIG_PATH"].split(os.pathsep)[0] == str(cli.CONFIG_DIR)


def test_install_config_writes_both_files(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "prefix", str(tmp_path))
    cli.install_config(SimpleNamespace(user=False))
    etc = tmp_path / "etc" / "jupyter"
    assert json.loads((etc / "voila.json").read_text()) == json.loads((cli.CONFIG_DIR / "voila.json").read_text())
    assert (etc / "jupyter_server_config.d" / "dense_viz.json").read_text() == \
        (cli.CONFIG_DIR / "jupyter_server_config.json").read_text()


def test_production_settings_agree_across_modes():
    voila = json.loads((cli.CONFIG_DIR / "voila.json").read_text())
    server = json.loads((cli.CONFIG_DIR / "jupyter_server_config.json").read_text())
    assert voila["VoilaConfiguration"] == {"template": "dense_viz", "allow_template_override": "NO",
                                           "show_tracebacks": False, "strip_sources": True,
                                           "multi_kernel_manager_class":
                                               "dense_viz.jupyter_config.classroom.ClassroomKernelManager"}
    assert voila["VoilaExecutor"] == server["VoilaExecutor"]
    assert voila["MappingKernelManager"] == server["MappingKernelManager"]
    assert server["MappingKernelManager"]["cull_idle_timeout"] > 0


def clean_env(tmp_path, **extra):
    """os.environ without the repo's share/jupyter on JUPYTER_PATH, with Jupyter's own folders under tmp_path."""
    env = dict(os.environ, **extra)
    share = str(ROOT / "share" / "jupyter")
    env["JUPYTER_PATH"] = os.pathsep.join(p for p in env.get("JUPYTER_PATH", "").split(os.pathsep) if p != share)
    for var in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR"):
        (tmp_path / var.lower()).mkdir(exist_ok=True)
        env[var] = str(tmp_path / var.lower())
    return env


def serve(cmd, cwd, env, log_path, ready_path):
    """Start `cmd` (a server on the port in it); return (process, log path) once `ready_path` answers."""
    port = next(a.split("=")[1] for a in cmd if a.startswith(("--port=", "--ServerApp.port=")))
    with open(log_path, "w") as log:
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for_http(f"http://127.0.0.1:{port}{ready_path}", proc, timeout=120)
    except Exception as exc:
        stop_process(proc)
        raise AssertionError(f"{exc}\n--- log ---\n{Path(log_path).read_text()[-4000:]}") from None
    return proc, f"http://127.0.0.1:{port}"


def fetch(url):
    """The whole body of `url` (Voila streams the page: this returns once it has finished)."""
    with urllib.request.urlopen(url, timeout=300) as response:
        assert response.status == 200
        return response.read().decode()


def assert_app_page(body):
    """The page shows the app's widget, with the dense_viz template (no CDN link) and the sources stripped."""
    assert WIDGET_MIME in body and "cdn.jsdelivr" not in body and "from dense_viz" not in body, body[-2000:]


def test_the_repo_root_voila_json_is_the_shipped_one():
    """`voila notebooks/x.ipynb` from the repo root (and the tests' Voila) reads ./voila.json: a link to the one copy."""
    assert (ROOT / "voila.json").resolve() == (cli.CONFIG_DIR / "voila.json").resolve()


@pytest.mark.parametrize("mode", ["voila", "jupyter server"])
def test_plain_voila_from_the_repo_root_serves_the_app_with_its_template(mode, tmp_path):
    """What a user types after `pip install -e .` (the test venvs are editable installs; the tests' own
    JUPYTER_PATH entry for the checkout's share/jupyter is removed): `voila notebooks/explainer.ipynb`, or
    JupyterLab's /voila/render/..., from the checkout. The template comes from <prefix>/share/jupyter, where the
    project's build backend (backend/dense_viz_build.py) puts it for editable installs too."""
    port = free_port()
    if mode == "voila":
        cmd = [sys.executable, "-m", "voila", "notebooks/explainer.ipynb", "--no-browser", f"--port={port}",
               "--Voila.ip=127.0.0.1"]
        ready, page = "/voila/templates/dense_viz/static/voila.js", "/"
    else:
        cmd = [sys.executable, "-m", "jupyter_server", f"--port={port}", "--ServerApp.ip=127.0.0.1",
               "--no-browser", "--IdentityProvider.token=", "--ServerApp.password=", "--allow-root"]
        ready, page = "/api/status", "/voila/render/notebooks/explainer.ipynb"
    proc, url = serve(cmd, ROOT, clean_env(tmp_path), tmp_path / "server.log", ready)
    try:
        body = fetch(url + page)
    finally:
        stop_process(proc)
    assert_app_page(body)
    assert "TemplateNotFound" not in (tmp_path / "server.log").read_text()


def test_dense_viz_lab_serves_the_app_under_jupyter_server_with_the_production_settings(tmp_path):
    """Voila as a Jupyter Server extension (Binder's /voila/render): template, stripped sources and culling apply."""
    port = free_port()
    cmd = [sys.executable, "-m", "dense_viz.cli", "lab", str(tmp_path / "nb"), f"--port={port}",
           "--IdentityProvider.token=", "--ServerApp.password="]
    env = clean_env(tmp_path)
    env.pop("JUPYTER_CONFIG_PATH", None)
    proc, url = serve(cmd, tmp_path, env, tmp_path / "lab.log", "/api/status")
    try:
        body = fetch(url + "/voila/render/explainer.ipynb")
    finally:
        stop_process(proc)
    assert_app_page(body)
    assert "Culling kernels with idle durations > 600 seconds" in (tmp_path / "lab.log").read_text()
    # Jupyter Server has no mathjax settings, so Voila's page would load MathJax 2 from cdnjs for the lessons'
    # formulas; with both None it uses the MathJax 3 bundled in its JavaScript (offline), as standalone Voila does.
    config = json.loads(re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', body,
                                  re.S).group(1))
    assert config["fullMathjaxUrl"] is None and config["mathjaxConfig"] is None
