"""The consent policy file and its documented defaults."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from venue_audit.consent import ConsentPolicy, PolicyError


def test_defaults_follow_the_legal_notes() -> None:
    policy = ConsentPolicy()
    assert policy.retention_days == 30
    assert policy.allowed_purposes == frozenset({"安防", "公共安全", "security", "public security"})
    assert policy.consent_required_before_capture is True
    assert policy.as_of is None
    assert policy.purpose_allowed("Security") and not policy.purpose_allowed("佣金结算")


def test_settings_under_a_consent_table(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(
        '[consent]\nretention_days = 90\nallowed_purposes = ["安防", "门禁"]\n'
        "consent_required_before_capture = false\nas_of = 2024-06-30\n",
        encoding="utf-8",
    )
    policy = ConsentPolicy.from_toml(path)
    assert policy == ConsentPolicy(90, frozenset({"安防", "门禁"}), False, date(2024, 6, 30))


def test_top_level_settings_and_a_string_of_purposes(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text('allowed_purposes = "安防、门禁"\nas_of = "2024-06-30"\n', encoding="utf-8")
    policy = ConsentPolicy.from_toml(path)
    assert policy.allowed_purposes == frozenset({"安防", "门禁"})
    assert policy.retention_days == 30


def test_command_line_as_of_overrides_the_file() -> None:
    policy = ConsentPolicy(as_of=date(2024, 1, 1)).with_as_of("2024-06-30")
    assert policy.as_of == date(2024, 6, 30)
    assert policy.with_as_of(None).as_of == date(2024, 6, 30)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("retention_days = -1", "retention_days"),
        ('retention_days = "30"', "retention_days"),
        ("allowed_purposes = 3", "allowed_purposes"),
        ('consent_required_before_capture = "yes"', "consent_required_before_capture"),
        ('as_of = "June 30"', "as_of"),
        ("retension_days = 30", "unknown policy settings: retension_days"),
        ("retention_days = ", "policy.toml"),
    ],
)
def test_bad_settings_name_the_setting(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(text + "\n", encoding="utf-8")
    with pytest.raises(PolicyError, match=message):
        ConsentPolicy.from_toml(path)


def test_a_missing_file_is_a_policy_error(tmp_path: Path) -> None:
    with pytest.raises(PolicyError):
        ConsentPolicy.from_toml(tmp_path / "absent.toml")


def test_the_recorded_settings_read_back_to_the_same_policy() -> None:
    policy = ConsentPolicy(45, frozenset({"安防", "门禁"}), False, date(2024, 6, 30))
    assert ConsentPolicy.from_mapping(policy.to_mapping()) == policy
    assert ConsentPolicy.from_mapping(ConsentPolicy().to_mapping()) == ConsentPolicy()
