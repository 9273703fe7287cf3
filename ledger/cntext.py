"""Normalising Chinese deadline prose while remembering where each character came from.

`normalize(text)` returns a `Normalized` string in which full-width forms are
half-width, Chinese numerals that count dates and durations are Arabic
(二〇二五年三月底 → 2025年3月底, 两个月 → 2个月), and titles in 《》 and quoted
slogans are blanked out (a plan called 《…(2023-2025年)》 is not a deadline), except quoted
holidays and duty slogans ("五一"前, "立行立改"), which keep their words.
Two-digit years that name a deadline's year are written out (24年6月底 → 2024年6月底; a
count of years such as 10年内 stays as it is).
`span(start, end)` maps a range of the normalised string back to the original words.
"""

from __future__ import annotations

import re
from typing import NamedTuple

DIGITS = {
    "〇": 0,
    "○": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
UNITS = {"十": 10, "百": 100, "千": 1000}
_NUM_CHARS = "〇○零一二两三四五六七八九十百千"
# A Chinese numeral is converted only before a word that counts time.
# A run is tried from its first character only, so a long run of numerals costs linear time; the
# pattern opens with a numeral (not a lookbehind), so the engine skips to numerals at once.
_CN_NUM = re.compile(
    rf"[{_NUM_CHARS}](?<![{_NUM_CHARS}][{_NUM_CHARS}])[{_NUM_CHARS}]*+(?=\s*(?:年|月|日|号|天|周|个|季度|星期|礼拜|旬|工作日|至|到|—|-))"
)
_MASKED = re.compile(r"《[^》]{0,200}》|“[^”]{0,80}”|\"[^\"]{0,80}\"|「[^」]{0,80}」")
# Quoted words that still say when: a holiday ("五一"前) or a duty slogan ("立行立改"); only the quotes go.
_KEPT_QUOTED = re.compile(
    r"[“\"「]\s*(?:(?:五一|十一|国庆节?|春节|元旦|中秋|端午|清明|劳动节|立行立改|即知即改|即查即改|立查立改"
    r"|马上就改|马上就办|事不隔夜|边查边改|边改边查|边整边改|长期坚持|常态化|动态清零"
    r"|[一1][日周月季年]一(?:调度|通报|报告|报|督查|研判|会商|次)|[日周月季年]报|十[一二三四五六七八九]五(?:规划)?)[、，,\s]*)+[”\"」]"
)


def _blank(m: re.Match[str]) -> str:
    """A title or quotation becomes spaces; a kept quotation loses only its quote marks."""
    text = m.group(0)
    if _KEPT_QUOTED.fullmatch(text):
        return " " + text[1:-1] + " "
    return " " * len(text)


def cn_to_int(s: str) -> int | None:
    """二〇二五 → 2025, 十二 → 12, 二十三 → 23, 两 → 2; None if not a numeral."""
    if not s:
        return None
    if all(c in DIGITS for c in s) and len(s) > 1:
        return int("".join(str(DIGITS[c]) for c in s))
    total, cur = 0, 0
    for c in s:
        if c in DIGITS:
            cur = DIGITS[c]
        elif c in UNITS:
            total += (cur or 1) * UNITS[c]
            cur = 0
        else:
            return None
    return total + cur


_WIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_WIDTH.update(
    {
        0x3000: 0x20,
        ord("—"): ord("-"),
        ord("–"): ord("-"),
        ord("~"): ord("-"),
        ord("～"): ord("-"),
        ord("－"): ord("-"),
        ord("〜"): ord("-"),
    }
)
_WIDE = re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(_WIDTH)) + "]")  # what translate would change
_NARROW = {chr(c): chr(n) for c, n in _WIDTH.items()}


def _narrow(m: re.Match[str]) -> str:
    return _NARROW[m.group()]


_HAS_CN_NUM = re.compile(f"[{_NUM_CHARS}]")
# 24年6月底, 25年底, 24年度, 25年一季度: a two-digit year before a month, a year's end or a season.
# 10年内, 30年前, 3至5年 count years and are left alone.
# Both patterns open with the year's first digit (consumed, one character) rather than a lookbehind, so
# the regex engine skips to digits at once instead of trying every position.
_SHORT_YEAR = re.compile(
    r"\d(?<![\d.\-/]\d)(?=\d\s*年\s*(?:\d{1,2}\s*月|底|末|度|上半年|下半年|第?\s*[1-4]\s*季|Q[1-4]"
    r"|春节|元旦|国庆|五一|暑|寒|汛|秋季|春季))"
)
# 24.6.30: a two-digit year in a dotted date (a year from 2010 to 2049, a real month and day).
_SHORT_DOTTED = re.compile(r"[1-4](?<![\d.][1-4])(?=\d\.(?:0?[1-9]|1[0-2])\.(?:0?[1-9]|[12]\d|3[01])(?![\d.]))")


class Normalized(NamedTuple):
    """The normalised text and the way back to the original words (a tuple: cheap to make)."""

    text: str
    origin: tuple[int, ...] | None  # origin[i] = index in the original of char i; None = same index
    original: str

    def span(self, start: int, end: int) -> str:
        if start >= end:
            return ""
        if self.origin is None:
            return self.original[start:end].strip()
        a = self.origin[start]
        b = self.origin[end - 1] + 1
        return self.original[a:b].strip()


def normalize(text: str) -> Normalized:
    """Half-width forms, masked titles, Arabic numerals and full years, one character for one where possible."""
    n = _numerals(text)
    if not (("年" in n.text and _SHORT_YEAR.search(n.text)) or ("." in n.text and _SHORT_DOTTED.search(n.text))):
        return n
    return _full_years(n)


def _full_years(n: Normalized) -> Normalized:
    """Insert "20" before each two-digit year; the inserted digits point at the year's first digit."""
    s = n.text
    origin = n.origin if n.origin is not None else tuple(range(len(s)))
    out: list[str] = []
    out_origin: list[int] = []
    pos = 0
    starts = sorted({m.start() for m in _SHORT_YEAR.finditer(s)} | {m.start() for m in _SHORT_DOTTED.finditer(s)})
    for at in starts:
        out.append(s[pos:at])
        out_origin.extend(origin[pos:at])
        out.append("20")
        out_origin.extend((origin[at], origin[at]))
        pos = at
    out.append(s[pos:])
    out_origin.extend(origin[pos:])
    return Normalized("".join(out), tuple(out_origin), n.original)


def _numerals(text: str) -> Normalized:
    # One character for one, so positions are kept. A substitution of the few wide characters is
    # several times faster than str.translate, which looks up every character of the text.
    s = _WIDE.sub(_narrow, text)
    if "《" in s or "“" in s or '"' in s or "「" in s:
        s = _MASKED.sub(_blank, s)
    if not _HAS_CN_NUM.search(s):
        return Normalized(s, None, text)
    numerals = []  # (start, end, digits)
    for m in _CN_NUM.finditer(s):
        word = m.group(0)
        value = DIGITS[word] if len(word) == 1 and word in DIGITS else cn_to_int(word)
        if value is not None:
            numerals.append((m.start(), m.end(), str(value)))
    if not numerals:
        return Normalized(s, None, text)
    out: list[str] = []
    pos = 0
    for a, b, digits in numerals:
        out.append(s[pos:a])
        out.append(digits)
        pos = b
    out.append(s[pos:])
    if all(len(digits) == b - a for a, b, digits in numerals):
        return Normalized("".join(out), None, text)  # 三季度 → 3季度: one character for one, positions kept
    out_origin: list[int] = []
    pos = 0
    for a, b, digits in numerals:
        out_origin.extend(range(pos, a))
        # Every Arabic digit points into the original numeral's range.
        out_origin.extend(min(a + k, b - 1) for k in range(len(digits)))
        pos = b
    out_origin.extend(range(pos, len(s)))
    return Normalized("".join(out), tuple(out_origin), text)
