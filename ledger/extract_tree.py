"""Blocks → sections, problems and measures, chosen by the markers a document actually uses.

1. Heading styles that number consistently (1,2,3…; 一、二、…; restarting at 1 is fine) are
   headings; a style that does not (a stray "3、" in prose) is read as text.
2. Nesting follows the order in which styles first appear: the first style met is the top level,
   a new style goes one level deeper, a known style closes the levels below it.
3. A style whose items all have nothing under them but 责任单位/完成时限 lines, and are mostly
   sentences ("1.财务部会同…，年底前完成。"), enumerates measures, not headings.
4. Problems are the deepest headings that have their own 整改 text; headings above them are
   sections. Headings at a shallower depth with their own text (一、整改工作组织情况 with 一是…)
   are report prose, not problems, unless they sit in the branch that holds problems.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ledger.extract_blocks import BRACKETED_LABELS, ENUM, INLINE_SHI, Block, labels_in, norm, split_items, unit_named_by

_TITLE_QUOTED = re.compile(r"关于[“\"「](?P<t>.+?)[”\"」]")
_GENERIC = re.compile(r"整改.{0,6}情况|情况及成效|进展情况|落实情况|^整改|工作打算|下一步")
# Headings of the report's own account, never a problem however many 一是 they hold.
_REPORT_PROSE = re.compile(
    r"^(?:关于)?(?:巡[视察])?整改(?:工作)?(?:的)?(?:组织领导|组织开展|总体|基本|推进|部署)?(?:情况|工作)$"
    r"|(?:总体情况|基本情况|组织领导情况|组织开展情况|工作打算|工作安排|主要成效|工作成效|整改成效|主体责任情况)$|^下一步"
)
_SENTENCE = re.compile(r"[，,；;]|。.")


@dataclass
class Node:
    block: Block
    depth: int
    parent: Node | None = None
    children: list[Node] = field(default_factory=list)
    body: list[Block] = field(default_factory=list)  # the blocks under it that are not headings

    def content(self) -> bool:
        """Own 整改 text: a paragraph, an enumerated item, or a measure label with a value."""
        return any(b.style in ("text", "enum") or (b.label == "measure") for b in self.body)


@dataclass
class RawMeasure:
    text: str
    unit: str = ""  # from a 责任单位 label
    deadline: str = ""  # from a 完成时限 label
    status: str = ""  # from a 完成情况/整改进展 label, as written ("完成情况：已完成")
    leader: str = ""  # from a 牵头领导 label
    co_units: str = ""  # from a 配合单位 label


@dataclass
class RawProblem:
    title: str
    section: str
    section_unit: str
    measures: list[RawMeasure]


def consistent_styles(bs: list[Block]) -> set[str]:
    """Heading styles that number in sequence (1, the next, or the same again) 60% of the time."""
    seen: dict[str, list[int]] = {}
    for b in bs:
        if b.num:
            seen.setdefault(b.style, []).append(b.num)
    out = set()
    for style, nums in seen.items():
        good = sum(1 for i, n in enumerate(nums) if n == 1 or (i and n - nums[i - 1] in (0, 1)))
        if good / len(nums) >= 0.6:
            out.add(style)
    return out | {"unit"}


def _tree(bs: list[Block], headings: set[str]) -> list[Node]:
    order: list[str] = []  # heading styles by nesting, as first met
    roots: list[Node] = []
    stack: list[Node] = []
    preamble = Node(Block("text", 0, "", ""), 0)
    for b in bs:
        if b.style not in headings:
            (stack[-1] if stack else preamble).body.append(b)
            continue
        if b.style in order and any(n.block.style == b.style for n in stack):
            while stack and stack[-1].block.style != b.style:
                stack.pop()
            stack.pop()
        elif b.style in order:
            while stack and order.index(stack[-1].block.style) > order.index(b.style):
                stack.pop()
        else:
            order.append(b.style)
        node = Node(b, len(stack) + 1, stack[-1] if stack else None)
        (stack[-1].children if stack else roots).append(node)
        stack.append(node)
    return roots


def _walk(nodes: list[Node]) -> list[Node]:
    out: list[Node] = []
    for n in nodes:
        out.append(n)
        out.extend(_walk(n.children))
    return out


def _measure_styles(nodes: list[Node]) -> set[str]:
    """Styles whose every item is a leaf sentence: they enumerate measures."""
    by_style: dict[str, list[Node]] = {}
    for n in nodes:
        by_style.setdefault(n.block.style, []).append(n)
    out = set()
    for style, ns in by_style.items():
        if style in ("wenti", "unit") or min(n.depth for n in ns) == 1:
            continue
        leaves = [n for n in ns if not n.children and _only_field_labels(n.body)]
        sentences = sum(1 for n in leaves if _is_sentence(n.block.title))
        if len(leaves) == len(ns) and sentences >= 0.7 * len(ns):
            out.add(style)
    return out


def _only_field_labels(body: list[Block]) -> bool:
    """Nothing under an item but 责任单位/完成时限/完成情况 lines: it is still a leaf sentence."""
    return all(b.style == "label" and b.label not in ("measure", "desc") for b in body)


def _is_sentence(t: str) -> bool:
    return bool(_SENTENCE.search(t)) and not _TITLE_QUOTED.search(t) and not re.search(r"问题[。.]?$", t)


def build(bs: list[Block]) -> list[RawProblem]:
    """The problems of a report, in order, with their raw measures."""
    headings = consistent_styles(bs)
    nodes = _walk(_tree(bs, headings))
    enum_styles = _measure_styles(nodes)
    if enum_styles:
        bs = [Block("enum", 0, b.raw, b.raw) if b.style in enum_styles else b for b in bs]
        nodes = _walk(_tree(bs, headings - enum_styles))
    with_text = [
        n for n in nodes if n.content() and n.block.style != "unit" and not _REPORT_PROSE.search(n.block.title)
    ]
    if not with_text:
        return []
    deepest = max(n.depth for n in with_text)
    branches = {id(_root(n)) for n in with_text if n.depth == deepest}
    problems = [
        n for n in with_text if n.depth == deepest or (n.depth > 1 and not n.children and id(_root(n)) in branches)
    ]
    return [q for n in problems for q in _problem_led(_problem(n))]


# An item that states its problem, then what was done: "1.部分非税收入未及时缴库问题。市财政局已督促…"
# (an audit report to the 人大: numbered findings under each area, each with its rectification).
_LED_BY_PROBLEM = re.compile(
    r"^\s*(?:[①-⑳]|[(（]?\d{1,2}[)）.、．]|[一二三四五六七八九十]+是)\s*(?P<p>[^。；]{4,60}?问题)[。；]\s*(?P<m>\S.*)$"
)


def _problem_led(p: RawProblem) -> list[RawProblem]:
    """A heading whose items each open with their own problem is a section of problems, one measure
    each; any other problem is returned as it is."""
    hits = [_LED_BY_PROBLEM.match(m.text) for m in p.measures]
    if len(hits) < 1 or not all(hits):
        return [p]
    section = " / ".join(s for s in (p.section, _area(p.title)) if s)
    out = []
    for m, hit in zip(p.measures, hits, strict=True):
        assert hit is not None
        m.text = hit["m"]
        out.append(RawProblem(re.sub(r"的?问题$", "", hit["p"]), section, p.section_unit, [m]))
    return out


def _area(title: str) -> str:
    """ "市级财政管理审计查出问题的整改情况" → "市级财政管理审计查出问题"."""
    return re.sub(r"(?:的)?整改(?:落实)?情况$", "", title)


def _root(n: Node) -> Node:
    while n.parent:
        n = n.parent
    return n


def problem_title(t: str) -> str:
    """关于“X”问题的整改 → X; 关于X的问题 → X; a long description → its first sentence."""
    m = _TITLE_QUOTED.search(t)
    if m:
        return m["t"]
    t = t.strip()
    if t.startswith("关于"):
        t = re.sub(r"(?:的)?问题(?:的整改)?[。.]?$", "", t[2:])
    first = re.match(r"[^。]+。", t)
    return (first[0] if first else t).rstrip("。.；;")


def _problem(n: Node) -> RawProblem:
    ancestors: list[Node] = []
    p = n.parent
    while p:
        ancestors.insert(0, p)
        p = p.parent
    titles = [_section_title(a.block) for a in ancestors]
    section = " / ".join(t for t in titles if (t and not _GENERIC.search(t)) or unit_named_by(t))
    unit = next((u for a in reversed(ancestors) if (u := unit_named_by(a.block.title))), "")
    return RawProblem(problem_title(n.block.title), section, unit, _measures(n.body))


def _section_title(b: Block) -> str:
    return b.title.strip().rstrip("。.：:")


def _measures(body: list[Block]) -> list[RawMeasure]:
    """A problem's measures: enumerated items, 整改情况 paragraphs, or (with neither) each paragraph.

    Labels for unit, deadline and status after a 整改措施 item belong to that item; elsewhere they
    belong to the whole problem.
    """
    labelled = any(b.label == "measure" for b in body)
    out: list[RawMeasure] = []
    common = RawMeasure("")
    scope: RawMeasure | None = None  # the 整改措施 item that owns the labels after it
    started = False  # a measure label was seen: paragraphs before it describe the problem
    own_labels = _items_carry_labels(body)
    for b in body:
        if b.style == "label":
            target = scope or common
            if b.label == "measure":
                started = True
                pieces = split_enumerated(b.title) if b.title else []
                new = [RawMeasure(x) for x in pieces]
                out.extend(new)
                scope = new[0] if len(new) == 1 and b.label_word in ("整改措施", "具体措施") else None
            elif b.label == "unit":
                target.unit = b.title
            elif b.label == "deadline":
                target.deadline = b.title
            elif b.label == "status":
                target.status = f"{b.label_word}：{b.title}"
            elif b.label == "leader":
                target.leader = b.title
            elif b.label == "co":
                target.co_units = b.title
            continue
        if labelled and not started:
            continue  # the problem described again before its 整改情况
        scope = None
        enumerated = b.style == "enum" or bool(ENUM.match(norm(b.raw)))
        if enumerated or not out or not ENUM.match(norm(out[-1].text)):
            new = [RawMeasure(x) for x in split_enumerated(b.raw)]
            out.extend(new)
            scope = new[0] if own_labels and enumerated and len(new) == 1 else None
        else:
            out[-1].text += b.raw  # a paragraph that goes on an enumerated item
    _per_item_status(out, common)
    for m in out:
        _bracketed_labels(m)
        m.unit = m.unit or common.unit
        m.deadline = m.deadline or common.deadline
        m.status = m.status or common.status
        m.leader = m.leader or common.leader
        m.co_units = m.co_units or common.co_units
    return [m for m in out if m.text.strip()]


_ITEM_STATUS = re.compile(r"第\s*(?P<ns>(?:[(（]?\d{1,2}[)）]?\s*[、，,和及至-]?\s*)+)项(?P<s>[^，,；;。]+)")
_ITEM_NO = re.compile(r"^\s*(?:[(（](\d{1,2})[)）]|(\d{1,2})\s*[.、．]|([①-⑳]))")


def _per_item_status(out: list[RawMeasure], common: RawMeasure) -> None:
    """ "整改进展：第（1）项已完成，第（2）（3）项正在推进" gives each numbered item its own status."""
    said = {
        int(n): hit["s"].strip() for hit in _ITEM_STATUS.finditer(common.status) for n in re.findall(r"\d+", hit["ns"])
    }
    if not said:
        return
    for m in out:
        k = _ITEM_NO.match(norm(m.text))
        n = int(k[1] or k[2]) if k and (k[1] or k[2]) else (ord(k[3]) - ord("①") + 1 if k else 0)
        if n in said and not m.status:
            m.status = f"{common.status.split('：', 1)[0]}：{said[n]}"


def _bracketed_labels(m: RawMeasure) -> None:
    """ "…（责任单位：区住建局，完成时限：2024年12月底）" → the item's fields, and the text without them."""
    for hit in reversed(list(BRACKETED_LABELS.finditer(m.text))):
        for kind, value in labels_in(hit["v"]):
            if kind in ("unit", "deadline", "leader") and not getattr(m, kind):
                setattr(m, kind, value)
            elif kind == "co" and not m.co_units:
                m.co_units = value
            elif kind == "status" and not m.status:
                m.status = f"整改进展：{value}"
        m.text = (m.text[: hit.start()] + m.text[hit.end() :]).strip()


def _items_carry_labels(body: list[Block]) -> bool:
    """Whether each enumerated item has its own 责任单位/完成时限 lines ("①…" "责任单位：…" "②…"
    "责任单位：…"), rather than one set of labels after all the items that covers the problem."""
    items = [i for i, b in enumerate(body) if b.style == "enum"]
    followed = [
        i for i in items if i + 1 < len(body) and body[i + 1].style == "label" and body[i + 1].label != "measure"
    ]
    return len(followed) >= 2


def split_enumerated(text: str) -> list[str]:
    """ "一是…；二是…" (where an item follows ；or 。) or "（1）…（2）…" in one paragraph → one item each."""
    parts = [q for p in INLINE_SHI.split(text) for q in split_items(p.strip())]
    return [p for p in parts if p]
