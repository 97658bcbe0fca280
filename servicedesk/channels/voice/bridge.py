"""An agent takes a waiting caller: the call is claimed in the database (so two
agents can never both take it), then Twilio is told through its REST API to leave
the queue and ring the agent's Twilio Client identity or phone."""

from __future__ import annotations

import logging

from servicedesk.channels.voice import calls
from servicedesk.channels.voice.flow import VoiceDesk
from servicedesk.channels.voice.models import PhoneCall
from servicedesk.db import Actor, Database
from servicedesk.errors import Conflict, InvalidInput, ServiceError
from servicedesk.staff.models import User
from telephony import twiml
from telephony.client import RestError, TwilioRest

log = logging.getLogger(__name__)

CLIENT_PREFIX = "agent-"  # the agent's softphone registers as agent-<user id>


class BridgeFailed(ServiceError):
    status_code = 502
    code = "call_not_connected"


def client_identity(user: User) -> str:
    return f"{CLIENT_PREFIX}{user.id}"


def dial_twiml(desk: VoiceDesk, agent: User) -> str:
    if desk.settings.voice_agent_dial == "phone":
        if not agent.phone:
            raise InvalidInput(
                "you have no phone number to ring", fields={"phone": "set one in your profile"}
            )
        return twiml.dial_agent(
            client=None,
            number=agent.phone,
            caller_id=None,
            urls=desk.urls,
            ring=desk.settings.voice_ring_seconds,
        )
    return twiml.dial_agent(
        client=client_identity(agent),
        number=None,
        caller_id=None,
        urls=desk.urls,
        ring=desk.settings.voice_ring_seconds,
    )


async def accept(
    desk: VoiceDesk, rest: TwilioRest | None, db: Database, ticket_id: int, agent: User
) -> PhoneCall:
    """Connect the longest-waiting caller on this ticket to `agent`."""
    if rest is None:
        raise BridgeFailed("Twilio is not configured (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN)")
    assert agent.id is not None
    document = dial_twiml(desk, agent)
    async with db.unit_of_work(Actor.system()) as uow:
        call = await calls.claim(uow, ticket_id, agent.id)
        if call is None:
            raise Conflict(
                "nobody is waiting on this ticket: "
                "the caller hung up or another agent took the call"
            )
    try:
        await rest.redirect_call(call.call_sid, document)
    except RestError as exc:
        log.warning("call %s: could not connect agent %s: %s", call.call_sid, agent.id, exc)
        assert call.id is not None
        async with db.unit_of_work(Actor.system()) as uow:
            await calls.release(uow, call.id, agent.id)
        raise BridgeFailed(f"Twilio did not connect the call: {exc}") from exc
    log.info("call %s: ringing agent %s", call.call_sid, agent.id)
    return call
