"""GraphiQL in a real browser (Debian's Chromium, headless, driven by chromedriver through
selenium) against a real server: the page loads everything from the server itself, a query
typed into the editor runs and its result shows, the Authorization header typed into the
Headers editor signs the request in, the explorer plugin opens, and a subscription runs over
graphql-transport-ws with the same header. Every request the page made went to the server's
own origin. Without /usr/bin/chromium or /usr/bin/chromedriver this FAILS (.ci/run installs
them): it never skips."""
from __future__ import annotations

import asyncio
import json
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Iterator
from urllib.parse import urlsplit

import httpx
import pytest

from tests.support.client import GraphQLClient
from tests.support.factories import make_account
from tests.support.orders import checkout, complete
from tests.support.server import RunningServer, start_server

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--window-size=1400,1000",
         # as on a machine without internet: any host but the server's fails to resolve
         "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1")
ME = "{ me { email } }"
SUBSCRIPTION = "subscription { myOrderUpdates { type status order { number } } }"

pytestmark = pytest.mark.slow


@pytest.fixture
def server(runtime: Any, log_dir: Path) -> Iterator[RunningServer]:
    running = start_server(runtime.settings.database_url, log_dir)
    yield running
    running.stop()


@pytest.fixture
def browser() -> Iterator[Any]:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    assert not missing, (f"{', '.join(missing)} missing: apt-get install -y chromium "
                         "chromium-driver (.ci/run does it)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    profile = tempfile.TemporaryDirectory(prefix="chromium-")
    for flag in (*FLAGS, f"--user-data-dir={profile.name}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()
        profile.cleanup()


def wait_for(check: Callable[[], Any], what: str, timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def editor_value(driver: Any, selector: str) -> str:
    return str(driver.execute_script(
        "const e = document.querySelector(arguments[0]);"
        "return e && e.CodeMirror ? e.CodeMirror.getValue() : '';", selector))


def type_into(driver: Any, selector: str, text: str) -> None:
    """Click into a CodeMirror editor, select all and type over it, key by key."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    driver.find_element(By.CSS_SELECTOR, selector).click()
    active = driver.switch_to.active_element
    active.send_keys(Keys.CONTROL, "a")
    active.send_keys(Keys.DELETE)
    active.send_keys(text)
    # CodeMirror closes brackets and quotes itself; typing over them leaves the text as typed.
    assert " ".join(editor_value(driver, selector).split()) == " ".join(text.split())


def run(driver: Any) -> None:
    from selenium.webdriver.common.by import By

    driver.find_element(By.CSS_SELECTOR, ".graphiql-execute-button").click()


def result(driver: Any) -> str:
    return editor_value(driver, ".graphiql-response .CodeMirror")


def requested_urls(driver: Any) -> list[str]:
    """Every URL the browser requested or opened a WebSocket to (Chrome's performance log)."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        params = message.get("params", {})
        if message["method"] == "Network.requestWillBeSent":
            urls.append(params["request"]["url"])
        elif message["method"] == "Network.webSocketCreated":
            urls.append(params["url"])
    return urls


def network_origins(urls: list[str]) -> set[str]:
    """The origins (host:port) of the network requests; data: and the browser's own chrome://
    pages never leave the machine."""
    return {urlsplit(u).netloc for u in urls if urlsplit(u).scheme in ("http", "https", "ws",
                                                                        "wss")}


async def test_graphiql_runs_queries_and_subscriptions_from_the_server_alone(
        runtime: Any, server: RunningServer, browser: Any) -> None:
    from selenium.webdriver.common.by import By

    buyer = await make_account(runtime, "BUYER")
    seller = await make_account(runtime, "SELLER")
    email = (await GraphQLClient(httpx.AsyncClient(base_url=server.base_url)).data(
        ME, token=buyer.token))["me"]["email"]
    browser.get(server.base_url + "/graphql")
    wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, ".graphiql-execute-button"),
             "GraphiQL to render")
    wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "[aria-label='Show GraphiQL "
                                                            "Explorer']"), "explorer plugin")

    # a query typed into the editor, without a token: the result pane shows `me: null`
    type_into(browser, ".graphiql-query-editor .CodeMirror", ME)
    run(browser)
    shown = json.loads(wait_for(lambda: result(browser), "a result"))
    assert shown["data"] == {"me": None}
    assert shown["extensions"]["cost"]["requestedQueryCost"] == 2

    # the Authorization header typed into the Headers editor signs the same query in
    browser.find_element(By.CSS_SELECTOR, "button[data-name='headers']").click()
    type_into(browser, ".graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror",
              f'{{"Authorization": "Bearer {buyer.token}"}}')
    run(browser)
    wait_for(lambda: email in result(browser), "the signed-in result")
    assert json.loads(result(browser))["data"] == {"me": {"email": email}}

    # the explorer plugin opens
    browser.find_element(By.CSS_SELECTOR, "[aria-label='Show GraphiQL Explorer']").click()
    wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, ".graphiql-explorer-root"),
             "the explorer pane")

    # a subscription over graphql-transport-ws, signed in by the same header
    type_into(browser, ".graphiql-query-editor .CodeMirror", SUBSCRIPTION)
    run(browser)
    await asyncio.sleep(1.5)  # the subscription registers before the order is placed
    async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as http:
        api = GraphQLClient(http)
        sid, _ = await checkout(api, runtime, buyer, [(seller, 1500)])
        assert (await complete(api, buyer.token, sid))["userErrors"] == []
    wait_for(lambda: '"myOrderUpdates"' in result(browser), "an order event in the result pane")
    event = json.loads(result(browser))
    assert "errors" not in event and event["data"]["myOrderUpdates"]["order"]["number"], event

    urls = requested_urls(browser)
    own = urlsplit(server.base_url).netloc
    assert network_origins(urls) == {own}, urls
    assert any(u.startswith(f"ws://{own}/graphql") for u in urls), "no WebSocket opened"
    assert any(u.endswith("/static/graphiql/graphiql.min.js") for u in urls)
