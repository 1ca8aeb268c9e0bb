"""Which web pages may call the API: pages served on other ports, opened in headless Chromium,
fetch the API and open its websocket; only the origin listed in SCORING_CORS_ORIGINS may."""

import contextlib
import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pymongo
import pytest

from api.cors import allowed_origins
from api.domain.access import Role
from api.embedded import free_port
from tests.conftest import ServerThread
from tests.dashboard_stack import chromium, new_database, seed_sync

PAGE = "<!doctype html><title>another site</title><p>hello</p>"
FETCH = """async ([url, token]) => {
  try {
    const answer = await fetch(url, {
      method: "POST",
      headers: {"Content-Type": "application/json", "Authorization": "Bearer " + token},
      body: JSON.stringify({query: "{ me { name } }"}),
    });
    return {status: answer.status, body: await answer.json()};
  } catch (error) {
    return {failed: String(error)};
  }
}"""
SOCKET = """(url) => new Promise((done) => {
  const ws = new WebSocket(url, "graphql-transport-ws");
  ws.onopen = () => { ws.close(); done("open"); };
  ws.onerror = () => done("refused");
})"""


@contextlib.contextmanager
def site(root: Path) -> Iterator[str]:
    """A static page on a port of its own: another origin than the API's."""
    (root / "index.html").write_text(PAGE)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_only_listed_origins_may_call_the_api_from_a_browser(mongo_uri, tmp_path, monkeypatch):
    database = new_database()
    tokens = seed_sync(mongo_uri, database)
    (tmp_path / "allowed").mkdir()
    (tmp_path / "foreign").mkdir()
    with site(tmp_path / "allowed") as allowed, site(tmp_path / "foreign") as foreign:
        monkeypatch.setenv("SCORING_CORS_ORIGINS", f"{allowed}/")
        try:
            with ServerThread(mongo_uri, database) as server:
                url = f"http://127.0.0.1:{server.port}/graphql"
                _check_preflights(url, allowed, foreign)
                with chromium() as browser:
                    page = browser.new_page()
                    page.goto(allowed)
                    answer = page.evaluate(FETCH, [url, tokens[Role.VIEWER]])
                    assert answer["status"] == 200, answer
                    assert answer["body"]["data"]["me"]["name"] == "e2e-viewer"
                    assert page.evaluate(SOCKET, url.replace("http", "ws")) == "open"

                    page.goto(foreign)
                    answer = page.evaluate(FETCH, [url, tokens[Role.VIEWER]])
                    assert "failed" in answer, answer  # the browser was refused the answer
                    assert page.evaluate(SOCKET, url.replace("http", "ws")) == "refused"
        finally:
            with pymongo.MongoClient(mongo_uri) as client:
                client.drop_database(database)


def _check_preflights(url: str, allowed: str, foreign: str) -> None:
    asking = {"Access-Control-Request-Method": "POST"}
    asking["Access-Control-Request-Headers"] = "authorization, content-type"
    ok = httpx.options(url, headers={"Origin": allowed, **asking})
    assert ok.status_code == 200 and ok.headers["access-control-allow-origin"] == allowed
    assert "authorization" in ok.headers["access-control-allow-headers"].lower()
    refused = httpx.options(url, headers={"Origin": foreign, **asking})
    assert refused.status_code == 403 and "access-control-allow-origin" not in refused.headers
    # The actual request from a foreign page is refused before any work, too.
    body = {"query": "{ __typename }"}
    actual = httpx.post(url, json=body, headers={"Origin": foreign})
    assert actual.status_code == 403
    assert actual.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    mine = httpx.post(url, json=body, headers={"Origin": allowed})
    assert mine.status_code == 200 and mine.headers["access-control-allow-origin"] == allowed
    assert "x-request-id" in mine.headers["access-control-expose-headers"].lower()
    # Pages of the API itself (GraphiQL) are its own origin.
    own = url.removesuffix("/graphql")
    assert httpx.post(url, json=body, headers={"Origin": own}).status_code == 200


def test_a_malformed_origin_list_is_refused_at_start(monkeypatch):
    monkeypatch.setenv("SCORING_CORS_ORIGINS", "http://ok.example, not an origin")
    with pytest.raises(ValueError, match="not an origin"):
        allowed_origins()
    monkeypatch.setenv("SCORING_CORS_ORIGINS", "https://Dash.Example:443/")
    assert allowed_origins() == ("https://dash.example",)
