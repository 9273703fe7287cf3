"""HTTP for the robot channels: one aiohttp session, JSON in and out, timeouts as retryable.

aiohttp is imported when the first robot message is posted, not with this module: the bot builds an
`Http` at every start, and most offices bind no robot (the import cost 0.25 s of each launch)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from channels.base import Outcome, Reply

if TYPE_CHECKING:
    import aiohttp


class Http:
    """POSTs JSON; the caller classifies the vendor's answer. Never logs the URL (it is a secret)."""

    def __init__(self, timeout: float = 10.0) -> None:
        self._timeout = timeout
        self._session: aiohttp.ClientSession | None = None

    async def post(self, url: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]] | Reply:
        import aiohttp

        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self._timeout))
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
