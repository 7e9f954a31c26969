"""Titles and citation texts for findings, taken from the findings rule table.

The rule table (``venue_audit/findings/rules.toml``) owns each rule's title and
the wording of each citation, including whether its article number has been
checked against the official text. The report reads them from there, so a
citation corrected in the table is corrected in every report; a rule or code
the table does not know is printed as written.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from venue_audit.findings.engine import Finding, RuleTableError, load_rules
from venue_audit.report.model import FindingSection

SEVERITY_ORDER = ("high", "medium", "low", "info")
UNCHECKED_MARK = ("（条款号待核对）", " (article number to be confirmed)")


@dataclass(frozen=True)
class CitationText:
    zh: str
    en: str
    checked: bool


@functools.cache
def _table() -> tuple[dict[str, tuple[str, str]], dict[str, CitationText]]:
    try:
        rules = load_rules()
    except RuleTableError:
        return {}, {}
    titles = {rule.id: (rule.title_zh, rule.title_en) for rule in rules}
    citations = {
        c.code: CitationText(c.zh, c.en, c.checked) for rule in rules for c in rule.citations
    }
    return titles, citations


def all_wordings() -> list[str]:
    """Every title and citation text of the rule table (for the font subset)."""
    titles, citations = _table()
    return [w for pair in titles.values() for w in pair] + [
        w for c in citations.values() for w in (c.zh, c.en)
    ]


def rule_titles(rule: str) -> tuple[str, str]:
    return _table()[0].get(rule, (rule, rule))


def citation_text(code: str) -> CitationText | None:
    return _table()[1].get(code)


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
        locators=list(finding.locators),
        person_ids=list(finding.person_ids),
    )
