"""Forensic acquisition: read-only walking, multi-digest hashing, manifests, audits."""

from venue_audit.acquire.acquisition import AcquisitionResult, acquire, manifest_digest
from venue_audit.acquire.audit import AuditResult, verify_manifest
from venue_audit.acquire.exports import export_manifest

__all__ = [
    "AcquisitionResult",
    "AuditResult",
    "acquire",
    "export_manifest",
    "manifest_digest",
    "verify_manifest",
]
