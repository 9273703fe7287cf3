"""Run the real Application against the local Bot API emulator (tests and `make demo`)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable

from bot.app import App, build_application, post_init
from bot.outbox import Outbox
from bot.services import Services
from devtools.emulator import Emulator


@contextlib.asynccontextmanager
async def serve_on_emulator(
    services: Services,
    emu: Emulator,
    sleep: Callable[[float], Awaitable[None]],
    monotonic: Callable[[], float],
    *,
    job_queue: bool = True,
) -> AsyncIterator[App]:
    """The real Application polling the emulator, its outbox on the given (virtual) clock."""
    await emu.start()
    app = build_application(services, emu.token, emu.base_url, emu.base_file_url, job_queue=job_queue)
    virtual = sleep is not asyncio.sleep  # on a virtual clock the network takes no time
    services.outbox = Outbox(app.bot, clock=monotonic, sleep=sleep, settle_in_flight=virtual)
    await app.initialize()
    await post_init(app)
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0.0, timeout=1)
    try:
        yield app
    finally:
        await emu.release_polls()
        await app.updater.stop()
        await app.stop()  # handlers still running finish, their replies through the outbox
        await services.outbox.close()
        await app.shutdown()
        await emu.stop()
