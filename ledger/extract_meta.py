"""What a report says about itself: title, issuer, dates and the headline figures.

Figures come in many phrasings; the two exact shapes of the shipped report are read first
("37个问题中，需一年内完成整改的31个，目前已完成整改14个"), then any preamble sentence that counts
problems or measures is read clause by clause ("反馈问题25个，已完成整改19个、正在整改6个，
整改完成率76%"; "共梳理问题12个，制定整改措施30条，已完成21条").
"""

from __future__ import annotations

import datetime as dt
import re

from ledger.extract_blocks import lines
from ledger.models import ReportMeta
from ledger.units import canonical

_COUNT_SENTENCE = re.compile(r"[^。\n]*(?:截至|截止|目前|共|反馈|梳理|制定)[^。\n]*\d+\s*[个条项][^。\n]*")
_CLAUSE = re.compile(r"[，,；;、]")
_PART = re.compile(r"(?=已|其余|其中)")
# A count of problems or measures: the classifier ends the phrase or names them (12个问题, 已完成21条,
# 30项整改任务); "完成8个小区改造任务" counts residential blocks inside a measure, not measures.
_NUMBER = re.compile(
    r"(\d+)\s*([个条项])(?=\s*(?:整改)?(?:问题|措施|任务|事项)|\s*(?:$|[，,；;。、:：)）]|已|其中|正在|均|全部|需|的|整改))"
)
_TITLE = re.compile(r"关于.{4,}(?:通报|报告|公告|公示|情况|说明)$")  # a web page's title, under its site's banner
_TRUNCATED = re.compile(r"(?:……|\.{3,}|…)\s*$")


def _headline(text: str) -> dict[str, int]:
    out: dict[str, int] = {}
    m = re.search(
        r"(\d+)\s*个问题中[，,]?\s*需一年内完成整改的\s*(\d+)\s*个[，,]?\s*(?:目前)?已完成(?:整改)?\s*(\d+)\s*个", text
    )
    if m:
        out.update(problems_total=int(m[1]), problems_due_within_year=int(m[2]), problems_done=int(m[3]))
    else:
        m = re.search(r"(\d+)\s*个问题[^。]{0,30}?已完成(?:整改)?\s*(\d+)\s*个", text)
        if m:
            out.update(problems_total=int(m[1]), problems_done=int(m[2]))
    m = re.search(
        r"(\d+)\s*条(?:整改)?措施中[，,]?\s*需一年内完成整改的\s*(\d+)\s*条[，,]?\s*(?:目前)?已完成(?:整改)?\s*(\d+)\s*条",
        text,
    )
    if m:
        out.update(measures_total=int(m[1]), measures_due_within_year=int(m[2]), measures_done=int(m[3]))
    else:
        m = re.search(r"(\d+)\s*条(?:整改)?措施[^。]{0,30}?已完成(?:整改)?\s*(\d+)\s*条", text)
        if m:
            out.update(measures_total=int(m[1]), measures_done=int(m[2]))
    return out


def figures(text: str) -> dict[str, object]:
    """Counts stated in the preamble, clause by clause: totals, done, open, completion rate."""
    out: dict[str, object] = dict(_headline(text))
    for sentence in _COUNT_SENTENCE.findall(text[:4000]):
        if not re.search(r"问题|措施|任务", sentence):
            continue
        subject = ""
        for clause in _CLAUSE.split(sentence):
            if "问题" in clause:
                subject = "problems"
            if re.search(r"措施|任务", clause):
                subject = "measures"
            rate = re.search(r"完成率\s*(\d+(?:\.\d+)?)\s*%", clause)
            if rate:
                out.setdefault("completion_rate", float(rate[1]))
                continue
            for part in _PART.split(clause):
                key, n = _count(part, subject)
                if key:
                    out.setdefault(key, n)
        if "as_of" not in out and re.search(r"截至|截止|目前", sentence):
            out["as_of"] = sentence.strip()
    return out


def _count(part: str, subject: str) -> tuple[str, int]:
    """("measures_done", 17) for "已完成17条"; ("", 0) for a part without a count."""
    found = _NUMBER.findall(part)
    if not found:
        return "", 0
    n, word = found[-1]
    what = "measures" if word == "条" else (subject or "problems")
    if "其中" in part or "长期" in part:
        state = "long_term"
    elif re.search(r"正在|推进|未完成|持续|基本完成|其余", part):
        state = "open"
    elif re.search(r"完成|整改到位|办结|销号", part):
        state = "done"
    else:
        state = "total"
    return f"{what}_{state}", int(n)


def looks_truncated(text: str) -> bool:
    """A page cut short ends with an ellipsis."""
    return bool(_TRUNCATED.search(text.strip()))


def report_meta(text: str) -> ReportMeta:
    """Title, issuer, dates and headline figures stated in the report."""
    paras = [ln for ln in lines(text) if ln]
    title = next((p for p in paras[:15] if _TITLE.search(p) and len(p) < 80), paras[0] if paras else "")
    published = None
    m = re.search(r"发布(?:日期|时间)\s*[:：]\s*(\d{4})[-年/.](\d{1,2})[-月/.](\d{1,2})", text)
    if m:
        published = dt.date(int(m[1]), int(m[2]), int(m[3]))
    date = None
    issuer = ""
    for i in range(len(paras) - 1, max(len(paras) - 6, -1), -1):
        dm = re.fullmatch(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日", paras[i])
        if dm:
            date = dt.date(int(dm[1]), int(dm[2]), int(dm[3]))
            issuer = paras[i - 1] if i > 0 and len(paras[i - 1]) < 40 else ""
            break
    feedback = None
    fm = re.search(
        r"(\d{4})年\d{1,2}月\d{1,2}日至\d{1,2}月\d{1,2}日[^。]{0,40}?于(\d{1,2})月(\d{1,2})日进行了?反馈", text
    )
    if fm:
        feedback = dt.date(int(fm[1]), int(fm[2]), int(fm[3]))
    more = figures(text)
    keys: tuple[str, ...] = ("problems_total", "problems_due_within_year", "problems_done")
    keys += ("measures_total", "measures_due_within_year", "measures_done")
    stated = {k: int(str(more[k])) for k in keys if k in more}
    return ReportMeta(
        title=title,
        issuer=issuer,
        date=date or published,
        feedback_date=feedback,
        published=published,
        **stated,
    )


_BODY_END = re.compile(r"(?:局|办公室|中心|厅|署)$")
_NOT_OWNER = re.compile(r"巡察|巡视|领导小组|纪委|人民政府$|政府$")
_PLACE = (
    re.compile(r"^(?:[\u4e00-\u9fff]{2,3}[省市])?[\u4e00-\u9fff]{2,3}?(?=[区县][\u4e00-\u9fff]{2,})"),
    re.compile(r"^(?:[\u4e00-\u9fff]{2,3}省)?[\u4e00-\u9fff]{2,3}?(?=市[\u4e00-\u9fff]{2,})"),
)


def owner_unit(title: str, issuer: str) -> str:
    """The one body a report is about when it reports on itself ("某某区民政局关于…", signed 中共某某区
    民政局党组) as its short name (区民政局); "" for a 区委/县委 report, a 巡察办's notice about other
    bodies, a university or a company, whose measures name their own units."""
    for name in (issuer, title.split("关于")[0] if "关于" in title else ""):
        n = re.sub(r"(?:党组|党委|党总支)$", "", re.sub(r"^中共", "", name.strip()))
        if not n or not _BODY_END.search(n) or _NOT_OWNER.search(n) or len(n) > 20:
            continue
        for place in _PLACE:
            if m := place.match(n):
                return canonical(n[m.end() :])
        return canonical(n)
    return ""
