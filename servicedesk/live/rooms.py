"""The staff namespace `/live` and its rooms: who hears what is decided here, once.

Rooms: `tickets:all` (admins, supervisors), `queue:<id>` (agents of that queue),
`user:<id>` (that member of staff: their tickets, offers, presence), `org:<id>`
(partner users, who are in no other room), `ticket:<id>` (screens watching one
ticket, joined through `watch`).
Connections are put in rooms by the server; clients cannot join rooms themselves."""

from __future__ import annotations

from servicedesk.enums import Role
from servicedesk.staff.models import User

NAMESPACE = "/live"
ALL_TICKETS = "tickets:all"
QUEUE_PREFIX = "queue:"


def user_room(user_id: int) -> str:
    return f"user:{user_id}"


def queue_room(queue_id: int) -> str:
    return f"{QUEUE_PREFIX}{queue_id}"


def rooms_for(user: User, team_ids: frozenset[int]) -> list[str]:
    assert user.id is not None
    if user.role == Role.partner:
        # Only their organisation's tickets: a partner is never an assignee, and what
        # goes to a person's room (offers, presence, chats) is the desk's own business.
        return [] if user.organization_id is None else [f"org:{user.organization_id}"]
    rooms = [user_room(user.id)]
    if user.role in (Role.admin, Role.supervisor):
        rooms.append(ALL_TICKETS)
    elif user.role == Role.agent:
        rooms.extend(queue_room(t) for t in sorted(team_ids))
    return rooms


def ticket_rooms(queue_id: int | None, org_id: int | None, assignee_id: int | None) -> list[str]:
    """Everyone who may see a ticket: supervisors and admins, its queue, its
    customer's organisation (partners) and its assignee."""
    rooms = [ALL_TICKETS]
    if queue_id is not None:
        rooms.append(queue_room(queue_id))
    if org_id is not None:
        rooms.append(f"org:{org_id}")
    if assignee_id is not None:
        rooms.append(user_room(assignee_id))
    return rooms


def queues_of(rooms: list[str]) -> list[int] | None:
    """The queues a connection's rooms cover; None for all of them (`tickets:all`)."""
    if ALL_TICKETS in rooms:
        return None
    return sorted(int(r.removeprefix(QUEUE_PREFIX)) for r in rooms if r.startswith(QUEUE_PREFIX))
