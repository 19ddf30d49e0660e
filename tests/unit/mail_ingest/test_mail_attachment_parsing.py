"""Which parts of a mail are its files: everything but the body, however deeply nested."""

from __future__ import annotations

from email.message import EmailMessage

from mail_ingest.domain.parsing import parse


def base(subject: str = "Oi") -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Rita <rita@example.com>"
    message["Subject"] = subject
    message["Message-ID"] = "<m1@example.com>"
    return message


def test_a_plain_mail_has_no_files() -> None:
    message = base()
    message.set_content("Só texto.")
    message.add_alternative("<p>Só texto.</p>", subtype="html")
    assert parse(message.as_bytes()).attachments == ()


def test_attachments_keep_their_names_and_bytes_and_the_body_stays_out() -> None:
    message = base()
    message.set_content("Seguem.")
    message.add_alternative("<p>Seguem.</p>", subtype="html")
    message.add_attachment(b"%PDF-1.4 x", maintype="application", subtype="pdf", filename="nota fiscal.pdf")
    message.add_attachment("SELECT 1;\n", subtype="plain", filename="consulta.sql")
    parsed = parse(message.as_bytes())
    assert [(a.filename, a.content) for a in parsed.attachments] == [
        ("nota fiscal.pdf", b"%PDF-1.4 x"),
        ("consulta.sql", b"SELECT 1;\n"),
    ]
    assert parsed.plain is not None and "Seguem." in parsed.plain


def test_inline_images_and_nameless_parts_count_and_get_a_name() -> None:
    message = base()
    message.set_content("Veja o print.")
    message.add_alternative('<p>Veja <img src="cid:print"></p>', subtype="html")
    html = message.get_payload()[1]  # type: ignore[index]
    html.add_related(b"\x89PNG\r\n\x1a\n", maintype="image", subtype="png", cid="<print>")
    message.add_attachment(b"GIF89a", maintype="image", subtype="gif")
    names = [a.filename for a in parse(message.as_bytes()).attachments]
    assert names == ["anexo-1.png", "anexo-2.gif"]


def test_a_forwarded_mail_is_one_file_and_encoded_names_are_decoded() -> None:
    inner = base("Encaminhada")
    inner.set_content("Mensagem original.")
    message = base()
    message.set_content("Segue a conversa anterior.")
    message.add_attachment(inner, filename="conversa.eml")
    message.add_attachment(b"PK\x03\x04", maintype="application", subtype="zip", filename="relatório.zip")
    files = parse(message.as_bytes()).attachments
    assert [f.filename for f in files] == ["conversa.eml", "relatório.zip"]
    assert b"Mensagem original." in files[0].content
