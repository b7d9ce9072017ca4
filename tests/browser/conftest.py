"""Browser tests: headless Chromium (Debian's chromium and chromium-driver) against pytest-django's live
server. Skipped, with the reason, where Chromium is not installed; CI installs it
(`scripts/system-deps.sh --browser`)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser import chrome
from tests.factories.accounts import PASSWORD

# Selenium is imported where used, so that collecting this folder never fails where it is missing:
# the tests skip themselves (chrome.missing() names what is missing).
WebDriver = Any

WAIT_SECONDS = 10


@pytest.fixture
def page(live_server, settings, tmp_path) -> Iterator[WebDriver]:
    """A fresh headless Chromium at the live server, downloading into a fresh folder.

    One browser per test, quit before the test's database is torn down: Chromium keeps its connections
    to the live server open, and a server thread that closes one later would touch a database the
    test no longer shares with it.
    """
    reason = chrome.missing()
    if reason:
        pytest.skip(reason)
    settings.MEDIA_ROOT = tmp_path / "media"
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    driver = chrome.start(downloads)
    driver.downloads = downloads
    driver.base_url = live_server.url
    yield driver
    driver.quit()
    time.sleep(0.2)  # let the server threads of the closed connections finish


def wait(driver: WebDriver, condition: Callable, seconds: float = WAIT_SECONDS):
    """Until `condition(driver)` holds. An element that belonged to the page being replaced (a click that
    navigates, an htmx swap) is stale for a moment: that is not yet, not a failure."""
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    ignored = (NoSuchElementException, StaleElementReferenceException)
    return WebDriverWait(driver, seconds, ignored_exceptions=ignored).until(condition)


def visible(driver: WebDriver, css: str):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions

    return wait(driver, expected_conditions.visibility_of_element_located((By.CSS_SELECTOR, css)))


def sign_in(driver: WebDriver, username: str, path: str = "/") -> None:
    """Open `path`, get sent to the login page, sign in with the keyboard and come back."""
    driver.get(driver.base_url + path)
    visible(driver, "#id_username").send_keys(username)
    password = driver.find_element("id", "id_password")
    password.send_keys(PASSWORD)
    password.submit()
    wait(driver, lambda d: "/accounts/login/" not in d.current_url)


def shots(driver: WebDriver, name: str) -> list[Path]:
    """The current page at phone and desktop width, into build/screenshots/; at phone width the page
    must not scroll sideways. (The screenshots are clipped at x = 0, so they would not show it.)"""
    paths = [chrome.screenshot(driver, name, size) for size in (chrome.PHONE, chrome.DESKTOP)]
    scroll_width, client_width = chrome.page_widths(driver, chrome.PHONE)
    assert scroll_width <= client_width, (
        f"{name} ({driver.current_url}) scrolls sideways at {chrome.PHONE[0]} px: the page is "
        f"{scroll_width} px wide in a {client_width} px viewport"
    )
    return paths
