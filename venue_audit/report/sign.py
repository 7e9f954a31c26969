"""Sign the report (PAdES, pyHanko) and verify a report with its annexes.

Verification answers two separate questions and reports both:

- *integrity*: is every byte of the PDF the one the examiner signed (signature
  intact, covering the whole file), and does every annex still hash to the
  value in ``annexes.sha256``?
- *trust*: does the signer's certificate chain to a root the verifier trusts?
  Examiners' certificates are often issued by an office CA the verifying
  machine does not know, so an untrusted but intact signature is reported as
  such, not as a failure, unless trust roots were given.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from venue_audit.errors import UsageError
from venue_audit.report.annexes import HASH_LIST_NAME, HashListError, file_sha256, read_hash_list
from venue_audit.user_files import InputFileError, require_regular_file

SIGNATURE_FIELD = "ExaminerSignature"


class SigningError(Exception):
    """The PKCS#12 could not be opened (wrong password, not a PKCS#12) or signing failed."""


class SigningKeyError(SigningError, UsageError):
    """The examiner's PKCS#12 cannot be opened with the password given: refused before work."""


def load_signer(p12: Path, password: bytes | None) -> Any:
    """The signer in ``p12``; called before rendering too, so a wrong password costs nothing."""
    from pyhanko.sign import signers

    try:
        require_regular_file(Path(p12), "--sign PKCS#12 certificate")
    except InputFileError as error:  # missing, a folder, a FIFO, a device
        raise SigningKeyError(str(error)) from error
    try:
        with _quiet_pyhanko():
            signer = signers.SimpleSigner.load_pkcs12(pfx_file=str(p12), passphrase=password)
    except (OSError, ValueError) as error:
        raise SigningKeyError(f"--sign {p12} cannot be opened: {error}") from error
    if signer is None:
        raise SigningKeyError(f"--sign {p12}: wrong password or not a PKCS#12 file")
    return signer


def sign_pdf(
    pdf: Path,
    p12: Path,
    password: bytes | None = None,
    reason: str = "",
    location: str = "",
    field_name: str = SIGNATURE_FIELD,
) -> None:
    """Sign ``pdf`` in place with a PAdES baseline signature covering the whole file."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    signer = load_signer(p12, password)
    metadata = signers.PdfSignatureMetadata(
        field_name=field_name,
        reason=reason or None,
        location=location or None,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
    )
    pdf = Path(pdf)
    handle, temporary = tempfile.mkstemp(dir=pdf.parent, prefix=".signing-", suffix=".pdf")
    os.close(handle)
    try:
        with pdf.open("rb") as source, open(temporary, "wb") as target:
            signers.sign_pdf(
                IncrementalPdfFileWriter(source), metadata, signer=signer, output=target
            )
        os.replace(temporary, pdf)
    except Exception as error:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(error, SigningError):
            raise
        raise SigningError(f"signing {pdf.name} failed: {error}") from error


def make_self_signed_p12(
    target: Path, common_name: str, password: bytes, organisation: str = "venue-audit test"
) -> None:
    """A throwaway examiner certificate, for tests and demos only.

    A real report is signed with a certificate issued to the examiner by their
    office's CA; a self-signed one proves integrity but not identity.
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    target.write_bytes(
        pkcs12.serialize_key_and_certificates(
            common_name.encode("utf-8"),
            key,
            certificate,
            None,
            serialization.BestAvailableEncryption(password),
        )
    )


@dataclass
class AnnexCheck:
    name: str
    expected: str
    actual: str | None

    @property
    def ok(self) -> bool:
        return self.actual == self.expected


@dataclass
class VerificationResult:
    pdf: Path
    signed: bool = False
    intact: bool | None = None
    covers_whole_file: bool | None = None
    trusted: bool | None = None
    signer: str = ""
    signed_at: str = ""
    annexes: list[AnnexCheck] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def describe(self) -> list[str]:
        """Lines for a person: the signature, each annex, then every problem."""
        lines = []
        if self.signed:
            state = "intact" if self.intact and self.covers_whole_file else "BROKEN"
            trust = {None: "trust not checked", True: "trusted", False: "NOT trusted"}[self.trusted]
            lines.append(
                f"signature: {state}, {trust}; signer {self.signer}; signed at {self.signed_at}"
            )
        else:
            lines.append("signature: none")
        for check in self.annexes:
            lines.append(f"{'OK     ' if check.ok else 'FAILED '} {check.name}")
        lines.extend(f"problem: {problem}" for problem in self.problems)
        lines.append("verified" if self.ok else "NOT verified")
        return lines

    @property
    def ok(self) -> bool:
        """Integrity holds: any signature is intact and whole, and every listed file matches."""
        if self.problems:
            return False
        if self.signed and not (self.intact and self.covers_whole_file):
            return False
        return bool(self.annexes) and all(check.ok for check in self.annexes)


def verify_report(
    pdf_path: Path, trust_roots: list[Path] | None = None, require_signature: bool = False
) -> VerificationResult:
    """Check the PDF's signature and re-hash every file named in ``annexes.sha256`` beside it."""
    pdf_path = Path(pdf_path)
    result = VerificationResult(pdf=pdf_path)
    if not pdf_path.is_file():
        result.problems.append(f"{pdf_path} does not exist")
        return result
    _check_signature(pdf_path, result, trust_roots)
    if require_signature and not result.signed:
        result.problems.append(f"{pdf_path.name} is not signed")
    _check_annexes(pdf_path, result)
    return result


def _check_signature(
    pdf_path: Path, result: VerificationResult, trust_roots: list[Path] | None
) -> None:
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.general import load_cert_from_pemder
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    roots = [load_cert_from_pemder(str(path)) for path in trust_roots or []]
    try:
        with pdf_path.open("rb") as handle, _quiet_pyhanko():
            reader = PdfFileReader(handle, strict=False)
            signatures = reader.embedded_signatures
            if not signatures:
                return
            result.signed = True
            if len(signatures) > 1:
                result.problems.append(f"{len(signatures)} signatures: only one is expected")
            signature = signatures[-1]
            context = ValidationContext(trust_roots=roots, allow_fetching=False)
            status = validate_pdf_signature(signature, signer_validation_context=context)
    except (PdfError, OSError, ValueError, KeyError, TypeError, IndexError) as error:
        result.problems.append(f"{pdf_path.name} cannot be read as a signed PDF: {error}")
        result.intact = False
        return
    result.intact = bool(status.intact and status.valid)
    result.covers_whole_file = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    result.trusted = bool(status.trusted) if roots else None
    result.signer = status.signing_cert.subject.human_friendly
    if status.signer_reported_dt is not None:
        result.signed_at = status.signer_reported_dt.isoformat()
    if not result.intact:
        result.problems.append(
            "the signature does not match the document: it was changed after signing"
        )
    elif not result.covers_whole_file:
        result.problems.append(
            "the signature does not cover the whole file: content was added after signing"
        )
    if roots and not result.trusted:
        result.problems.append("the signer's certificate does not chain to a trusted root")


@contextlib.contextmanager
def _quiet_pyhanko() -> Iterator[None]:
    """pyHanko logs a traceback for every untrusted (e.g. self-signed) certificate; the
    result already says so, and a verifier's terminal should show the verdict, not a stack."""
    loggers = [logging.getLogger(name) for name in ("pyhanko", "pyhanko_certvalidator")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def _check_annexes(pdf_path: Path, result: VerificationResult) -> None:
    hash_list = pdf_path.parent / HASH_LIST_NAME
    if not hash_list.is_file():
        result.problems.append(f"{HASH_LIST_NAME} is missing beside {pdf_path.name}")
        return
    try:
        entries = read_hash_list(hash_list)
    except HashListError as error:
        result.problems.append(str(error))
        return
    if pdf_path.name not in {name for _digest, name in entries}:
        result.problems.append(f"{HASH_LIST_NAME} does not list {pdf_path.name}")
    for digest, name in entries:
        target = pdf_path.parent / name
        actual = file_sha256(target) if target.is_file() else None
        result.annexes.append(AnnexCheck(name, digest, actual))
        if actual is None:
            result.problems.append(f"annex {name} is missing")
        elif actual != digest:
            result.problems.append(
                f"annex {name} has changed: SHA-256 {actual} instead of {digest}"
            )
