"""Verification that ordered deletions really happened, on every replica."""

from venue_audit.verify.deletion import verify_deletion
from venue_audit.verify.replicas import pair_replicas, parse_replica
from venue_audit.verify.verdict import DeletionVerdict, Residue, StoreResult

__all__ = [
    "DeletionVerdict",
    "Residue",
    "StoreResult",
    "pair_replicas",
    "parse_replica",
    "verify_deletion",
]
