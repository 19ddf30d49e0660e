"""A malformed-mail corpus, built byte by byte in code (deterministic, nothing large kept in git).

Each mail says what mail-ingest must make of it: ``requested`` (a new ticket), ``replied`` (a reply on
a ticket), ``quarantined`` (held for an admin, with a reason) or ``duplicate`` (a second copy of a
Message-ID already handled: its twin opened the ticket). ``reason`` is the quarantine reason's prefix.
Every mail carries ``token`` in its body (where the body is readable) so tests can tell its traffic apart.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

INJECTED = "Bcc"  # the header every injection attempt tries to add downstream
_B64_INJECTION = base64.b64encode(b"ok\r\nBcc: evil@x\r\n").decode()


@dataclass(frozen=True)
class CorpusMail:
    """One hostile mail: its bytes and what it must become."""

    name: str
    raw: bytes
    expected: str
    reason: str | None = None  # for quarantined mail: how the recorded reason starts


def _crlf(text: str) -> bytes:
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8", "surrogateescape")


def _head(token: str, name: str, *, sender: str | None = None, extra: str = "") -> str:
    """Ordinary headers; each mail has its own sender, so the per-sender cap never decides."""
    return (
        f"From: {sender if sender is not None else f'{name} <{name}-{token}@example.com>'}\n"
        "To: suporte@atende.local\n"
        f"Subject: {name} {token}\n"
        f"Message-ID: <{name}-{token}@example.com>\n"
        "Date: Sun, 22 Nov 2026 10:00:00 -0300\n"
        f"{extra}"
    )


def _plain(token: str, name: str, body: str = "", **kw: str) -> bytes:
    head = _head(token, name, **kw)
    mime = "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n"
    return _crlf(f"{head}{mime}\n{body or 'Preciso de ajuda.'} {token}\n")


def _noise(seed: str, size: int) -> bytes:
    """``size`` deterministic pseudo-random bytes."""
    out = bytearray()
    block = seed.encode()
    while len(out) < size:
        block = hashlib.sha256(block).digest()
        out += block
    return bytes(out[:size])


def huge(token: str, name: str, size: int) -> bytes:
    """A mail of exactly ``size`` bytes: a short text and one large base64 attachment."""
    head = _crlf(
        _head(token, name)
        + 'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="HUGE"\n\n'
        + f"--HUGE\nContent-Type: text/plain; charset=utf-8\n\nSegue o arquivo grande. {token}\n"
        + '--HUGE\nContent-Type: application/octet-stream\nContent-Disposition: attachment; filename="dump.bin"\n'
        + "Content-Transfer-Encoding: base64\n\n"
    )
    tail = b"\r\n--HUGE--\r\n"
    room = size - len(head) - len(tail)
    line = base64.b64encode(_noise(name, 57)) + b"\r\n"  # 78 bytes a line, as encoders write
    body = (line * (room // len(line) + 1))[: room - 2] + b"\r\n"
    return head + body + tail


def huge_html(token: str, name: str, size: int) -> bytes:
    """An HTML-only mail of about ``size`` bytes: deeply nested tags, which HTML-to-text must survive."""
    cell = "<div><p>linha <b>negrito</b> <a href='x'>link</a></p></div>\n"
    count = max(1, (size - 400) // len(cell))
    html = "<html><body>" + "<div>" * 2000 + cell * count + "</div>" * 2000 + f"{token}</body></html>\n"
    mime = "MIME-Version: 1.0\nContent-Type: text/html; charset=utf-8\n"
    return _crlf(f"{_head(token, name)}{mime}\n{html}")


def many_parts(token: str, name: str, parts: int) -> bytes:
    """multipart/mixed with ``parts`` small named attachments after the text."""
    chunks = [
        _head(token, name) + 'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="P"\n\n',
        f"--P\nContent-Type: text/plain; charset=utf-8\n\nMuitos anexos. {token}\n",
    ]
    for n in range(parts):
        chunks.append(
            f'--P\nContent-Type: text/plain; name="parte-{n}.txt"\n'
            f'Content-Disposition: attachment; filename="parte-{n}.txt"\n\nparte {n}\n'
        )
    chunks.append("--P--\n")
    return _crlf("".join(chunks))


def deep(token: str, name: str, levels: int) -> bytes:
    """``levels`` multiparts nested one inside the other, the text at the bottom."""
    opening = "".join(
        f'--L{n}\nContent-Type: multipart/mixed; boundary="L{n + 1}"\n\n' for n in range(levels)
    )
    closing = "".join(f"--L{n}--\n" for n in reversed(range(levels + 1)))
    body = f"--L{levels}\nContent-Type: text/plain\n\nNo fundo. {token}\n"
    return _crlf(
        _head(token, name)
        + 'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="L0"\n\n'
        + opening
        + body
        + closing
    )


def deep_rfc822(token: str, name: str, levels: int) -> bytes:
    """A forward of a forward of a forward…: message/rfc822 parts nested ``levels`` deep."""
    inner = f"From: a@example.com\nSubject: fundo\n\nNo fundo. {token}\n"
    for n in range(levels):
        inner = (
            f'From: f{n}@example.com\nSubject: Fwd {n}\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="F{n}"\n\n'
            f"--F{n}\nContent-Type: message/rfc822\n\n{inner}\n--F{n}--\n"
        )
    return _crlf(
        _head(token, name)
        + 'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="TOP"\n\n'
        + f"--TOP\nContent-Type: text/plain\n\nEncaminhado. {token}\n"
        + f"--TOP\nContent-Type: message/rfc822\n\n{inner}\n--TOP--\n"
    )


def _multipart(token: str, name: str, content_type: str, body: str) -> bytes:
    return _crlf(_head(token, name) + f"MIME-Version: 1.0\nContent-Type: {content_type}\n\n{body}")


def _single(token: str, name: str, content_type: str, encoding: str, body: bytes) -> bytes:
    head = _crlf(
        _head(token, name)
        + f"MIME-Version: 1.0\nContent-Type: {content_type}\nContent-Transfer-Encoding: {encoding}\n\n"
    )
    return head + body + f"\r\n{token}\r\n".encode()


def _boundaries(token: str) -> list[CorpusMail]:
    long_boundary = "B" * 300  # RFC 2046: at most 70 characters
    return [
        CorpusMail(
            "boundary-missing",
            _multipart(
                token, "boundary-missing", "multipart/mixed", f"--X\n\nSem boundary. {token}\n--X--\n"
            ),
            "requested",
        ),
        CorpusMail(
            "boundary-never-closed",
            _multipart(
                token,
                "boundary-never-closed",
                'multipart/mixed; boundary="OPEN"',
                f"--OPEN\nContent-Type: text/plain\n\nNunca fecha. {token}\n--OPEN\nContent-Type: text/plain\n\nsegunda",
            ),
            "requested",
        ),
        CorpusMail(
            "boundary-mismatch",
            _multipart(
                token,
                "boundary-mismatch",
                'multipart/alternative; boundary="DECLARED"',
                f"--OTHER\nContent-Type: text/plain\n\nOutro boundary. {token}\n--OTHER--\n",
            ),
            "requested",
        ),
        CorpusMail(
            "boundary-too-long",
            _multipart(
                token,
                "boundary-too-long",
                f'multipart/mixed; boundary="{long_boundary}"',
                f"--{long_boundary}\nContent-Type: text/plain\n\nBoundary enorme. {token}\n--{long_boundary}--\n",
            ),
            "requested",
        ),
        CorpusMail(
            "boundary-empty",
            _multipart(
                token, "boundary-empty", 'multipart/mixed; boundary=""', f"--\n\nVazio. {token}\n----\n"
            ),
            "requested",
        ),
        CorpusMail(
            "boundary-inside-part",
            _multipart(
                token,
                "boundary-inside-part",
                'multipart/mixed; boundary="A"',
                f'--A\nContent-Type: multipart/mixed; boundary="A"\n\n--A\nContent-Type: text/plain\n\n{token}\n--A--\n--A--\n',
            ),
            "requested",
        ),
    ]


def _charsets(token: str) -> list[CorpusMail]:
    return [
        CorpusMail(
            "charset-utf7",
            _single(token, "charset-utf7", "text/plain; charset=utf-7", "7bit", b"Ol+AOE-, tudo bem?"),
            "requested",
        ),
        CorpusMail(
            "charset-unknown",
            _single(token, "charset-unknown", "text/plain; charset=x-unknown", "8bit", b"Solicita\xe7\xe3o"),
            "requested",
        ),
        CorpusMail(
            "charset-lying",
            _single(
                token, "charset-lying", "text/plain; charset=utf-8", "8bit", "Solicitação".encode("latin-1")
            ),
            "requested",
        ),
        CorpusMail(
            "charset-absurd-name",
            _single(
                token,
                "charset-absurd-name",
                'text/plain; charset="' + "utf-8'" * 200 + '"',
                "8bit",
                b"Charset absurdo",
            ),
            "requested",
        ),
        CorpusMail(
            "base64-invalid",
            _single(
                token,
                "base64-invalid",
                "text/plain; charset=utf-8",
                "base64",
                b"!!!not*base64@@@\r\nQUJD=ZZ==",
            ),
            "requested",
        ),
        CorpusMail(
            "quoted-printable-invalid",
            _single(
                token,
                "quoted-printable-invalid",
                "text/plain; charset=utf-8",
                "quoted-printable",
                b"Ol=C3=A1 =ZZ =\r\n=3 fim=",
            ),
            "requested",
        ),
        CorpusMail(
            "transfer-encoding-unknown",
            _single(
                token, "transfer-encoding-unknown", "text/plain", "x-uuencode-ish", b"begin 644 x\r\n`\r\nend"
            ),
            "requested",
        ),
    ]


def _headers(token: str, cap: int) -> list[CorpusMail]:
    eight_bit = (
        f"From: Jo\xe3o S\xe9 <joao-8bit-{token}@example.com>\n".encode("latin-1")
        + f"Subject: Solicitação urgente {token}\n".encode()
        + f"Message-ID: <8bit-{token}@example.com>\nX-Weird: \xff\xfe\x80\n\n".encode("latin-1")
        + f"Corpo. {token}\n".encode()
    ).replace(b"\n", b"\r\n")
    words = " ".join(f"=?utf-8?b?{base64.b64encode(f'p{n} '.encode()).decode()}?=" for n in range(2000))
    broken_words = (
        "=?utf-8?q?aberto =?x-unknown?q?=E9?= =?utf-8?b?!!!?= =?utf-8?z?x?= =?=?utf-8?q?a?=?= "
        "=?utf-8*pt?q?lingua?= =?iso-2022-jp?b?GyRCJDMkcyRLJEEkTxsoQg==?="
    )
    many_headers = "".join(f"X-H{n}: {'v' * 40}\n" for n in range(20_000))
    return [
        CorpusMail("headers-8bit", eight_bit, "requested"),
        CorpusMail(
            "encoded-words-2000",
            _plain(token, "encoded-words-2000", extra=f"X-Long: {words}\n").replace(
                f"Subject: encoded-words-2000 {token}".encode(), f"Subject: {words} {token}".encode()
            ),
            "requested",
        ),
        CorpusMail(
            "encoded-words-broken",
            _plain(token, "encoded-words-broken").replace(
                f"Subject: encoded-words-broken {token}".encode(), f"Subject: {broken_words} {token}".encode()
            ),
            "requested",
        ),
        CorpusMail(
            "header-20000-lines", _plain(token, "header-20000-lines", extra=many_headers), "requested"
        ),
        CorpusMail(
            "header-line-long",
            _plain(token, "header-line-long", extra="X-Big: " + "a" * min(1_000_000, cap // 2) + "\n"),
            "requested",
        ),
        CorpusMail(
            "header-folded-10000",
            _plain(token, "header-folded-10000", extra="X-Folded: start" + "\n x" * 10_000 + "\n"),
            "requested",
        ),
        CorpusMail(
            "header-no-colon",
            _plain(token, "header-no-colon", extra="this line is no header at all\n"),
            "requested",
        ),
        CorpusMail(
            "date-garbage",
            _plain(token, "date-garbage").replace(
                b"Date: Sun, 22 Nov 2026 10:00:00 -0300", b"Date: 99 Foo 99999 99:99:99 +9999"
            ),
            "requested",
        ),
        CorpusMail(
            "comments-nested",
            _plain(
                token,
                "comments-nested",
                sender="(" * 5000 + f"x <comments-{token}@example.com>",
                extra="Reply-To: " + "\\" * 5000 + "\n",
            ),
            "quarantined",
            "no_sender",
        ),
        CorpusMail(
            "quadratic-headers",
            _plain(
                token,
                "quadratic-headers",
                extra='Content-Type: text/plain; name="'
                + '"' * 20_000
                + "\n"
                + "To: "
                + "," * 20_000
                + "\nIn-Reply-To: "
                + "=?utf-8?q?a?= " * 20_000
                + "\n",
            ),
            "requested",
        ),
    ]


def _injections(token: str) -> list[CorpusMail]:
    return [
        CorpusMail(
            "inject-subject",
            _plain(token, "inject-subject").replace(
                f"Subject: inject-subject {token}".encode(),
                f"Subject: =?utf-8?q?hi=0D=0ABcc:_evil@x?= {token}".encode(),
            ),
            "requested",
        ),
        CorpusMail(
            "inject-subject-base64",
            _plain(token, "inject-subject-base64").replace(
                f"Subject: inject-subject-base64 {token}".encode(),
                f"Subject: =?utf-8?b?{_B64_INJECTION}?= {token}".encode(),
            ),
            "requested",
        ),
        CorpusMail(
            "inject-from-name",
            _plain(
                token,
                "inject-from-name",
                sender=f"=?utf-8?q?Maria=0D=0ABcc:_evil@x?= <inject-from-{token}@example.com>",
            ),
            "quarantined",
            "no_sender",  # the email package refuses CR or LF in an address's parts
        ),
        CorpusMail(
            "inject-from-address",
            _plain(token, "inject-from-address", sender="=?utf-8?q?evil@x=0D=0ABcc:_evil@x?="),
            "quarantined",
            reason="no_sender",
        ),
        CorpusMail(
            "inject-reply-to",
            _plain(
                token, "inject-reply-to", extra="Reply-To: =?utf-8?q?x=0D=0ABcc:_evil@x?= <rt@example.com>\n"
            ),
            "requested",
        ),
        CorpusMail(
            "inject-unicode-separators",
            _plain(token, "inject-unicode-separators").replace(
                f"Subject: inject-unicode-separators {token}".encode(),
                f"Subject: =?utf-8?q?hi=E2=80=A8Bcc:_evil@x=C2=85Cc:_e2@x?= {token}".encode(),
            ),
            "requested",
        ),
    ]


def _senders(token: str) -> list[CorpusMail]:
    many = ", ".join(f"p{n}-{token}@example.com" for n in range(2000))
    return [
        CorpusMail(
            "from-no-address",
            _plain(token, "from-no-address", sender="Só um nome"),
            "quarantined",
            "bad_sender",
        ),
        CorpusMail(
            "from-missing",
            _crlf(
                f"Subject: from-missing {token}\nMessage-ID: <from-missing-{token}@example.com>\n\n{token}\n"
            ),
            "quarantined",
            "no_sender",
        ),
        CorpusMail("from-many", _plain(token, "from-many", sender=many), "requested"),
        CorpusMail(
            "from-bad-address",
            _plain(token, "from-bad-address", sender="<@@@example..com>"),
            "quarantined",
            "no_sender",
        ),
    ]


def _ids(token: str, ticket_id: str) -> list[CorpusMail]:
    twin = _plain(token, "message-id-twin")
    return [
        CorpusMail(
            "message-id-missing",
            _crlf(f"From: sem-id-{token}@example.com\nSubject: sem id {token}\n\nSem Message-ID. {token}\n"),
            "requested",
        ),
        CorpusMail("message-id-twin", twin, "requested"),
        CorpusMail("message-id-twin-again", twin.replace(b"Preciso", b"Repito"), "duplicate"),
        CorpusMail(
            "message-id-header-twice",
            _plain(token, "message-id-header-twice", extra=f"Message-ID: <second-{token}@example.com>\n"),
            "requested",
        ),
        CorpusMail(
            "message-id-1000-chars",
            _plain(token, "message-id-1000-chars").replace(
                f"Message-ID: <message-id-1000-chars-{token}@example.com>".encode(),
                f"Message-ID: <{'i' * 1000}-{token}@example.com>".encode(),
            ),
            "requested",
        ),
        CorpusMail(
            "reply-to-real-ticket",
            _plain(
                token,
                "reply-to-real-ticket",
                body="Obrigada, resolvido.",
                extra=f"In-Reply-To: <ticket-{ticket_id}@atende.local>\n",
            ),
            "replied",
        ),
        CorpusMail(
            "reply-quoting-20000-lines",
            _plain(
                token,
                "reply-quoting-20000-lines",
                body="Segue o histórico.\n" + "> citação\n" * 20_000 + "\n" * 5000 + "-- \nMaria\n",
                extra=f"In-Reply-To: <ticket-{ticket_id}@atende.local>\n",
            ),
            "replied",
        ),
    ]


def _bytes(token: str, cap: int) -> list[CorpusMail]:
    nul = _plain(token, "nul-bytes", body="antes\x00depois\x00").replace(
        f"Subject: nul-bytes {token}".encode(), f"Subject: nul\x00bytes {token}".encode()
    )
    return [
        CorpusMail("nul-bytes", nul, "requested"),
        CorpusMail("line-long", _plain(token, "line-long", body="z" * min(5_000_000, cap // 2)), "requested"),
        CorpusMail(
            "bare-lf-and-cr",
            f"From: lf-{token}@example.com\nSubject: lf\r\rcr\n\nx {token}\r".encode(),
            "requested",
        ),
        CorpusMail("binary-garbage", _noise(f"garbage-{token}", 50_000), "quarantined", "no_sender"),
        CorpusMail(
            "headers-only", _crlf(f"From: headers-only-{token}@example.com\nSubject: {token}"), "requested"
        ),
    ]


def _attachments(token: str) -> list[CorpusMail]:
    names = [
        "../../etc/passwd",
        "..\\..\\windows\\system32\\cmd.exe",
        "fatura\u202egpj.exe",
        "nota.pdf\x00.exe",
        "a\r\nBcc: evil@x.txt",
        "x" * 1000 + ".txt",
        "",
        "CON.txt",
    ]
    chunks = [
        _head(token, "hostile-names") + 'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="H"\n\n',
        f"--H\nContent-Type: text/plain; charset=utf-8\n\nSeguem anexos. {token}\n",
    ]
    for n, hostile in enumerate(names):
        encoded = base64.b64encode(hostile.encode()).decode()
        chunks.append(
            "--H\nContent-Type: application/octet-stream\n"
            f'Content-Disposition: attachment; filename="=?utf-8?b?{encoded}?="\n\nconteudo {n}\n'
        )
    chunks.append(
        "--H\nContent-Type: application/pdf\nContent-Disposition: attachment; filename*=x-bogus''%FF%FE.pdf\n\n%PDF\n"
    )
    chunks.append("--H--\n")
    return [CorpusMail("hostile-names", _crlf("".join(chunks)), "requested")]


def corpus(token: str, ticket_id: str, cap: int) -> list[CorpusMail]:
    """The whole corpus; ``cap`` is mail-ingest's max_mail_bytes, ``ticket_id`` a ticket to reply to."""
    builders: list[Callable[[], list[CorpusMail]]] = [
        lambda: [
            CorpusMail("huge-under-cap", huge(token, "huge-under-cap", cap - 1024), "requested"),
            CorpusMail("huge-over-cap", huge(token, "huge-over-cap", cap + 1024), "quarantined", "too_large"),
            CorpusMail("huge-html", huge_html(token, "huge-html", min(cap // 2, 4_000_000)), "requested"),
            CorpusMail("parts-5000", many_parts(token, "parts-5000", 5000), "quarantined", "too_many_parts"),
            CorpusMail("parts-200", many_parts(token, "parts-200", 200), "requested"),
            CorpusMail("nested-200", deep(token, "nested-200", 200), "quarantined", "too_deep"),
            CorpusMail("nested-2000", deep(token, "nested-2000", 2000), "quarantined", "too_many_parts"),
            CorpusMail("nested-20", deep(token, "nested-20", 20), "requested"),
            CorpusMail("forwards-100", deep_rfc822(token, "forwards-100", 100), "quarantined", "too_deep"),
        ],
        lambda: _boundaries(token),
        lambda: _charsets(token),
        lambda: _headers(token, cap),
        lambda: _injections(token),
        lambda: _senders(token),
        lambda: _ids(token, ticket_id),
        lambda: _bytes(token, cap),
        lambda: _attachments(token),
    ]
    return [mail for build in builders for mail in build()]
