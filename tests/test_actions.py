"""Bindings and permissions without Telegram: who may act, and who hears what."""

from __future__ import annotations

import datetime as dt

import pytest

from ledger import actions
from ledger.actions import Actor
from ledger.errors import PermissionDenied
from ledger.models import Evidence
from ledger.service import build_directory
from store import Repository

NOW = dt.datetime(2024, 8, 21, 9, 0)
ADMIN = Actor(1, 1, is_admin=True)


def test_lead_official_can_be_invited_and_hears_as_leader(seeded: Repository) -> None:
    inv = actions.create_invite(seeded, ADMIN, "领导:张副区长", NOW)
    actions.redeem_invite(seeded, inv["code"], 601, 601, "张副区长", NOW)
    d = build_directory(seeded.members(), [1])
    assert d.leader_chats == {"张副区长": (601,)} and "leader:张副区长" not in d.unit_chats


def test_unit_names_resolve_by_alias_and_close_match(seeded: Repository) -> None:
    assert actions.resolve_unit(seeded, "区市场监督管理局") == "区市场监管局"
    assert actions.resolve_unit(seeded, "教育局") == "区教育局"
    with pytest.raises(actions.UnknownUnit, match="区教育局"):
        actions.resolve_unit(seeded, "局")


def test_group_bound_to_a_unit_acts_for_it_and_a_private_stranger_does_not(seeded: Repository) -> None:
    actions.bind_group(seeded, ADMIN, "区教育局", -100, "教育局群")
    in_group = Actor(555, -100)
    m = actions.submit(seeded, in_group, "P24-4", Evidence("已更换"), NOW)
    assert m.status == "submitted" and m.history[-1].actor == "tg:555"
    with pytest.raises(PermissionDenied):
        actions.add_note(seeded, Actor(555, 555), "P25-3", "私聊", NOW)


def test_recurring_duty_report_marks_the_open_period(seeded: Repository) -> None:
    inv = actions.create_invite(seeded, ADMIN, "区商务局", NOW)
    actions.redeem_invite(seeded, inv["code"], 503, 503, "赵科长", NOW)
    m = actions.submit(seeded, Actor(503, 503), "P12-1", Evidence("本周已更新上报"), NOW)
    assert m.status == "open" and m.history[-1].action == "occurrence_done"
    assert m.history[-1].note.startswith("2024-W33")  # last week was not reported yet: it counts first
