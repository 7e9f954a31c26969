"""Consent: loading a venue's consent log, the policy, and a status per person.

Typical use (the ``venue-audit consent`` command does the same against case.db)::

    log = load_consent_log(Path("consent.xlsx"), tz="Asia/Shanghai")
    policy = ConsentPolicy.from_toml(Path("policy.toml")).with_as_of("2024-06-30")
    result = assess(persons, log, policy, links=[("visitor_id", "访客编号")])
    result.by_status  # {"consented": .., "no_consent": .., ...}
"""

from venue_audit.consent.capture_time import (
    CaptureTime,
    first_known,
    from_archive_member,
    from_column,
    from_exif,
    from_file_name,
)
from venue_audit.consent.enrolment import Enrolment
from venue_audit.consent.linking import (
    ConsentLink,
    FaceEncoder,
    FaceMatcher,
    KeyLink,
    LinkError,
    link_consents,
    parse_link,
)
from venue_audit.consent.log import (
    ConsentLog,
    ConsentLogError,
    ConsentRecord,
    LogProblem,
    load_consent_log,
)
from venue_audit.consent.policy import ConsentPolicy, PolicyError
from venue_audit.consent.status import (
    FLAGS,
    STATUSES,
    AssessmentResult,
    PersonFacts,
    PersonStatus,
    assess,
)
from venue_audit.consent.timestamps import parse_timestamp

__all__ = [
    "FLAGS",
    "STATUSES",
    "AssessmentResult",
    "CaptureTime",
    "ConsentLink",
    "ConsentLog",
    "ConsentLogError",
    "ConsentPolicy",
    "ConsentRecord",
    "Enrolment",
    "FaceEncoder",
    "FaceMatcher",
    "KeyLink",
    "LinkError",
    "LogProblem",
    "PersonFacts",
    "PersonStatus",
    "PolicyError",
    "assess",
    "first_known",
    "from_archive_member",
    "from_column",
    "from_exif",
    "from_file_name",
    "link_consents",
    "load_consent_log",
    "parse_link",
    "parse_timestamp",
]
