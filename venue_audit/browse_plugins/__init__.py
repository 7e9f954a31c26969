"""Datasette plugins loaded by ``venue-audit browse`` (``--plugins-dir``).

Only :data:`PARENT_ENV` is imported from here by the tool itself.
"""

# The environment variable in which ``browse`` tells its server its own process id.
PARENT_ENV = "VENUE_AUDIT_BROWSE_PARENT"
