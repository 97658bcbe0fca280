"""Demo data for `servicedesk serve --demo`: an Israeli contact centre for home
appliances and electronics, in Hebrew and English.

What it holds: six queues (a default triage queue, Hebrew and English queues for
home appliances and for electronics, billing); an admin, a supervisor, eight
agents and a user of the partner service lab; about 300 customers (private,
in six companies, and the lab's), 25 products, some 400 serial-numbered units
whose warranties are running, extended or expired on the day of seeding; and
400 tickets from the last three weeks on every channel and in every state,
with replies, internal notes and status changes.

Demo sign-ins (all at demo.servicedesk.example):

    admin@…        demo-admin-2026        admin
    supervisor@…   demo-supervisor-2026   supervisor
    avi@…, shira@…, rana@…, omer@…, yael@…, dmitri@… (Hebrew),
    daniel@…, sarah@… (English)
                   demo-agent-2026        agent
    partner@…      demo-partner-2026      partner (ElectroFix service lab)

Customer e-mail addresses use the reserved `.example` domains. Israeli mobile
numbers are random 05X numbers and may belong to real people: do not connect an
SMS or voice provider to a demo desk.
"""

from servicedesk.demo.seeding import build_plan, logins, seed

__all__ = ["build_plan", "logins", "seed"]
