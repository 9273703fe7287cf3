"""Working-day arithmetic gives the same answers from several threads while its index grows.

A sweep plans in a worker thread while the loop renders messages ("3个工作日"), and both grow the
calendar's index of working days on demand; each calculation must read one index throughout.
"""

from __future__ import annotations

import datetime as dt
import random
from concurrent.futures import ThreadPoolExecutor

from ledger import calendar_cn
from ledger.calendar_cn import add_workdays, last_workday_on_or_before, workdays_between


def questions(seed: int) -> list[tuple[dt.date, dt.date, int]]:
    rng = random.Random(seed)
    base = dt.date(2015, 1, 1).toordinal()
    out = []
    for _ in range(300):
        a = dt.date.fromordinal(base + rng.randint(0, 5_000))
        b = a + dt.timedelta(days=rng.randint(-900, 900))
        out.append((a, b, rng.randint(-40, 40)))
    return out


def answers(qs: list[tuple[dt.date, dt.date, int]]) -> list[tuple[int, dt.date, dt.date]]:
    return [(workdays_between(a, b), add_workdays(a, n), last_workday_on_or_before(b)) for a, b, n in qs]


def test_threads_growing_the_index_side_by_side_agree_with_one_thread() -> None:
    qs = [questions(seed) for seed in range(8)]
    calendar_cn._INDEX.__init__()  # type: ignore[misc]
    expected = [answers(q) for q in qs]
    for _ in range(2):
        calendar_cn._INDEX.__init__()  # type: ignore[misc]  # every thread starts from an empty index
        with ThreadPoolExecutor(8) as pool:
            got = list(pool.map(answers, qs))
        assert got == expected


def test_the_index_matches_the_day_by_day_calendar() -> None:
    day = dt.date(2024, 9, 27)  # 国庆: the 29th (Sunday) is a make-up working day, 1-7 October off
    assert [calendar_cn.is_workday(day + dt.timedelta(days=i)) for i in range(12)] == [
        True, False, True, True, False, False, False, False, False, False, False, True
    ]  # fmt: skip
    assert add_workdays(day, 1) == dt.date(2024, 9, 29)
    assert add_workdays(day, 3) == dt.date(2024, 10, 8)
    assert workdays_between(day, dt.date(2024, 10, 8)) == 3
    assert last_workday_on_or_before(dt.date(2024, 10, 5)) == dt.date(2024, 9, 30)
