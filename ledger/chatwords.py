"""Reading what people write in chat: "完成了，附照片" reports a measure done; "完成不了" does not.

Chinese has no word boundaries, so `\\b` cannot tell 完成 from 完成率; the patterns below anchor
at the start of the message and rule out the negations and nouns people actually write.
"""

from __future__ import annotations

import re

_NOT_WHOLE = r"(?!不了|不到|不成|不好|情况|率|时限|时间|进度|目标|期限|部分|大部|一半|多半|过半|[\s:：]*\d)"
_DONE = re.compile(
    r"""^\s*(?:[✅✔☑√]\ufe0f?\s*)?
    (?:(?:该|本|此|这)(?:项|条|个)?(?:问题|措施|任务)?\s*(?:整改)?\s*)?
    (?:
        (?:已经|已|均已|全部|现已)?\s*(?:按要求|按期|如期|按时|提前)?\s*(?:全部|全面)?\s*(?:整改)?\s*(?:完成|办结|到位|完毕)
            NOT_WHOLE(?:了)?(?:整改)?
      | (?:整改)?\s*(?:已经|已|均已)\s*(?:全部|全面)?\s*(?:完成|办结|到位|完毕)NOT_WHOLE(?:了)?
      | (?:已经|已)于[^，,。；;！!]{1,14}?(?:完成|办结|整改到位)NOT_WHOLE(?:了)?(?:整改)?
      | 已\s*整改(?:完毕|到位)?
      | (?:已经|已)?\s*(?:搞定|弄好|改好|整改好|落实到位)(?:了)?
      | (?:done|finished|completed|complete)\b(?!\s*\d)
    )[\s:：,，。.!！、;；]*""".replace("NOT_WHOLE", _NOT_WHOLE),
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
