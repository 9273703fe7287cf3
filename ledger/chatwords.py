"""Reading what people write in chat: "完成了，附照片" reports a measure done; "完成不了" does not.

Chinese has no word boundaries, so `\\b` cannot tell 完成 from 完成率; the patterns below anchor
at the start of the message and rule out the negations and nouns people actually write.
"""

from __future__ import annotations

import re

_NOT_WHOLE = (  # what after a completion word makes it a part, a noun, a question or a negation
    r"(?!不了|不到|不成|不好|情况|率|时限|时间|进度|目标|期限|部分|一部分|大部|一半|多半|过半|中|吗|没|否|[\s:：]*\d)"
)
_DONE = re.compile(
    r"""^\s*(?:[✅✔☑√]\ufe0f?\s*)?
    (?P<subject>(?:该|本|此|这)(?:项|条|个)?(?:问题|措施|任务)?\s*(?:整改)?\s*)?
    (?:
        (?:已经|已|均已|全部|现已)?\s*(?:按要求|按期|如期|按时|提前)?\s*(?:全部|全面)?\s*(?:整改)?\s*(?:完成|办结|到位|完毕)
            NOT_WHOLE(?:了NOT_WHOLE)?(?:整改NOT_WHOLE)?
      | (?:整改)?\s*(?:已经|已|均已)\s*(?:全部|全面)?\s*(?:完成|办结|到位|完毕)NOT_WHOLE(?:了NOT_WHOLE)?
      | (?:已经|已)于(?P<when>[^，,。；;！!]{1,14}?)(?:完成|办结|整改到位)NOT_WHOLE(?:了NOT_WHOLE)?(?:整改NOT_WHOLE)?
      | 已\s*整改(?:完毕|到位)?NOT_WHOLE
      | (?:已经|已)?\s*(?:搞定|弄好|改好|整改好|落实到位)NOT_WHOLE(?:了NOT_WHOLE)?
      | (?:done|finished|completed|complete)\b(?!\s*\d)
    )[\s:：,，。.!！、;；]*""".replace("NOT_WHOLE", _NOT_WHOLE),
    re.IGNORECASE | re.VERBOSE,
)
# What turns a completion word into something else: a question, a date still ahead, work still open.
_QUESTION = re.compile(r"(?:吗|么|没|没有|否|[?？])\s*[。.!！]*\s*$")
_AHEAD = re.compile(r"下|明|后天|将|计划|预计|争取|底前")
_STILL_OPEN = re.compile(r"尚未|未完成|没完成|还没|还未|仍有|仍未|正在|推进中|一半|待验收|待复查|未验收|未开始")
_FIRM = re.compile(r"已|了|完毕|到位|办结")
CANCEL_WORDS = frozenset({"取消", "cancel", "/cancel", "算了", "不用了"})


def done_report(text: str) -> str | None:
    """The note after a completion word ("" when there is none), or None if this is not a report.

    Not a report: a question (完成了吗？), a date still ahead (已于下周完成), work still open in the
    note (已完成方案，施工尚未开始), or a bare 完成 after "this item" (该措施完成 reads as a question).
    """
    m = _DONE.match(text)
    if m is None or _QUESTION.search(text):
        return None
    note = text[m.end() :].strip()
    if m["when"] and _AHEAD.search(m["when"]):
        return None
    if m["subject"] and not _FIRM.search(m.group(0)[len(m["subject"]) :]):
        return None
    if _STILL_OPEN.search(note):
        return None
    return note


def is_cancel(text: str) -> bool:
    return text.strip().lower() in CANCEL_WORDS
