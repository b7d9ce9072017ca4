"""Where Chromium is missing the browser tests skip, and say how to install it."""

from __future__ import annotations

from pathlib import Path

from tests.browser import chrome


def test_a_missing_chromium_is_named_with_the_command_that_installs_it(monkeypatch, tmp_path):
    monkeypatch.setattr(chrome, "CHROMIUM", Path(tmp_path / "no-chromium"))
    reason = chrome.missing()
    assert reason is not None
    assert "no-chromium" in reason
    assert "scripts/system-deps.sh --browser" in reason
