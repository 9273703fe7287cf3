"""Deadline reading on clauses written for this table, one table a class of phrasing (docs/deadlines.md).

Every clause is our own wording, in the shapes real rectification reports use: full-width and
half-width punctuation, the range separators 至/到/—/-/~, and surrounding words. `REF` is the
document date; a row may carry its own. The bench (bench/deadline_bench.py) scores the same
table per class.
"""

from __future__ import annotations

import datetime as dt

import pytest

from ledger.deadlines import parse_deadline

D = dt.date
REF = D(2025, 3, 20)

# class -> [(id, text, kind, due or recurrence, ref or None)]
RECALL: dict[str, list[tuple[str, str, str, object, dt.date | None]]] = {
    "range": [
        ("months-whole-city", "2025年4月至6月，在全市范围内开展安全生产大排查", "period_end", D(2025, 6, 30), None),
        ("window-named-period", "4月15日—5月15日为集中整治期", "period_end", D(2025, 5, 15), None),
        ("from-today-to-date", "即日起至2025年12月31日", "period_end", D(2025, 12, 31), None),
        ("from-today-to-month-end", "从即日起到9月底，开展违法建设专项治理", "period_end", D(2025, 9, 30), None),
        ("months-jian", "6月至8月间，开展“百日攻坚”行动", "period_end", D(2025, 8, 31), None),
        ("halves", "2025年下半年至2026年上半年", "period_end", D(2026, 6, 30), None),
        ("quarters", "2025年三季度至四季度", "period_end", D(2025, 12, 31), None),
        ("time-is-range", "第二阶段为集中整改阶段，时间为5月1日至7月31日", "period_end", D(2025, 7, 31), None),
        ("months-fen-then-action", "4—6月份，组织开展“回头看”", "period_end", D(2025, 6, 30), None),
        ("year-range", "2025年至2026年", "period_end", D(2026, 12, 31), None),
        ("days-zhi-then-action", "5月6日至5月20日，各单位开展自查", "period_end", D(2025, 5, 20), None),
        ("days-dash-short-end", "4月8日-18日，组织交叉检查", "period_end", D(2025, 4, 18), None),
        ("days-emdash-quote", "6月3日—6月28日，县纪委监委对整改情况开展“回头看”", "period_end", D(2025, 6, 28), None),
        ("days-tilde", "7月1日~7月15日，各乡镇全面排查辖区内自建房", "period_end", D(2025, 7, 15), None),
        ("days-dao", "9月1日到10月31日，集中开展清理整治", "period_end", D(2025, 10, 31), None),
        ("months-with-year", "2025年5月至7月，对全区餐饮单位进行全覆盖检查", "period_end", D(2025, 7, 31), None),
        ("xun-to-xun", "4月下旬至5月中旬，开展整改“回头看”", "period_end", D(2025, 5, 20), None),
        ("days-before-then-done", "3月25日至4月10日前，各单位完成自查", "period_end", D(2025, 4, 10), None),
        ("from-today-window", "即日起至6月30日，开展专项整治行动", "period_end", D(2025, 6, 30), None),
        ("across-new-year", "12月15日-1月15日，开展冬季安全大检查", "period_end", D(2026, 1, 15), None),
        ("fullwidth-tilde-months", "8月～9月，组织开展“双随机”抽查", "period_end", D(2025, 9, 30), None),
        ("range-then-verb-no-comma", "10月10日至25日集中开展督查", "period_end", D(2025, 10, 25), None),
    ],
    "stage": [
        ("heading-full-stop", "（一）宣传发动阶段。2025年4月1日至4月15日。", "period_end", D(2025, 4, 15), None),
        ("numbered-months", "（三）巩固提升阶段（2025年10月—12月）", "period_end", D(2025, 12, 31), None),
        ("colon-days", "督促整改阶段：6月1日-8月31日", "period_end", D(2025, 8, 31), None),
        ("month-then-action", "5月中下旬，组织开展交叉检查", "period_end", D(2025, 5, 31), None),
        ("bracket-xun", "整改落实阶段（2025年4月下旬）", "period_end", D(2025, 4, 30), None),
        ("bracket-months", "集中攻坚阶段（6-8月）", "period_end", D(2025, 8, 31), None),
        ("bracket-one-month", "自查自纠阶段（6月）", "period_end", D(2025, 6, 30), None),
        ("bracket-days", "督促整改阶段（4月10日至5月31日）", "period_end", D(2025, 5, 31), None),
        ("numbered-emdash", "（一）动员部署阶段（2025年3月25日—4月5日）", "period_end", D(2025, 4, 5), None),
        ("heading-then-bracket", "第二阶段：深入整改（5月—9月）", "period_end", D(2025, 9, 30), None),
        ("halfwidth-tilde", "巩固提升阶段(10月1日~11月30日)", "period_end", D(2025, 11, 30), None),
        ("bracket-year-month", "总结验收阶段（2025年12月）", "period_end", D(2025, 12, 31), None),
        ("bracket-then-colon", "第三阶段（2025年7月至8月）：建章立制", "period_end", D(2025, 8, 31), None),
        ("bracket-early-xun", "排查摸底阶段（4月上旬）", "period_end", D(2025, 4, 10), None),
        ("colon-range", "第一阶段：5月1日—5月31日", "period_end", D(2025, 5, 31), None),
    ],
    "action": [
        ("two-quarters", "三季度完成招标，四季度开工建设", "period_end", D(2025, 12, 31), None),
        ("month-fen-trial-run", "8月份投入试运行", "period_end", D(2025, 8, 31), None),
        ("half-issue-rules", "上半年出台实施细则", "period_end", D(2025, 6, 30), None),
        ("half-carry-out", "下半年开展专项督查", "period_end", D(2025, 12, 31), None),
        ("strive-year", "力争到2027年基本完成", "period_end", D(2027, 12, 31), None),
        ("by-year-comma", "到2026年，基本建成智慧监管体系", "period_end", D(2026, 12, 31), None),
        ("limit-label-month", "完成时限：2025年12月", "period_end", D(2025, 12, 31), None),
        ("expected-finish", "预计今年8月完工", "period_end", D(2025, 8, 31), None),
        ("term-label-day", "整改期限为2025年9月30日", "date", D(2025, 9, 30), None),
        ("this-month-day", "本月25日前", "date", D(2025, 3, 25), None),
        ("next-month-day", "下月10日前", "date", D(2025, 4, 10), None),
        ("use-half-year", "用半年时间", "period_end", D(2025, 9, 20), None),
        ("quarter-break-ground", "力争三季度开工建设", "period_end", D(2025, 9, 30), None),
        ("month-end-will-recheck", "11月底将组织复查", "period_end", D(2025, 11, 30), None),
        ("time-node", "以9月底为时间节点全部到位", "period_end", D(2025, 9, 30), None),
        ("bare-year-breakthrough", "2026年在智慧监管方面取得突破", "period_end", D(2026, 12, 31), None),
        ("quarter-into-use", "二季度投入使用", "period_end", D(2025, 6, 30), None),
        ("month-accept-check", "8月接受省级验收", "period_end", D(2025, 8, 31), None),
        ("month-end-publish", "10月底前公示调整结果", "period_end", D(2025, 10, 31), None),
        ("year-end-ready", "年底前各项准备工作就绪", "period_end", D(2025, 12, 31), None),
        ("month-fen-dig", "5月份动工", "period_end", D(2025, 5, 31), None),
        ("mid-xun-report", "12月中旬报送年度整改报告", "period_end", D(2025, 12, 20), None),
        ("quarter-progress", "四季度取得阶段性进展", "period_end", D(2025, 12, 31), None),
        ("half-assess", "2025年下半年组织第三方评估", "period_end", D(2025, 12, 31), None),
        ("month-fen-inspect", "7月份接受市级检查", "period_end", D(2025, 7, 31), None),
        ("early-xun-adjust", "9月上旬调整到位", "period_end", D(2025, 9, 10), None),
        ("year-month-implement", "2026年6月实施", "period_end", D(2026, 6, 30), None),
        ("quarter-submit", "一季度末前提交整改方案", "period_end", D(2025, 3, 31), None),
        ("time-node-halfwidth", "以6月30日为节点,全面完成清理", "date", D(2025, 6, 30), None),
    ],
    "several": [
        ("works-then-use", "2025年6月底前完成主体工程建设，年底前投入使用", "period_end", D(2025, 12, 31), None),
        ("three-steps", "4月底前制定方案，5月至10月集中整治，11月组织验收", "period_end", D(2025, 11, 30), None),
        ("self-check-then-spot-check", "6月份完成自查，7月份接受抽查", "period_end", D(2025, 7, 31), None),
        ("two-month-ends-each", "于5月底和8月底分别报送", "period_end", D(2025, 8, 31), None),
        ("general-then-day", "年内完成的任务，须于11月15日前全部完成", "date", D(2025, 11, 15), None),
        ("two-stages", "6月底前完成排查，9月底前完成整改", "period_end", D(2025, 9, 30), None),
        ("general-then-day-wubi", "年底前完成的事项，务必于10月31日前完成", "date", D(2025, 10, 31), None),
        ("three-months-each", "4月、7月、10月分别报送季度进展", "period_end", D(2025, 10, 31), None),
        ("plan-then-works", "3月底前上报方案，6月底前全面完成整治", "period_end", D(2025, 6, 30), None),
        ("year-then-month-use", "2025年完成主体工程，2026年6月底前投入使用", "period_end", D(2026, 6, 30), None),
        ("annual-then-day", "本年度内完成的整改任务，须于12月20日前办结", "date", D(2025, 12, 20), None),
        ("halfwidth-two-stages", "4月15日前制定方案;7月31日前完成整改", "date", D(2025, 7, 31), None),
    ],
    "relative-year": [
        ("next-spring-festival", "明年春节前完成", "date", D(2026, 2, 16), None),
        ("next-spring-festival-jan", "明年春节前完成", "date", D(2026, 2, 16), D(2025, 1, 10)),
        ("next-flood", "明年汛期前全部完工", "period_end", D(2026, 5, 31), None),
        ("this-summer", "今年暑期完成改造", "period_end", D(2025, 8, 31), None),
        ("next-new-year-day", "明年元旦前", "date", D(2025, 12, 31), None),
        ("this-national-day", "今年国庆前完成验收", "date", D(2025, 9, 30), None),
        ("next-may-day", "明年五一前建成", "date", D(2026, 4, 30), None),
        ("this-flood", "今年汛期前", "period_end", D(2025, 5, 31), None),
        ("next-main-flood", "明年主汛期前", "period_end", D(2026, 6, 30), None),
        ("month-of-flood-season", "5月主汛期前", "period_end", D(2025, 5, 31), None),
    ],
    "recurring-from-now": [
        ("from-this-quarter", "本季度起按月调度", "recurring", "monthly", None),
        ("from-this-year-yearly", "从今年开始，每年开展一次", "recurring", "yearly", None),
        ("day-of-month-this-month", "每月25日前报送当月工作进展", "recurring", "monthly", None),
        ("from-this-month", "自本月起，每月报送进展", "recurring", "monthly", None),
        ("from-this-week", "从本周开始，每周调度一次", "recurring", "weekly", None),
        ("from-this-year", "自今年起，每季度开展一次督查", "recurring", "quarterly", None),
        ("from-today-day-of-month", "即日起，每月5日前报送上月整改进展", "recurring", "monthly", None),
        ("from-named-month", "自2025年4月起，按月报送整改台账", "recurring", "monthly", None),
        ("from-next-month", "从下月起，每半年开展一次评估", "recurring", "half-yearly", None),
        ("from-this-month-weekly", "本月起实行周报制度", "recurring", "weekly", None),
    ],
    "holiday": [
        ("two-holidays", "元旦春节前", "date", D(2026, 2, 16), None),
        ("qingming", "清明节前完成祭扫场所隐患排查", "date", D(2025, 4, 3), None),
        ("quoted-may-day", "“五一”前完成", "date", D(2025, 4, 30), None),
        ("quoted-shiyi", "“十一”前全部到位", "date", D(2025, 9, 30), None),
        ("national-day-jie", "国庆节前完成验收", "date", D(2025, 9, 30), None),
        ("quoted-spring-festival", "“春节”前", "date", D(2026, 2, 16), None),
        ("quoted-may-day-labour", "“五一”劳动节前完成", "date", D(2025, 4, 30), None),
        ("quoted-new-year-day", "“元旦”前完成清理", "date", D(2025, 12, 31), None),
        ("mid-autumn", "中秋前完成", "date", D(2025, 10, 5), None),
        ("quoted-shiyi-holiday", "“十一”假期前整改到位", "date", D(2025, 9, 30), None),
        ("halfwidth-quotes", '"国庆"前全部完成', "date", D(2025, 9, 30), None),
    ],
    "anchored-window": [
        ("from-month-two-months", "自5月起用两个月时间集中开展整治", "period_end", D(2025, 6, 30), None),
        ("from-day-two-months", "自5月8日起，用两个月时间", "period_end", D(2025, 7, 7), None),
        ("from-day-three-months", "从6月1日起，用3个月时间开展专项整治", "period_end", D(2025, 8, 31), None),
        ("from-date-thirty-days", "自2025年4月15日起，利用30天时间集中清理", "period_end", D(2025, 5, 14), None),
        ("from-day-about-a-month", "自7月1日开始，用一个月左右时间", "period_end", D(2025, 7, 31), None),
        ("from-month-three-months", "自6月起，用3个月时间", "period_end", D(2025, 8, 31), None),
        ("from-day-twenty-days", "从4月10日起，为期20天", "period_end", D(2025, 4, 29), None),
        ("from-day-two-weeks", "自9月1日起为期两周", "period_end", D(2025, 9, 14), None),
    ],
    "standing": [
        ("keep-consolidating", "持续巩固整改成果", "ongoing", None, None),
        ("dynamic", "实行动态管理", "ongoing", None, None),
        ("column-long-term", "整改时限：长期", "ongoing", None, None),
        ("first-moment", "发现问题第一时间整改", "immediate", REF, None),
        ("on-the-spot", "当即整改到位", "immediate", REF, None),
        ("check-and-fix", "坚持边查边改", "ongoing", None, None),
        ("timely-recheck", "适时组织复查", "ongoing", None, None),
        ("quoted-fix-now", "“立行立改”", "immediate", REF, None),
        ("fix-while-rectifying", "边整边改，确保整改实效", "ongoing", None, None),
        ("fix-any-time", "对发现的问题随时整改", "ongoing", None, None),
        ("never-slacken", "常抓不懈，防止问题反弹", "ongoing", None, None),
        ("quoted-fix-at-once", "按照“马上就改”的要求抓好落实", "immediate", REF, None),
        ("quoted-long-term", "“长期坚持”", "ongoing", None, None),
        ("timely-look-back", "适时开展“回头看”", "ongoing", None, None),
        ("quoted-pair", "坚持“即知即改、立行立改”", "immediate", REF, None),
    ],
}

# Clauses with a date or time words that set no deadline.
PRECISION: list[tuple[str, str]] = [
    ("as-of-month-end", "截至5月底，已整改问题32个"),
    ("as-of-day", "截至2025年2月28日，累计排查隐患1200余处"),
    ("as-of-now", "截止目前，已完成整改23项"),
    ("meeting-held", "3月12日召开了专题推进会"),
    ("training-held", "4月18日成功举办业务培训班"),
    ("done-already", "已于2月底完成自查自纠"),
    ("since-month", "2月以来，累计排查隐患560处"),
    ("stats-range-ratio", "1—2月，全市空气优良天数比例为82.5%"),
    ("stats-range-count", "1-2月份全区共受理投诉举报316件"),
    ("plan-shape", "分三个阶段推进"),
    ("backwards-schedule", "倒排工期、挂图作战"),
    ("by-time-nodes", "严格按照时间节点推进整改"),
    ("arrange-time", "合理安排时间，确保工作不拖延"),
    ("takes-effect", "自2025年6月1日起施行"),
    ("month-start", "6月起实施"),
    ("past-year-count", "2024年全区共查处违法案件126起"),
    ("past-month-meeting", "2024年12月，区政府召开了整改工作推进会"),
    ("past-year-output", "2024年全年完成造林1.2万亩"),
    ("issued-plan", "于2月17日印发了实施方案"),
    ("notice-title", "按照《关于2025年度整改工作的通知》要求"),
    ("inspection-arrived", "2025年2月，市委巡察组进驻开展巡察"),
    ("time-awareness", "会议要求各单位强化时间观念"),
    ("time-limit-named", "每一项整改措施都明确了责任人和完成时限"),
    ("three-stages-named", "整改工作分为动员部署、集中整改、巩固提升三个阶段"),
    ("half-stats", "上半年，全市地区生产总值同比增长5.2%"),
    ("quarter-stats", "第一季度共受理举报线索45条"),
    ("around-a-day", "3月15日前后，组织人员进行了检查"),
    ("inspected-on-day", "5月20日，区长带队检查了整改情况"),
    ("since-fen", "4月份以来已整改到位问题17个"),
    ("since-year-money", "2023年以来，累计投入资金1.5亿元"),
    ("compared-with-year", "比2023年下降15%"),
    ("range-stats-period", "10月8日-20日期间共检查企业56家"),
    ("range-invested", "1至4月，累计完成投资3.2亿元"),
    ("plan-years-bracket", "制定全区三年行动计划（2025—2027年）"),
    ("held-on-day", "6月5日，我局成功举办全民安全知识竞赛"),
    ("done-this-january", "已于今年1月完成验收"),
    ("whole-year-count", "全年共开展执法检查230次"),
    ("chaired-meeting", "2月14日，市委书记主持召开了常委会会议"),
    ("quoted-plan-name", "落实“十四五”规划要求"),
    ("as-of-day-done", "截至3月15日，已完成整改问题17个"),
    ("meeting-no-le", "3月10日，召开整改工作专题会议"),
    ("done-month-past", "2024年12月已全部完成"),
    ("share-done", "目前已完成总工程量的60%"),
    ("since-this-year", "今年以来，共开展联合执法行动26次"),
    ("past-month-gone", "2月，区纪委监委开展专项督查"),
    ("last-year-feedback", "去年11月，省委巡视组反馈问题"),
    ("past-window", "2024年9月至12月，省委第三巡视组对我市进行了巡视"),
    ("whole-year-plan", "按照全年工作安排推进"),
    ("started-works", "该项目于2024年10月开工建设"),
    ("issued-past-month", "2024年3月，我市出台了实施方案"),
    ("time-pressure", "时间紧、任务重"),
    ("time-window-talk", "抢抓时间窗口"),
    ("past-assessment", "2023年度考核结果为优秀"),
    ("stats-growth", "1-2月份，全区规上工业增加值增长6%"),
    ("gone-window-visit", "3月5日至7日，市领导带队开展调研"),
    ("around-holiday", "“十一”前后组织开展节前安全检查"),
]


def _rows() -> list[object]:
    return [
        pytest.param(text, kind, expect, ref or REF, id=f"{cls}:{rid}")
        for cls, rows in RECALL.items()
        for rid, text, kind, expect, ref in rows
    ]


@pytest.mark.parametrize("text,kind,expect,ref", _rows())
def test_clause_reads_as_the_conventions_say(text: str, kind: str, expect: object, ref: dt.date) -> None:
    d = parse_deadline(text, ref)
    got = d.recur if kind == "recurring" else d.due
    assert (d.kind, got) == (kind, expect), d


@pytest.mark.parametrize("text", [t for _, t in PRECISION], ids=[i for i, _ in PRECISION])
def test_clause_without_a_deadline_reads_none(text: str) -> None:
    d = parse_deadline(text, REF)
    assert d.kind == "none", d
