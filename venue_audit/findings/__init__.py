"""Findings: a rule table (rules.toml) that turns case facts into cited findings."""

from venue_audit.findings.conditions import CONDITIONS, Hit, condition
from venue_audit.findings.engine import (
    SEVERITIES,
    Citation,
    Finding,
    Rule,
    RuleTableError,
    evaluate,
    load_rules,
)
from venue_audit.findings.facts import CaseFacts

__all__ = [
    "CONDITIONS",
    "SEVERITIES",
    "CaseFacts",
    "Citation",
    "Finding",
    "Hit",
    "Rule",
    "RuleTableError",
    "condition",
    "evaluate",
    "load_rules",
]
