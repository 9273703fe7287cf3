"""Signed links and uploaded files, without a server: what a token carries and what a file is."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest

from ledger.filetypes import safe_display_name, sniff
from ledger.webtokens import BadToken, check, csrf_ok, csrf_value, mint, office_secret, revoke
from store import Repository

S = b"secret"
NOW = dt.datetime(2024, 8, 21, 9, 0, tzinfo=dt.UTC)


def test_a_token_carries_its_holder_measure_and_expiry() -> None:
    token = mint(S, "m", -100123, "k1z", 0, NOW + dt.timedelta(days=30))
    g = check(S, token, NOW, generation=0)
    assert (g.kind, g.holder, g.key) == ("m", -100123, "k1z")


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        (mint(b"other", "m", 1, "k1", 0, NOW + dt.timedelta(days=1)), "signature"),
        (mint(S, "m", 1, "k1", 0, NOW), "expired"),
        (mint(S, "m", 1, "k1", 1, NOW + dt.timedelta(days=1)), "revoked"),
        ("nodot", "malformed"),
        ("a.b.c", "malformed"),
    ],
)
def test_bad_tokens_say_why(token: str, reason: str) -> None:
    with pytest.raises(BadToken) as e:
        check(S, token, NOW, generation=0)
    assert e.value.reason == reason


def test_every_changed_character_breaks_the_signature() -> None:
    token = mint(S, "b", 9001, "", 0, NOW + dt.timedelta(days=1))
    for i in range(len(token)):
        if token[i] == ".":
            continue
        forged = token[:i] + ("A" if token[i] != "A" else "B") + token[i + 1 :]
        with pytest.raises(BadToken):
            check(S, forged, NOW, generation=0)


def test_revoking_and_the_kept_secret() -> None:
    repo = Repository.memory()
    token = mint(S, "m", 5, "k1", 0, NOW + dt.timedelta(days=1))
    check(S, token, NOW, prefs=repo)
    assert revoke(repo, 5) == 1
    with pytest.raises(BadToken):
        check(S, token, NOW, prefs=repo)
    kept = office_secret(repo)
    assert kept == office_secret(repo) and len(kept) >= 32  # generated once, then read back
    assert office_secret(repo, "from-env") == b"from-env"


def test_csrf_values_belong_to_one_page() -> None:
    a, b = mint(S, "m", 1, "k1", 0, NOW), mint(S, "m", 1, "k2", 0, NOW)
    assert csrf_ok(S, a, csrf_value(S, a)) and not csrf_ok(S, a, csrf_value(S, b)) and not csrf_ok(S, a, "")


def _zip(*names: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for n in names:
            z.writestr(n, "x")
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "name", "ext"),
    [
        (b"\xff\xd8\xff\xe0....", "x.png", ".jpg"),  # the content decides, not the name
        (b"\x89PNG\r\n\x1a\n....", "photo", ".png"),
        (b"%PDF-1.7\n", "验收单.pdf", ".pdf"),
        (_zip("[Content_Types].xml", "word/document.xml"), "a.docx", ".docx"),
        (_zip("[Content_Types].xml", "xl/workbook.xml"), "a.xlsx", ".xlsx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1....", "旧表.xls", ".xls"),
        (_zip("evil.sh"), "a.docx", None),
        (b"<html><script>", "scan.pdf", None),
        (b"MZ\x90\x00", "a.pdf", None),
    ],
)
def test_sniff(data: bytes, name: str, ext: str | None) -> None:
    assert sniff(data, name) == ext


def test_display_names_lose_folders_and_controls() -> None:
    assert safe_display_name("../../etc/passwd") == "passwd"
    assert safe_display_name("C:\\temp\\验收单\x00.pdf") == "验收单.pdf"
    assert safe_display_name("") == "file"
