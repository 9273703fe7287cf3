"""The measure lifecycle: legal moves, illegal ones refused, history only grows."""

from __future__ import annotations

import datetime as dt

import pytest

from ledger import status as st
from ledger.errors import IllegalTransition
from ledger.models import Deadline, Evidence, Measure

T0 = dt.datetime(2024, 3, 20, 10, 0)
M = Measure(
    id="P24-4",
    problem=24,
    text="部分校区课桌椅…确保2024年暑期更换到位",
    unit="区教育局",
    deadline=Deadline("period_end", dt.date(2024, 8, 31), span="确保2024年暑期更换到位"),
)


def test_unit_submits_with_evidence_and_admin_signs_off() -> None:
    m = st.submit(M, Evidence("已完成更换，附验收单", ("photo1",)), "tg:101", T0)
    assert m.status == "submitted" and m.evidence.files == ("photo1",)
    m = st.approve_signoff(m, "tg:1", T0 + dt.timedelta(hours=1))
    assert m.status == "done"
    assert [(e.action, e.from_status, e.to_status, e.actor) for e in m.history] == [
        ("submit", "open", "submitted", "tg:101"),
        ("signoff", "submitted", "done", "tg:1"),
    ]


def test_without_approval_a_submission_is_done_at_once() -> None:
    assert st.submit(M, Evidence("done"), "tg:101", T0, require_approval=False).status == "done"


def test_send_back_needs_a_reason_and_returns_to_open() -> None:
    m = st.submit(M, Evidence("完成"), "tg:101", T0)
    with pytest.raises(IllegalTransition, match="理由"):
        st.send_back(m, "tg:1", T0, "  ")
    m = st.send_back(m, "tg:1", T0, "缺少验收单")
    assert m.status == "open" and m.history[-1].note == "缺少验收单"


def test_submission_without_evidence_is_refused() -> None:
    with pytest.raises(IllegalTransition, match="佐证"):
        st.submit(M, Evidence(""), "tg:101", T0)


@pytest.mark.parametrize(
    "move",
    [
        lambda m: st.approve_signoff(m, "a", T0),
        lambda m: st.send_back(m, "a", T0, "x"),
        lambda m: st.reopen(m, "a", T0),
        lambda m: st.approve_extension(m, "a", T0),
    ],
    ids=["signoff-open", "sendback-open", "reopen-open", "approve-ext-without-request"],
)
def test_illegal_moves_from_open_are_refused_with_a_message(move) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(IllegalTransition) as e:
        move(M)
    assert "P24-4" in str(e.value) or "延期" in str(e.value)


def test_done_cannot_be_submitted_again_but_can_be_reopened() -> None:
    m = st.approve_signoff(st.submit(M, Evidence("ok"), "u", T0), "a", T0)
    with pytest.raises(IllegalTransition, match="已销号"):
        st.submit(m, Evidence("again"), "u", T0)
    assert st.reopen(m, "a", T0, "问题反弹").status == "open"


def test_extension_approved_moves_the_due_date() -> None:
    m = st.request_extension(M, dt.date(2024, 9, 30), "供货延迟", "tg:101", T0)
    assert m.extension is not None and m.due == dt.date(2024, 8, 31)
    with pytest.raises(IllegalTransition, match="审批中"):
        st.request_extension(m, dt.date(2024, 10, 30), "再延", "tg:101", T0)
    m = st.approve_extension(m, "tg:1", T0)
    assert m.due == dt.date(2024, 9, 30) and m.extension is None


def test_extension_rejected_keeps_the_due_date() -> None:
    m = st.request_extension(M, dt.date(2024, 9, 30), "供货延迟", "tg:101", T0)
    m = st.reject_extension(m, "tg:1", T0, "不同意")
    assert m.due == dt.date(2024, 8, 31) and m.extension is None


def test_extension_must_move_the_date_later() -> None:
    with pytest.raises(IllegalTransition, match="晚于"):
        st.request_extension(M, dt.date(2024, 8, 1), "x", "u", T0)


def test_history_is_only_ever_appended() -> None:
    m1 = st.add_note(M, "已完成招标", "u", T0)
    m2 = st.submit(m1, Evidence("ok"), "u", T0)
    assert m2.history[: len(m1.history)] == m1.history
