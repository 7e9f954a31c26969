"""A signed report verifies; any changed byte in it or in an annex makes verification fail."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from report_samples import make_report_data

from venue_audit.report.annexes import HASH_LIST_NAME, write_hash_list
from venue_audit.report.render import ReportOutputs, render_report
from venue_audit.report.sign import SigningError, make_self_signed_p12, verify_report

PASSWORD = b"examiner-secret"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("cert") / "examiner.p12"
    make_self_signed_p12(target, "张三 (examiner)", PASSWORD)
    return target


@pytest.fixture(scope="module")
def signed_once(tmp_path_factory: pytest.TempPathFactory, certificate: Path) -> ReportOutputs:
    return render_report(
        make_report_data(records=40, persons=8),
        tmp_path_factory.mktemp("signed") / "report.pdf",
        sign_p12=certificate,
        p12_password=PASSWORD,
    )


@pytest.fixture()
def signed(tmp_path: Path, signed_once: ReportOutputs) -> ReportOutputs:
    """A fresh copy of one signed report and its annexes, for a test to tamper with."""
    folder = tmp_path / "copy"
    shutil.copytree(signed_once.pdf.parent, folder)
    return replace(
        signed_once,
        pdf=folder / signed_once.pdf.name,
        hash_list=folder / HASH_LIST_NAME,
        annexes={name: folder / name for name in signed_once.annexes},
    )


def _flip(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def test_signed_report_verifies(signed: ReportOutputs) -> None:
    result = verify_report(signed.pdf)
    assert result.signed and result.intact and result.covers_whole_file
    assert "张三" in result.signer
    assert result.ok, result.problems
    assert {check.name for check in result.annexes} >= {"summary.json", "report.pdf"}


@pytest.mark.parametrize("where", [0.02, 0.5, 0.9])
def test_one_flipped_byte_fails_even_when_the_hash_list_is_recomputed(
    signed: ReportOutputs, where: float
) -> None:
    offset = int(signed.pdf.stat().st_size * where)
    _flip(signed.pdf, offset)
    # An attacker would rewrite annexes.sha256 too; the signature alone must still catch it.
    write_hash_list(
        signed.pdf.parent, [*signed.annexes, signed.pdf.name], signed.pdf.parent / HASH_LIST_NAME
    )
    result = verify_report(signed.pdf)
    assert not result.ok
    assert result.problems


def test_a_flipped_byte_is_caught_by_the_hash_list_too(signed: ReportOutputs) -> None:
    _flip(signed.pdf, signed.pdf.stat().st_size // 2)
    result = verify_report(signed.pdf)
    assert not result.ok
    assert any("report.pdf" in problem for problem in result.problems)


def test_a_changed_annex_fails(signed: ReportOutputs) -> None:
    persons = signed.annexes["persons.csv"]
    persons.write_text(
        persons.read_text(encoding="utf-8-sig").replace("no_consent", "consented", 1),
        encoding="utf-8-sig",
    )
    result = verify_report(signed.pdf)
    assert not result.ok
    assert [check.name for check in result.annexes if not check.ok] == ["persons.csv"]


def test_an_unsigned_report_checks_its_annexes_and_can_be_required_signed(tmp_path: Path) -> None:
    outputs = render_report(make_report_data(records=20, persons=4), tmp_path / "report.pdf")
    result = verify_report(outputs.pdf)
    assert result.ok and not result.signed
    assert not verify_report(outputs.pdf, require_signature=True).ok


def test_trust_is_checked_only_against_given_roots(
    signed: ReportOutputs, tmp_path: Path, certificate: Path
) -> None:
    from cryptography.hazmat.primitives.serialization import Encoding, pkcs12

    _key, cert, _extra = pkcs12.load_key_and_certificates(certificate.read_bytes(), PASSWORD)
    assert cert is not None
    root = tmp_path / "root.pem"
    root.write_bytes(cert.public_bytes(Encoding.PEM))
    assert verify_report(signed.pdf).trusted is None
    assert verify_report(signed.pdf, trust_roots=[root]).trusted is True


def test_a_wrong_password_is_a_signing_error(tmp_path: Path, certificate: Path) -> None:
    with pytest.raises(SigningError):
        render_report(
            make_report_data(records=20, persons=4),
            tmp_path / "report.pdf",
            sign_p12=certificate,
            p12_password=b"wrong",
        )


def test_describe_names_the_failed_annex(signed: ReportOutputs) -> None:
    assert verify_report(signed.pdf).describe()[-1] == "verified"
    signed.annexes["summary.json"].write_text("{}", encoding="utf-8")
    lines = verify_report(signed.pdf).describe()
    assert "FAILED  summary.json" in lines and lines[-1] == "NOT verified"


def test_a_revision_added_after_signing_fails(signed: ReportOutputs) -> None:
    import io

    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    with signed.pdf.open("rb") as handle:
        writer = IncrementalPdfFileWriter(handle)
        writer.set_info(
            generic.DictionaryObject(
                {generic.NameObject("/Title"): generic.TextStringObject("edited")}
            )
        )
        buffer = io.BytesIO()
        writer.write(buffer)
    signed.pdf.write_bytes(buffer.getvalue())
    write_hash_list(
        signed.pdf.parent, [*signed.annexes, signed.pdf.name], signed.pdf.parent / HASH_LIST_NAME
    )
    result = verify_report(signed.pdf)
    assert result.intact and not result.covers_whole_file
    assert not result.ok


@pytest.mark.parametrize("content", [b"", b"not a pdf", b"%PDF-1.7\n%%EOF\n"])
def test_a_file_that_is_not_a_pdf_is_reported_not_raised(
    signed: ReportOutputs, content: bytes
) -> None:
    signed.pdf.write_bytes(content)
    result = verify_report(signed.pdf)
    assert not result.ok
    assert any("cannot be read" in problem or "changed" in problem for problem in result.problems)
