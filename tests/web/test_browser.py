"""The web view in a real headless Chromium over a crawled demo store (the replica, 127.0.0.1 only).

The store: the replica crawled, its seed article edited and re-crawled, then crawled in its
redesigned layout (web/demo_store.py).  Also writes docs/img/sources.png, the README's screenshot.
Skips with a one-line reason when Chromium or Playwright is missing, except under CI=true.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crawler.replica.seed import SEED_TITLE
from crawler.web import create_app
from web.demo_store import EDITED_SENTENCE, EDITED_TITLE_SUFFIX, build_demo_store

pytestmark = [pytest.mark.browser, pytest.mark.crawl]

CHROMIUM = os.environ.get("CRAWLER_TEST_CHROMIUM", "/usr/bin/chromium")
IN_CI = os.environ.get("CI", "").lower() == "true"
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "img" / "sources.png"


def _browser_missing() -> str | None:
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        return f"no Chromium at {CHROMIUM} (apt-get install -y chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install -e '.[test]')"
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """A headless Chromium driven by Playwright (the system's browser: no download)."""
    reason = _browser_missing()
    if reason:
        if IN_CI:
            pytest.fail(f"{reason} (CI=true: the browser tests must run)")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # --no-sandbox: CI and these machines run as root, where Chromium's sandbox refuses to start.
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def served(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The demo store served by the app on an ephemeral 127.0.0.1 port."""
    from werkzeug.serving import make_server

    db_url = f"sqlite:///{tmp_path_factory.mktemp('web') / 'demo.db'}"
    store = build_demo_store(db_url)
    app = create_app(db_url)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="web-test-server", daemon=True)
    thread.start()
    try:
        yield {"base": f"http://127.0.0.1:{server.server_port}", **store}
    finally:
        server.shutdown()
        app.extensions["crawler_store"].dispose()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 720})
    yield context.new_page()
    context.close()


def test_sources_page_lists_the_site_with_its_last_run(served: dict[str, Any], page: Any) -> None:
    page.goto(served["base"] + "/")
    row = page.locator('tr[data-site="syrianobserver"]')
    assert "The Syrian Observer" in row.inner_text()
    assert "run 3" in row.locator("td").nth(2).inner_text()  # the last of the three runs
    row.get_by_role("link", name="run 3").click()
    page.wait_for_url("**/runs/3")
    assert "Run 3 of syrianobserver" in page.locator("h1").inner_text()


def test_a_search_for_a_word_finds_the_seed_article(served: dict[str, Any], page: Any) -> None:
    page.goto(served["base"] + "/")
    page.get_by_label("Search articles").fill("acknowledges")
    page.keyboard.press("Enter")
    page.wait_for_url("**/articles?q=acknowledges")
    titles = page.locator("ol.hits a.title").all_inner_texts()
    assert titles and titles[0] == SEED_TITLE + EDITED_TITLE_SUFFIX
    assert page.locator("ol.hits li").first.locator("mark").count() >= 1  # the snippet shows the match


def test_the_seed_article_shows_the_diff_of_its_edited_recrawl(served: dict[str, Any], page: Any) -> None:
    page.goto(served["base"] + "/articles?q=acknowledges")
    page.locator("ol.hits a.title").first.click()
    page.wait_for_url("**/articles/*")
    assert page.locator("h1").inner_text() == SEED_TITLE + EDITED_TITLE_SUFFIX
    diff = page.locator(".diff")
    assert "Version 1 → 2" in diff.inner_text()
    inserted = diff.locator("ins").all_inner_texts()
    assert EDITED_TITLE_SUFFIX.strip() in " ".join(inserted)
    assert any(EDITED_SENTENCE in text for text in inserted)
    assert page.locator(".versions tbody tr").count() == 2


def test_a_layout_broken_run_shows_as_failing_on_the_sources_page(served: dict[str, Any], page: Any) -> None:
    page.goto(served["base"] + "/")
    row = page.locator('tr[data-site="syrianobserver"]')
    assert "health-failing" in (row.get_attribute("class") or "")
    assert row.locator(".badge").first.inner_text() == "failing"
    failing = row.locator(".failing").all_inner_texts()
    assert "coverage:body_text" in failing
    healthy = page.locator('tr[data-site="levantpost"]')  # crawled once, in its usual layout
    assert "health-healthy" in (healthy.get_attribute("class") or "")
    # The coloured row is what a person sees first: its background differs from a healthy row's.
    colour = row.evaluate("r => getComputedStyle(r).backgroundColor")
    assert colour != healthy.evaluate("r => getComputedStyle(r).backgroundColor")
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    assert SCREENSHOT.stat().st_size > 10_000
