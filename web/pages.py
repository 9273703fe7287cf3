"""A measure's page (`/m/<token>`): what it is, its deadline as read, its history and evidence, and
what the holder may do: a unit member reports done with files, asks for more time, adds a note;
an admin signs off, sends back, decides an extension. Every change is a `ledger.actions` call (the
chat's permission checks and audit log) followed by the message the chat would send.
"""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import quote, unquote

from aiohttp import web
from aiohttp.web_request import FileField

from bot import delivery, evidence
from bot.services import Services
from ledger import actions
from ledger.actions import Actor
from ledger.deadlines import parse_user_date
from ledger.errors import DubanError, IllegalTransition, PermissionDenied, UnknownMeasure
from ledger.filetypes import safe_display_name, sniff
from ledger.i18n import plain, status_label, t
from ledger.models import Evidence, Measure
from ledger.tiers import colour
from ledger.views import deadline_label
from ledger.webtokens import csrf_ok, csrf_value
from web.access import Denied, client_ip, grant_for
from web.context import CONFIG, LIMITER, MAX_FILES, SECRET, SERVICES, render

ACTIONS = ("done", "extend", "note", "signoff", "sendback", "ext_approve", "ext_reject")
OUTCOMES = {"done": "submitted", "extend": "ext_requested", "note": "noted", "signoff": "signed_off"}
OUTCOMES |= {"sendback": "web.saved", "ext_approve": "web.saved", "ext_reject": "web.saved"}


def holder_of(request: web.Request) -> tuple[Services, Actor, Measure, str]:
    """The services, the acting person (the token's holder) and the measure the token opens."""
    s, token = request.app[SERVICES], request.match_info["token"]
    ip = client_ip(request, request.app[CONFIG].trusted_proxy)
    g = grant_for(request.app[LIMITER], ip, request.app[SECRET], token, "m", s.now(), s.repo)
    actor = s.actor(g.holder, g.holder, "web")
    try:
        m = s.repo.measure_by_key(g.key)
        actions.require_member(s.repo, actor, m)  # a person since unbound from the unit loses the page
    except (UnknownMeasure, PermissionDenied):
        raise Denied(403, "web.forbidden") from None
    return s, actor, m, token


def _page(
    request: web.Request, s: Services, actor: Actor, m: Measure, token: str, code: int = 200, **extra: Any
) -> web.Response:
    lang, today = s.lang(actor.user_id), s.now().date()
    files = s.repo.evidence_files(m.id)
    values = {
        "m": m,
        "token": token,
        "csrf": csrf_value(request.app[SECRET], token),
        "admin": actor.is_admin,
        "light": colour(m, today, s.policy.yellow_days) or "grey",
        "status": status_label(m.status, lang),
        "due_label": deadline_label(m, lang),
        "files": files,
        "max_mb": request.app[CONFIG].max_upload_mb,
        "message": "",
        "error": "",
    }
    return render(request, "measure.html", lang, code, **{**values, **extra})


async def measure_page(request: web.Request) -> web.Response:
    s, actor, m, token = holder_of(request)
    done, message = request.query.get("ok", ""), ""
    if done in OUTCOMES:
        key = "done_now" if done == "done" and m.status == "done" else OUTCOMES[done]
        date = m.extension.new_due.isoformat() if m.extension else ""
        message = plain(s.lang(actor.user_id), key).format(mid=m.id, date=date)
    return _page(request, s, actor, m, token, message=message)


async def evidence_file(request: web.Request) -> web.StreamResponse:
    s, _actor, m, _token = holder_of(request)
    recs = [r for r in s.repo.evidence_files(m.id) if r.get("state") == "stored"]
    n = int(request.match_info["n"])
    if s.evidence is None or n >= len(recs):
        raise web.HTTPNotFound()
    rec = recs[n]
    name = safe_display_name(rec["name"])
    return web.Response(
        body=s.evidence.read(rec["path"]),
        content_type="application/octet-stream",
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )


async def act(request: web.Request) -> web.Response:
    s, actor, m, token = holder_of(request)
    action = request.match_info["action"]
    if action not in ACTIONS:
        raise web.HTTPNotFound()
    form = await request.post()
    if not csrf_ok(request.app[SECRET], token, str(form.get("csrf", ""))):
        raise Denied(403, "web.bad_csrf")
    lang = s.lang(actor.user_id)
    try:
        await ACTS[action](s, actor, m, form, request.app[CONFIG].max_upload_mb)
    except PermissionDenied:
        raise Denied(403, "web.forbidden") from None
    except IllegalTransition as e:
        current = s.repo.measure(m.id)
        return _page(
            request, s, actor, current, token, error=str(e) or t(lang, "already", state=current.status), code=409
        )
    except DubanError as e:
        return _page(request, s, actor, s.repo.measure(m.id), token, error=str(e), code=400)
    raise web.HTTPSeeOther(f"/m/{token}?ok={action}")


def _text(form: Any, name: str) -> str:
    value = form.get(name, "")
    return value.strip() if isinstance(value, str) else ""


async def _done(s: Services, actor: Actor, m: Measure, form: Any, max_mb: int) -> None:
    lang = s.lang(actor.user_id)
    uploads: list[tuple[str, bytes, str]] = []
    for field in form.getall("files", []):
        if not isinstance(field, FileField) or not field.filename:
            continue
        data = field.file.read(max_mb * 1024 * 1024 + 1)
        name = safe_display_name(unquote(field.filename))  # some clients percent-encode non-ASCII names
        if not data:
            continue
        if len(data) > max_mb * 1024 * 1024:
            raise DubanError(plain(lang, "web.too_big").format(name=name, mb=max_mb))
        ext = sniff(data, name)
        if ext is None:
            raise DubanError(plain(lang, "web.bad_type").format(name=name))
        uploads.append((name, data, ext))
    if len(uploads) > MAX_FILES:
        raise DubanError(f"≤ {MAX_FILES}")
    if s.settings.require_evidence and not uploads:
        raise DubanError(plain(lang, "web.evidence_required"))
    refs = tuple(f"web:{hashlib.sha256(data).hexdigest()}" for _, data, _ in uploads)
    m2 = actions.submit(s.repo, actor, m.id, Evidence(_text(form, "note"), refs), s.now(), s.settings.require_approval)
    if s.evidence is not None:
        for name, data, ext in uploads:
            evidence.add_upload(s, m2, name, data, ext, actor.tag)
    if m2.status == "submitted":
        await delivery.signoff_request(s, m2)


async def _extend(s: Services, actor: Actor, m: Measure, form: Any, _max_mb: int) -> None:
    lang, raw = s.lang(actor.user_id), _text(form, "date")
    new_due = parse_user_date(raw, s.now().date())
    if new_due is None:
        raise DubanError(plain(lang, "bad_date").format(text=raw))
    if not _text(form, "reason"):
        raise DubanError(plain(lang, "empty_answer"))
    m2 = actions.request_extension(s.repo, actor, m.id, new_due, _text(form, "reason"), s.now())
    await delivery.extension_request(s, m2)


async def _note(s: Services, actor: Actor, m: Measure, form: Any, _max_mb: int) -> None:
    if not _text(form, "note"):
        raise DubanError(plain(s.lang(actor.user_id), "empty_answer"))
    actions.add_note(s.repo, actor, m.id, _text(form, "note"), s.now())


async def _signoff(s: Services, actor: Actor, m: Measure, _form: Any, _max_mb: int) -> None:
    m2 = actions.approve_signoff(s.repo, actor, m.id, s.now())
    await delivery.to_unit(s, m2, t(s.settings.language, "signed_off", mid=m2.id))


async def _sendback(s: Services, actor: Actor, m: Measure, form: Any, _max_mb: int) -> None:
    reason = _text(form, "reason")
    actions.require_admin(actor)
    if not reason:
        raise DubanError(plain(s.lang(actor.user_id), "empty_answer"))
    m2 = actions.send_back(s.repo, actor, m.id, reason, s.now())
    await delivery.to_unit(s, m2, t(s.settings.language, "sent_back", mid=m2.id, reason=reason))


async def _decide(s: Services, actor: Actor, m: Measure, approve: bool) -> None:
    m2 = actions.decide_extension(s.repo, actor, m.id, approve, s.now())
    date = m2.due.isoformat() if m2.due else "—"
    await delivery.to_unit(
        s, m2, t(s.settings.language, "ext_approved" if approve else "ext_rejected", mid=m2.id, date=date)
    )


async def _ext_approve(s: Services, actor: Actor, m: Measure, _form: Any, _max_mb: int) -> None:
    await _decide(s, actor, m, True)


async def _ext_reject(s: Services, actor: Actor, m: Measure, _form: Any, _max_mb: int) -> None:
    await _decide(s, actor, m, False)


ACTS = {
    "done": _done,
    "extend": _extend,
    "note": _note,
    "signoff": _signoff,
    "sendback": _sendback,
    "ext_approve": _ext_approve,
    "ext_reject": _ext_reject,
}
