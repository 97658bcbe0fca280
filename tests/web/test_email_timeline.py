"""E-mail on the ticket page: the new text first, the whole message a click away,
inline images served as images only, the original source kept, all escaped."""

from __future__ import annotations

import secrets

from servicedesk.channels.message import Bounce, InboundAttachment, InboundMessage, Party
from servicedesk.enums import Channel, IdentityKind, OrganizationKind, Role
from servicedesk.intake.service import ingest
from tests import factories as f

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
RAW = b"From: Dana <dana@example.com>\r\nSubject: leak\r\n\r\nhello\r\n"


def _mail(**overrides) -> InboundMessage:
    values = {
        "channel": Channel.email,
        "provider_id": f"{secrets.token_hex(8)}@mail.example",
        "sender": Party(IdentityKind.email, f"dana.{secrets.token_hex(3)}@example.com", "Dana"),
        "subject": "Leak",
        "body_text": "Still leaking after the visit.",
        "full_text": "Still leaking after the visit.\n\nOn Sun, Dana wrote:\n> It leaks",
        "body_html": (
            '<p>Still leaking after the visit.</p><img src="cid:photo@1" alt="photo">'
            '<img src="https://tracker.example/pixel.gif?u=dana" alt="">'
            '<blockquote>It leaks</blockquote><script>alert("x")</script>'
        ),
        "attachments": (
            InboundAttachment("photo.png", "image/png", PNG, "photo@1", True),
            InboundAttachment("page.html", "text/html", b"<script>alert(1)</script>", "page@1"),
        ),
        "warnings": ('Part 2 used an unknown charset "<b>x-bogus</b>".',),
        "raw": RAW,
    }
    values.update(overrides)
    return InboundMessage(**values)


async def test_an_email_shows_its_new_text_with_the_whole_message_a_click_away(
    signed_in, db, settings
):
    result = await ingest(db, _mail(), settings)
    supervisor = await signed_in(await f.create_staff(db, Role.supervisor))
    page = (await supervisor.get(f"/tickets/{result.ticket_number}")).text
    assert '<p class="plain">Still leaking after the visit.</p>' in page
    assert '<details class="msg-full">' in page
    assert "<blockquote>It leaks</blockquote>" in page  # the formatted original
    assert "<script>" not in page.split('id="conversation"')[1].split("</section>")[0]
    assert "&lt;b&gt;x-bogus&lt;/b&gt;" in page  # warnings are escaped
    assert ' src="https://tracker.example' not in page  # remote images are not loaded
    assert 'data-remote-src="https://tracker.example/pixel.gif?u=dana"' in page
    assert f'href="/messages/{result.message_id}/source"' in page


async def test_the_ticket_header_names_who_is_copied(signed_in, db, settings):
    cc = (Party(IdentityKind.email, "noa@example.com", "Noa <Levi>"),)
    result = await ingest(db, _mail(cc=cc), settings)
    supervisor = await signed_in(await f.create_staff(db, Role.supervisor))
    page = (await supervisor.get(f"/tickets/{result.ticket_number}")).text
    assert '<span dir="ltr" title="Noa &lt;Levi&gt;">noa@example.com</span>' in page


async def test_inline_images_are_served_inline_and_nothing_else_is(signed_in, db, settings):
    result = await ingest(db, _mail(), settings)
    supervisor = await signed_in(await f.create_staff(db, Role.supervisor))
    page = (await supervisor.get(f"/tickets/{result.ticket_number}")).text
    start = page.index('src="/attachments/') + len('src="/attachments/')
    image_id = int(page[start : page.index("/inline", start)])
    image = await supervisor.get(f"/attachments/{image_id}/inline")
    assert image.status_code == 200
    assert image.headers["content-type"] == "image/png"
    assert image.headers["x-content-type-options"] == "nosniff"
    assert image.content == PNG
    # The HTML part has a Content-ID too, but is never rendered by the browser.
    html_part = await supervisor.get(f"/attachments/{image_id + 1}/inline")
    assert html_part.status_code == 404


async def test_the_original_source_downloads_for_those_who_may_see_the_ticket(
    signed_in, db, settings
):
    result = await ingest(db, _mail(), settings)
    supervisor = await signed_in(await f.create_staff(db, Role.supervisor))
    source = await supervisor.get(f"/messages/{result.message_id}/source")
    assert source.status_code == 200
    assert source.content == RAW
    assert source.headers["content-type"] == "application/octet-stream"
    assert "attachment" in source.headers["content-disposition"]
    org = await f.create_organization(db, OrganizationKind.partner)
    partner = await signed_in(await f.create_staff(db, Role.partner, organization=org))
    assert (await partner.get(f"/messages/{result.message_id}/source")).status_code == 403
    page = (await supervisor.get(f"/tickets/{result.ticket_number}")).text
    start = page.index('src="/attachments/') + len('src="/attachments/')
    image = page[start : page.index("/inline", start)]
    assert (await partner.get(f"/attachments/{image}/inline")).status_code == 403
    assert (await supervisor.get("/messages/99999999999/source")).status_code == 404


async def test_an_address_that_bounces_is_marked_on_the_customer_page(signed_in, db, settings):
    sender = Party(IdentityKind.email, f"gone.{secrets.token_hex(3)}@example.com", "Gone")
    first = await ingest(db, _mail(sender=sender), settings)
    dsn = _mail(
        sender=Party(IdentityKind.email, "mailer-daemon@mx.example.com"),
        auto_submitted=True,
        bounce=Bounce("never-sent@elsewhere", (sender.value,), True, "550 mailbox gone"),
    )
    await ingest(db, dsn, settings)
    supervisor = await signed_in(await f.create_staff(db, Role.supervisor))
    ticket_page = (await supervisor.get(f"/tickets/{first.ticket_number}")).text
    customer_id = ticket_page.split('href="/customers/')[1].split('"')[0]
    page = (await supervisor.get(f"/customers/{customer_id}")).text
    assert 'title="550 mailbox gone"' in page
