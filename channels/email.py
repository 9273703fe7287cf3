"""E-mail over SMTP (STARTTLS), for units with no group at all: the standard library's smtplib.

smtplib blocks, so each message is sent in a worker thread (it touches no store). A 4xx reply or a
dropped connection is retried with backoff; a 5xx refusal of the recipient (550 mailbox
unavailable) is final, like a robot removed.

With `starttls` (the default) the connection is upgraded before anything else is said, and the
server's certificate is verified (the system's CAs, or `[email] cafile` for an office's own CA) and
must name `host`. A server that does not offer STARTTLS, or whose certificate does not verify, is
refused without retrying: the password is never sent in clear, and waiting will not fix either.
"""

from __future__ import annotations

import asyncio
import smtplib
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage

from channels.base import Note, Outcome, Pacer, Reply, Sleep, with_retries
from ledger.hooks import Hook


@dataclass(frozen=True)
class SmtpSettings:
    """`[email]`: the server, the sender, and the password (from DUBAN_SMTP_PASSWORD)."""

    host: str = ""
    port: int = 587
    username: str = ""
    password: str = ""
    sender: str = ""
    starttls: bool = True
    per_minute: int = 30
    timeout: float = 20.0
    cafile: str = ""  # a CA bundle to verify the server with instead of the system's

    def tls(self) -> ssl.SSLContext:
        """Certificate and host name verified (create_default_context: CERT_REQUIRED, check_hostname)."""
        return ssl.create_default_context(cafile=self.cafile or None)


class Email:
    kind = "email"

    def __init__(
        self, smtp: SmtpSettings, clock: Callable[[], float] = time.monotonic, sleep: Sleep | None = None
    ) -> None:
        self.smtp, self.sleep = smtp, sleep or asyncio.sleep
        self.pacer = Pacer(((smtp.per_minute, 60.0),), clock, self.sleep)

    def message(self, hook: Hook, note: Note) -> EmailMessage:
        msg = EmailMessage()
        msg["Subject"] = note.title
        msg["From"] = self.smtp.sender
        msg["To"] = hook.url.removeprefix("mailto:")
        body = [line.replace("**", "") for line in note.lines]
        if note.link:
            body += ["", f"{note.link_label}：{note.link}"]
        msg.set_content("\n".join(body))
        return msg

    def _send_blocking(self, msg: EmailMessage) -> Reply:
        s = self.smtp
        try:
            with smtplib.SMTP(s.host, s.port, timeout=s.timeout) as conn:
                if s.starttls:
                    conn.starttls(context=s.tls())
                if s.username:
                    conn.login(s.username, s.password)
                conn.send_message(msg)
        except smtplib.SMTPNotSupportedError as e:  # no STARTTLS offered (or no AUTH): nothing was sent
            return Reply(Outcome.FAILED, f"SMTP server {s.host}: {e}; refusing to go on without it")
        except ssl.SSLCertVerificationError as e:
            return Reply(Outcome.FAILED, f"SMTP server {s.host}: certificate not trusted ({e.verify_message})")
        except smtplib.SMTPRecipientsRefused as e:
            codes = [code for code, _ in e.recipients.values()]
            return Reply(Outcome.GONE if all(c >= 500 for c in codes) else Outcome.RETRY, f"SMTP {codes}")
        except smtplib.SMTPResponseException as e:
            return Reply(Outcome.RETRY if 400 <= e.smtp_code < 500 else Outcome.FAILED, f"SMTP {e.smtp_code}")
        except (OSError, smtplib.SMTPException) as e:
            return Reply(Outcome.RETRY, type(e).__name__)
        return Reply(Outcome.OK)

    async def send(self, hook: Hook, note: Note) -> Reply:
        msg = self.message(hook, note)

        async def attempt() -> Reply:
            await self.pacer.wait(hook.recipient)
            return await asyncio.to_thread(self._send_blocking, msg)

        return await with_retries(attempt, self.sleep)
