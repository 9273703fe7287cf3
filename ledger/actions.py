"""What people do to the ledger from chat, with the permission checks every action needs.

Checked here, on the server side, whatever a button's data says: only people bound to a
measure's responsible unit (or a group chat bound to it), or admins, may act on it; only admins
sign off (销号), send back (退回) and decide on extensions. Every change is written with the
Telegram user id as the actor.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Protocol

from ledger import status as st
from ledger.errors import (
    DubanError,
    IllegalTransition,
    InviteError,
    PermissionDenied,
    UnknownMeasure,
    UnknownUnit,
)
from ledger.hooks import OFFICE, Hook, hook_id_of
from ledger.models import Evidence, Measure, Member, Unit
from ledger.occurrences import occurrence_on, open_periods
from ledger.service import Repo
from ledger.units import add_alias as units_add_alias
from ledger.units import match_units


@dataclass(frozen=True)
class Actor:
    user_id: int
    chat_id: int
    is_admin: bool = False
    name: str = ""

    @property
    def tag(self) -> str:
        hook_id = hook_id_of(self.user_id)
        return f"tg:{self.user_id}" if hook_id is None else f"hook:{hook_id}"


class MemberRepo(Repo, Protocol):  # the parts of the store that actions use besides the ledger
    def members(self) -> list[Member]: ...
    def put_member(self, m: Member) -> None: ...
    def invites(self) -> list[dict[str, Any]]: ...
    def put_invite(self, invite: dict[str, Any]) -> None: ...
    def hooks(self) -> list[Hook]: ...


def units_of(repo: MemberRepo, actor: Actor) -> set[str]:
    """Units the actor may act for: bound privately, or through the group chat they write in, or
    (a measure page opened from a robot's message) the unit that robot is bound to while it works."""
    hook_id = hook_id_of(actor.chat_id)
    if hook_id is not None:
        return {h.unit for h in repo.hooks() if h.id == hook_id and h.active and h.unit != OFFICE}
    return {
        m.unit
        for m in repo.members()
        if m.active and (m.user_id == actor.user_id or (m.chat_id == actor.chat_id and m.chat_id < 0))
    }


def require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise PermissionDenied("抱歉，此操作仅限整改办管理员。Only admins can do this.")


def _not_yours(measure_id: str) -> PermissionDenied:
    # One refusal for "no such measure" and "not your unit's": a stranger learns neither.
    return PermissionDenied(
        f"找不到您可办理的措施 {measure_id}（编号有误，或不属于您绑定的单位）。"
        f"No measure {measure_id} that you can act on."
    )


def require_member(repo: MemberRepo, actor: Actor, m: Measure) -> None:
    if actor.is_admin or m.unit in units_of(repo, actor):
        return
    raise _not_yours(m.id)


def member_measure(repo: MemberRepo, actor: Actor, measure_id: str) -> Measure:
    """The measure, if `actor` may act on it (admins: any, and they hear when it does not exist)."""
    try:
        m = repo.measure(measure_id)
    except UnknownMeasure:
        if actor.is_admin:
            raise
        raise _not_yours(measure_id) from None
    require_member(repo, actor, m)
    return m


def current_occurrence(m: Measure, today: dt.date) -> str | None:
    """The period a recurring duty's report now counts for: the oldest still owed, else this one."""
    owed = open_periods(m, today)
    if owed:
        return owed[0].label
    occ = occurrence_on(m.deadline.recur, today)
    return occ.label if occ else None


def submit(
    repo: MemberRepo, actor: Actor, measure_id: str, evidence: Evidence, now: dt.datetime, require_approval: bool = True
) -> Measure:
    """A unit reports a measure done with evidence (or one period of a recurring duty)."""
    m = member_measure(repo, actor, measure_id)
    if m.deadline.kind == "recurring" and m.due_override is None:
        label = current_occurrence(m, now.date())
        if label is not None:
            m = st.mark_occurrence_done(m, label, evidence, actor.tag, now)
            repo.put_measure(m)
            return m
    m = st.submit(m, evidence, actor.tag, now, require_approval=require_approval)
    repo.put_measure(m)
    return m


def request_extension(
    repo: MemberRepo, actor: Actor, measure_id: str, new_due: dt.date, reason: str, now: dt.datetime
) -> Measure:
    m = member_measure(repo, actor, measure_id)
    if new_due < now.date():
        raise IllegalTransition(f"新的完成时限 {new_due} 已经过去，请给出今后的日期。")
    m = st.request_extension(m, new_due, reason, actor.tag, now)
    repo.put_measure(m)
    return m


def add_note(repo: MemberRepo, actor: Actor, measure_id: str, note: str, now: dt.datetime) -> Measure:
    m = member_measure(repo, actor, measure_id)
    m = st.add_note(m, note, actor.tag, now)
    repo.put_measure(m)
    return m


def approve_signoff(repo: MemberRepo, actor: Actor, measure_id: str, now: dt.datetime) -> Measure:
    require_admin(actor)
    m = st.approve_signoff(repo.measure(measure_id), actor.tag, now)
    repo.put_measure(m)
    return m


def send_back(repo: MemberRepo, actor: Actor, measure_id: str, reason: str, now: dt.datetime) -> Measure:
    require_admin(actor)
    m = st.send_back(repo.measure(measure_id), actor.tag, now, reason)
    repo.put_measure(m)
    return m


def decide_extension(
    repo: MemberRepo, actor: Actor, measure_id: str, approve: bool, now: dt.datetime, note: str = ""
) -> Measure:
    require_admin(actor)
    m = repo.measure(measure_id)
    m = st.approve_extension(m, actor.tag, now, note) if approve else st.reject_extension(m, actor.tag, now, note)
    repo.put_measure(m)
    return m


def reopen(repo: MemberRepo, actor: Actor, measure_id: str, reason: str, now: dt.datetime) -> Measure:
    require_admin(actor)
    m = st.reopen(repo.measure(measure_id), actor.tag, now, reason)
    repo.put_measure(m)
    return m


# -- units, invites and bindings -------------------------------------------------------------
def known_units(repo: MemberRepo) -> tuple[list[str], dict[str, str]]:
    """The unit directory (units and the units measures name) and its aliases."""
    names = [u.name for u in repo.units()]
    names += [m.unit for m in repo.measures()]
    aliases = {a: u.name for u in repo.units() for a in u.aliases}
    return list(dict.fromkeys(names)), aliases


def resolve_unit(repo: MemberRepo, name: str, aliases: Mapping[str, str] | None = None) -> str:
    """A unit by its name, a normalised spelling (玄武区教育局, 教育局) or an alias; UnknownUnit lists close names."""
    names, table = known_units(repo)
    table = {**table, **(aliases or {})}
    hit = match_units(name.strip(), names, table)
    if len(hit) == 1:
        return hit[0]
    hint = "、".join(sorted(hit or names)[:12])
    raise UnknownUnit(
        f"没有名为“{name.strip()}”的责任单位{'（有多个相近的）' if hit else ''}。可选：{hint}。Unknown unit."
    )


def hook_unit(repo: MemberRepo, written: str, aliases: Mapping[str, str] | None = None) -> str:
    """The unit a robot or mailbox is for: `@office` (整改办) for the office's own, else any spelling or alias."""
    return OFFICE if written in (OFFICE, "整改办") else resolve_unit(repo, written, aliases)


def add_alias(repo: MemberRepo, actor: Actor, alias: str, target: str) -> Unit:
    """`/alias 区环境集团有限公司 区环境集团` (admins): the unit also goes by that name from now on."""
    require_admin(actor)
    units = repo.units()
    known = {u.name for u in units}
    for name in known_units(repo)[0]:
        if name not in known:
            units.append(Unit(name))
    unit = units_add_alias(units, alias.strip(), target.strip())
    repo.put_unit(unit)
    return unit


def create_invite(
    repo: MemberRepo, actor: Actor, unit: str, now: dt.datetime, days: int = 7, multi_use: bool = False
) -> dict[str, Any]:
    """A random single-use (or multi-use) code that binds whoever opens it to `unit`."""
    require_admin(actor)
    leader = re.match(r"^(?:leader|领导)\s*[:：]\s*(\S.*)$", unit.strip())
    # "领导:张副区长" invites a lead official, who then hears of yellow, due and escalated items.
    unit = f"leader:{leader[1].strip()}" if leader else resolve_unit(repo, unit)
    invite = {
        "code": secrets.token_urlsafe(9),
        "unit": unit,
        "created": now.isoformat(),
        "expires": (now + dt.timedelta(days=days)).isoformat(),
        "multi_use": multi_use,
        "used_by": [],
        "by": actor.tag,
    }
    repo.put_invite(invite)
    return invite


def redeem_invite(repo: MemberRepo, code: str, user_id: int, chat_id: int, name: str, now: dt.datetime) -> Member:
    """`/start <code>` in a private chat: bind that one person to the invite's unit.

    Never a group: a code opened inside a group would bind everyone in it (binding a group is
    `/bind`, by an admin or a member of the unit). A single-use code binds one person only.
    """
    if chat_id != user_id:
        raise InviteError(
            "邀请链接只能在与机器人的私聊中使用；单位工作群请由管理员或已绑定的联系人在群内发送 /bind 单位名称。"
            "Open invite links in a private chat with the bot; bind a group with /bind."
        )
    invite = next((i for i in repo.invites() if i["code"] == code.strip()), None)
    if invite is None:
        raise InviteError("邀请码无效，请向整改办索取新的邀请链接。This invite code is not valid.")
    if dt.datetime.fromisoformat(invite["expires"]) < now:
        raise InviteError("邀请码已过期，请向整改办索取新的邀请链接。This invite has expired.")
    if invite["used_by"] and not invite["multi_use"] and user_id not in invite["used_by"]:
        raise InviteError("邀请码已被使用，请向整改办索取新的邀请链接。This invite was already used.")
    member = Member(user_id=user_id, chat_id=chat_id, unit=invite["unit"], name=name)
    repo.put_member(member)
    if user_id not in invite["used_by"]:
        repo.put_invite({**invite, "used_by": [*invite["used_by"], user_id]})
    return member


def personal_units(repo: MemberRepo, user_id: int) -> set[str]:
    """Units a person is bound to in their own private chat (not through a group)."""
    return {m.unit for m in repo.members() if m.active and m.user_id == user_id and m.chat_id == user_id}


def bind_group(repo: MemberRepo, actor: Actor, unit: str, chat_id: int, title: str) -> Member:
    """`/bind 区教育局` in a group: the group chat receives and acts for the unit.

    By an admin, or by a person bound (privately, with an invite) to that unit.
    """
    if chat_id > 0:
        raise DubanError("/bind 用于群聊；个人请使用邀请链接。Use /bind in a group chat.")
    name = resolve_unit(repo, unit)
    if not actor.is_admin and name not in personal_units(repo, actor.user_id):
        raise PermissionDenied(
            f"只有管理员或已绑定{name}的联系人可以把本群绑定到该单位。"
            f"Only admins or members of {name} can bind a group."
        )
    member = Member(user_id=chat_id, chat_id=chat_id, unit=name, name=title)
    repo.put_member(member)
    return member


def deactivate_chat(repo: MemberRepo, chat_id: int) -> list[Member]:
    """A chat that blocked the bot (403): its bindings stop receiving; returns those changed."""
    changed = []
    for m in repo.members():
        if m.chat_id == chat_id and m.active:
            m2 = replace(m, active=False)
            repo.put_member(m2)
            changed.append(m2)
    return changed


def migrate_chat(repo: MemberRepo, old: int, new: int) -> None:
    """A group became a supergroup: its bindings follow the new chat id."""
    for m in repo.members():
        if m.chat_id == old and m.active:
            repo.put_member(replace(m, chat_id=new, user_id=new if m.user_id == old else m.user_id))
            repo.put_member(replace(m, active=False))
