"""Evaluating the rule table against the facts of a case.

The table (rules.toml beside this module, or a file the examiner supplies) is
checked when it is loaded, so a misspelt condition, parameter or citation code
fails before any case is judged rather than silently yielding no finding.
"""

from __future__ import annotations

import inspect
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from venue_audit.findings.conditions import CONDITIONS
from venue_audit.findings.facts import CaseFacts

SEVERITIES = ("high", "medium", "low")


class RuleTableError(ValueError):
    """A rule table that cannot be used; the message names the rule and the fault."""


@dataclass(frozen=True)
class Citation:
    code: str
    zh: str
    en: str
    checked: bool


@dataclass(frozen=True)
class Rule:
    id: str
    condition: str
    params: dict[str, Any]
    severity: str
    title_zh: str
    title_en: str
    citations: tuple[Citation, ...]


@dataclass
class Finding:
    rule: str
    severity: str
    title_zh: str
    title_en: str
    count: int
    citations: list[Citation]
    locators: list[str] = field(default_factory=list)
    person_ids: list[str] = field(default_factory=list)

    @property
    def citation_codes(self) -> list[str]:
        return [c.code for c in self.citations]

    def to_summary(self) -> dict[str, Any]:
        """The entry for summary.json's ``findings`` list."""
        return {
            "rule": self.rule,
            "severity": self.severity,
            "count": self.count,
            "citations": self.citation_codes,
        }


def _parse(table: dict[str, Any], origin: str) -> list[Rule]:
    citations_table = table.get("citations", {})
    citations: dict[str, Citation] = {}
    for code, entry in citations_table.items():
        try:
            citations[code] = Citation(code, entry["zh"], entry["en"], bool(entry["checked"]))
        except (KeyError, TypeError) as error:
            raise RuleTableError(f"{origin}: citation {code!r} needs zh, en, checked") from error
    rules: list[Rule] = []
    seen: set[str] = set()
    for n, entry in enumerate(table.get("rules", []), start=1):
        rule_id = entry.get("id") or f"#{n}"
        where = f"{origin}: rule {rule_id}"
        missing = {"id", "condition", "severity", "title_zh", "title_en", "citations"} - set(entry)
        if missing:
            raise RuleTableError(f"{where}: missing {', '.join(sorted(missing))}")
        if rule_id in seen:
            raise RuleTableError(f"{where}: duplicate id")
        seen.add(rule_id)
        if entry["condition"] not in CONDITIONS:
            raise RuleTableError(f"{where}: unknown condition {entry['condition']!r}")
        if entry["severity"] not in SEVERITIES:
            raise RuleTableError(f"{where}: severity must be one of {', '.join(SEVERITIES)}")
        params = dict(entry.get("params", {}))
        try:
            inspect.signature(CONDITIONS[entry["condition"]]).bind(CaseFacts(), **params)
        except TypeError as error:
            raise RuleTableError(f"{where}: parameters {params} do not fit: {error}") from error
        unknown = [c for c in entry["citations"] if c not in citations]
        if unknown:
            raise RuleTableError(f"{where}: unknown citation codes {unknown}")
        rules.append(Rule(
            rule_id, entry["condition"], params, entry["severity"], entry["title_zh"],
            entry["title_en"], tuple(citations[c] for c in entry["citations"]),
        ))
    return rules


def load_rules(path: Path | None = None) -> list[Rule]:
    """The rule table from ``path``, or the packaged rules.toml."""
    try:
        if path is None:
            text = resources.files("venue_audit.findings").joinpath("rules.toml").read_text("utf-8")
            origin = "rules.toml"
        else:
            text = Path(path).read_text("utf-8")
            origin = Path(path).name
        return _parse(tomllib.loads(text), origin)
    except tomllib.TOMLDecodeError as error:
        raise RuleTableError(f"rule table: {error}") from error
    except OSError as error:
        raise RuleTableError(f"rule table: {error.strerror or error}") from error


def evaluate(facts: CaseFacts, rules: list[Rule] | None = None) -> list[Finding]:
    """Every finding the facts support, in rule-table order."""
    findings: list[Finding] = []
    for rule in load_rules() if rules is None else rules:
        hit = CONDITIONS[rule.condition](facts, **rule.params)
        if hit is None:
            continue
        findings.append(Finding(
            rule=rule.id,
            severity=rule.severity,
            title_zh=rule.title_zh,
            title_en=rule.title_en,
            count=hit.count,
            citations=list(rule.citations),
            locators=hit.locators,
            person_ids=hit.person_ids,
        ))
    return findings
