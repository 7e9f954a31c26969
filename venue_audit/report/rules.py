"""Titles and citation texts for findings, taken from the findings rule table.

The rule table (``venue_audit/findings/rules.toml``) owns each rule's title and
each citation: the instrument, the article, the quoted sentence of the
verified text, and the date the instrument came into force. The report reads
them from there, so a citation corrected in the table is corrected in every
report. A code the table does not know is never printed: an unverified
citation has no place in an evidence report.
"""

from __future__ import annotations

import functools

from venue_audit.findings.engine import (
    Citation,
    Finding,
    RuleTableError,
    load_citations,
    load_rules,
)
from venue_audit.report.model import FindingSection

SEVERITY_ORDER = ("high", "medium", "low", "info")
INSTRUMENT_KIND_LABELS = {
    "law": ("法律", "law"),
    "judicial_interpretation": ("司法解释", "judicial interpretation"),
    "departmental_rule": ("部门规章", "departmental rule"),
    "recommended_standard": ("推荐性国家标准", "recommended national standard"),
}


@functools.cache
def _table() -> tuple[dict[str, tuple[str, str]], dict[str, Citation]]:
    try:
        rules = load_rules()
        citations = load_citations()
    except RuleTableError:
        return {}, {}
    return {rule.id: (rule.title_zh, rule.title_en) for rule in rules}, citations


def all_wordings() -> list[str]:
    """Every title and citation text of the rule table (for the font subset)."""
    titles, citations = _table()
    words = [w for pair in titles.values() for w in pair]
    for citation in citations.values():
        words += [citation.heading_zh, citation.quote, citation.en, citation.instrument.en]
        words += [citation.instrument.source, citation.in_force.isoformat()]
    return words + [w for pair in INSTRUMENT_KIND_LABELS.values() for w in pair]


def rule_titles(rule: str) -> tuple[str, str]:
    return _table()[0].get(rule, (rule, rule))


def citation(code: str) -> Citation | None:
    """The verified citation for ``code``, or None when the table does not hold it."""
    return _table()[1].get(code)


def known_codes(codes: list[str]) -> list[str]:
    """``codes`` without those the rule table does not hold (never printed)."""
    return [code for code in codes if citation(code) is not None]


def severity_rank(severity: str) -> int:
    return SEVERITY_ORDER.index(severity) if severity in SEVERITY_ORDER else len(SEVERITY_ORDER)


def section_from_finding(finding: Finding) -> FindingSection:
    """A finding made by :func:`venue_audit.findings.evaluate`, as the report shows it."""
    return FindingSection(
        rule=finding.rule,
        severity=finding.severity,
        title_zh=finding.title_zh,
        title_en=finding.title_en,
        count=finding.count,
        citations=finding.citation_codes,
        later_guidance=[c.code for c in finding.later_guidance],
        locators=list(finding.locators),
        person_ids=list(finding.person_ids),
    )
