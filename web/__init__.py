"""The web app in the bot's process: the board and a page behind every reminder (aiohttp.web, Jinja2).

A layer beside `bot/`: it imports ledger, store and bot (every change goes through `ledger.actions`,
every message through `bot.delivery`); nothing below imports it. It runs on the bot's asyncio loop.
"""
