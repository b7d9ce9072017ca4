"""HTML to PDF with weasyprint: the one module that imports it.

Templates fetch nothing remote. The only URLs a report may load are the project's own static files
(under `STATIC_PREFIX`), which `LocalStaticFetcher` reads from disk (the app's static folder through the
staticfiles finders, or STATIC_ROOT after collectstatic); any other URL stops the rendering rather than
leaving a hole in the PDF. Rendering refuses without a font that covers Chinese (see `reports/checks.py`).
"""

from __future__ import annotations

import base64
import gc
import mimetypes
import posixpath
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import segno
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from weasyprint import HTML
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from farmadvice.core.errors import ApplicationError
from reports.checks import cjk_font_families
from reports.sections import ReportContext

MSG_NO_CJK_FONT = gettext_noop(
    "无法生成报告：服务器没有安装中文字体（需要 fonts-noto-cjk），否则中文会显示为空白方框。"
)
MSG_NO_FONTCONFIG = gettext_noop("无法生成报告：服务器没有 fontconfig（fc-list），无法确认已安装中文字体。")
MSG_RESOURCE_REFUSED = gettext_noop(
    "无法生成报告：模板引用了不允许的资源 {url}（报告只能使用本项目的静态文件）。"
)

TEMPLATE = "reports/advisory_report.html"
#: Relative URLs in the template resolve against this origin; nothing is ever fetched from it.
BASE_URL = "https://report.farmadvice.invalid/"
#: Templates name static files under this prefix (not `{% static %}`, whose URL depends on STATIC_URL and,
#: in production, on the collectstatic manifest): the fetcher reads them from disk.
STATIC_PREFIX = BASE_URL + "static/"


_RENDERING = threading.Lock()


class ReportRenderingError(ApplicationError):
    """The report cannot be rendered as it should be; nothing is archived."""


class LocalStaticFetcher(URLFetcher):
    """Serves the project's static files from disk and refuses every other URL."""

    def __init__(self) -> None:
        super().__init__(fail_on_errors=True, allowed_protocols=("https", "data"))

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return super().fetch(url, headers)  # the charts and the QR code, inline
        path = self._static_path(url)
        if path is None:
            raise ValueError(_(MSG_RESOURCE_REFUSED).format(url=url))
        mime_type, _encoding = mimetypes.guess_type(path.name)
        return URLFetcherResponse(
            url, body=path.read_bytes(), headers={"Content-Type": mime_type or "application/octet-stream"}
        )

    @staticmethod
    def _static_path(url: str) -> Path | None:
        if not url.startswith(STATIC_PREFIX):
            return None
        relative = posixpath.normpath(unquote(urlsplit(url).path).removeprefix(urlsplit(STATIC_PREFIX).path))
        if relative.startswith(("../", "/")) or relative in ("..", "."):
            return None
        # The app's own folder first (always deployed with the code), then STATIC_ROOT (collectstatic).
        found = finders.find(relative)
        if found:
            return Path(found)
        collected = Path(settings.STATIC_ROOT, relative)
        return collected if collected.is_file() else None


@dataclass(frozen=True, slots=True)
class RenderedPdf:
    pdf: bytes
    page_count: int


def require_cjk_font() -> None:
    families = cjk_font_families()
    if families is None:
        raise ReportRenderingError(_(MSG_NO_FONTCONFIG))
    if not families:
        raise ReportRenderingError(_(MSG_NO_CJK_FONT))


def render_pdf(html: str) -> RenderedPdf:
    """Render HTML to PDF bytes; local static files only, and only with a CJK font installed."""
    require_cjk_font()
    # One rendering at a time per process: pango and fontconfig are not safe to drive from several
    # threads at once (the web workers are threaded), and rendering is CPU work that threads cannot share.
    with _RENDERING:
        try:
            document = HTML(string=html, base_url=BASE_URL, url_fetcher=LocalStaticFetcher()).render()
        except FatalURLFetchingError as exc:
            cause = exc.__cause__
            raise ReportRenderingError(str(cause) if cause else str(exc)) from exc
        return RenderedPdf(pdf=document.write_pdf(), page_count=len(document.pages))


_settled = False


def settle_process() -> None:
    """Once per process, after its first report: collect, then move every object alive into the garbage
    collector's permanent generation (`gc.freeze`).

    Rendering leaves the process with ~400,000 long-lived objects (Django, pandas, statsmodels, matplotlib,
    weasyprint and their caches), and every report makes tens of thousands of short-lived reference
    cycles (matplotlib figures, weasyprint boxes). Without this, a full collection walks all of them
    every third report or so and adds ~250 ms to that report; frozen, the walk covers only the new
    objects. Nothing frozen is freed later, which is what the frozen objects (modules, fonts, caches)
    are for anyway.
    """
    global _settled
    if _settled:
        return
    _settled = True
    gc.collect()
    gc.freeze()


def render_blank_a4() -> bytes:
    """A blank A4 page: the floor a report's rendering time is compared with in benchmarks."""
    return HTML(string="<style>@page { size: A4 }</style>", base_url=BASE_URL).write_pdf()


def css_string(text: str) -> str:
    """A CSS string literal, safe inside a <style> element: quotes, backslashes and "<" escaped."""
    flat = re.sub(r"\s+", " ", text)
    return '"' + flat.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3C ") + '"'


def page_counter_css() -> str:
    """The CSS `content` value of the page counter in the active language: "第 X 页 / 共 Y 页"."""
    text = _("第 {page} 页 / 共 {pages} 页")
    pieces: list[str] = []
    rest = text
    while rest:
        before, brace, after = rest.partition("{")
        if before:
            pieces.append(css_string(before))
        if not brace:
            break
        name, _close, rest = after.partition("}")
        pieces.append(f"counter({'pages' if name == 'pages' else 'page'})")
    return " ".join(pieces)


def page_margin_css(context: ReportContext) -> str:
    """The running header and footer of every page (the first page has none at the top, see print.css)."""
    code = context.issue.verification_code
    footer_left = (
        f"{_('验证码')} {'-'.join(code[i : i + 4] for i in range(0, len(code), 4))}" if code else _("草稿")
    )
    return (
        "@page {"
        f" @top-left {{ content: {css_string(_('农业面源污染防治咨询报告'))}; }}"
        f" @top-right {{ content: {css_string(f'{context.farm.name} · {context.year}')}; }}"
        f" @bottom-left {{ content: {css_string(footer_left)}; }}"
        f" @bottom-center {{ content: {page_counter_css()}; }}"
        " }"
    )


def svg_data_uri(svg: str) -> str:
    """An SVG as a data: URI for <img>. Drawn as an image, its elements stay out of the HTML cascade,
    which makes a page with charts render about a third faster than inline <svg>; text stays text."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def qr_data_uri(url: str) -> str:
    """The verification URL as an SVG QR code (error correction M, survives a crease)."""
    return segno.make(url, error="m", micro=False).svg_data_uri(scale=4, border=2)


def render_report(context: ReportContext) -> RenderedPdf:
    """The advisory report of `context` as a PDF, in the context's language."""
    with translation.override(context.language):
        html = render_to_string(
            TEMPLATE,
            {
                "r": context,
                "html_lang": "zh-Hans" if context.language == "zh-hans" else context.language,
                "language_name": translation.get_language_info(context.language)["name_local"],
                "page_css": page_margin_css(context),
                "static_prefix": STATIC_PREFIX,
                "issued_at_local": timezone.localtime(context.issue.issued_at),
                "time_zone": settings.TIME_ZONE,
                "charts": {name: svg_data_uri(svg) for name, svg in context.charts.items()},
                "qr": qr_data_uri(context.issue.verification_url) if context.issue.verification_url else "",
            },
        )
    rendered = render_pdf(html)
    settle_process()
    return rendered
