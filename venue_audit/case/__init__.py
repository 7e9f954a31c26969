"""The case workspace: schema, custody log, and the :class:`Case` handle."""

from venue_audit.case.workspace import Case, CaseError, CaseInfo

__all__ = ["Case", "CaseError", "CaseInfo"]
