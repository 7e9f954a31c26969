"""Evaluating the rule table against the facts of a case.

The table (rules.toml beside this module, or a file the examiner supplies) is
checked when it is loaded, so a misspelt condition, parameter or citation code
fails before any case is judged rather than silently yielding no finding; a
citation without its quoted sentence, its article or its instrument's date of
entry into force is refused the same way.

A citation applies only to conduct on or after its instrument came into force:
the conduct a finding rests on ends with its last capture (or, for a rule whose
conduct is holding the data, at the as-of date). Citations of later instruments
are kept apart as later guidance; a finding none of whose citations was in
force for its conduct is not made.
"""

from __future__ import annotations

import inspect
import tomllib
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

from venue_audit.findings.conditions import CONDITIONS
from venue_audit.findings.facts import CaseFacts

SEVERITIES = ("high", "medium", "low")
INSTRUMENT_KINDS = ("law", "judicial_interpretation", "departmental_rule", "recommended_standard")


class RuleTableError(ValueError):
    """A rule table that cannot be used; the message names the rule and the fault."""


@dataclass(frozen=True)
class Instrument:
    key: str
    zh: str
    en: str
    kind: str
    in_force: date
    source: str


@dataclass(frozen=True)
class Citation:
    code: str
    instrument: Instrument
    article: str
    quote: str
    en: str

    @property
    def in_force(self) -> date:
        return self.instrument.in_force

    @property
    def heading_zh(self) -> str:
        """《中华人民共和国个人信息保护法》第二十九条"""
        return f"{self.instrument.zh}{self.article}"

    def in_force_for(self, conduct_end: date | None) -> bool:
        """Whether conduct lasting until ``conduct_end`` falls (partly) under this citation."""
        return conduct_end is None or self.in_force <= conduct_end


@dataclass(frozen=True)
class Rule:
    id: str
    condition: str
    params: dict[str, Any]
    severity: str
    title_zh: str
    title_en: str
    citations: tuple[Citation, ...]
    continuing: bool = False


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
    later_guidance: list[Citation] = field(default_factory=list)
    conduct: tuple[date | None, date | None] = (None, None)
    detail: dict[str, Any] = field(default_factory=dict)
    unit: str = "persons"

    @property
    def citation_codes(self) -> list[str]:
        return [c.code for c in self.citations]

    def to_summary(self) -> dict[str, Any]:
        """The entry for summary.json's ``findings`` list."""
        return {
            "rule": self.rule,
            "severity": self.severity,
            "count": self.count,
            "unit": self.unit,
            "citations": self.citation_codes,
            "later_guidance": [c.code for c in self.later_guidance],
        }


def _date(value: object, where: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as error:
        raise RuleTableError(f"{where}: in_force must be a date (YYYY-MM-DD)") from error


def _instruments(table: dict[str, Any], origin: str) -> dict[str, Instrument]:
    instruments = {}
    for key, entry in table.get("instruments", {}).items():
        where = f"{origin}: instrument {key!r}"
        missing = {"zh", "en", "kind", "in_force", "source"} - set(entry)
        if missing:
            raise RuleTableError(f"{where}: missing {', '.join(sorted(missing))}")
        if entry["kind"] not in INSTRUMENT_KINDS:
            raise RuleTableError(f"{where}: kind must be one of {', '.join(INSTRUMENT_KINDS)}")
        instruments[key] = Instrument(
            key, entry["zh"], entry["en"], entry["kind"], _date(entry["in_force"], where),
            entry["source"],
        )
    return instruments


def _citations(table: dict[str, Any], origin: str) -> dict[str, Citation]:
    instruments = _instruments(table, origin)
    citations: dict[str, Citation] = {}
    for code, entry in table.get("citations", {}).items():
        where = f"{origin}: citation {code!r}"
        instrument = next(
            (i for key, i in sorted(instruments.items(), key=lambda kv: -len(kv[0]))
             if code.startswith(key + " ")),
            None,
        )
        if instrument is None:
            raise RuleTableError(f"{where}: no instrument in the table for this code")
        for name in ("article", "quote", "en"):
            if not str(entry.get(name, "")).strip():
                raise RuleTableError(
                    f"{where}: needs its {name}; a citation without the quoted sentence of a "
                    "verified text is not allowed in a report"
                )
        citations[code] = Citation(code, instrument, entry["article"], entry["quote"], entry["en"])
    return citations


def _parse(table: dict[str, Any], origin: str) -> list[Rule]:
    citations = _citations(table, origin)
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
            bool(entry.get("continuing", False)),
        ))
    return rules


def _table_text(path: Path | None) -> tuple[str, str]:
    if path is None:
        text = resources.files("venue_audit.findings").joinpath("rules.toml").read_text("utf-8")
        return text, "rules.toml"
    return Path(path).read_text("utf-8"), Path(path).name


def _load_table(path: Path | None) -> tuple[dict[str, Any], str]:
    try:
        text, origin = _table_text(path)
        return tomllib.loads(text), origin
    except tomllib.TOMLDecodeError as error:
        raise RuleTableError(f"rule table: {error}") from error
    except OSError as error:
        raise RuleTableError(f"rule table: {error.strerror or error}") from error


def load_rules(path: Path | None = None) -> list[Rule]:
    """The rule table from ``path``, or the packaged rules.toml."""
    table, origin = _load_table(path)
    return _parse(table, origin)


def load_citations(path: Path | None = None) -> dict[str, Citation]:
    """Every citation of the table, used by a rule or not (the report's law annex)."""
    table, origin = _load_table(path)
    return _citations(table, origin)


def evaluate(facts: CaseFacts, rules: list[Rule] | None = None) -> list[Finding]:
    """Every finding the facts support, in rule-table order, cited under the law then in force."""
    findings: list[Finding] = []
    for rule in load_rules() if rules is None else rules:
        hit = CONDITIONS[rule.condition](facts, **rule.params)
        if hit is None:
            continue
        conduct_end = facts.as_of if rule.continuing else (hit.last or facts.as_of)
        if conduct_end and facts.as_of and conduct_end > facts.as_of:
            conduct_end = facts.as_of  # the case is judged at its as-of date, nothing later
        applicable = [c for c in rule.citations if c.in_force_for(conduct_end)]
        later = [c for c in rule.citations if not c.in_force_for(conduct_end)]
        if not applicable:
            continue
        findings.append(Finding(
            rule=rule.id,
            severity=rule.severity,
            title_zh=rule.title_zh,
            title_en=rule.title_en,
            count=hit.count,
            citations=applicable,
            locators=hit.locators,
            person_ids=hit.person_ids,
            later_guidance=later,
            conduct=(hit.first, conduct_end),
            detail=dict(hit.detail),
            unit=hit.unit,
        ))
    return findings
