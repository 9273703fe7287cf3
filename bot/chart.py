"""The progress chart: per-unit measures by colour tier, rendered headless with Chinese labels.

Uses a CJK font if one is installed (the set-up installs WenQuanYi Micro Hei from Debian);
without one the labels would be boxes, so the chart says so in its log instead of failing.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from collections import Counter

import matplotlib

matplotlib.use("Agg")  # headless: no display on a server

import matplotlib.pyplot as plt
from matplotlib import font_manager

from ledger.i18n import plain, t
from ledger.models import Measure
from ledger.tiers import colour

log = logging.getLogger(__name__)
CJK_FONTS = (
    "WenQuanYi Micro Hei",
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
)
COLOURS = {
    "done": "#9e9e9e",
    "red": "#e53935",
    "yellow": "#fdd835",
    "green": "#43a047",
    "submitted": "#1e88e5",
    "": "#b0bec5",
}


def cjk_font() -> str | None:
    installed = {f.name for f in font_manager.fontManager.ttflist}
    found = next((name for name in CJK_FONTS if name in installed), None)
    if found is None:
        for path in (
            "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
            "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
        ):
            try:
                font_manager.fontManager.addfont(path)
                return font_manager.FontProperties(fname=path).get_name()
            except (OSError, RuntimeError):
                continue
        log.warning("no CJK font installed: chart labels will not show Chinese (apt-get install fonts-wqy-microhei)")
    return found


def _label(text: str) -> str:
    """A unit name as matplotlib shows it: `$` would start mathtext."""
    return text.replace("$", r"\$")


def render_chart(measures: list[Measure], today: dt.date, yellow_days: int = 10, lang: str = "zh") -> bytes:
    """PNG bytes: one horizontal bar per unit, stacked by tier, largest units on top."""
    font = cjk_font()
    if font:
        plt.rcParams["font.sans-serif"] = [font, "DejaVu Sans"]
        plt.rcParams["axes.unicode_minus"] = False
    counts: dict[str, Counter[str]] = {}
    for m in measures:
        tier = "submitted" if m.status == "submitted" else colour(m, today, yellow_days)
        counts.setdefault(m.unit, Counter())[tier] += 1
    units = sorted(counts, key=lambda u: sum(counts[u].values()))
    labels = [_label(u) for u in units]
    fig, ax = plt.subplots(figsize=(9, max(3.0, 0.36 * len(units) + 1.4)), dpi=100)
    left = [0] * len(units)
    for tier in ("done", "submitted", "red", "yellow", "green", ""):
        values = [counts[u][tier] for u in units]
        if any(values):
            ax.barh(labels, values, left=left, color=COLOURS[tier], label=plain(lang, f"chart.{tier}"))
            left = [a + b for a, b in zip(left, values, strict=True)]
    done = sum(m.status == "done" for m in measures)
    ax.set_title(_label(t(lang, "chart_title", today=today, n=len(measures), done=done)))
    ax.set_xlabel(plain(lang, "chart_xlabel"))
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()
