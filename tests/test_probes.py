"""/health, /ready and who may read /metrics, on the real app."""

import asyncio

import httpx

from api.app import create_app


async def test_ready_answers_503_while_the_change_stream_is_stopped(api):
    base = api.url.removesuffix("/graphql")
    assert (await api.http.get(f"{base}/ready")).json() == {"ok": True}
    task = api.hub._task
    assert task is not None
    asyncio.run_coroutine_threadsafe(api.hub.stop(), task.get_loop()).result(timeout=10)

    ready = await api.http.get(f"{base}/ready")
    assert ready.status_code == 503 and ready.headers["retry-after"]
    assert ready.json()["ok"] is False
    [problem] = ready.json()["problems"]
    assert problem.startswith("change stream: not running")
    health = await api.http.get(f"{base}/health")  # alive all the same
    assert health.status_code == 200 and health.json()["live"] is False


async def test_metrics_without_a_token_are_for_loopback_callers_only(mongo_uri, database_name):
    app = create_app(mongo_uri, database_name)
    for client, status in ((("10.1.2.3", 4000), 403), (("127.0.0.1", 4000), 200)):
        transport = httpx.ASGITransport(app=app, client=client)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as http:
            answer = await http.get("/metrics")
        assert answer.status_code == status, answer.text
    app.state.store.close()


async def test_metrics_without_a_token_refuse_a_rebound_name(mongo_uri, database_name):
    """DNS rebinding: a page at evil.example, its name made to resolve to 127.0.0.1, reads
    /metrics from the browser on this machine (a same-origin GET: no Origin header is sent)."""
    app = create_app(mongo_uri, database_name)
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 4000))
    async with httpx.AsyncClient(transport=transport) as http:
        for host, status in (
            ("evil.example:8000", 403),
            ("127.0.0.1.evil.example", 403),
            ("localhost:8000", 200),
            ("LOCALHOST", 200),
            ("[::1]:8000", 200),
            ("127.0.0.1", 200),
        ):
            answer = await http.get(f"http://{host}/metrics")
            assert answer.status_code == status, (host, answer.text)
    app.state.store.close()


async def test_metrics_can_be_turned_off(mongo_uri, database_name, monkeypatch):
    monkeypatch.setenv("SCORING_METRICS", "0")
    app = create_app(mongo_uri, database_name)
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 4000))
    async with httpx.AsyncClient(transport=transport, base_url="http://api") as http:
        assert (await http.get("/metrics")).status_code == 404
    assert app.state.metrics is None
    app.state.store.close()
