"""Finding the responsible unit in a measure's text, or inferring the most plausible one.

Named bodies come first (区教育局, 玄武公安分局, 徐庄高新区, 新街口街道, 区环境集团, "由…牵头");
the first named is the lead unit, the others co-units. Where the text names none, the unit is
inferred from what the measure is about, by the usual division of district responsibilities
(schools → 区教育局, elderly care → 区民政局 …), and flagged for a human to check.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from ledger.errors import DubanError
from ledger.models import Unit

_CJK = "\u4e00-\u9fff"
# A name starts at a clause boundary, after 一是/二是, or after 由/为 ("由玄武公安分局牵头", "单位为区环境集团").
_START = r"(?:^|(?<=[，。、；：,;:（(“\s由为和同]))(?![由为和同对在将])"
_ACT = r"(?=牵头|负责|会同|修订|开展|对|组织|制定|建立|完善|全面|印发|落实|推进|配合|联合)"
NAMED = re.compile(
    rf"(?P<u>[区县]纪委监委|[区县]委[{_CJK}]{{1,3}}?(?:部|办)"
    rf"|[区县][{_CJK}]{{1,8}}?(?:局|集团|大队|检察院|法院)|(?<![城都超门])市[{_CJK}]{{1,6}}?局(?![长面势])|[区县][{_CJK}]{{1,2}}委办|[区县][{_CJK}]{{1,3}}委"
    rf"|{_START}[{_CJK}]{{2,4}}?(?:分局|集团|高新区|大队|街道)(?!办|应急|工作站)"
    rf"|{_START}[{_CJK}]{{2,7}}?(?:处|部|办公室|中心|学院){_ACT})"
)
# The body a measure opens with, as its subject: "学校纪委对…", "财务处、科学技术研究院联合修订…",
# "学生工作部（处）会同…" (a university's or a company's own departments, which carry no 区/县).
SUBJECT = re.compile(
    rf"(?P<u>(?![由为在对将从向把经]|会同|联合|配合|协调|督促|推动|加强|组织|开展|建立|完善|深入|全面|持续|进一步|协调|指导|要求|推进|按照|根据|围绕|结合|针对"
    rf"|依托|通过|积极|认真|严格|及时|定期|专门|着力|切实|统筹)[{_CJK}]{{2,10}}?"
    r"(?:处|部|院|委|室|局|中心|股|科|大队|站|所|公司|集团|学院|纪委|党委|团委|工会|支队))(?:[(（][^)）]{1,3}[)）])?"
    r"(?=[、和与及]|会同|联合|牵头|负责|对|将|建立|开展|修订|制定|组织|按|配齐|推动|推进|完善|落实|印发|出台|实施)"
)
_SUBJECT_JOIN = re.compile(r"[、和与及]")
LEAD = re.compile(rf"由(?P<u>[{_CJK}]{{2,10}}?)牵头")
NOT_UNITS = re.compile(
    r"领导|常委|主要|政府|各|相关|有关|全区|本区|其他|部分|上级|区级|区委区|区区|教育集团|构建|提升"
    r"|理顺|梳理|修订|研究|推动|督促|加强"
)
_MARKER = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+是|第[一二三四五六七八九十]+[，,、]|[①-⑳]|[(（]\d{1,2}[)）]"
    r"|\d{1,2}\s*[.、．](?!\d))"
)
ALIASES = {
    "区应急局": "区应急管理局",
    "区市场监督管理局": "区市场监管局",
    "玄武区市场监督管理局": "区市场监管局",
    "区文化和旅游局": "区文旅局",
    "区住房和城乡建设局": "区住建局",
    "区卫生健康委": "区卫健委",
    "区卫生健康委员会": "区卫健委",
    "区纪委": "区纪委监委",
}
# What a measure is about → the district body that usually owns it (first match wins).
INFER: tuple[tuple[str, str], ...] = (
    ("纪委|监督检查|问题线索|作风|腐败|派驻", "区纪委监委"),
    ("高新区|徐庄|园区", "徐庄高新区"),
    ("党员|组织关系|基层党组织|党组织书记|党建", "区委组织部"),
    ("编制|机构编制|三定|编办", "区委编办"),
    ("学校|教育|课堂|食堂|校区|课桌椅|小学|中学", "区教育局"),
    ("养老|居家养老|助餐|老年", "区民政局"),
    ("急救|医疗|医养|卫生|康复", "区卫健委"),
    ("消防|火灾|九小|三合一", "区消防救援大队"),
    ("老旧小区|危房|住房|物业|断头路|道路建设", "区住建局"),
    ("交警|警力|交通|堵点|交管", "玄武交警大队"),
    ("停车|占道|非机动车|油烟|餐饮", "区城管局"),
    ("文旅|旅游|博物馆|非物质文化遗产|文化产业", "区文旅局"),
    ("金融|融资|风险企业", "区金融办"),
    ("硅巷|科技|人才|创新平台", "区科技局"),
    ("招商|珠江路|楼宇|跨境电商|商场", "区商务局"),
    ("市场主体|营业执照|执法案件|市场监管|个体工商户|知识产权", "区市场监管局"),
    ("生态|VOCs|扬尘|噪声|空气", "区生态环境局"),
    ("雨污|管网|暗涵|水务", "区水务局"),
    ("财政|财力|税源", "区财政局"),
    ("安全生产|隐患|应急", "区应急管理局"),
    ("矛盾纠纷|调处化解|信访|政法", "区委政法委"),
    ("行政执法|执法协同|综合执法", "区司法局"),
    ("会议|文件|形式主义", "区委办公室"),
    ("产业|发展规划|重点项目", "区发改委"),
)


def canonical(name: str, known: dict[str, str] | None = None) -> str:
    name = (known or {}).get(name, name)
    return ALIASES.get(name, name)


def named_units(text: str, known: dict[str, str] | None = None) -> list[str]:
    """Bodies named in the text, lead first ("由…牵头" wins), without repeats."""
    found: list[str] = []
    text = _MARKER.sub("", text)
    lead = LEAD.search(text)
    if lead:
        inner = NAMED.search(lead["u"])
        if inner:
            found.append(canonical(inner["u"], known))
    found += [u for u in subject_units(text, known) if u not in found and not re.match(r"各|相关|有关|其他|部分|全", u)]
    for m in NAMED.finditer(text):
        u = canonical(m["u"], known)
        if NOT_UNITS.search(u) or u in found:
            continue
        found.append(u)
    return found


def subject_units(text: str, known: dict[str, str] | None = None) -> list[str]:
    """The bodies a measure opens with, as its subject ("财务处、科学技术研究院联合修订…" → both)."""
    out: list[str] = []
    pos = 0
    while m := SUBJECT.match(text, pos):
        out.append(canonical(m["u"], known))
        pos = m.end()
        if not (pos < len(text) and _SUBJECT_JOIN.match(text, pos)):
            break
        pos += 1
    return out


_STREET_NOISE = re.compile(r"到|属地|在|为|切实|组织|开|对|向|将|的")
_ACTS = re.compile(r"^(?:组织|开展|牵头|负责|完成|推进|落实)")


def choose_units(text: str, context: str = "", known: dict[str, str] | None = None) -> tuple[str, list[str], bool]:
    """(lead unit, co-units, inferred?) for a measure.

    The lead is who "由…牵头" names, else the first body named that is not a street (街道 are
    usually where work happens, not who owns it) unless a street is the subject of an action
    ("新街口街道组织开展…"); where none is named, the inferred owner (flagged).
    """
    names = [u for u in named_units(text, known) if not (u.endswith("街道") and _STREET_NOISE.search(u[:-2]))]
    body = _MARKER.sub("", text)
    lead = ""
    m = LEAD.search(body)
    if m and names and names[0] in m.group(0):
        lead = names[0]
    elif m and not NOT_UNITS.search(m["u"]) and len(m["u"]) <= 8:
        lead = canonical(m["u"], known)  # "由学生工作部牵头": whoever leads is the unit
        names = [lead] + [u for u in names if u != lead]
    if not lead:
        lead = next((u for u in names if not u.endswith("街道")), "")
    if not lead:
        for u in names:
            i = body.find(u)
            if i >= 0 and _ACTS.match(body[i + len(u) :]):
                lead = u
                break
    inferred = False
    if not lead:
        lead, inferred = infer_unit(text, context), True
    return lead, [u for u in names if u != lead], inferred


def infer_unit(text: str, context: str = "") -> str:
    """The body whose usual business the text (and, weighted double, its problem's title) mentions most."""
    best, score = "", 0
    for pattern, unit in INFER:
        n = len(re.findall(pattern, text)) + 2 * len(re.findall(pattern, context))
        if n > score:
            best, score = unit, n
    return best


# -- one directory of units: resolving a name as an office wrote it ----------------------------
_BRACKETS = re.compile(r"[（(][^）)]*[）)]")
_DISTRICT = re.compile(rf"^(?:[{_CJK}]{{2}}[区县]|[区县])(?=[{_CJK}]{{2}})")
_COMPANY = re.compile(r"(?:股份有限公司|有限责任公司|有限公司)$")
_LEAD_MARK = re.compile(r"[（(]\s*牵头\s*[）)]|牵头$")
_HELP_MARK = re.compile(r"[（(]\s*(?:配合|协助|协办|参与)\s*[）)]|(?:配合|协助|协办|参与)(?:单位|部门)?$")
_LABEL = re.compile(r"^(?:牵头|责任|主责|配合|协办|协助)?(?:单位|部门)\s*[:：]")  # 配合单位：…
_UNIT_SPLIT = re.compile(r"[、,，;；/／\n]+|\s{2,}")


@dataclass(frozen=True)
class UnitMatch:
    """How a written name was resolved: to `name`, by exact/normalised/alias, or `new` with a suggestion."""

    written: str
    name: str
    how: Literal["exact", "normalised", "alias", "new"]
    suggestion: str = ""


def unit_key(name: str) -> str:
    """The form unit names are compared by: 玄武区教育局（牵头） and 区教育局 are both 教育局."""
    s = "".join(unicodedata.normalize("NFKC", name).split())
    s = _BRACKETS.sub("", s.replace("(", "（").replace(")", "）"))
    s = _COMPANY.sub("", s)
    return _DISTRICT.sub("", s)


def resolve_unit(name: str, known: Iterable[str], aliases: Mapping[str, str] | None = None) -> UnitMatch:
    """Resolve `name` against the known units: exact, normalised, then the alias table (never invents one)."""
    written = name.strip()
    names = list(dict.fromkeys(known))
    if written in names:
        return UnitMatch(written, written, "exact")
    by_key = {unit_key(k): k for k in names}
    if unit_key(written) in by_key:
        return UnitMatch(written, by_key[unit_key(written)], "normalised")
    table = {**ALIASES, **(aliases or {})}
    for alias, aliased in table.items():
        if unit_key(alias) == unit_key(written):
            target = by_key.get(unit_key(aliased), aliased)
            if target in names:
                return UnitMatch(written, target, "alias")
    cleaned = _BRACKETS.sub("", written).strip() or written
    close = difflib.get_close_matches(unit_key(written), list(by_key), n=1, cutoff=0.5)
    return UnitMatch(written, cleaned, "new", by_key[close[0]] if close else "")


def match_units(query: str, known: Iterable[str], aliases: Mapping[str, str] | None = None) -> list[str]:
    """Units a person means by `query` (`list --unit 教育局`): the resolved one, else those containing it."""
    names = list(dict.fromkeys(known))
    hit = resolve_unit(query, names, aliases)
    if hit.how != "new":
        return [hit.name]
    key = unit_key(query)
    return [n for n in names if key and key in unit_key(n)]


# How a body's name ends (区教育局, 市第一人民医院, 城南街道, 财务科): shared with `ledger.filer`.
BODY_END = r"(?:局|委|办|部|院|中心|街道|集团|公司|队|所|站|馆|会|处|科|室|厅|署|镇|乡|社区|村|学校|大学|政府)"
_UNIT_END = re.compile(rf"{BODY_END}(?:[（(][^）)]*[）)]|牵头|配合|协助|协办|参与)?$")


_PREFIX = re.compile(rf"^(?:中共)?[{_CJK}]{{0,6}}[省市区县州旗]委$")  # 区委, 玄武区委: the start of a name


def _spaced(part: str) -> list[str]:
    """`区教育局 区财政局` (one space between) is two units when every piece is a whole body's name;
    `区委 宣传部` is one name written with a space (区委 alone is the start of 区委宣传部)."""
    pieces: list[str] = []
    for p in part.split():
        if pieces and _PREFIX.match(pieces[-1]):
            pieces[-1] += p
        else:
            pieces.append(p)
    whole = all(_UNIT_END.search(p) and not _PREFIX.match(p) for p in pieces)
    return pieces if len(pieces) == 1 or whole else [part]


@functools.lru_cache(maxsize=4096)  # a large ledger repeats a few hundred cells; the answer is a tuple of str
def split_units(cell: str) -> tuple[str, tuple[str, ...]]:
    """A 责任单位 cell naming several units: (lead, co-units); the one marked 牵头 leads, else the first.

    Offices write `区教育局、区财政局`, `区教育局（牵头），各街道`, `区住建局牵头，区城管局配合`,
    `牵头单位：区住建局；配合单位：区城管局`: labels and the words 牵头/配合 are not part of a name.
    """
    written = [q for p in _UNIT_SPLIT.split(cell) for q in _spaced(p.strip()) if q]
    parts = [_LABEL.sub("", p).strip() or p for p in written]
    if not parts:
        return "", ()
    helpers = {p for w, p in zip(written, parts) if _HELP_MARK.search(p) or _HELP_MARK.search(w.split("：")[0])}
    lead = next((p for p in parts if _LEAD_MARK.search(p)), next((p for p in parts if p not in helpers), parts[0]))
    clean = [_HELP_MARK.sub("", _LEAD_MARK.sub("", p)).strip() for p in parts]
    lead = _HELP_MARK.sub("", _LEAD_MARK.sub("", lead)).strip()
    return lead, tuple(dict.fromkeys(p for p in clean if p and p != lead))


def add_alias(units: Sequence[Unit], alias: str, target: str) -> Unit:
    """`/alias 区环境集团有限公司 区环境集团`: the known unit `target` also goes by `alias` (returned, to store)."""
    names = [u.name for u in units]
    hit = resolve_unit(target, names)
    if hit.how == "new":
        hint = f"（最接近：{hit.suggestion}）" if hit.suggestion else ""
        raise DubanError(f"单位目录中没有“{target}”{hint}。 No unit {target}.")
    table = {a: u.name for u in units for a in u.aliases}
    taken = resolve_unit(alias, names, table)
    if taken.how != "new" and taken.name != hit.name:
        raise DubanError(f"“{alias}”已指向“{taken.name}”。 {alias} already means {taken.name}.")
    unit = next(u for u in units if u.name == hit.name)
    return unit if alias in unit.aliases or alias == unit.name else Unit(unit.name, (*unit.aliases, alias))
