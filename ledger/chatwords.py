"""Reading what people write in chat: "完成了，附照片" reports a measure done; "完成不了" does not.

Chinese has no word boundaries, so `\\b` cannot tell 完成 from 完成率; the patterns below anchor
at the start of the message and rule out the negations and nouns people actually write.
"""

from __future__ import annotations

import re

_DONE = re.compile(
    r"""^\s*(?:
        (?:已经|已|均已|全部|现已)?\s*(?:全部|全面)?\s*(?:整改)?\s*(?:完成|办结|到位|完毕)
            (?!不了|不到|不成|不好|情况|率|时限|时间|进度|目标|期限)(?:了)?(?:整改)?
      | 已\s*整改(?:完毕|到位)?
      | (?:done|finished|completed|complete)\b
    )[\s:：,，。.!！、;；]*""",
    re.IGNORECASE | re.VERBOSE,
)
CANCEL_WORDS = frozenset({"取消", "cancel", "/cancel", "算了", "不用了"})


def done_report(text: str) -> str | None:
    """The note after a completion word ("" when there is none), or None if this is not a report."""
    m = _DONE.match(text)
    if m is None:
        return None
    return text[m.end() :].strip()


def is_cancel(text: str) -> bool:
    return text.strip().lower() in CANCEL_WORDS
