"""The unit a ledger is from, when it has no 责任单位 column: the 填报单位 named above its header."""

from __future__ import annotations

import re

from ledger.columns import Header
from ledger.sheets import Sheet, text_of
from ledger.units import BODY_END

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


# A body's name as a sheet name: a few characters ending as bodies' names end (区教育局, 城南街道).
_BODY = re.compile(rf"^[\u4e00-\u9fff（）()]{{1,18}}?{BODY_END}$")
# A title opening with the unit whose ledger it is: 区教育局巡察整改台账, 区卫健委关于…的整改台账.
# Not the inspecting body's own name (区委第三巡察组…, 县委巡察办…) nor a template (XX局…).
_TITLED = re.compile(
    rf"^(?P<u>[\u4e00-\u9fff（）()]{{1,18}}?{BODY_END})(?=关于|巡察|巡视|审计|整改|问题|反馈|落实|督办)"
    r"(?!巡察组|巡视组|巡察办|巡视办|审计组|第)"
)


# Sheet names that end like a body's but sort the ledger: 全部, 待办, 已办, 督办, 交办, 汇总, 本部 …
_NOT_BODY = re.compile(r"^(?:全部|汇总|总表|本部|全局|全院|全处|全科|[待已在督交未续]办)$")
_INSPECTOR = re.compile(r"巡察|巡视|审计组|(?:区|县|市|省|党)委$")  # who inspected, or the whole district


def named_unit(sh: Sheet, h: Header) -> str:
    """A workbook with one sheet per unit: the sheet is named for its unit (区教育局), or its title
    opens with it (区教育局巡察整改台账). Only asked for when there is no unit column and no 填报单位."""
    name = "".join(sh.name.split())
    if _BODY.match(name) and not (_NOT_A_NAME.search(name) or _INSPECTOR.search(name) or _NOT_BODY.match(name)):
        return name
    for r in sh.rows[: h.row]:
        texts = [t for t in (text_of(v).strip() for v in r) if t]
        m = _TITLED.match("".join(texts[0].split())) if len(texts) == 1 else None
        if m and not _NOT_A_NAME.search(m["u"]) and not _INSPECTOR.search(m["u"]):
            return m["u"]
    return ""
