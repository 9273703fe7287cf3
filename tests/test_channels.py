"""Units reached through WeCom, DingTalk and Feishu robots and e-mail, against local fakes, in virtual time."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter

import pytest

from bot import sweeping
from bot.services import Services, Settings
from channels.email import Email, SmtpSettings
from channels.http import Http
from channels.robots import DingTalk, Feishu, WeCom
from channels.seam import Channels
from devtools.robots import FakeRobots, FakeSmtp, serve
from ledger.hooks import OFFICE, mask
from ledger.planner import plan
from ledger.policy import Policy
from tests.harness import TZ

AT = dt.datetime(2024, 8, 21, 9, 0, tzinfo=TZ)  # a Wednesday, the shipped ledger has late items


class VirtualTime:
    def __init__(self) -> None:
        self.t = 0.0

    def clock(self) -> float:
        return self.t

    def wall(self) -> float:
        return AT.timestamp() + self.t

    async def sleep(self, seconds: float) -> None:
        self.t += max(seconds, 0.0)
        await asyncio.sleep(0)


@pytest.fixture
async def world(seeded):  # type: ignore[no-untyped-def]
    vt = VirtualTime()
    fake = FakeRobots(vt.clock, vt.wall)
    runner = await serve(fake)
    smtp = FakeSmtp()
    await smtp.start()
    http = Http()
    senders = {
        "wecom": WeCom(http, vt.clock, vt.sleep, vt.wall),
        "dingtalk": DingTalk(http, vt.clock, vt.sleep, vt.wall),
        "feishu": Feishu(http, vt.clock, vt.sleep, vt.wall),
        "email": Email(
            SmtpSettings("127.0.0.1", smtp.port, sender="duban@example.org", starttls=False), vt.clock, vt.sleep
        ),
    }
    policy = Policy.from_config({})
    chans = Channels(seeded, senders, "zh", telegram=False)
    s = Services(seeded, policy, Settings(admins=frozenset({1})), clock=lambda: AT, channels=chans)
    yield s, fake, smtp, vt
    await http.close()
    await smtp.stop()
    await runner.cleanup()


def units_by_load(s: Services) -> list[tuple[str, int]]:
    """Units with reminders owed at AT, most first (as if every unit had a chat)."""
    units = {m.unit for m in s.repo.measures()}
    d = sweeping.sweep_directory(s)
    d = type(d)(unit_chats={u: (f"x:{u}",) for u in units})
    rs = plan(s.repo.measures(), frozenset(), AT, s.policy, d, s.repo.report().date)
    return Counter(r.unit for r in rs).most_common()


def bind(s: Services, fake: FakeRobots, kind: str, unit: str, token: str, secret: str = "") -> None:
    fake.robots[(kind, token)] = secret
    s.repo.put_hook(unit, kind, fake.url(kind, token), secret, "config")


@pytest.mark.parametrize("kind,secret", [("wecom", ""), ("dingtalk", "SECabc123"), ("feishu", "fs-secret")])
async def test_a_unit_with_a_robot_gets_its_reminders_once_in_the_robots_format(world, kind, secret) -> None:  # type: ignore[no-untyped-def]
    s, fake, _, _ = world
    busy, few = units_by_load(s)[0], next(u for u in units_by_load(s) if u[1] <= s.policy.bundle_above)
    bind(s, fake, kind, busy[0], "t-busy", secret)
    bind(s, fake, kind, few[0], "t-few", secret)
    await sweeping.sweep(s)
    got_busy, got_few = fake.inbox[(kind, "t-busy")], fake.inbox[(kind, "t-few")]
    assert fake.refused == []  # every signature verified, every message within its format and limit
    pages = -(-busy[1] // 12)
    assert len(got_busy) == pages  # more than bundle_above: one bundle (a message per page)
    assert len(got_few) == few[1]  # at or below: one message per measure
    body = got_few[0]
    if kind == "wecom":
        assert body["msgtype"] == "markdown" and "**" in body["markdown"]["content"]
    elif kind == "dingtalk":
        assert body["msgtype"] == "markdown"  # no web page: no link button
    else:
        assert body["msg_type"] == "interactive" and body["card"]["header"]["title"]["content"]
    assert "单向通知" in str(body)
    await sweeping.sweep(s)  # the same moment again: nothing new
    assert len(fake.inbox[(kind, "t-busy")]) == pages and len(fake.inbox[(kind, "t-few")]) == few[1]


async def test_links_to_the_measure_page_become_a_button_when_the_web_page_exists(world) -> None:  # type: ignore[no-untyped-def]
    s, fake, _, _ = world
    assert s.channels is not None
    s.channels.link = lambda _hook, mid: f"https://duban.example.org/m/{mid}"
    unit = next(u for u, n in units_by_load(s) if n <= s.policy.bundle_above)
    bind(s, fake, "dingtalk", unit, "d1", "SECx")
    bind(s, fake, "feishu", unit, "f1")
    await sweeping.sweep(s)
    card = fake.inbox[("dingtalk", "d1")][0]["actionCard"]
    assert card["singleURL"].startswith("https://duban.example.org/m/") and card["singleTitle"]
    button = fake.inbox[("feishu", "f1")][0]["card"]["elements"][-1]["actions"][0]
    assert button["url"].startswith("https://duban.example.org/m/")


async def test_a_robot_paces_itself_to_20_a_minute(world) -> None:  # type: ignore[no-untyped-def]
    s, fake, _, vt = world
    sender = s.channels.senders["wecom"]  # type: ignore[union-attr]
    bind(s, fake, "wecom", "区教育局", "pace")
    from channels.base import Note

    hook = next(h for h in s.repo.hooks() if h.url.endswith("pace"))
    for i in range(45):
        assert (await sender.send(hook, Note(f"n{i}", ("x",)))).outcome.value == "ok"
    assert fake.refused == [] and len(fake.inbox[("wecom", "pace")]) == 45
    assert 120.0 <= vt.t < 125.0  # 45 messages at 20 a minute: two full windows waited


async def test_a_removed_robot_is_marked_inactive_and_the_office_told_once(world) -> None:  # type: ignore[no-untyped-def]
    s, fake, _, _ = world
    unit = units_by_load(s)[0][0]
    bind(s, fake, "wecom", unit, "gone")
    bind(s, fake, "feishu", OFFICE, "office")
    fake.removed.add(("wecom", "gone"))
    await sweeping.sweep(s)
    await sweeping.sweep(s)
    assert [h.active for h in s.repo.hooks() if h.url.endswith("gone")] == [False]
    assert fake.refused.count(("wecom", 93000)) == 1  # not retried, not tried again next sweep
    told = [b for b in fake.inbox[("feishu", "office")] if "已失效" in str(b)]
    assert len(told) == 1 and "key=go…ne" not in str(told) and "gone" not in str(told).replace("已失效", "")
    assert mask(fake.url("wecom", "abcdefgh")).endswith("key=ab…gh")


async def test_5xx_and_timeouts_are_retried_with_backoff(world) -> None:  # type: ignore[no-untyped-def]
    s, fake, _, vt = world
    unit = next(u for u, n in units_by_load(s) if n == 1)
    bind(s, fake, "wecom", unit, "flaky")
    fake.fail_next = [502, 503]
    await sweeping.sweep(s)
    assert len(fake.inbox[("wecom", "flaky")]) == 1 and vt.t >= 3.0  # waited 1 s, then 2 s


async def test_a_restart_mid_sweep_duplicates_nothing_on_any_channel(world) -> None:  # type: ignore[no-untyped-def]
    s, fake, smtp, _ = world
    loads = dict(units_by_load(s))
    units = list(loads)
    pairs = [(kind, units[i % len(units)]) for i, kind in enumerate(("wecom", "dingtalk", "feishu", "email"))]
    for kind, unit in pairs[:3]:
        bind(s, fake, kind, unit, f"r-{kind}", "SECr" if kind != "wecom" else "")
    s.repo.put_hook(pairs[3][1], "email", "mailto:unit4@example.org", "", "config")
    real = s.channels.senders  # type: ignore[union-attr]
    calls = 0

    class Killed(BaseException):  # the process dies (not KeyboardInterrupt: asyncio would stop the test run)
        pass

    class Crashing:
        def __init__(self, inner):  # type: ignore[no-untyped-def]
            self.inner, self.kind = inner, inner.kind

        async def send(self, hook, note):  # type: ignore[no-untyped-def]
            nonlocal calls
            calls += 1
            if calls > 3:
                raise Killed  # the process dies here
            return await self.inner.send(hook, note)

    s.channels.senders = {k: Crashing(v) for k, v in real.items()}  # type: ignore[union-attr]
    with pytest.raises(Killed):
        await sweeping.sweep(s)
    s.channels.senders = real  # type: ignore[union-attr]
    await sweeping.sweep(s)  # the restart's catch-up
    await sweeping.sweep(s)
    bodies = [str(b) for robot, got in fake.inbox.items() for b in got] + [m.decode() for _, m in smtp.messages]
    # nothing twice, but what was in flight on the other channels when the process died (one each at most)
    assert len(set(bodies)) > 3 and len(bodies) - len(set(bodies)) <= len(pairs) - 1
    owed = plan(s.repo.measures(), s.repo.sent_keys(), AT, s.policy, sweeping.sweep_directory(s), s.repo.report().date)
    assert [r for r in owed if r.recipients] == []  # and nothing lost
    assert smtp.messages and smtp.messages[0][0] == "unit4@example.org"


async def test_the_digest_reaches_the_offices_robot(world) -> None:  # type: ignore[no-untyped-def]
    s, fake, _, _ = world
    bind(s, fake, "wecom", OFFICE, "office")
    s.clock = lambda: dt.datetime(2024, 8, 23, 16, 0, tzinfo=TZ)
    assert await sweeping.digest(s) >= 1
    assert "markdown" in fake.inbox[("wecom", "office")][0]


async def test_a_dingtalk_robot_throttled_by_another_sender_gets_the_message_after_ten_minutes(world) -> None:  # type: ignore[no-untyped-def]
    s, fake, _, vt = world
    from channels.base import Note, Outcome, Pacer

    bind(s, fake, "dingtalk", "区教育局", "shared", "SECs")
    hook = next(h for h in s.repo.hooks() if h.url.endswith("shared"))
    other = s.channels.senders["dingtalk"]  # type: ignore[union-attr]
    other.pacer = Pacer(((1000, 60.0),), vt.clock, vt.sleep)  # another system posting to the same robot, unpaced
    other.retry_codes = {}  # (it gives up at once)
    for i in range(21):
        await other.send(hook, Note(f"alarm {i}", ("x",)))
    assert fake.refused == [("dingtalk", 130101)]  # the 21st in a minute: the robot is throttled for 10 minutes
    ours = type(other)(other.http, vt.clock, vt.sleep, vt.wall)
    start = vt.t
    assert (await ours.send(hook, Note("督办提醒", ("y",)))).outcome is Outcome.OK
    assert 600.0 <= vt.t - start < 700.0 and fake.refused.count(("dingtalk", 130101)) == 2


def test_one_robot_url_under_two_units_is_refused_naming_both_and_nothing_is_bound(repo) -> None:
    from channels.setup import sync_hooks
    from ledger.errors import DubanError

    url = "https://oapi.dingtalk.com/robot/send?access_token=abcdef123456secret"
    hooks = [
        {"unit": "区教育局", "kind": "dingtalk", "url": url},
        {"unit": "区卫健委", "kind": "dingtalk", "url": url},
    ]
    with pytest.raises(DubanError) as e:
        sync_hooks(repo, hooks)
    assert "区教育局" in str(e.value) and "区卫健委" in str(e.value)
    assert "abcdef123456secret" not in str(e.value) and mask(url) in str(e.value)
    assert repo.hooks() == []


def test_the_same_robot_listed_twice_for_one_unit_is_bound_once(repo) -> None:
    from channels.setup import sync_hooks

    url = "https://oapi.dingtalk.com/robot/send?access_token=abcdef123456secret"
    assert sync_hooks(repo, [{"unit": "区教育局", "url": url}, {"unit": "区教育局", "url": url}]) == 1
    assert [(h.unit, h.url) for h in repo.hooks()] == [("区教育局", url)]
