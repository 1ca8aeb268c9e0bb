"""The dashboard hands its API token to no one: not to the browser, not to other sites.

Issue 8, first defect: with dev sign-in on, a page from any site could open the dashboard's event
websocket, send the page's own first event and read `token: cs_...` of the admin in a state delta;
a fresh browser got the admin token in localStorage; signing out did not stick. Here the stack
runs as `scripts/run` starts it (dev sign-in on, the dev token in the data directory), attacked
with a raw websocket and used in Chromium.
"""

import asyncio
import hashlib
import json
import re
import socket
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import websockets
from playwright.sync_api import Browser, Page, expect

from api.domain.access import Role
from dashboard.states.auth import AuthState
from tests.conftest import ServerThread
from tests.dashboard_stack import ReflexServer, Stack, chromium, new_database, seed_sync

EVIL = "http://evil.example"
STATE = AuthState.get_root_state().get_full_name()
AUTH = AuthState.get_full_name()


@pytest.fixture(scope="module")
def dashboard(
    mongo_uri: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Stack, ReflexServer]]:
    database = new_database()
    tokens = seed_sync(mongo_uri, database)
    log = tmp_path_factory.mktemp("reflex") / "reflex.log"
    with ServerThread(mongo_uri, database) as api:
        api_url = f"http://127.0.0.1:{api.port}/graphql"
        with ReflexServer(api_url, log, dev_signin=True) as server:
            (server.data_dir / "dev-token").write_text(tokens[Role.ADMIN])
            yield Stack(f"http://127.0.0.1:{server.port}", api_url, tokens), server


@pytest.fixture
def stack(dashboard: tuple[Stack, ReflexServer]) -> Stack:
    return dashboard[0]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


def event(handler: str, path: str = "/", payload: dict | None = None) -> str:
    """A Socket.IO event frame for the dashboard's `/_event` namespace, as its pages send them."""
    body = {"name": handler, "payload": payload or {}, "router_data": {"pathname": path}}
    return "42/_event," + json.dumps(["event", body])


async def talk(url: str, origin: str | None, frames: list[str], wait: float = 4) -> list[str]:
    """Open the dashboard's event socket as a page from `origin` would (None: no Origin header,
    like a program), send the frames, and return every message received."""
    query = f"token={uuid.uuid4()}&EIO=4&transport=websocket"
    address = url.replace("http://", "ws://") + f"/_event/?{query}"
    received = []
    async with websockets.connect(address, origin=origin) as ws:  # type: ignore[arg-type]
        received.append(str(await ws.recv()))
        await ws.send("40/_event,")
        received.append(str(await ws.recv()))
        for frame in frames:
            await ws.send(frame)
            try:
                while True:
                    received.append(str(await asyncio.wait_for(ws.recv(), wait)))
            except TimeoutError:
                pass
    return received


def assert_no_token(stack: Stack, messages: list[str]) -> None:
    for message in messages:
        assert "cs_" not in message, message
        for secret in stack.tokens.values():
            assert secret not in message


async def test_another_site_cannot_open_the_event_socket(stack):
    with pytest.raises(websockets.InvalidStatus) as refused:
        await talk(stack.url, EVIL, [event(f"{STATE}.hydrate_and_load")])
    assert refused.value.response.status_code == 403
    # A site's name pointed at 127.0.0.1 (DNS rebinding) is another origin too.
    port = stack.url.rsplit(":", 1)[1]
    with pytest.raises(websockets.InvalidStatus):
        await talk(stack.url, f"http://evil.example:{port}", [])


async def test_another_site_gets_no_http_answers_nor_a_frame(stack):
    async with httpx.AsyncClient() as http:
        foreign = await http.get(f"{stack.url}/ping", headers={"Origin": EVIL})
        own = await http.get(f"{stack.url}/ping", headers={"Origin": stack.url})
        page = await http.get(f"{stack.url}/login")
    assert foreign.status_code == 403
    assert own.status_code == 200
    assert own.headers["access-control-allow-origin"] == stack.url
    # Nor may another site show it in a frame and trick a click on "Sign in with the dev token".
    assert page.headers["content-security-policy"] == "frame-ancestors 'none'"
    assert page.headers["x-frame-options"] == "DENY"


async def test_the_dashboards_own_page_signs_in_without_the_token_in_any_delta(stack):
    signing_in = await talk(
        stack.url,
        stack.url,
        [event(f"{STATE}.hydrate_and_load"), event(f"{AUTH}.sign_in_dev", "/login")],
    )
    assert '"role_rx_state_":"ADMIN"' in "".join(signing_in)
    key = re.findall(r'"session_rx_state_":"([^"]+)"', "".join(signing_in))[-1]
    # Another tab of that browser: the page sends what it keeps in localStorage.
    stored = {"vars": {f"{AUTH}.session_rx_state_": key}}
    opening = await talk(stack.url, stack.url, [event(f"{STATE}.hydrate_and_load", "/", stored)])
    assert '"role_rx_state_":"ADMIN"' in "".join(opening)
    assert '"count":2' in "".join(opening)  # the classification page loaded with the token
    assert_no_token(stack, signing_in + opening)


async def test_dev_sign_in_needs_the_dashboards_own_page(stack):
    """A program on this machine without an Origin gets through the socket, not the dev token."""
    messages = await talk(stack.url, None, [event(f"{AUTH}.sign_in_dev", "/login")])
    deltas = "\n".join(messages)
    assert "only in development, on this machine" in deltas
    assert "ADMIN" not in deltas
    assert_no_token(stack, messages)


def storage(page: Page) -> dict[str, str]:
    return dict(page.evaluate("Object.fromEntries(Object.entries(localStorage))"))


def test_browser_keeps_no_token_and_sign_out_sticks(browser, dashboard):
    stack, server = dashboard
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(20_000)
    frames: list[str] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda f: frames.append(str(f))))

    # An earlier version left the token itself in localStorage: it is removed.
    page.goto(f"{stack.url}/login")
    page.evaluate(f"localStorage.setItem('scoring_token', '{stack.tokens[Role.ADMIN]}')")
    page.goto(f"{stack.url}/")
    expect(page).to_have_url(f"{stack.url}/login")  # a fresh browser is not signed in
    page.click("#dev-sign-in")
    expect(page.locator("#role-badge")).to_have_text("ADMIN")
    expect(page.locator("#class-MOST_ENGAGED")).to_be_visible()
    kept = storage(page)
    assert "scoring_token" not in kept
    assert len(kept["scoring_session"]) >= 43  # 256 random bits
    assert_no_token(stack, list(kept.values()))

    page.reload()
    expect(page.locator("#role-badge")).to_have_text("ADMIN")
    second_tab = context.new_page()
    second_tab.goto(f"{stack.url}/contacts")
    expect(second_tab.locator(".contact-row")).to_have_count(4)
    second_tab.close()

    sessions = server.data_dir / "dashboard-sessions.json"
    assert sessions.stat().st_mode & 0o777 == 0o600
    assert kept["scoring_session"] not in sessions.read_text()  # only its hash is kept
    digest = hashlib.sha256(kept["scoring_session"].encode()).hexdigest()
    assert digest in json.loads(sessions.read_text())

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{stack.url}/login")
    assert not storage(page).get("scoring_session")
    assert digest not in json.loads(sessions.read_text())
    page.goto(f"{stack.url}/")
    expect(page).to_have_url(f"{stack.url}/login")  # and stays signed out
    page.reload()
    page.goto(f"{stack.url}/contacts")
    expect(page).to_have_url(f"{stack.url}/login")

    # Signing in with a pasted token keeps it out of the browser as well.
    page.fill("#token", stack.tokens[Role.VIEWER])
    page.click("#sign-in")
    expect(page.locator("#role-badge")).to_have_text("VIEWER")
    page.reload()
    expect(page.locator("#role-badge")).to_have_text("VIEWER")
    assert_no_token(stack, list(storage(page).values()))
    assert frames
    assert_no_token(stack, frames)
    context.close()


def test_a_session_key_from_before_a_sign_out_is_refused(browser, stack):
    """Signed out in one tab: a copy of the old key (another tab, or a thief) opens nothing."""
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{stack.url}/login")
    page.click("#dev-sign-in")
    expect(page.locator("#role-badge")).to_have_text("ADMIN")
    key = storage(page)["scoring_session"]
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{stack.url}/login")
    page.evaluate(f"localStorage.setItem('scoring_session', '{key}')")
    page.goto(f"{stack.url}/")
    expect(page).to_have_url(f"{stack.url}/login")
    context.close()


def this_machines_network_address() -> str | None:
    """An address of this machine that is not loopback: connections to it come from it too."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # no packet is sent; this picks the outgoing address
        except OSError:
            return None
        address = str(probe.getsockname()[0])
    return None if address.startswith("127.") or address == "0.0.0.0" else address


def test_the_dev_token_is_not_offered_to_another_machine(browser, mongo_uri, tmp_path):
    """Opened to the network (DASHBOARD_HOST), the dashboard offers the dev token to no browser
    whose address is not loopback; signing in with a token still works there."""
    address = this_machines_network_address()
    if address is None:
        pytest.skip("this machine has no network address")
    database = new_database()
    tokens = seed_sync(mongo_uri, database)
    with ServerThread(mongo_uri, database) as api:
        api_url = f"http://127.0.0.1:{api.port}/graphql"
        server = ReflexServer(api_url, tmp_path / "reflex.log", dev_signin=True, host=address)
        (tmp_path / "dev-token").write_text(tokens[Role.ADMIN])
        with server:
            # Playwright's sync API holds an event loop in this thread: talk from another one.
            with ThreadPoolExecutor(1) as pool:
                frames = [event(f"{AUTH}.sign_in_dev", "/login")]
                messages = pool.submit(asyncio.run, talk(server.url, server.url, frames)).result()
            assert "only in development, on this machine" in "\n".join(messages)
            assert "ADMIN" not in "\n".join(messages)

            page = browser.new_page()
            page.set_default_timeout(20_000)
            page.goto(f"{server.url}/login")
            expect(page.locator("#token")).to_be_visible()
            page.wait_for_timeout(1000)  # the page's load event has answered
            expect(page.locator("#dev-sign-in")).to_have_count(0)
            page.fill("#token", tokens[Role.EDITOR])
            page.click("#sign-in")
            expect(page.locator("#role-badge")).to_have_text("EDITOR")
            page.close()
