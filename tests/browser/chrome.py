"""Headless Chromium for the browser tests: start it, size it like a phone or a desktop, and save
full-page screenshots. Plain functions, so a developer can also drive a running server with them."""

from __future__ import annotations

from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
PHONE = (390, 844)
DESKTOP = (1366, 900)
SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"


def missing() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if not CHROMIUM.exists() or not CHROMEDRIVER.exists():
        return (
            f"Chromium or chromedriver not installed ({CHROMIUM}, {CHROMEDRIVER}); "
            "run `scripts/system-deps.sh --browser` to install them."
        )
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[dev]')"
    return None


def start(download_dir: Path):
    """A headless Chromium at desktop size that saves downloads into `download_dir`."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--window-size={DESKTOP[0]},{DESKTOP[1]}")
    options.add_argument("--lang=zh-CN")
    options.add_experimental_option(
        "prefs",
        {
            "download.default_directory": str(download_dir),
            "download.prompt_for_download": False,
            "intl.accept_languages": "zh-CN,zh",
        },
    )
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(download_dir)}
    )
    driver.set_page_load_timeout(30)
    return driver


def set_viewport(driver, size: tuple[int, int]) -> None:
    """Emulate a viewport of `size` CSS pixels (a phone is a mobile viewport, so the page's
    `<meta name=viewport>` applies)."""
    width, height = size
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600},
    )


def page_widths(driver, size: tuple[int, int]) -> tuple[int, int]:
    """The page's scroll width and its viewport's width at `size`, in CSS pixels. A page that fits has
    the first no larger than the second; a wide table may scroll, but inside its own box."""
    set_viewport(driver, size)
    widths = driver.execute_script(
        "const root = document.documentElement; return [root.scrollWidth, root.clientWidth];"
    )
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    return widths[0], widths[1]


def screenshot(driver, name: str, size: tuple[int, int]) -> Path:
    """A full-page PNG of the current page at `size` width: build/screenshots/<name>-<w>x<h>.png."""
    import base64

    set_viewport(driver, size)
    width, height = size
    full_height = driver.execute_script(
        "return Math.max(document.body.scrollHeight, document.documentElement.scrollHeight)"
    )
    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot",
        {
            "format": "png",
            "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": width, "height": max(height, full_height), "scale": 1},
        },
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}-{width}x{height}.png"
    path.write_bytes(base64.b64decode(shot["data"]))
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    return path
