"""The unit a ledger is from, when it has no 责任单位 column: the 填报单位 named above its header."""

from __future__ import annotations

import re

from ledger.columns import Header
from ledger.sheets import Sheet, text_of

_FILER = re.compile(
    r"(?:填报|报送|责任)单位\s*(?:[（(][^）)]*[）)])?\s*[:：]\s*(?P<u>[^\s:：]{2,30}?)(?=\s|$|填报|报送|日期|时间)"
)


# A blank template's line (填报单位：填报日期：…, 填报单位：____, 填报单位：（盖章）, XX局) or a
# placeholder (各相关单位) names no unit: what follows the colon must be a body's name.
_NOT_A_NAME = re.compile(r"^(?:填报|报送|填表|日期|时间|联系|盖章|签字|签章|负责|各|相关|有关)|[Xx×＿_某○*]")
_CJK_NAME = re.compile(r"[\u4e00-\u9fff]{2,}")


def filer_above(sh: Sheet, h: Header) -> str:
    """A unit's own ledger has no 责任单位 column: its measures are the 填报单位's named above the header."""
    for r in sh.rows[: h.row]:
        for v in r:
            for m in _FILER.finditer(text_of(v)):
                name = re.sub(r"[（(][^）)]*[）)]", "", m["u"])
                if _CJK_NAME.search(name) and not _NOT_A_NAME.search(name):
                    return m["u"]
    return ""
