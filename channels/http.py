"""HTTP for the robot channels: one aiohttp session, JSON in and out, timeouts as retryable."""

from __future__ import annotations

import json
from typing import Any

import aiohttp

from channels.base import Outcome, Reply


class Http:
    """POSTs JSON; the caller classifies the vendor's answer. Never logs the URL (it is a secret)."""

    def __init__(self, timeout: float = 10.0) -> None:
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    async def post(self, url: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]] | Reply:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json; charset=utf-8"}
        try:
            async with self._session.post(url, data=data, headers=headers) as resp:
                text = await resp.text()
                status = resp.status
        except (TimeoutError, aiohttp.ClientError) as e:
            return Reply(Outcome.RETRY, type(e).__name__)
        if status == 429 or status >= 500:
            return Reply(Outcome.RETRY, f"HTTP {status}")
        try:
            parsed = json.loads(text) if text else {}
        except ValueError:
            return Reply(Outcome.FAILED, f"HTTP {status}, not JSON")
        return status, parsed if isinstance(parsed, dict) else {}

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
