"""The machinery of the deadline grammar: how a rule is registered, indexed and what it returns.

A rule is a regex, a builder `(match, ref) -> (kind, due, recur, strong, dated)` and the
characters one of which must occur in a text for the rule to be tried (a cheap prefilter).
`strong`: the phrase itself says "deadline" (前/底/内); `dated`: a calendar expression whose
sentence decides whether it is a deadline (ledger.deadline_context). The rules themselves are
in ledger.deadline_grammar (dates, periods, durations, duties) and ledger.deadline_seasons
(holidays, school terms, flood season, days of the week).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from ledger.models import DeadlineKind, Recurrence

Y_FIRST = r"\d今本当明次下"  # the characters _Y can start with
Y = r"(?:(?P<y>\d{4})\s*年(?:度)?|(?P<yrel>今年|本年度?|当年|明年|次年|下一?年))"


def year_of(match: re.Match[str], ref: dt.date) -> int | None:
    y = match.groupdict().get("y")
    if y:
        return int(y)
    rel = match.groupdict().get("yrel")
    if rel:
        return ref.year + (1 if rel in ("明年", "次年", "下年", "下一年") else 0)
    return None


# -- the grammar ---------------------------------------------------------------
# Each rule: (compiled regex, builder(match, ref) -> _Hit fields or None).
# `need`: characters of which at least one must occur for the rule to be tried (a cheap prefilter).
# (kind, due, recur, strong, dated): what a rule reads from its match.
Reading = tuple[DeadlineKind, dt.date | None, Recurrence | None, bool, bool]
Builder = Callable[[re.Match[str], dt.date], Reading | None]
Rule = tuple[re.Pattern[str], Builder, tuple[frozenset[str], ...]]
RULES: list[Rule] = []
DIGITS = "0123456789"


def rule(pattern: str, need: str | tuple[str, ...] = (), first: str = "") -> Callable[[Builder], Builder]:
    """Register a grammar rule; it is tried only if each string in `need` shares a character with the text.

    `first`: the characters a match can start with; the regex engine then skips other
    positions at once (a pattern that opens with an optional year is otherwise tried slowly
    at every position).
    """
    needs = (need,) if isinstance(need, str) else need
    if first:
        pattern = f"(?=[{first}])(?:{pattern})"

    def deco(fn: Builder) -> Builder:
        RULES.append((re.compile(pattern), fn, tuple(frozenset(n) for n in needs)))
        return fn

    return deco


BEFORE = r"(?P<before>之前|以前|前(?!后)|止|为止)?"
WITHIN = r"(?P<within>以内|之内|内)"


INDEX: dict[str, tuple[int, ...]] = {}


def rule_index() -> dict[str, tuple[int, ...]]:
    """Rules by the characters of their first `need`: only rules whose trigger occurs are tried."""
    index: dict[str, list[int]] = {}
    for i, (_, _, needs) in enumerate(RULES):
        for c in needs[0] if needs else ("",):
            index.setdefault(c, []).append(i)
    INDEX.update({c: tuple(v) for c, v in index.items()})
    return INDEX
