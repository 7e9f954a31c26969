"""Findings: a rule table (rules.toml) that turns case facts into cited findings."""

from venue_audit.findings.conditions import CONDITIONS, Hit, condition
from venue_audit.findings.engine import (
    SEVERITIES,
    Citation,
    Finding,
    Instrument,
    Rule,
    RuleTableError,
    evaluate,
    load_citations,
    load_rules,
)
from venue_audit.findings.facts import CaseFacts, OffsiteStore

__all__ = [
    "CONDITIONS",
    "SEVERITIES",
    "CaseFacts",
    "Citation",
    "Finding",
    "Hit",
    "Instrument",
    "OffsiteStore",
    "Rule",
    "RuleTableError",
    "condition",
    "evaluate",
    "load_citations",
    "load_rules",
]
