"""The same person on every channel: someone who called, texted and e-mailed starts a
web chat with the same e-mail address, and their timeline shows all four contacts in
order, each with its channel."""

from __future__ import annotations

import re

import httpx

from servicedesk.channels.message import InboundMessage, Party
from servicedesk.enums import Channel, IdentityKind, Role
from servicedesk.intake.service import ingest
from tests import factories as f
from tests.channels.chat.support import new_id, session_cookie


async def test_a_customer_who_called_texted_and_emailed_is_the_same_person_in_the_chat(
    desk, world, clients, chat_settings
):
    phone = f"+97253{int(new_id()[:6], 16) % 10_000_000:07d}"
    email = f"avi.{new_id()[:8]}@example.com"
    customer = await f.create_customer(desk.db, name="Avi Mizrahi", phone=phone, email=email)
    for channel, provider_id, sender in (
        (Channel.voice, "CA" + new_id().replace("-", ""), Party(IdentityKind.phone, phone)),
        (Channel.sms, "SM" + new_id().replace("-", ""), Party(IdentityKind.phone, phone)),
        (Channel.email, f"{new_id()}@mail.example", Party(IdentityKind.email, email)),
    ):
        result = await ingest(
            desk.db,
            InboundMessage(
                channel=channel,
                provider_id=provider_id,
                sender=sender,
                subject="The oven",
                body_text=f"About the oven, by {channel.value}",
            ),
            chat_settings,
        )
        assert result.outcome in ("created", "appended")

    widget = await clients.widget()
    answer = await widget.start(name="Avi Mizrahi", email=email.upper(), queue=world.queue_name)
    assert answer["ok"], answer

    supervisor = await f.create_staff(desk.db, Role.supervisor)
    cookie = await session_cookie(desk.base_url, supervisor.user.email)
    async with httpx.AsyncClient(base_url=desk.base_url, headers={"Cookie": cookie}) as http:
        page = await http.get(f"/customers/{customer.id}")
    assert page.status_code == 200
    timeline = page.text[page.text.index('class="timeline"') :]
    from_them = re.findall(
        r'<li class="tl tl-in">\s*<div class="tl-meta">\s*<time[^>]*>[^<]*</time>\s*'
        r'<span class="badge">([^<]+)</span>',
        timeline,
    )
    assert from_them[:4] == [
        "Chat",
        "E-mail",
        "SMS",
        "Phone call",
    ]  # what they sent, newest first (our acknowledgement of the e-mail is left out)
