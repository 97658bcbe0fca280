"""Contact-centre service desk: tickets from every channel, exact SLA clocks, live screens."""

__version__ = "0.1.0"
