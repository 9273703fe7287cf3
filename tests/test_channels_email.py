"""E-mail over STARTTLS against a local SMTP server with a throwaway CA (trustme): the sender upgrades
before it says anything that matters, verifies the certificate, and never sends the password in clear."""

from __future__ import annotations

import base64
import email
import email.policy
import ssl

import pytest
import trustme

from channels.base import Note, Outcome
from channels.email import Email, SmtpSettings
from devtools.robots import FakeSmtp
from ledger.hooks import Hook
from tests.test_channels import VirtualTime

PASSWORD = "s3cret-smtp-password"
HOOK = Hook(1, "区教育局", "email", "mailto:edu@example.org")
NOTE = Note(
    "⏰ 临期提醒 · P1-1", ("**完成时限** 2024-08-30", "请按时完成。"), "https://duban.example.org/m/t", "打开措施页"
)


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


def server_tls(ca: trustme.CA) -> ssl.SSLContext:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(ctx)
    return ctx


def sender(port: int, cafile: str, *, starttls: bool = True) -> tuple[Email, VirtualTime]:
    vt = VirtualTime()
    smtp = SmtpSettings(
        "127.0.0.1", port, "duban", PASSWORD, "duban@example.org", starttls=starttls, per_minute=30, cafile=cafile
    )
    return Email(smtp, vt.clock, vt.sleep), vt


def never_in_clear(server: FakeSmtp) -> None:
    heard = "\n".join(server.in_clear)
    plain_auth = base64.b64encode(f"\0duban\0{PASSWORD}".encode()).decode()
    assert (
        PASSWORD not in heard
        and plain_auth not in heard
        and not any(v.upper().startswith("AUTH") for v in server.in_clear)
    )


async def test_the_sender_upgrades_with_starttls_verifies_the_certificate_and_logs_in(ca, tmp_path) -> None:  # type: ignore[no-untyped-def]
    server = FakeSmtp(tls=server_tls(ca), users={"duban": PASSWORD})
    await server.start()
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    try:
        mail, _ = sender(server.port, str(tmp_path / "ca.pem"))
        reply = await mail.send(HOOK, NOTE)
        assert reply.outcome is Outcome.OK, reply.detail
        assert server.logins == [("duban", True)]  # logged in, on the encrypted connection
        assert [v.split()[0].upper() for v in server.in_clear] == ["EHLO", "STARTTLS"]  # nothing else in clear
        never_in_clear(server)
        rcpt, raw = server.messages[0]
        body = email.message_from_bytes(raw, policy=email.policy.default)
        assert rcpt == "edu@example.org" and body["Subject"] == NOTE.title
        text = body.get_body().get_content()  # type: ignore[union-attr]
        assert "完成时限 2024-08-30" in text and "打开措施页：https://duban.example.org/m/t" in text
    finally:
        await server.stop()


async def test_a_server_without_starttls_is_refused_before_the_password(ca, tmp_path) -> None:  # type: ignore[no-untyped-def]
    server = FakeSmtp(tls=None, users={"duban": PASSWORD})  # would take AUTH PLAIN in clear
    await server.start()
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    try:
        mail, vt = sender(server.port, str(tmp_path / "ca.pem"))
        reply = await mail.send(HOOK, NOTE)
        assert reply.outcome is Outcome.FAILED and "STARTTLS" in reply.detail and "refusing" in reply.detail
        assert vt.t == 0.0  # not retried: waiting will not make the server offer it
        assert server.logins == [] and server.messages == []
        never_in_clear(server)
        assert PASSWORD not in reply.detail
    finally:
        await server.stop()


async def test_a_certificate_from_another_ca_is_refused(ca, tmp_path) -> None:  # type: ignore[no-untyped-def]
    server = FakeSmtp(tls=server_tls(ca), users={"duban": PASSWORD})
    await server.start()
    trustme.CA().cert_pem.write_to_path(str(tmp_path / "other.pem"))  # not the CA that signed the server
    try:
        mail, vt = sender(server.port, str(tmp_path / "other.pem"))
        reply = await mail.send(HOOK, NOTE)
        assert reply.outcome is Outcome.FAILED and "certificate not trusted" in reply.detail and vt.t == 0.0
        assert server.logins == [] and server.messages == []
        never_in_clear(server)
    finally:
        await server.stop()


def test_the_tls_context_verifies_certificates_and_host_names(tmp_path) -> None:  # type: ignore[no-untyped-def]
    ctx = SmtpSettings("smtp.example.org").tls()
    assert ctx.verify_mode is ssl.CERT_REQUIRED and ctx.check_hostname
