"""Datasette plugins loaded by ``venue-audit browse`` (``--plugins-dir``); nothing else imports them."""
