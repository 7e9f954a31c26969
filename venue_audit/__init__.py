"""venue-audit: a forensic audit of the facial data a physical venue keeps.

The library and the command line share one code path: every command in
:mod:`venue_audit.cli` is a thin call into the functions re-exported here.
"""

import sys

__version__ = "0.1.0"

TOOL_NAME = "venue-audit"

__all__ = ["TOOL_NAME", "__version__"]


def _import_sqlite_utils_without_pandas() -> None:
    """Import sqlite-utils without letting it import pandas.

    sqlite-utils imports pandas whenever it is installed (~0.3 s, more than the rest of a
    command's start-up), only to store ``pandas.Timestamp`` values as TEXT; venue-audit
    never inserts pandas objects. A process that has already loaded pandas keeps it.
    """
    if "pandas" in sys.modules or "sqlite_utils" in sys.modules:
        return
    sys.modules["pandas"] = None  # type: ignore[assignment]  # makes `import pandas` fail
    try:
        import sqlite_utils  # noqa: F401
    finally:
        del sys.modules["pandas"]


_import_sqlite_utils_without_pandas()
