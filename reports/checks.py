"""System check: a font with Chinese glyphs must be installed, or reports would print empty boxes.

`manage.py check` reports its absence; `reports.rendering` refuses to render without one. Fonts are found
through fontconfig (`fc-list :lang=zh`), the same library weasyprint (via pango) uses to pick them.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
from typing import Any

from django.core import checks
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

MSG_NO_CJK_FONT = gettext_noop(
    "没有安装含中文字形的字体（fc-list :lang=zh 为空）：报告中的中文会变成空白方框。"
)
HINT_NO_CJK_FONT = gettext_noop("安装 Noto CJK 字体：scripts/system-deps.sh（Debian 包 fonts-noto-cjk）。")
MSG_NO_FONTCONFIG = gettext_noop("找不到 fontconfig 的 fc-list 命令，无法确认是否安装了中文字体。")
HINT_NO_FONTCONFIG = gettext_noop("安装 fontconfig 与 fonts-noto-cjk：scripts/system-deps.sh。")


@functools.cache
def cjk_font_families() -> tuple[str, ...] | None:
    """Families of the installed fonts that cover Chinese, or None when fontconfig is not available.

    Cached for the life of the process: fonts are installed with the system, not while it runs.
    """
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    result = subprocess.run(
        [fc_list, ":lang=zh", "family"], capture_output=True, text=True, timeout=30, check=False
    )
    families = {
        name.strip() for line in result.stdout.splitlines() for name in line.split(",") if name.strip()
    }
    return tuple(sorted(families))


@checks.register("reports")
def check_cjk_font(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    families = cjk_font_families()
    if families is None:
        return [checks.Error(_(MSG_NO_FONTCONFIG), hint=_(HINT_NO_FONTCONFIG), id="reports.E002")]
    if not families:
        return [checks.Error(_(MSG_NO_CJK_FONT), hint=_(HINT_NO_CJK_FONT), id="reports.E001")]
    return []
