"""Report text → blocks: one paragraph each, with its numbering marker and its label.

A marker is what a paragraph is numbered with (一、 （一） 1. （1） 问题一： ① 一是 …); which markers
are headings and which enumerate measures is decided later (`ledger.extract_tree`), from the
markers a document actually uses. A label is a field name such as 整改情况： or 完成情况：.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CN = "一二三四五六七八九十"
_CN_VALUE = {c: i for i, c in enumerate(CN, start=1)}
WIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
WIDTH[0x3000] = 0x20

# Heading styles, each (name, pattern); the pattern's group n is the number, t the text.
HEADING_STYLES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("part", re.compile(rf"^第(?P<n>[{CN}]+)部分\s*[:：、.]?\s*(?P<t>.*)$")),
    ("wenti", re.compile(rf"^问题\s*(?P<n>[{CN}]+|\d{{1,3}})\s*[:：.、]\s*(?P<t>.+)$")),
    ("wenti", re.compile(rf"^[【\[]问题\s*(?P<n>[{CN}]+|\d{{1,3}})[】\]]\s*[:：.、]?\s*(?P<t>.+)$")),
    ("cn", re.compile(rf"^(?P<n>[{CN}]+)\s*[、.．]\s*(?P<t>.+)$")),
    ("cn_paren", re.compile(rf"^[(（]\s*(?P<n>[{CN}]+)\s*[)）]\s*(?P<t>.+)$")),
    ("num", re.compile(r"^(?P<n>\d{1,3})\s*[.、．](?!\d)\s*(?P<t>.+)$")),
    ("num_paren", re.compile(r"^[(（]\s*(?P<n>\d{1,2})\s*[)）]\s*(?P<t>.+)$")),
)
# Measure enumerators: never headings.
ENUM = re.compile(rf"^(?:[{CN}]+是|第[{CN}]+[，,、]|[①-⑳])")
INLINE_SHI = re.compile(rf"(?<=[。；;])\s*(?=[{CN}]+是|第[{CN}]+[，,、])")
# An item number inside a paragraph: ①, or (1) / 1. at its start or after ：；。 ("整改措施：（1）…；（2）…",
# a table cell "1.制定…。2.建立…。").
_INLINE_ITEM = re.compile(r"[①-⑳]|(?:^|(?<=[:：;；。]))\s*(?:[(（](\d{1,2})[)）]|(\d{1,2})[.、．](?!\d))")

LABELS: dict[str, tuple[str, ...]] = {
    "measure": ("整改情况", "整改措施", "整改落实情况", "整改举措", "具体措施", "落实情况", "主要措施"),
    "status": ("完成情况", "整改进展", "整改状态", "进展情况", "完成进度", "整改进度", "整改结果", "办理情况"),
    "unit": (
        "责任单位",
        "牵头单位",
        "责任部门",
        "整改责任单位",
        "责任主体",
        "牵头部门",
        "责任处室",
        "责任科室",
        "责任股室",
    ),
    "co": ("配合单位", "协办单位", "配合部门", "协同单位"),
    "deadline": ("完成时限", "整改时限", "时限要求", "完成时间"),
    "desc": ("问题表现", "存在问题", "问题描述", "具体问题", "反馈问题", "问题", "整改目标"),
    "leader": ("责任领导", "牵头领导", "分管领导"),
}
_LABEL_KIND = {w: k for k, ws in LABELS.items() for w in ws}
_LABEL_WORDS = "|".join(sorted(_LABEL_KIND, key=len, reverse=True))
LABEL = re.compile(rf"^(?P<l>{_LABEL_WORDS})\s*[:：]\s*(?P<v>.*)$")
# Labels in brackets at the end of an item: "…（牵头领导：张某某；责任单位：县教育局）".
BRACKETED_LABELS = re.compile(rf"[(（](?P<v>(?:{_LABEL_WORDS})\s*[:：][^()（）]*)[)）]")
_LABEL_CUT = re.compile(rf"[，,；;]\s*(?=(?:{_LABEL_WORDS})\s*[:：])")
# A label in the middle of a paragraph ("问题一：…。整改情况：…"), after a sentence or a space.
_INLINE_LABEL = re.compile(rf"(?:(?<=[。；;！!）)])|\s+)(?=(?:{_LABEL_WORDS})\s*[:：])")
_UNIT_END = r"(?:镇|乡|街道|学院|学校|中学|小学|医院|馆|分局|局|委员会|委|办公室|办|中心|公司|集团|社区|村|所|处|部|院)"
UNIT_HEADING = re.compile(
    rf"^(?:中共)?(?P<u>[\u4e00-\u9fff]{{1,14}}?{_UNIT_END})"
    r"(?:党委|党组|党工委|党总支|党支部)?(?=$|群众|巡察|巡视|问题|整改|反馈|落实|关于)"
)
_NOT_UNIT = re.compile(r"通报|报告|公告|方面|情况的|领导小组|^(?:区|县|市|各|有关|相关)$")


@dataclass(frozen=True)
class Block:
    """One paragraph. `style` is its heading style or "enum"/"label"/"text"; `num` its number."""

    style: str
    num: int
    title: str  # the text after the marker, or a label's value
    raw: str  # the paragraph as written
    label: str = ""  # the label's kind (measure, status, unit, deadline, desc, leader)
    label_word: str = ""  # the label as written (完成情况)


def norm(ln: str) -> str:
    """Half-width forms for matching structure: （一）→(一), １．→1."""
    return ln.translate(WIDTH)


def number(s: str) -> int:
    """The value of 3, 十二 or 二十一."""
    if s.isdigit():
        return int(s)
    if "十" not in s:
        return _CN_VALUE.get(s, 0)
    tens, _, ones = s.partition("十")
    return (_CN_VALUE.get(tens, 1) if tens else 1) * 10 + _CN_VALUE.get(ones, 0)


def is_structural(ln: str) -> bool:
    """Whether a line starts a paragraph of its own (a marker or a label)."""
    n = norm(ln)
    return bool(ENUM.match(n) or LABEL.match(n) or any(p.match(n) for _, p in HEADING_STYLES))


def lines(text: str) -> list[str]:
    """Paragraphs, with a paragraph broken over several lines joined again."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u3000", " ")
    out: list[str] = []
    in_item = False  # the previous line belongs to a numbered item, whose paragraph may go on
    for raw in text.split("\n"):
        ln = raw.strip()
        if not ln:
            out.append("")
            in_item = False
            continue
        if in_item and out and out[-1] and not is_structural(ln) and not re.search(r"[。；;:：！？!?)）”]$", out[-1]):
            out[-1] += ln  # a line break inside a paragraph
            continue
        out.append(ln)
        in_item = _may_go_on(ln)
    return out


def _may_go_on(ln: str) -> bool:
    """Whether the next line may continue this one: an enumerated item; a label or a numbered
    heading only when long enough to have been wrapped (a short title is followed by its body)."""
    n = norm(ln)
    if ENUM.match(n):
        return True
    if LABEL.match(n) or any(p.match(n) for _, p in HEADING_STYLES):
        return len(ln) >= 30
    return False


def classify(raw: str) -> Block:
    """The block a paragraph is, by its leading marker or label."""
    n = norm(raw)
    if m := LABEL.match(n):
        return Block("label", 0, raw[m.start("v") :].strip(), raw, _LABEL_KIND[m["l"]], m["l"])
    if ENUM.match(n):
        return Block("enum", 0, raw, raw)
    for style, p in HEADING_STYLES:
        if m := p.match(n):
            return Block(style, number(m["n"]), raw[m.start("t") :].strip(), raw)
    return Block("text", 0, raw, raw)


def labels_in(value: str) -> list[tuple[str, str]]:
    """(kind, value) of each label in "责任单位：区住建局，完成时限：2024年12月底"."""
    out = []
    for part in _LABEL_CUT.split(value):
        if m := LABEL.match(norm(part.strip())):
            out.append((_LABEL_KIND[m["l"]], part.strip()[m.start("v") :].strip()))
    return out


def split_items(text: str) -> list[str]:
    """ "（1）…；（2）…", "1.…。2.…" or "①…②…" in one paragraph → one item each, when they number 1, 2, 3… in
    order; a lead-in ending in a colon ("主要措施：") is dropped."""
    chain: list[int] = []
    for m in _INLINE_ITEM.finditer(text):
        n = int(m[1] or m[2]) if (m[1] or m[2]) else ord(m[0]) - ord("①") + 1
        if n == len(chain) + 1:
            chain.append(m.start() + len(m[0]) - len(m[0].lstrip()))
    if len(chain) < 2:
        return [text]
    head = text[: chain[0]].strip()
    parts = [head] if head and not re.search(r"[:：]$", head) else []
    parts += [text[a:b].strip() for a, b in zip(chain, [*chain[1:], len(text)], strict=True)]
    return [p for p in parts if p]


def _in_brackets(s: str, i: int) -> bool:
    head = norm(s[:i])
    return head.count("(") > head.count(")")


def split_inline(raw: str) -> list[str]:
    """A paragraph cut before each label that follows a sentence: "问题一：…。整改情况：…" (not inside
    brackets: "（牵头领导：…；责任单位：…）" stays with its item)."""
    cuts = [m.start() for m in _INLINE_LABEL.finditer(norm(raw)) if m.start() > 0 and not _in_brackets(raw, m.start())]
    if not cuts:
        return [raw]
    parts, start = [], 0
    for c in cuts:
        parts.append(raw[start:c].strip())
        start = c
    parts.append(raw[start:].strip())
    return [p for p in parts if p]


def unit_named_by(title: str) -> str:
    """The unit a section heading names ("XX镇群众反映问题整改落实情况" → XX镇), or ""."""
    t = re.sub(r"[\s“”\"]", "", norm(title)).rstrip("。.:：")
    m = UNIT_HEADING.match(t)
    if not m or _NOT_UNIT.search(t) or len(t) > 30:
        return ""
    return m["u"]


def blocks(text: str) -> list[Block]:
    """The report's paragraphs as blocks; an unnumbered line naming a unit before a heading is a
    heading of style "unit" (per-unit reports: "XX镇群众反映问题整改落实情况")."""
    paras = [p for p in lines(text) if p]
    out: list[Block] = []
    for i, para in enumerate(paras):
        for part in split_inline(para):
            b = classify(part)
            if b.style == "text" and i > 0 and _is_unit_heading(part, paras[i + 1 : i + 2]):
                b = Block("unit", 0, part, part)
            out.append(b)
    return out


def _is_unit_heading(ln: str, following: list[str]) -> bool:
    if len(ln) > 30 or re.search(r"[。；;，,：:]$|[，,。]", ln) or not following:
        return False
    nxt = classify(following[0])
    return nxt.style not in ("text", "enum", "label", "unit") and bool(unit_named_by(ln))
