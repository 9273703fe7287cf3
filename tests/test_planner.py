"""Reminder planning: tiers, holidays and 调休, extensions, recurring duties, downtime, idempotency."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from ledger import status as st
from ledger.models import Deadline, Evidence, Measure
from ledger.planner import Directory, keys_to_record, plan
from ledger.policy import ConfigError, Policy

TZ = ZoneInfo("Asia/Shanghai")
P = Policy()
DIR = Directory(
    unit_chats={"区教育局": (101,), "区环境集团": (202,)}, leader_chats={"张副区长": (301,)}, admin_chats=(900,)
)


def at(y: int, m: int, d: int, hh: int = 9, mm: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=TZ)


def measure(due: dt.date, mid: str = "P24-4", unit: str = "区教育局", **kw) -> Measure:  # type: ignore[no-untyped-def]
    return Measure(
        id=mid,
        problem=24,
        text="课桌椅更换",
        unit=unit,
        leader="张副区长",
        deadline_text="确保暑期更换到位",
        deadline=Deadline("period_end", due),
        **kw,
    )


def run_days(
    ms: list[Measure], start: dt.datetime, days: int, sent: set[str] | None = None, policy: Policy = P
) -> list[tuple[dt.date, str, str, tuple[int, ...]]]:
    """Sweep once a day at 09:00 for `days` days, recording what Telegram 'accepted'."""
    sent = set() if sent is None else sent
    log = []
    for i in range(days):
        now = start + dt.timedelta(days=i)
        for r in plan(ms, frozenset(sent), now, policy, DIR):
            log.append((now.date(), r.measure_id, f"{r.tier}{r.stage}", r.recipients))
            sent.update(keys_to_record(r, r.recipients))
    return log


def test_each_tier_arrives_once_on_its_day() -> None:
    m = measure(dt.date(2024, 6, 28))  # a Friday
    log = run_days([m], at(2024, 6, 1), 30)
    assert [(d.isoformat(), tier) for d, _, tier, _ in log] == [
        ("2024-06-07", "green980"),  # 20 days before (a Saturday 06-08 → Friday 06-07)
        ("2024-06-18", "yellow990"),  # 10 days before
        ("2024-06-25", "yellow997"),  # 3 days before
        ("2024-06-27", "yellow999"),  # 1 day before
        ("2024-06-28", "due1000"),  # the due day
    ]
    recipients = {tier: chats for _, _, tier, chats in log}
    assert recipients["green980"] == (101,)  # the unit
    assert recipients["yellow990"] == (101, 301)  # the unit and its lead official


def test_overdue_repeats_every_three_working_days_and_escalates_after_five() -> None:
    m = measure(dt.date(2024, 6, 28))
    log = run_days([m], at(2024, 6, 29), 12)
    assert [(d.isoformat(), tier, chats) for d, _, tier, chats in log] == [
        ("2024-07-01", "overdue0", (101,)),  # the working day after the due date
        ("2024-07-04", "overdue1", (101,)),
        ("2024-07-05", "escalation0", (101, 301, 900)),  # 5 working days late: admins too
        ("2024-07-09", "overdue2", (101,)),
    ]


def test_nothing_is_sent_on_a_holiday_and_a_pre_due_reminder_moves_before_it() -> None:
    m = measure(dt.date(2024, 10, 8))  # the first working day after National Day week 2024
    log = run_days([m], at(2024, 9, 27), 12, sent={"P24-4|green980|2024-10-08|0@101"})
    days = [(d.isoformat(), tier) for d, _, tier, _ in log]
    assert all(not (dt.date(2024, 10, 1) <= d <= dt.date(2024, 10, 7)) for d, *_ in log)
    # 3 days before (10-05, a holiday) and 1 day before (10-07) move to 09-30, the last working day;
    # 09-29 (a Sunday) is a make-up working day (调休), so the 10-day reminder (09-28) goes out 09-27.
    assert days == [("2024-09-27", "yellow990"), ("2024-09-30", "yellow999"), ("2024-10-08", "due1000")]


def test_spring_festival_2024_moves_reminders_to_the_last_working_day() -> None:
    m = measure(dt.date(2024, 2, 18))  # Sunday 02-18 is a make-up working day (调休)
    log = run_days([m], at(2024, 2, 6), 13, sent={"P24-4|green980|2024-02-18|0@101"})
    # 10 days before is 02-08; 3 and 1 days before (02-15, 02-17) fall in the holiday (02-10..17)
    # and both move to 02-09, the last working day before it: one message, the more urgent.
    assert [(d.isoformat(), tier) for d, _, tier, _ in log] == [
        ("2024-02-08", "yellow990"),
        ("2024-02-09", "yellow999"),
        ("2024-02-18", "due1000"),
    ]


def test_downtime_catch_up_sends_only_the_most_urgent_once() -> None:
    m = measure(dt.date(2024, 6, 20))
    sent: set[str] = set()
    # bot down from 06-05 to 06-26: nothing sent; on restart one message, the most urgent
    first = plan([m], frozenset(sent), at(2024, 6, 28, 10), P, DIR)
    assert [(r.tier, r.stage) for r in first] == [("escalation", 0)]
    sent.update(keys_to_record(first[0], first[0].recipients))
    assert plan([m], frozenset(sent), at(2024, 6, 28, 11), P, DIR) == []


def test_running_a_sweep_twice_sends_nothing_new() -> None:
    ms = [measure(dt.date(2024, 6, 28)), measure(dt.date(2024, 7, 3), mid="P24-5")]
    sent: set[str] = set()
    for r in plan(ms, frozenset(sent), at(2024, 6, 25), P, DIR):
        sent.update(keys_to_record(r, r.recipients))
    assert plan(ms, frozenset(sent), at(2024, 6, 25, 9, 5), P, DIR) == []


def test_a_failed_chat_is_retried_and_the_others_are_not_sent_again() -> None:
    m = measure(dt.date(2024, 6, 28))
    r = plan([m], frozenset(), at(2024, 6, 18), P, DIR)[0]
    assert r.recipients == (101, 301)
    sent = set(keys_to_record(r, [101]))  # the lead official's chat failed
    again = plan([m], frozenset(sent), at(2024, 6, 19), P, DIR)
    assert [(x.tier, x.recipients) for x in again] == [("yellow", (301,))]


def test_approved_extension_restarts_the_tiers_for_the_new_date() -> None:
    m = measure(dt.date(2024, 6, 28))
    sent: set[str] = set()
    run_days([m], at(2024, 6, 28), 5, sent)  # due, then overdue
    now = dt.datetime(2024, 7, 2, 15, tzinfo=TZ)
    m = st.request_extension(m, dt.date(2024, 7, 31), "供货延迟", "tg:101", now)
    m = st.approve_extension(m, "tg:900", now)
    log = run_days([m], at(2024, 7, 3), 29, sent)
    assert [(d.isoformat(), tier) for d, _, tier, _ in log] == [
        ("2024-07-11", "green980"),
        ("2024-07-19", "yellow990"),
        ("2024-07-26", "yellow997"),
        ("2024-07-30", "yellow999"),
        ("2024-07-31", "due1000"),
    ]


def test_done_and_submitted_measures_get_no_unit_reminders() -> None:
    t = dt.datetime(2024, 6, 20, 10, tzinfo=TZ)
    sub = st.submit(measure(dt.date(2024, 6, 28)), Evidence("已更换"), "tg:101", t)
    done = st.approve_signoff(st.submit(measure(dt.date(2024, 6, 28), mid="P24-5"), Evidence("ok"), "u", t), "a", t)
    assert plan([sub, done], frozenset(), at(2024, 6, 25), P, DIR) == []


def test_submitted_too_long_is_listed_for_the_admins() -> None:
    t = dt.datetime(2024, 6, 20, 10, tzinfo=TZ)
    sub = st.submit(measure(dt.date(2024, 6, 28)), Evidence("已更换"), "tg:101", t)
    r = plan([sub], frozenset(), at(2024, 6, 27), P, DIR)  # 5 working days after 06-20
    assert [(x.tier, x.reason, x.recipients) for x in r] == [("escalation", "signoff", (900,))]


def test_unit_with_nobody_bound_goes_to_the_admins() -> None:
    m = measure(dt.date(2024, 6, 28), unit="区民政局")
    r = plan([m], frozenset(), at(2024, 6, 18), P, DIR)[0]
    assert (r.reason, r.recipients) == ("unbound", (301, 900))


def test_recurring_duty_each_period_is_reminded_and_done_per_occurrence() -> None:
    m = Measure(
        id="P6-3",
        problem=6,
        text="每季度全覆盖",
        unit="区教育局",
        deadline=Deadline("recurring", None, "quarterly", "每季度全覆盖"),
    )
    m = st.mark_occurrence_done(m, "2024-Q1", Evidence("已巡查"), "tg:101", dt.datetime(2024, 3, 29, 12))
    log = run_days([m], at(2024, 6, 1), 30)
    assert [(d.isoformat(), tier) for d, _, tier, _ in log][-1] == ("2024-06-28", "due1000")  # Q2 ends Sunday 06-30
    assert all(r[0] >= dt.date(2024, 6, 7) for r in log)
    m = st.mark_occurrence_done(m, "2024-Q2", Evidence("已巡查"), "tg:101", dt.datetime(2024, 6, 28, 12))
    assert plan([m], frozenset(), at(2024, 7, 2), P, DIR) == []  # Q2 done: no red alert in July
    undone = Measure(
        id="P6-4", problem=6, text="每季度全覆盖", unit="区教育局", deadline=Deadline("recurring", None, "quarterly")
    )
    r = plan([undone], frozenset(), at(2024, 7, 2), P, DIR)
    assert [(x.tier, x.occurrence) for x in r] == [("overdue", "2024-Q2")]


def test_ongoing_and_undated_measures_get_no_deadline_reminders() -> None:
    ms = [
        Measure(id="P1-1", problem=1, text="长期坚持", unit="区教育局", deadline=Deadline("ongoing")),
        Measure(id="P1-2", problem=1, text="x", unit="区教育局"),
    ]
    assert run_days(ms, at(2024, 6, 1), 30) == []


@pytest.mark.parametrize(
    "bad,key",
    [
        ({"send_at": "25:00"}, "send_at"),
        ({"timezone": "Mars/Base"}, "timezone"),
        ({"lead_days": [20, -1]}, "lead_days"),
        ({"overdue_every_days": 0}, "overdue_every_days"),
        ({"digest": "someday"}, "digest"),
        ({"workdays_only": "yes"}, "workdays_only"),
        ({"typo": 1}, "typo"),
    ],
)
def test_bad_schedule_config_is_refused_with_the_key_named(bad: dict, key: str) -> None:
    with pytest.raises(ConfigError, match=key):
        Policy.from_config(bad)


def test_default_policy_matches_config_toml() -> None:
    import tomllib

    from tests.conftest import ROOT

    with open(f"{ROOT}/config.toml", "rb") as f:
        assert Policy.from_config(tomllib.load(f)["schedule"]) == Policy()


def test_periods_before_the_ledger_existed_are_not_chased() -> None:
    m = Measure(
        id="P12-1", problem=12, text="每周更新上报", unit="区教育局", deadline=Deadline("recurring", None, "weekly")
    )
    r = plan([m], frozenset(), at(2024, 3, 15), P, DIR, ledger_start=dt.date(2024, 3, 15))
    assert [(x.tier, x.occurrence) for x in r] == [("due", "2024-W11")]  # not last week's


def test_a_catch_up_escalation_is_not_followed_by_an_overdue_repeat_the_same_day() -> None:
    m = measure(dt.date(2024, 6, 20))
    sent: set[str] = set()
    log = run_days([m], at(2024, 7, 10), 1, sent)
    log += run_days([m], at(2024, 7, 10, 9, 30), 1, sent)
    assert [tier for _, _, tier, _ in log] == ["escalation0"]


def test_bot_off_for_ten_days_sends_one_message_per_measure_the_most_urgent() -> None:
    ms = [
        measure(dt.date(2024, 6, 14), mid="P1-1"),  # went overdue during the downtime
        measure(dt.date(2024, 6, 21), mid="P1-2"),  # became due during it
        measure(dt.date(2024, 6, 24), mid="P1-3"),  # yellow during it
        measure(dt.date(2024, 7, 5), mid="P1-4"),
    ]  # only green so far (20 days before: 06-15)
    sent: set[str] = set()
    run_days(ms, at(2024, 6, 1), 7, sent)  # running normally until Friday 06-07
    log = run_days(ms, at(2024, 6, 18), 1, sent)  # back after ten days off (06-08 .. 06-17)
    assert sorted((mid, tier) for _, mid, tier, _ in log) == [
        ("P1-1", "overdue0"),
        ("P1-2", "yellow997"),
        ("P1-3", "yellow990"),
        ("P1-4", "green980"),
    ]
    assert run_days(ms, at(2024, 6, 18, 10), 1, sent) == []  # and nothing twice


def test_a_unit_bound_late_gets_what_the_office_had_as_a_copy_and_the_office_nothing_twice() -> None:
    m = measure(dt.date(2024, 6, 28), unit="区住建局")  # nobody bound yet
    sent: set[str] = set()
    log = run_days([m], at(2024, 7, 1), 1, sent)
    assert [(tier, chats) for _, _, tier, chats in log] == [("overdue0", (900,))]  # the office's copy
    bound = Directory(unit_chats={"区住建局": (404,)}, admin_chats=(900,))
    first = plan([m], frozenset(sent), at(2024, 7, 1, 11), P, bound)
    assert [(r.tier, r.recipients) for r in first] == [("overdue", (404,))]  # the unit's own chat hears it
    sent.update(keys_to_record(first[0], first[0].recipients))
    assert plan([m], frozenset(sent), at(2024, 7, 1, 14), P, bound) == []
    later = Directory(unit_chats={"区住建局": (404, 405)}, admin_chats=(900,))  # a second member binds
    assert [r.recipients for r in plan([m], frozenset(sent), at(2024, 7, 2), P, later)] == [(405,)]


def test_a_weekly_duty_late_for_last_week_and_due_this_week_is_one_message() -> None:
    from ledger.messages import plain_text, render_reminder

    m = Measure(
        id="P12-1", problem=12, text="每周上报", unit="区教育局", deadline=Deadline("recurring", None, "weekly")
    )
    rs = plan([m], frozenset(), at(2024, 12, 12), P, DIR, ledger_start=dt.date(2024, 12, 2))
    assert [(r.tier, r.occurrence, r.recipients) for r in rs] == [("overdue", "2024-W49", (101,))]
    assert [x.occurrence for x in rs[0].also] == ["2024-W50"]
    text = plain_text(render_reminder(rs[0], m, dt.date(2024, 12, 12)))
    assert "本期2024-W50（2024-12-15）到期；上期2024-W49未报" in text
    sent = set(keys_to_record(rs[0], [101]))
    assert (
        plan([m], frozenset(sent), at(2024, 12, 12, 15), P, DIR, ledger_start=dt.date(2024, 12, 2)) == []
    )  # both periods heard of
