"""Verification that ordered deletions really happened, on every replica."""

from venue_audit.verify.deletion import DeletionVerdict, verify_deletion

__all__ = ["DeletionVerdict", "verify_deletion"]
