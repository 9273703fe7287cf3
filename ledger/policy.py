"""Reminder policy: when units hear about their measures, from config.toml `[schedule]`."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ledger.errors import DubanError

PROGRESS_EVERY = ("monthly", "weekly", "biweekly", "")
WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}


class ConfigError(DubanError):
    """A config value Duban cannot use; the message names the key."""


@dataclass(frozen=True)
class Policy:
    """Reminder timing.

    lead_days, yellow_days: calendar days before the due date.
    overdue_every_days, escalate_after_days: working days after it.
    working_hours: scheduled messages (reminders, catch-ups, progress requests, digests) go out
    only between these times on a working day; replies to what a person just did are never held.
    bundle_above: a chat owed more reminders than this in one sweep gets one bundled message.
    progress_every, progress_day: undated open measures are chased by a progress request each
    period ("monthly", "weekly", "biweekly"; "" off) on the period's Nth working day.
    unit_digest: with the weekly digest, each bound unit gets its own open items.
    """

    timezone: str = "Asia/Shanghai"
    send_at: dt.time = dt.time(9, 0)
    workdays_only: bool = True
    lead_days: tuple[int, ...] = (20, 10, 3, 1, 0)
    yellow_days: int = 10
    overdue_every_days: int = 3
    escalate_after_days: int = 5
    digest_weekday: int = 4
    digest_at: dt.time = dt.time(16, 0)
    working_hours: tuple[dt.time, dt.time] = (dt.time(8, 30), dt.time(18, 0))
    bundle_above: int = 3
    progress_every: str = "monthly"
    progress_day: int = 1
    unit_digest: bool = False

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @classmethod
    def from_config(cls, d: dict[str, Any]) -> Policy:
        """Validate `[schedule]`; every bad value gets a message naming its key."""
        known = {
            "timezone",
            "send_at",
            "workdays_only",
            "lead_days",
            "yellow_days",
            "overdue_every_days",
            "escalate_after_days",
            "digest",
            "working_hours",
            "bundle_above",
            "progress_every",
            "progress_day",
            "unit_digest",
        }
        unknown = set(d) - known
        if unknown:
            raise ConfigError(f"[schedule] 有未知的配置项：{', '.join(sorted(unknown))}。Unknown keys.")
        kw: dict[str, Any] = {}
        if "timezone" in d:
            try:
                ZoneInfo(str(d["timezone"]))
            except (ZoneInfoNotFoundError, ValueError):
                raise ConfigError(
                    f'[schedule] timezone = {d["timezone"]!r} 不是有效时区（如 "Asia/Shanghai"）。'
                ) from None
            kw["timezone"] = str(d["timezone"])
        if "send_at" in d:
            kw["send_at"] = _time(d["send_at"], "send_at")
        if "workdays_only" in d:
            if not isinstance(d["workdays_only"], bool):
                raise ConfigError("[schedule] workdays_only 应为 true 或 false。")
            kw["workdays_only"] = d["workdays_only"]
        if "lead_days" in d:
            v = d["lead_days"]
            if not isinstance(v, list) or not all(isinstance(x, int) and 0 <= x <= 366 for x in v):
                raise ConfigError("[schedule] lead_days 应为 0–366 的整数列表，如 [20, 10, 3, 1, 0]。")
            kw["lead_days"] = tuple(sorted(set(v), reverse=True))
        for key in ("yellow_days", "overdue_every_days", "escalate_after_days"):
            if key in d:
                v = d[key]
                low = 0 if key == "yellow_days" else 1
                if not isinstance(v, int) or isinstance(v, bool) or not low <= v <= 366:
                    raise ConfigError(f"[schedule] {key} 应为 {low}–366 的整数。")
                kw[key] = v
        if "digest" in d:
            m = re.fullmatch(r"\s*(mon|tue|wed|thu|fri|sat|sun)\s+(\d{1,2}:\d{2})\s*", str(d["digest"]).lower())
            if not m:
                raise ConfigError(f'[schedule] digest = {d["digest"]!r} 应形如 "fri 16:00"。')
            kw["digest_weekday"] = WEEKDAYS[m[1]]
            kw["digest_at"] = _time(m[2], "digest")
        for key, low, high in (("bundle_above", 0, 1000), ("progress_day", 1, 5)):
            if key in d:
                v = d[key]
                if not isinstance(v, int) or isinstance(v, bool) or not low <= v <= high:
                    raise ConfigError(f"[schedule] {key} 应为 {low}–{high} 的整数。")
                kw[key] = v
        if "progress_every" in d:
            if d["progress_every"] not in PROGRESS_EVERY:
                raise ConfigError('[schedule] progress_every 应为 "monthly"、"weekly"、"biweekly" 或 ""（关闭）。')
            kw["progress_every"] = d["progress_every"]
        if "unit_digest" in d:
            if not isinstance(d["unit_digest"], bool):
                raise ConfigError("[schedule] unit_digest 应为 true 或 false。")
            kw["unit_digest"] = d["unit_digest"]
        if "working_hours" in d:
            kw["working_hours"] = _hours(d["working_hours"])
        policy = cls(**kw)
        start, end = policy.working_hours
        for key, at in (("send_at", policy.send_at), ("digest", policy.digest_at)):
            if not start <= at < end:
                raise ConfigError(
                    f"[schedule] {key} 应在工作时间（working_hours = {start:%H:%M}-{end:%H:%M}）之内。"
                    f" {key} must fall inside working_hours."
                )
        return policy


def _time(v: Any, key: str) -> dt.time:
    m = re.fullmatch(r"(\d{1,2}):(\d{2})", str(v).strip())
    if not m or int(m[1]) > 23 or int(m[2]) > 59:
        raise ConfigError(f'[schedule] {key} = {v!r} 应为 24 小时制时间，如 "09:00"。')
    return dt.time(int(m[1]), int(m[2]))


def _hours(v: Any) -> tuple[dt.time, dt.time]:
    m = re.fullmatch(r"\s*(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})\s*", str(v))
    if not m:
        raise ConfigError(f'[schedule] working_hours = {v!r} 应形如 "08:30-18:00"。')
    start = _time(m[1], "working_hours")
    end = dt.time.max if m[2] == "24:00" else _time(m[2], "working_hours")  # "00:00-24:00": all day
    if start >= end:
        raise ConfigError(f"[schedule] working_hours = {v!r}：开始应早于结束。Start must be before end.")
    return start, end
