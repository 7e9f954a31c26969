"""``python -m venue_audit.cli``: the same program as the ``venue-audit`` script."""

from venue_audit.cli import app

app(prog_name="venue-audit")
