"""The SLA engine: business calendars, policies, clocks and their evaluation.

Pure by design (see docs/architecture.md): it imports the standard library and
`holidays` only, never the ORM, the web layer or the clock — `now` is always a
parameter. Its modules arrive with the SLA engine issue.
"""
