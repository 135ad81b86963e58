"""The shipped server settings and the kernel manager they name (headless; real kernels, no browser)."""
import asyncio
import json

import pytest
from tornado import web

from dense_viz import cli
from dense_viz.jupyter_config.classroom import ClassroomKernelManager

VOILA = json.loads((cli.CONFIG_DIR / "voila.json").read_text())
SERVER = json.loads((cli.CONFIG_DIR / "jupyter_server_config.json").read_text())


def test_standalone_voila_uses_the_classroom_kernel_manager_with_a_cap():
    name = VOILA["VoilaConfiguration"]["multi_kernel_manager_class"]
    assert name == f"{ClassroomKernelManager.__module__}.{ClassroomKernelManager.__name__}"
    assert VOILA["ClassroomKernelManager"]["max_kernels"] > 0


@pytest.mark.parametrize("settings", [VOILA, SERVER], ids=["voila.json", "jupyter_server_config.json"])
def test_the_notebook_may_take_long_on_a_busy_server_and_idle_kernels_are_culled(settings):
    assert settings["VoilaExecutor"]["iopub_timeout"] >= 60  # nbclient's 4 s left 19 of 20 pages blank
    cull = settings["MappingKernelManager"]
    assert 0 < cull["cull_idle_timeout"] <= 900 and cull["cull_interval"] > 0
    assert cull["cull_connected"] is False and cull["cull_busy"] is False  # an open page is never taken away


def test_a_dead_kernel_is_not_restarted_behind_its_page():
    assert VOILA["KernelRestarter"]["restart_limit"] == 0


def test_the_launcher_passes_max_kernels():
    argv, _env = cli.voila_command(cli.parser().parse_known_args(["app", "--max-kernels", "7"])[0], [])
    assert "--ClassroomKernelManager.max_kernels=7" in argv
    argv, _env = cli.voila_command(cli.parser().parse_known_args(["app"])[0], [])
    assert not any("max_kernels" in a for a in argv)  # voila.json's value


def test_the_cap_refuses_a_kernel_with_503_and_a_second_shutdown_is_a_no_op():
    async def scenario():
        manager = ClassroomKernelManager(max_kernels=1)
        kernel = await manager.start_kernel(kernel_name="python3")
        try:
            with pytest.raises(web.HTTPError) as refused:
                await manager.start_kernel(kernel_name="python3")
            assert refused.value.status_code == 503 and "class is full" in refused.value.log_message
            assert manager.list_kernel_ids() == [kernel]
        finally:
            await asyncio.gather(manager.shutdown_kernel(kernel, now=True),
                                 manager.shutdown_kernel(kernel, now=True))  # beforeunload and pagehide
        await manager.shutdown_kernel(kernel, now=True)
        assert manager.list_kernel_ids() == []
        again = await manager.start_kernel(kernel_name="python3")  # room again
        await manager.shutdown_kernel(again, now=True)
    asyncio.run(scenario())


# -- uploads: the kernel websocket carries a whole file in one message ------------------------------------------
def websocket_limit(settings, app_class):
    return settings[app_class]["tornado_settings"]["websocket_max_message_size"]


def test_the_websocket_takes_a_message_a_bit_above_the_upload_limit():
    """Tornado refuses websocket messages above `websocket_max_message_size` (10 MiB by default) and closes the
    connection: an ipywidgets FileUpload sends the whole file in one message. Standalone Voila takes it from
    `Voila.tornado_settings` (voila.json), Jupyter Server (Binder's voila/render, JupyterLab, a hub's single-user
    server) from `ServerApp.tornado_settings` (jupyter_server_config.json): the same number in both."""
    from dense_viz.io import MAX_BYTES
    voila, server = websocket_limit(VOILA, "Voila"), websocket_limit(SERVER, "ServerApp")
    assert voila == server
    assert MAX_BYTES + 2**20 <= voila <= 1.1 * MAX_BYTES  # room for the message's JSON header, not much more


def test_the_settings_reach_the_tornado_applications(tmp_path):
    """The class and trait names are real: Voila keeps them (it updates its tornado Application's settings with
    them in start()), and an initialized ServerApp's web application has the value."""
    from jupyter_server.serverapp import ServerApp
    from traitlets.config import Config
    from voila.app import Voila
    assert Voila(config=Config(VOILA)).tornado_settings["websocket_max_message_size"] == websocket_limit(VOILA, "Voila")
    app = ServerApp(config=Config(SERVER))
    app.initialize(argv=[f"--ServerApp.root_dir={tmp_path}"], find_extensions=False, new_httpserver=False)
    assert app.web_app.settings["websocket_max_message_size"] == websocket_limit(SERVER, "ServerApp")
