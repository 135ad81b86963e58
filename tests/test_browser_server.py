"""One server under a classroom, in Chromium: closing a page ends its kernel, a killed kernel says so, the class
has a cap, a vanished page's kernel is culled, a page cannot run code, and nothing from the URL becomes markup.

The server is `dense-viz app` (the shipped voila.json and template) with a cap of 3 kernels and a short cull
timeout; every process it starts is stopped by its pid.
"""
import asyncio
import json
import os
import signal
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from browser import LOAD_TIMEOUT_MS, UPDATE_TIMEOUT_MS, open_app, set_units
from conftest import ROOT, kernel_pids, start_app_server, stop_process
from playwright.sync_api import expect

pytestmark = pytest.mark.browser
MAX_KERNELS = 3
CULL = ["--MappingKernelManager.cull_idle_timeout=6", "--MappingKernelManager.cull_interval=2"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """(process, base URL) of `dense-viz app --max-kernels 3` with culling after 6 idle seconds."""
    proc, url = start_app_server(tmp_path_factory.mktemp("server") / "voila.log",
                                 f"--max-kernels={MAX_KERNELS}", *CULL)
    yield proc, url
    stop_process(proc)


def wait_until(condition, timeout, what):
    """Poll `condition()` every 0.2 s; its value, or AssertionError naming `what` after `timeout` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"{what}: not within {timeout:.0f} s")


def kernel_id_of(page):
    return page.evaluate("() => JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId")


def status(url):
    """HTTP status of GET `url` (no redirects followed)."""
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None
    try:
        with urllib.request.build_opener(NoRedirect).open(url, timeout=30) as response:
            return response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


def test_closing_or_reloading_a_page_shuts_its_kernel_down_at_once(server, new_page):
    proc, url = server
    page, _events = new_page(url, ".dv-units input:not([disabled])")
    kernel = kernel_id_of(page)
    assert kernel in kernel_pids(proc.pid).values()
    page.goto("about:blank")  # what a reload or a closed tab does: beforeunload + pagehide
    wait_until(lambda: kernel not in kernel_pids(proc.pid).values(), 15, f"kernel {kernel} shut down")
    wait_until(lambda: status(url + f"api/kernels/{kernel}")[0] == 404, 15, "the kernel gone from the API too")


def test_a_killed_kernel_says_the_session_ended_and_other_pages_keep_working(server, new_page):
    proc, url = server
    victim, _ = new_page(url, ".dv-units input:not([disabled])")
    other, other_events = new_page(url, ".dv-units input:not([disabled])")
    pid = next(p for p, k in kernel_pids(proc.pid).items() if k == kernel_id_of(victim))
    os.kill(pid, signal.SIGKILL)  # as the OOM killer would
    banner = victim.locator(".dv-page-banner-ended")
    expect(banner).to_be_visible(timeout=15_000)
    expect(banner).to_contain_text("This session has ended")
    expect(victim.locator(".dv-page-reload")).to_be_visible()
    set_units(other, 7)
    expect(other.locator(".dv-output-shape").first).to_have_text("(None, 7)", timeout=UPDATE_TIMEOUT_MS)
    assert other.locator(".dv-page-banner").count() == 0


def test_beyond_max_kernels_a_page_says_the_class_is_full(server, new_page):
    proc, url = server
    pages = []
    while len(kernel_pids(proc.pid)) < MAX_KERNELS:
        pages.append(new_page(url, ".dv-units input:not([disabled])")[0])
    code, body = status(url)
    assert code == 503 and "The class is full" in body
    page, _ = new_page(url, ".dv-class-full", status=503)
    expect(page.locator(".dv-class-full-title")).to_have_text("The class is full, try again in a minute.")
    assert len(kernel_pids(proc.pid)) == MAX_KERNELS  # the refused page started none
    for p in pages:
        p.goto("about:blank")
    wait_until(lambda: len(kernel_pids(proc.pid)) == 0, 20, "every kernel shut down")


def test_the_kernel_of_a_page_that_vanished_without_closing_is_culled(server):
    proc, url = server
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_classroom import LightLearner

    async def visit():
        learner = LightLearner(url)
        await learner.open()
        await learner.leave(politely=False)  # no shutdown: the socket just goes, as with a lost laptop
        return learner.kernel_id
    kernel = asyncio.run(visit())
    assert kernel in kernel_pids(proc.pid).values()
    wait_until(lambda: kernel not in kernel_pids(proc.pid).values(), 40, f"kernel {kernel} culled")


def test_a_page_cannot_run_code_over_its_kernel_websocket(server, tmp_path):
    proc, url = server
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_classroom import LightLearner
    marker = tmp_path / "executed"

    async def attack():
        learner = LightLearner(url)
        await learner.open()
        try:
            code = f"open({str(marker)!r}, 'w').write('pwned')"
            await learner.send("execute_request", {"code": code, "silent": False, "store_history": False,
                                                   "user_expressions": {}, "allow_stdin": False})
            await asyncio.sleep(3)
        finally:
            await learner.leave()
    asyncio.run(attack())
    assert not marker.exists()


@pytest.mark.parametrize("path", ["api/kernels", "api/contents", "api/contents/notebooks", "tree", "lab",
                                  "api/sessions", "api/terminals", "voila/files/../../../../etc/passwd",
                                  "voila/files/%2e%2e/%2e%2e/etc/passwd", "static/../../../../etc/passwd",
                                  "voila/static/..%2f..%2f..%2fetc%2fpasswd", "voila/files/dense_viz/cli.py",
                                  "voila/api/contents", "voila/tree", "voila/render/../../etc/passwd"])
def test_nothing_beyond_the_app_is_served(server, path):
    _proc, url = server
    code, body = status(url + path)
    assert code >= 300 and "root:" not in body and "import" not in body, (path, code, body[:200])


def test_the_page_carries_no_notebook_source_and_no_traceback(server):
    proc, url = server
    code, body = status(url)
    try:
        assert code == 200 and "application/vnd.jupyter.widget-view+json" in body
        assert "from dense_viz import explain" not in body and "page_query()" not in body
        assert "Traceback" not in body
    finally:
        kernel = json.loads(body.split('<script id="jupyter-config-data" type="application/json">')[1]
                            .split("</script>")[0])["kernelId"]
        urllib.request.urlopen(urllib.request.Request(url + f"voila/api/shutdown/{kernel}", method="POST",
                               data=b"_xsrf=x", headers={"Cookie": "_xsrf=x"}), timeout=30)


@pytest.mark.parametrize("query", ["?preset=<img src=x onerror=window.__xss=1>",
                                   "?leading_dims=<img src=x onerror=window.__xss=1>",
                                   "?units=<script>window.__xss=1</script>&tab=<b%20id=xss>",
                                   "?activation=\"><svg onload=window.__xss=1>"])
def test_nothing_from_the_url_becomes_markup(server, new_page, query):
    _proc, url = server
    page, _events = new_page(url + query, ".dv-units input:not([disabled])")
    page.wait_for_timeout(500)
    assert page.evaluate("() => window.__xss") is None
    assert page.locator("img[src='x'], #xss, svg[onload]").count() == 0
    page.goto("about:blank")


def test_a_notebook_that_fails_shows_could_not_start_instead_of_a_blank_page(tmp_path, new_page):
    folder = tmp_path / "nb"
    folder.mkdir()
    broken = {"cells": [{"cell_type": "code", "execution_count": None, "id": "a", "metadata": {}, "outputs": [],
                         "source": ["raise RuntimeError('no app today')"]}],
              "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
              "nbformat": 4, "nbformat_minor": 5}
    (folder / "broken.ipynb").write_text(json.dumps(broken))
    import subprocess
    from conftest import free_port, wait_for_http
    port = free_port()
    log = open(tmp_path / "voila.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "voila", str(folder / "broken.ipynb"), "--no-browser",
                             f"--port={port}", "--Voila.ip=127.0.0.1"], cwd=ROOT, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    log.close()
    try:
        base = f"http://127.0.0.1:{port}/"
        wait_for_http(base + "voila/templates/base/static/voila.js", proc)
        page, _ = new_page(base, ".dv-page-banner-failed")
        expect(page.locator(".dv-page-banner-failed")).to_contain_text("The app could not start")
        assert "no app today" not in page.content()  # show_tracebacks is off
    finally:
        stop_process(proc)


def light_learner():
    """bench_classroom's LightLearner class (a page's kernel traffic without a browser) and its status_kb."""
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_classroom import LightLearner, status_kb
    return LightLearner, status_kb


async def send_units(learner, value):
    """Type `value` into units and press Enter, as the page's widget manager sends it (no wait for the readout)."""
    for data in ({"method": "update", "state": {"value": str(value)}, "buffer_paths": []},
                 {"method": "custom", "content": {"event": "submit"}}):
        await learner.send("comm_msg", {"comm_id": learner.units, "data": data})


def test_a_thousand_rapid_changes_from_one_page_leave_the_server_serving_at_its_baseline_memory(server):
    """1,000 changes sent as fast as the socket takes them, with the Weights tab (a figure) open: the kernel
    coalesces them, ends on the last value, and its memory and the server's come back to where they were."""
    proc, url = server
    LightLearner, status_kb = light_learner()

    async def hammer():
        learner = LightLearner(url)
        await learner.open()
        try:
            pid = next(p for p, k in kernel_pids(proc.pid).items() if k == learner.kernel_id)
            tabs = learner.find("dv-tabs")
            await learner.send("comm_msg", {"comm_id": tabs, "data": {
                "method": "update", "state": {"selected_index": 1}, "buffer_paths": []}})
            for value in range(2, 42):  # warm-up: every cache the app keeps is filled once
                await send_units(learner, value)
            assert await learner.change_units(41) < 60
            await asyncio.sleep(2)
            before = status_kb(pid, "VmRSS"), status_kb(proc.pid, "VmRSS")
            for n in range(1000):
                await send_units(learner, 2 + n % 40)
            last = 2 + 999 % 40
            await learner.wait_state(lambda: f"None, {last})" in str(learner.models[learner.shape].get("value")),
                                     timeout=180)
            await asyncio.sleep(2)
            after = status_kb(pid, "VmRSS"), status_kb(proc.pid, "VmRSS")
            assert await learner.change_units(7) < 30  # still interactive
            return before, after
        finally:
            await learner.leave()
    (kernel_before, server_before), (kernel_after, server_after) = asyncio.run(hammer())
    assert proc.poll() is None and kernel_before > 0 and server_before > 0
    assert kernel_after <= kernel_before * 1.10 + 8_000, (kernel_before, kernel_after)  # kB: allocator noise only
    assert server_after <= server_before * 1.10 + 8_000, (server_before, server_after)


def test_a_client_that_vanishes_mid_update_leaves_the_others_served(server):
    """A slow or lost client: it sends a burst of changes and drops its socket before any answer arrives. The
    server keeps serving the next learner, whose changes show."""
    proc, url = server
    LightLearner, _status_kb = light_learner()

    async def visit():
        lost = LightLearner(url)
        await lost.open()
        for value in range(2, 22):
            await send_units(lost, value)
        await lost.leave(politely=False)  # no shutdown, no goodbye: gone mid-update
        other = LightLearner(url)
        await other.open()
        try:
            return await other.change_units(9)
        finally:
            await other.leave()
            await lost.leave()  # the shutdown a reload would send at last: keeps the kernel count under the cap
    assert asyncio.run(visit()) < 30
    assert proc.poll() is None


def test_a_preheated_kernel_still_reads_the_pages_link(tmp_path, new_page):
    """`--preheat_kernel=True`: Voila runs the notebook before the page is asked for; page_query() waits for the
    request there (Voila's get_query_string), so a link's settings apply to preheated pages too, page after page."""
    proc, url = start_app_server(tmp_path / "voila.log", "--preheat_kernel=True", "--pool_size=1")
    try:
        for units in (7, 5):
            page, _events = new_page(url + f"?preset=custom&units={units}", ".dv-units input:not([disabled])")
            expect(page.locator(".dv-output-shape").first).to_have_text(f"(None, {units})",
                                                                         timeout=UPDATE_TIMEOUT_MS)
            page.goto("about:blank")
    finally:
        stop_process(proc)
    assert (tmp_path / "voila.log").read_text().count("Using pre-heated kernel") == 2  # both pages were preheated
