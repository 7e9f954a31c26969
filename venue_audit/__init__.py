"""venue-audit: a forensic audit of the facial data a physical venue keeps.

The library and the command line share one code path: every command in
:mod:`venue_audit.cli` is a thin call into the functions re-exported here.
"""

__version__ = "0.1.0"

TOOL_NAME = "venue-audit"

__all__ = ["TOOL_NAME", "__version__"]
