"""The consent policy a case is judged against.

Chinese law sets principles rather than numbers, so the numbers here are
defaults an examiner is expected to confirm, each with the rule it stands for
(see ../shared/research/anchors.md §C):

- ``retention_days = 30``. PIPL Art. 19 and the 2025 Measures Art. 8 require
  keeping face information for the shortest time the purpose needs, and
  GB/T 35273-2020 / GB/T 41819-2022 say raw face images should be deleted once
  used. No statute fixes a day count; 30 days is the period commonly stated for
  surveillance footage and is used only as a starting point; set the venue's
  stated period (its notice must state one, PIPL Art. 17) when it is known.
- ``allowed_purposes = ["安防", "公共安全", "security", "public security"]``.
  PIPL Art. 26 and Measures Art. 13: images captured in public places may be
  used only for public security unless the person separately consented to
  more. Customer typing and commission settlement (the Qingpu pattern) are
  therefore mismatches unless the policy names them.
- ``consent_required_before_capture = true``. PIPL Arts. 14 and 29 and
  Measures Arts. 6-7 require separate consent *before* processing; a consent
  signed after the first capture does not cure the earlier capture.
- ``as_of``: no default. "Today" must be fixed and recorded for a report to be
  reproducible, so it is passed in (``--as-of``) or written in the policy file.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from venue_audit.consent.log import split_purposes
from venue_audit.errors import UsageError
from venue_audit.user_files import InputFileError, open_user_file

DEFAULT_RETENTION_DAYS = 30
DEFAULT_ALLOWED_PURPOSES = ("安防", "公共安全", "security", "public security")

_KNOWN_KEYS = {"retention_days", "allowed_purposes", "consent_required_before_capture", "as_of"}


class PolicyError(UsageError, ValueError):
    """A policy file that cannot be used; the message names the setting."""


@dataclass(frozen=True)
class ConsentPolicy:
    retention_days: int = DEFAULT_RETENTION_DAYS
    allowed_purposes: frozenset[str] = field(
        default_factory=lambda: frozenset(p.casefold() for p in DEFAULT_ALLOWED_PURPOSES)
    )
    consent_required_before_capture: bool = True
    as_of: date | None = None

    def with_as_of(self, as_of: date | str | None) -> ConsentPolicy:
        """The same policy fixed at another date (``--as-of`` overrides the file)."""
        if as_of is None:
            return self
        return replace(self, as_of=_as_date(as_of, "as_of"))

    def purpose_allowed(self, purpose: str) -> bool:
        return not self.allowed_purposes or purpose.casefold() in self.allowed_purposes

    def to_mapping(self) -> dict[str, object]:
        """The settings as recorded in a case (``from_mapping`` reads them back unchanged)."""
        return {
            "retention_days": self.retention_days,
            "allowed_purposes": sorted(self.allowed_purposes),
            "consent_required_before_capture": self.consent_required_before_capture,
            "as_of": self.as_of.isoformat() if self.as_of else None,
        }

    @classmethod
    def from_mapping(cls, settings: dict[str, object]) -> ConsentPolicy:
        section = settings.get("consent", settings)
        if not isinstance(section, dict):
            raise PolicyError("[consent] must be a table")
        unknown = set(section) - _KNOWN_KEYS
        if unknown:
            raise PolicyError(f"unknown policy settings: {', '.join(sorted(unknown))}")
        policy = cls()
        if "retention_days" in section:
            days = section["retention_days"]
            if not isinstance(days, int) or isinstance(days, bool) or days < 0:
                raise PolicyError(f"retention_days must be a whole number >= 0, not {days!r}")
            policy = replace(policy, retention_days=days)
        if "allowed_purposes" in section:
            purposes = section["allowed_purposes"]
            if isinstance(purposes, str):
                purposes = sorted(split_purposes(purposes))
            if not isinstance(purposes, list) or not all(isinstance(p, str) for p in purposes):
                raise PolicyError("allowed_purposes must be a list of strings")
            policy = replace(policy, allowed_purposes=frozenset(p.casefold() for p in purposes))
        if "consent_required_before_capture" in section:
            required = section["consent_required_before_capture"]
            if not isinstance(required, bool):
                raise PolicyError("consent_required_before_capture must be true or false")
            policy = replace(policy, consent_required_before_capture=required)
        if section.get("as_of") is not None:
            policy = replace(policy, as_of=_as_date(section["as_of"], "as_of"))
        return policy

    @classmethod
    def from_toml(cls, path: Path) -> ConsentPolicy:
        """Read a policy file; settings may sit at top level or under ``[consent]``."""
        try:
            with open_user_file(Path(path), "policy file") as handle:
                settings = tomllib.load(handle)
        except tomllib.TOMLDecodeError as error:
            raise PolicyError(f"{Path(path).name}: {error}") from error
        except InputFileError as error:
            raise PolicyError(str(error)) from error
        except OSError as error:
            raise PolicyError(f"{Path(path).name}: {error.strerror or error}") from error
        return cls.from_mapping(settings)


def _as_date(value: object, name: str) -> date:
    if isinstance(value, date):
        # TOML offset/local datetimes arrive as datetime, a subclass of date.
        return date(value.year, value.month, value.day)
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError as error:
            raise PolicyError(f"{name} must be a date like 2024-06-30, not {value!r}") from error
    raise PolicyError(f"{name} must be a date like 2024-06-30, not {value!r}")
