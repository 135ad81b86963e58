"""The debouncer's leading edge, on a real asyncio loop (no kernel, no browser)."""
import asyncio

from dense_viz.app.schedule import Debouncer


def run(scenario):
    calls = []
    asyncio.run(scenario(calls))
    return calls


def test_the_first_call_of_a_burst_runs_at_once_and_the_rest_coalesce_into_one_trailing_call():
    async def scenario(calls):
        debouncer = Debouncer(delay=0.05, loop=asyncio.get_running_loop(), leading=True)
        for i in range(6):
            debouncer.call("views", lambda i=i: calls.append(i))
            if i == 0:
                assert calls == [0]  # no wait for the first redraw
            await asyncio.sleep(0.005)
        assert calls == [0] and debouncer.pending() == ("views",)
        await asyncio.sleep(0.15)
        assert calls == [0, 5] and debouncer.pending() == ()
    assert run(scenario) == [0, 5]


def test_a_long_burst_still_runs_at_most_twice_and_a_quiet_key_leads_again():
    async def scenario(calls):
        debouncer = Debouncer(delay=0.04, loop=asyncio.get_running_loop(), leading=True)
        for i in range(20):  # events 10 ms apart for 0.2 s: closer than the delay all along
            debouncer.call("views", lambda i=i: calls.append(i))
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.2)
        assert calls == [0, 19]
        debouncer.call("views", lambda: calls.append("again"))  # quiet for longer than the delay: leads
        assert calls[-1] == "again"
    run(scenario)


def test_leading_keys_are_independent_and_flush_runs_only_what_waits():
    async def scenario(calls):
        debouncer = Debouncer(delay=10.0, loop=asyncio.get_running_loop(), leading=True)
        debouncer.call("a", lambda: calls.append("a1"))
        debouncer.call("b", lambda: calls.append("b1"))
        debouncer.call("a", lambda: calls.append("a2"))
        assert calls == ["a1", "b1"] and debouncer.pending() == ("a",)
        debouncer.flush()
        assert calls == ["a1", "b1", "a2"] and debouncer.pending() == ()
        debouncer.call("a", lambda: calls.append("a3"))  # the window was flushed too: leads again
        assert calls[-1] == "a3"
    run(scenario)


def test_a_leading_call_that_raises_is_reported_and_the_trailing_one_still_runs():
    errors = []

    def boom():
        raise RuntimeError("boom")

    async def scenario(calls):
        debouncer = Debouncer(delay=0.02, loop=asyncio.get_running_loop(), on_error=errors.append, leading=True)
        debouncer.call("a", boom)
        debouncer.call("a", lambda: calls.append("after"))
        await asyncio.sleep(0.08)
    assert run(scenario) == ["after"] and [str(e) for e in errors] == ["boom"]


def test_without_a_loop_leading_changes_nothing():
    calls = []
    debouncer = Debouncer(delay=10.0, leading=True)
    debouncer.call("a", lambda: calls.append(1))
    debouncer.call("a", lambda: calls.append(2))
    assert calls == [1, 2] and debouncer.pending() == ()
