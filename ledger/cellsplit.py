"""Several measures written in one ledger cell, and the headings offices put between rows.

A cell such as `1.制定计划；2.每月通报`, `一是…；二是…` or `（1）…⏎（2）…` is several measures
that share a row's unit and deadline. Duban splits such a cell only when it holds at least two
items numbered in sequence from the first (1, 2, 3 … with no gap), the first at the start of the
cell or after a short lead-in (`加强管理：1.…2.…`); anything else (a long sentence, `1.5倍`, a date
`2024.6.30`) stays one measure. Every split is listed in the import summary for the office to check.
"""

from __future__ import annotations

import re

from ledger.extract_blocks import CN

_CN_VALUE = {c: i for i, c in enumerate(CN, start=1)}
_BOUNDARY = r"(?:^|(?<=[\s；;。，,：:]))"
# Each style of item number, the number in group 1.
MARKERS = (
    re.compile(_BOUNDARY + r"(\d{1,2})\s*[.、．](?:(?=\d{4}\s*[年.．/-])|(?![\d.．]))"),  # 1.… but not 1.5倍
    re.compile(_BOUNDARY + r"[（(](\d{1,2})[)）]"),  # not 第（1）项
    re.compile(r"([①-⑳])"),
    re.compile(_BOUNDARY + rf"([{CN}]{{1,3}})是"),
    re.compile(_BOUNDARY + rf"([{CN}]{{1,3}})[、.．]"),
)
# Every split has an item numbered 1 in one of the styles above: a cell without one is a single
# measure, told by one search instead of a pass of each style (most cells of a large file).
_MAY_HAVE_ONE = re.compile(r"\d\s*[.、．]|[（(]\d{1,2}[)）]|①|一[是、.．]")
LEAD_IN_MAX = 40  # a longer text before the first number is prose that happens to contain numbers
_TRIM = "；;。，,、 \n\t"
SECTION_HEAD = re.compile(
    rf"^\s*(?:[{CN}]{{1,3}}\s*[、.．]|第[{CN}]{{1,3}}(?:部分|方面|类|篇)|[（(][{CN}]{{1,3}}[)）])\s*"
)
ASPECT = re.compile(r"(?:方面|领域)(?:问题|存在的问题)?[:：]?$|^第[一二三四五六七八九十]{1,3}(?:部分|方面|篇)")
TOP_LEVEL = re.compile(rf"^\s*(?:[{CN}]{{1,3}}\s*[、.．]|第[{CN}]{{1,3}}(?:部分|方面|篇))")


def _value(token: str) -> int:
    if "①" <= token <= "⑳":  # before isdigit(), which is true of ① too
        return ord(token) - ord("①") + 1
    if token.isdigit():
        return int(token)
    if len(token) == 1:
        return _CN_VALUE.get(token, 0)
    if token[0] == "十":
        return 10 + _CN_VALUE.get(token[1], 0)
    return _CN_VALUE.get(token[0], 0) * 10 + (_CN_VALUE.get(token[-1], 0) if token[-1] != "十" else 0)


def split_items(text: str) -> list[str]:
    """The measures a cell holds: its numbered items when there are two or more in sequence, else [text]."""
    if not _MAY_HAVE_ONE.search(text):
        return [text]
    for marker in MARKERS:
        hits = [(m.start(), m.end(), _value(m.group(1))) for m in marker.finditer(text)]
        run = _run_from_one(hits)
        if len(run) < 2:
            continue
        lead_in = text[: run[0][0]].strip(_TRIM + "：:")
        if len(lead_in) > LEAD_IN_MAX:
            continue
        items = []
        for k, (_, end, _) in enumerate(run):
            stop = run[k + 1][0] if k + 1 < len(run) else len(text)
            items.append(text[end:stop].strip(_TRIM))
        if all(items):
            return [f"{lead_in}：{item}" if lead_in else item for item in items]
    return [text]


def _run_from_one(hits: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """The hits numbered 1, 2, 3 … in order of position (later numbers out of sequence are ignored)."""
    run: list[tuple[int, int, int]] = []
    for hit in hits:
        if hit[2] == len(run) + 1:
            run.append(hit)
    return run


def section_name(cell: str) -> str:
    """A heading row's text without its number: `一、党的建设方面` → 党的建设方面."""
    return SECTION_HEAD.sub("", cell).strip(_TRIM) or cell.strip()
