"""The board (`/board`, admins only): every measure by unit with its light, for the 调度会 projector;
filters, search, the headline figures beside the report's own, the chart, and the `/export` XLSX."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import quote

from aiohttp import web

from bot.services import Services
from ledger.calendar_cn import workdays_between
from ledger.i18n import plain, status_label
from ledger.models import STATUSES, Measure
from ledger.reports import export_bytes
from ledger.tiers import colour
from ledger.views import deadline_label, headline, progress, shorten
from ledger.webtokens import Grant, WebLinks
from web.access import Denied, client_ip, grant_for
from web.context import CONFIG, LIMITER, SECRET, SERVICES, render

LIGHTS = ("red", "yellow", "green", "grey", "done")


@dataclass(frozen=True)
class Row:
    m: Measure
    light: str
    short: str
    due: str
    left: str
    status: str
    url: str


def admin_grant(request: web.Request) -> tuple[Services, Grant]:
    s = request.app[SERVICES]
    ip = client_ip(request, request.app[CONFIG].trusted_proxy)
    g = grant_for(request.app[LIMITER], ip, request.app[SECRET], request.query.get("t", ""), "b", s.now(), s.repo)
    if g.holder not in s.settings.admins:  # a board link of someone who is no longer an admin
        raise Denied(403, "web.forbidden")
    return s, g


def days_text(m: Measure, today: dt.date, lang: str) -> str:
    if m.status == "done" or m.due is None:
        return ""
    if m.due >= today:
        return plain(lang, "web.days_left").format(n=(m.due - today).days)
    return plain(lang, "web.days_late").format(n=workdays_between(m.due, today))


def matches(m: Measure, light: str, unit: str, want_light: str, status: str, q: str) -> bool:
    if unit and m.unit != unit:
        return False
    if want_light and light != want_light:
        return False
    if status and m.status != status:
        return False
    return not q or q.lower() in f"{m.id} {m.text} {m.unit}".lower()


async def board(request: web.Request) -> web.Response:
    s, g = admin_grant(request)
    lang, now = s.lang(g.holder), s.now()
    today = now.date()
    f = {k: request.query.get(k, "").strip() for k in ("unit", "light", "status", "q")}
    measures = s.repo.measures()
    by_unit: dict[str, list[Row]] = defaultdict(list)
    links = WebLinks("", request.app[SECRET], request.app[CONFIG].token_days)  # relative: any host, any proxy
    for m in measures:
        light = colour(m, today, s.policy.yellow_days) or "grey"
        if not matches(m, light, f["unit"], f["light"], f["status"], f["q"]):
            continue
        url = links.measure_url(s.repo, g.holder, s.repo.key_of(m.id), now)
        left = days_text(m, today, lang)
        by_unit[m.unit].append(
            Row(m, light, shorten(m.text, 60), deadline_label(m, lang), left, status_label(m.status, lang), url)
        )
    return render(
        request,
        "board.html",
        lang,
        token=request.query.get("t", ""),
        groups=sorted(by_unit.items()),
        shown=sum(len(v) for v in by_unit.values()),
        units=sorted({m.unit for m in measures}),
        lights=LIGHTS,
        statuses=[(st, status_label(st, lang)) for st in STATUSES],
        f=f,
        headline=headline(progress(measures, today), s.repo.report(), lang),
        today=today.isoformat(),
    )


async def chart(request: web.Request) -> web.Response:
    from bot.chart import render_chart  # matplotlib is loaded only when a chart is drawn

    s, g = admin_grant(request)
    png = render_chart(s.repo.measures(), s.now().date(), s.policy.yellow_days, s.lang(g.holder))
    return web.Response(body=png, content_type="image/png")


async def xlsx(request: web.Request) -> web.Response:
    """The ledger XLSX, byte for byte what `/export` sends."""
    from ledger.i18n import t

    s, g = admin_grant(request)
    r, now = s.repo, s.now()
    data = export_bytes(".xlsx", r.measures(), r.problems(), r.report(), r.units(), now.date(), s.policy.yellow_days)
    name = t(s.lang(g.holder), "export_file", date=f"{now:%Y%m%d}")
    return web.Response(
        body=data,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )
