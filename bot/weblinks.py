"""`/web`: an admin's link to the board (in a private chat only); `/web revoke`: old links stop working."""

from __future__ import annotations

from bot.turn import Turn, handler
from ledger import actions, webtokens


@handler
async def web(turn: Turn) -> None:
    s = turn.s
    if turn.args.strip().lower() in ("revoke", "撤销"):
        holder = turn.actor.user_id if turn.private else turn.chat_id
        if not turn.private and not (turn.actor.is_admin or actions.units_of(s.repo, turn.actor)):
            actions.require_admin(turn.actor)
        webtokens.revoke(s.repo, holder)
        await turn.reply(turn.t("web_revoked"))
        return
    actions.require_admin(turn.actor)
    if s.web is None or not s.web.base_url:
        await turn.reply(turn.t("web_off"))
        return
    if not turn.private:  # a board link in a group would open the board to everyone in it
        await turn.reply(turn.t("web_private_only"))
        return
    url = s.web.board_url(s.repo, turn.actor.user_id, turn.now)
    await turn.reply(turn.t("web_link", url=url, days=s.web.token_days))
