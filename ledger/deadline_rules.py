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

Y_FIRST = r"\d今本当明次下翌来"  # the characters _Y can start with
# 下一年度 arrives here as 下1年度 (Chinese numerals before 年 are made Arabic).
Y = r"(?:(?P<y>\d{4})\s*年(?:度)?|(?P<yrel>今年|本年度?|当年|明年|次年|翌年|(?<!未)来年|下[一1]?年(?:度)?))"
_NEXT_YEAR = ("明", "次", "下", "翌", "来")  # the first character of a year word that means next year


def year_of(match: re.Match[str], ref: dt.date) -> int | None:
    try:
        y, rel = match["y"], match["yrel"]
    except IndexError:  # a rule without the year words of Y (年底前 may still have a year after it)
        y = rel = None
    if y:
        return int(y)
    if rel:
        return ref.year + (1 if rel.startswith(_NEXT_YEAR) else 0)
    try:
        after = match["y3"]  # 6月30日前（2025年）: the year in brackets after the phrase
    except IndexError:
        return None
    return int(after) if after else None


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


class RuleIndex:
    """Which rules a text can match, from the characters it contains, as bit masks.

    Every distinct `need` set gets a bit; a character carries the bits of the sets it is in.
    A text's bits are the union over its characters, and a rule is tried when all its bits
    are there: one dict lookup a distinct character, one mask test a rule.
    """

    def __init__(self, rules: list[Rule]) -> None:
        bit_of: dict[frozenset[str], int] = {}
        self.char_bits: dict[str, int] = {}
        self.required: list[tuple[int, int]] = []  # (rule number, bits it needs)
        self.memo: dict[int, list[int]] = {}  # the rules for a set of bits, as texts repeat their shapes
        for i, (_, _, needs) in enumerate(rules):
            req = 0
            for need in needs:
                if need not in bit_of:
                    bit_of[need] = 1 << len(bit_of)
                    for c in need:
                        self.char_bits[c] = self.char_bits.get(c, 0) | bit_of[need]
                req |= bit_of[need]
            self.required.append((i, req))
        self.chars = frozenset(self.char_bits)

    def candidates(self, s: str) -> list[int]:
        bits = self.char_bits
        present = 0
        for c in self.chars.intersection(s):  # only the characters some rule needs
            present |= bits[c]
        found = self.memo.get(present)
        if found is None:
            if len(self.memo) > 4096:
                self.memo.clear()
            found = self.memo[present] = [i for i, req in self.required if present & req == req]
        return found


_INDEX: list[RuleIndex] = []


def rule_index() -> RuleIndex:
    """The index of all registered rules, built on first use (after every rule module is imported)."""
    if not _INDEX:
        _INDEX.append(RuleIndex(RULES))
    return _INDEX[0]
