"""A corpus of hostile evidence, made by code: one function per case.

Each builder writes its file(s) into its own folder of an evidence tree and
says what a correct scan must leave behind: a located message (a ``skipped``
row, or a manifest error for entries that are never read, like FIFOs) whose
locator names the file, or nothing at all for inputs that are merely odd.
Payloads that would act if anything ran them (a pickle calling ``os.system``,
zip members named ``../``) aim at a *canary* path outside the evidence, so a
test can prove nothing ran and nothing escaped.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import random
import sqlite3
import struct
import tarfile
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

CANARY_NAME = "venue-audit-hostile-canary"


@dataclass(frozen=True)
class Expect:
    """What a scan must record for a case.

    ``locator``: a substring of the located message's locator (usually the file
    name, plus the member or table where relevant). ``reason``: lowercase
    words, any one of which the reason must contain. ``harmless``: nothing has
    to be recorded (the input is odd, not broken); it must only not crash, hang
    or be counted as face data.
    """

    locator: str
    reason: tuple[str, ...] = ()
    harmless: bool = False
    at_acquisition: bool = False


@dataclass(frozen=True)
class Canary:
    """Paths that exist only if something executed a payload or extracted a member."""

    folder: Path

    @property
    def executed(self) -> Path:
        return self.folder / "executed"

    def all(self) -> list[Path]:
        return [self.executed, self.folder / "escape.txt"]


Builder = Callable[[Path, Canary], Expect]
CASES: dict[str, Builder] = {}


def case(function: Builder) -> Builder:
    CASES[function.__name__] = function
    return function


def noise_image(fmt: str, size: tuple[int, int] = (64, 48), **save: object) -> bytes:
    rng = np.random.default_rng(7)
    pixels = rng.integers(0, 255, (size[1], size[0], 3), dtype=np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, fmt, **save)
    return out.getvalue()


def noise_bytes(size: int) -> bytes:
    """Random-looking bytes, the same on every run so a failure can be replayed."""
    return random.Random(size).randbytes(size)


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def os_system_pickle(command: str) -> bytes:
    """A protocol-2 pickle whose loading would run ``command`` (never loaded here)."""
    return (
        b"\x80\x02cposix\nsystem\nq\x00X"
        + struct.pack("<I", len(command))
        + command.encode()
        + b"\x85R."
    )


def sqlite_bytes(tmp: Path, statements: list[str]) -> bytes:
    path = tmp / "build.sqlite"
    if path.exists():
        path.unlink()
    connection = sqlite3.connect(path)
    connection.executescript("begin;\n" + ";\n".join(statements) + ";\ncommit;")
    connection.close()
    data = path.read_bytes()
    path.unlink()
    return data


def _folder(root: Path, name: str) -> Path:
    folder = root / name
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# -- pictures ------------------------------------------------------------------------------


@case
def jpeg_truncated(root: Path, canary: Canary) -> Expect:
    data = noise_image("JPEG", (320, 240), quality=90)
    (_folder(root, "jpeg_truncated") / "cut.jpg").write_bytes(data[: len(data) // 3])
    return Expect("jpeg_truncated/cut.jpg", ("truncat", "decode", "image", "read"))


@case
def jpeg_corrupt(root: Path, canary: Canary) -> Expect:
    data = b"\xff\xd8\xff\xe0" + noise_bytes(4000)
    (_folder(root, "jpeg_corrupt") / "garbage.jpg").write_bytes(data)
    return Expect("jpeg_corrupt/garbage.jpg", ("decode", "image", "cannot", "identify"))


@case
def png_bad_crc(root: Path, canary: Canary) -> Expect:
    data = bytearray(noise_image("PNG"))
    data[29] ^= 0xFF  # the IHDR chunk's CRC
    (_folder(root, "png_bad_crc") / "crc.png").write_bytes(bytes(data))
    return Expect("png_bad_crc/crc.png", ("crc", "decode", "image", "broken"))


@case
def png_one_by_100000(root: Path, canary: Canary) -> Expect:
    image = Image.new("L", (100_000, 1), 128)
    image.save(_folder(root, "png_one_by_100000") / "ribbon.png")
    return Expect("png_one_by_100000/ribbon.png", harmless=True)


@case
def png_decompression_bomb(root: Path, canary: Canary) -> Expect:
    header = struct.pack(">IIBBBBB", 50_000, 50_000, 8, 2, 0, 0, 0)
    row = b"\x00" + b"\x00" * 3 * 50_000
    data = (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(row * 4, 9))
        + png_chunk(b"IEND", b"")
    )
    (_folder(root, "png_decompression_bomb") / "bomb.png").write_bytes(data)
    return Expect("png_decompression_bomb/bomb.png", ("pixel", "bomb", "large", "limit"))


@case
def gif_many_frames(root: Path, canary: Canary) -> Expect:
    frame = (
        b"\x21\xf9\x04\x00\x01\x00\x00\x00"  # graphic control: 1/100 s
        + b"\x2c\x00\x00\x00\x00\x01\x00\x01\x00\x00"  # 1x1 image descriptor
        + b"\x02\x02\x44\x01\x00"  # LZW min code 2, one data block
    )
    data = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff" + frame * 20_000 + b"\x3b"
    (_folder(root, "gif_many_frames") / "frames.gif").write_bytes(data)
    return Expect("gif_many_frames/frames.gif", harmless=True)


@case
def tiff_absurd_ifd_offset(root: Path, canary: Canary) -> Expect:
    data = b"II*\x00" + struct.pack("<I", 0xFFFFFFF0) + noise_bytes(64)
    (_folder(root, "tiff_absurd_ifd_offset") / "ifd.tif").write_bytes(data)
    return Expect("tiff_absurd_ifd_offset/ifd.tif", ("decode", "image", "identify", "cannot"))


@case
def webp_truncated(root: Path, canary: Canary) -> Expect:
    data = noise_image("WEBP", (200, 200), quality=80)
    (_folder(root, "webp_truncated") / "cut.webp").write_bytes(data[: len(data) // 2])
    return Expect("webp_truncated/cut.webp", ("decode", "image", "truncat", "cannot", "identify"))


@case
def bmp_huge_declared_size(root: Path, canary: Canary) -> Expect:
    header = b"BM" + struct.pack("<IHHI", 54 + 12, 0, 0, 54)
    info = struct.pack("<IiiHHIIiiII", 40, 1_000_000, 1_000_000, 1, 24, 0, 0, 0, 0, 0, 0)
    (_folder(root, "bmp_huge_declared_size") / "huge.bmp").write_bytes(header + info + b"\x00" * 12)
    return Expect("bmp_huge_declared_size/huge.bmp", ("pixel", "bomb", "large", "decode", "image"))


@case
def jpeg_exif_lies(root: Path, canary: Canary) -> Expect:
    exif = b"Exif\x00\x00II*\x00" + struct.pack("<I", 0x7FFFFFF0) + b"\x00" * 16
    app1 = b"\xff\xe1" + struct.pack(">H", len(exif) + 2) + exif
    data = noise_image("JPEG", (64, 64))
    (_folder(root, "jpeg_exif_lies") / "exif.jpg").write_bytes(data[:2] + app1 + data[2:])
    return Expect("jpeg_exif_lies/exif.jpg", harmless=True)


@case
def empty_jpeg(root: Path, canary: Canary) -> Expect:
    (_folder(root, "empty_jpeg") / "empty.jpg").write_bytes(b"")
    return Expect("empty_jpeg/empty.jpg", harmless=True)


@case
def mp4_random_bytes(root: Path, canary: Canary) -> Expect:
    data = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + noise_bytes(20_000)
    (_folder(root, "mp4_random_bytes") / "clip.mp4").write_bytes(data)
    return Expect("mp4_random_bytes/clip.mp4", ("video", "open", "decode", "read", "frame"))


@case
def mp4_truncated(root: Path, canary: Canary) -> Expect:
    import cv2

    path = _folder(root, "mp4_truncated") / "cut.mp4"
    writer = cv2.VideoWriter(str(root / "whole.mp4"), cv2.VideoWriter_fourcc(*"mp4v"), 5, (64, 48))
    for index in range(20):
        writer.write(np.full((48, 64, 3), index * 10, np.uint8))
    writer.release()
    data = (root / "whole.mp4").read_bytes()
    (root / "whole.mp4").unlink()
    path.write_bytes(data[: len(data) * 2 // 3])
    return Expect("mp4_truncated/cut.mp4", harmless=True)


# -- archives ------------------------------------------------------------------------------


@case
def nested_zip_bomb(root: Path, canary: Canary) -> Expect:
    core = io.BytesIO()
    with zipfile.ZipFile(core, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("zeros.bin", bytes(80 << 20))
    level = core.getvalue()
    for depth in range(3):
        outer = io.BytesIO()
        with zipfile.ZipFile(outer, "w", zipfile.ZIP_STORED) as archive:
            for copy in range(4):
                archive.writestr(f"d{depth}_{copy}.zip", level)
        level = outer.getvalue()
    (_folder(root, "nested_zip_bomb") / "bomb.zip").write_bytes(level)
    return Expect("nested_zip_bomb/bomb.zip!/", ("bomb", "ratio", "deeper", "nested", "limit"))


@case
def zip_high_ratio_member(root: Path, canary: Canary) -> Expect:
    with zipfile.ZipFile(
        _folder(root, "zip_high_ratio_member") / "ratio.zip",
        "w",
        zipfile.ZIP_DEFLATED,
        compresslevel=9,
    ) as archive:
        archive.writestr("zeros.jpg", bytes(80 << 20))
    return Expect("zip_high_ratio_member/ratio.zip!/zeros.jpg", ("ratio", "bomb"))


@case
def zip_traversal_names(root: Path, canary: Canary) -> Expect:
    escape = os.path.relpath(canary.folder / "escape.txt", root / "zip_traversal_names")
    with zipfile.ZipFile(_folder(root, "zip_traversal_names") / "slip.zip", "w") as archive:
        archive.writestr(escape, "zip slip")
        archive.writestr(str(canary.folder / "escape.txt"), "absolute name")
        archive.writestr("..\\..\\escape.txt", "windows traversal")
        archive.writestr("C:/escape.txt", "drive letter")
    return Expect(
        "zip_traversal_names/slip.zip!/", ("unsafe", "traversal", "name"), at_acquisition=True
    )


@case
def tar_device_and_links(root: Path, canary: Canary) -> Expect:
    with tarfile.open(_folder(root, "tar_device_and_links") / "dev.tar", "w") as archive:
        device = tarfile.TarInfo("dev/sda")
        device.type, device.devmajor, device.devminor = tarfile.CHRTYPE, 8, 0
        archive.addfile(device)
        for kind, name, target in (
            (tarfile.SYMTYPE, "etc_passwd", "/etc/passwd"),
            (tarfile.LNKTYPE, "shadow", "/etc/shadow"),
            (tarfile.FIFOTYPE, "pipe", ""),
        ):
            info = tarfile.TarInfo(name)
            info.type, info.linkname = kind, target
            archive.addfile(info)
    return Expect("tar_device_and_links/dev.tar!/", ("device", "symlink", "not followed"))


@case
def tar_member_name_not_utf8(root: Path, canary: Canary) -> Expect:
    out = io.BytesIO()
    with tarfile.open(
        fileobj=out, mode="w", format=tarfile.GNU_FORMAT, encoding="utf-8", errors="surrogateescape"
    ) as archive:
        data = b"\x00" * 10
        info = tarfile.TarInfo(os.fsdecode(b"caf\xe9/\xff.bin"))
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
        info = tarfile.TarInfo(os.fsdecode(b"\xfe.jpg"))
        info.type, info.linkname = tarfile.SYMTYPE, os.fsdecode(b"/etc/\xff")
        archive.addfile(info)
    (_folder(root, "tar_member_name_not_utf8") / "names.tar").write_bytes(out.getvalue())
    return Expect("tar_member_name_not_utf8/names.tar!/\\xfe.jpg", ("symlink",))


@case
def zip_zero_bytes(root: Path, canary: Canary) -> Expect:
    (_folder(root, "zip_zero_bytes") / "empty.zip").write_bytes(b"")
    return Expect("zip_zero_bytes/empty.zip", harmless=True)


@case
def zip_corrupt_directory(root: Path, canary: Canary) -> Expect:
    data = b"PK\x03\x04" + noise_bytes(2000)
    (_folder(root, "zip_corrupt_directory") / "broken.zip").write_bytes(data)
    return Expect("zip_corrupt_directory/broken.zip", ("zip", "archive", "read"))


@case
def zip_encrypted_member(root: Path, canary: Canary) -> Expect:
    import pyzipper

    path = _folder(root, "zip_encrypted_member") / "locked.zip"
    with pyzipper.AESZipFile(
        path, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES
    ) as archive:
        archive.setpassword(b"secret")
        archive.writestr("faces/0001.jpg", noise_image("JPEG"))
    return Expect("zip_encrypted_member/locked.zip!/faces/0001.jpg", ("encrypt", "password"))


@case
def zip_bad_member_crc(root: Path, canary: Canary) -> Expect:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("note.txt", b"A" * 400)
    data = bytearray(out.getvalue())
    data[data.index(b"A" * 400) + 100] = ord("B")
    (_folder(root, "zip_bad_member_crc") / "crc.zip").write_bytes(bytes(data))
    return Expect("zip_bad_member_crc/crc.zip!/note.txt", ("crc", "read"))


@case
def sevenzip_bad_header(root: Path, canary: Canary) -> Expect:
    data = b"7z\xbc\xaf\x27\x1c\x00\x04" + noise_bytes(300)
    (_folder(root, "sevenzip_bad_header") / "broken.7z").write_bytes(data)
    return Expect("sevenzip_bad_header/broken.7z", ("7z",))


@case
def gzip_truncated(root: Path, canary: Canary) -> Expect:
    data = gzip.compress(json.dumps([{"id": i} for i in range(2000)]).encode())
    (_folder(root, "gzip_truncated") / "rows.json.gz").write_bytes(data[: len(data) // 2])
    return Expect("gzip_truncated/rows.json.gz", ("gzip", "end", "truncat", "read"))


@case
def gzip_nested_3000_deep(root: Path, canary: Canary) -> Expect:
    data = b'{"visitor_id": "V1"}'
    for _ in range(3000):
        data = gzip.compress(data, 1)
    (_folder(root, "gzip_nested_3000_deep") / "rows.json.gz").write_bytes(data)
    return Expect("gzip_nested_3000_deep/rows.json.gz!/", ("nested deeper",))


@case
def sevenzip_nested(root: Path, canary: Canary) -> Expect:
    import py7zr

    data = b"id,visitor_id\n1,V1\n"
    name = "rows.csv"
    for level in range(6):
        out = io.BytesIO()
        with py7zr.SevenZipFile(out, "w") as archive:
            archive.writestr(data, name)
        data, name = out.getvalue(), f"level{level}.7z"
    (_folder(root, "sevenzip_nested") / "outer.7z").write_bytes(data)
    return Expect("sevenzip_nested/outer.7z!/", ("nested deeper",))


@case
def sevenzip_encrypted(root: Path, canary: Canary) -> Expect:
    import py7zr

    path = _folder(root, "sevenzip_encrypted") / "locked.7z"
    with py7zr.SevenZipFile(path, "w", password="secret") as archive:
        archive.writestr(noise_image("JPEG"), "faces/0001.jpg")
    return Expect("sevenzip_encrypted/locked.7z", ("password", "encrypt"))


@case
def tar_truncated(root: Path, canary: Canary) -> Expect:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as archive:
        for index in range(3):
            data = noise_bytes(5000)
            info = tarfile.TarInfo(f"blob{index}.bin")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    (_folder(root, "tar_truncated") / "cut.tar").write_bytes(out.getvalue()[:7000])
    return Expect("tar_truncated/cut.tar", ("archive", "read", "unexpected end", "truncat"))


# -- databases -----------------------------------------------------------------------------


@case
def sqlite_corrupt_page(root: Path, canary: Canary) -> Expect:
    data = bytearray(
        sqlite_bytes(
            root,
            [
                "create table captures (id integer primary key, visitor_id text, note text)",
                *[
                    f"insert into captures (visitor_id, note) values ('V{i}', '{'x' * 200}')"
                    for i in range(200)
                ],
            ],
        )
    )
    page = struct.unpack(">H", data[16:18])[0]
    data[2 * page : 3 * page] = noise_bytes(page)
    (_folder(root, "sqlite_corrupt_page") / "corrupt.db").write_bytes(bytes(data))
    return Expect("sqlite_corrupt_page/corrupt.db", ("malformed", "corrupt", "database", "read"))


@case
def sqlite_trigger_and_view(root: Path, canary: Canary) -> Expect:
    data = sqlite_bytes(
        root,
        [
            "create table captures (id integer primary key, visitor_id text)",
            "create table audit (n integer)",
            "create trigger spy after insert on captures begin insert into audit values (1); end",
            "create trigger spy2 after update on captures begin delete from captures; end",
            "create view v as select * from captures",
            "create trigger v_write instead of insert on v begin insert into audit values (2); end",
            "insert into captures (visitor_id) values ('V1'), ('V2')",
            "delete from audit",
        ],
    )
    (_folder(root, "sqlite_trigger_and_view") / "triggers.db").write_bytes(data)
    return Expect("sqlite_trigger_and_view/triggers.db", harmless=True)


@case
def sqlite_wal_without_database(root: Path, canary: Canary) -> Expect:
    header = struct.pack(">IIIIIIII", 0x377F0682, 3007000, 4096, 1, 0x1234, 0x5678, 0, 0)
    (_folder(root, "sqlite_wal_without_database") / "face.db-wal").write_bytes(
        header + noise_bytes(4096 + 24)
    )
    return Expect("sqlite_wal_without_database/face.db-wal", harmless=True)


@case
def sqlite_page_size_zero(root: Path, canary: Canary) -> Expect:
    data = bytearray(sqlite_bytes(root, ["create table t (a)", "insert into t values (1)"]))
    data[16:18] = b"\x00\x00"
    (_folder(root, "sqlite_page_size_zero") / "zero.db").write_bytes(bytes(data))
    return Expect("sqlite_page_size_zero/zero.db", ("database", "malformed", "not a", "page"))


@case
def sqlite_header_only(root: Path, canary: Canary) -> Expect:
    (_folder(root, "sqlite_header_only") / "stub.db").write_bytes(
        b"SQLite format 3\x00" + b"\xff" * 84
    )
    return Expect("sqlite_header_only/stub.db", ("database", "malformed", "not a", "page"))


@case
def sqlite_corrupt_inside_zip(root: Path, canary: Canary) -> Expect:
    data = bytearray(sqlite_bytes(root, ["create table t (a)", "insert into t values (1)"]))
    data[100:4096] = noise_bytes(3996)
    with zipfile.ZipFile(_folder(root, "sqlite_corrupt_inside_zip") / "db.zip", "w") as archive:
        archive.writestr("data/face.db", bytes(data))
    return Expect(
        "sqlite_corrupt_inside_zip/db.zip!/data/face.db", ("database", "malformed", "not a", "page")
    )


@case
def sqlite_hostile_names(root: Path, canary: Canary) -> Expect:
    data = sqlite_bytes(
        root,
        [
            'create table "a""b; drop table t; --" ("x""y" text, "[z]" blob, "" int)',
            "insert into \"a\"\"b; drop table t; --\" values ('V1', x'00ff', 1)",
            "create table t (id integer primary key)",
            "create view \"v'); attach database '/tmp/x' as x; --\" as select 1",
        ],
    )
    (_folder(root, "sqlite_hostile_names") / "names.db").write_bytes(data)
    return Expect("sqlite_hostile_names/names.db", harmless=True)


@case
def sqlite_with_garbage_wal(root: Path, canary: Canary) -> Expect:
    folder = _folder(root, "sqlite_with_garbage_wal")
    data = bytearray(sqlite_bytes(root, ["create table t (a)", "insert into t values (1)"]))
    data[18:20] = b"\x02\x02"  # the header says WAL mode
    (folder / "face.db").write_bytes(bytes(data))
    (folder / "face.db-wal").write_bytes(b"\x37\x7f\x06\x82" + noise_bytes(8000))
    return Expect("sqlite_with_garbage_wal/face.db", harmless=True)


@case
def sqlite_wal_symlinked_from_outside(root: Path, canary: Canary) -> Expect:
    """The database is empty; its ``-wal`` is a symlink to a WAL outside the evidence holding rows."""
    folder = _folder(root, "sqlite_wal_symlinked_from_outside")
    build = canary.folder / "outside"
    build.mkdir(parents=True)
    connection = sqlite3.connect(build / "face.db")
    connection.execute("pragma journal_mode=wal")
    connection.execute("create table captures (visitor_id text)")
    connection.execute("pragma wal_checkpoint(truncate)")
    connection.execute("pragma wal_autocheckpoint=0")
    (folder / "face.db").write_bytes((build / "face.db").read_bytes())
    with connection:
        connection.executemany(
            "insert into captures values (?)", [(f"OUTSIDE-{i}",) for i in range(5)]
        )
    (canary.folder / "face.db-wal").write_bytes((build / "face.db-wal").read_bytes())
    connection.close()
    for leftover in build.iterdir():
        leftover.unlink()
    build.rmdir()
    os.symlink(canary.folder / "face.db-wal", folder / "face.db-wal")
    return Expect(
        "sqlite_wal_symlinked_from_outside/face.db-wal", ("symlink",), at_acquisition=True
    )


@case
def sqlite_wal_mode_without_wal(root: Path, canary: Canary) -> Expect:
    data = bytearray(sqlite_bytes(root, ["create table t (a)", "insert into t values (1)"]))
    data[18:20] = b"\x02\x02"
    (_folder(root, "sqlite_wal_mode_without_wal") / "face.db").write_bytes(bytes(data))
    return Expect("sqlite_wal_mode_without_wal/face.db", harmless=True)


@case
def sql_dump_unbalanced_quotes(root: Path, canary: Canary) -> Expect:
    text = (
        "CREATE TABLE `faces` (`id` int, `img` longblob);\n"
        "INSERT INTO `faces` VALUES (1,'abc);\n"
        "INSERT INTO `faces` VALUES (2,'def');\n"
    )
    (_folder(root, "sql_dump_unbalanced_quotes") / "dump.sql").write_text(text)
    return Expect(
        "sql_dump_unbalanced_quotes/dump.sql",
        ("quote", "unterminated", "statement", "end", "parse"),
    )


@case
def sql_dump_binary_garbage(root: Path, canary: Canary) -> Expect:
    data = b"-- MySQL dump\nINSERT INTO `t` VALUES (" + noise_bytes(5000) + b");\n"
    (_folder(root, "sql_dump_binary_garbage") / "garbage.sql").write_bytes(data)
    return Expect("sql_dump_binary_garbage/garbage.sql", harmless=True)


# -- text exports --------------------------------------------------------------------------


@case
def csv_nul_bytes(root: Path, canary: Canary) -> Expect:
    data = b"id,visitor_id,photo\n1,V1,\x00\x00\x00\n2,V\x002,abc\n"
    (_folder(root, "csv_nul_bytes") / "nul.csv").write_bytes(data)
    return Expect("csv_nul_bytes/nul.csv", harmless=True)


@case
def csv_million_columns(root: Path, canary: Canary) -> Expect:
    header = ",".join(f"c{i}" for i in range(1_000_000))
    (_folder(root, "csv_million_columns") / "wide.csv").write_text(header + "\n" + "1," * 10 + "\n")
    return Expect("csv_million_columns/wide.csv", ("column",))


@case
def csv_ten_megabyte_field(root: Path, canary: Canary) -> Expect:
    text = "id,visitor_id,photo\n1,V1," + "A" * (10 << 20) + "\n2,V2,x\n"
    (_folder(root, "csv_ten_megabyte_field") / "big.csv").write_text(text)
    return Expect("csv_ten_megabyte_field/big.csv", harmless=True)


@case
def json_nested_100000_deep(root: Path, canary: Canary) -> Expect:
    (_folder(root, "json_nested_100000_deep") / "deep.json").write_text(
        "[" * 100_000 + "]" * 100_000
    )
    return Expect("json_nested_100000_deep/deep.json", ("nest", "deep", "recursion"))


@case
def json_unterminated_huge_string(root: Path, canary: Canary) -> Expect:
    (_folder(root, "json_unterminated_huge_string") / "cut.json").write_text(
        '[{"photo": "' + "QUJD" * 250_000
    )
    return Expect(
        "json_unterminated_huge_string/cut.json",
        ("json", "unterminated", "parse", "expect", "invalid"),
    )


@case
def json_huge_integer(root: Path, canary: Canary) -> Expect:
    digits = "7" * 100_000  # Python refuses to parse ints longer than 4300 digits by default
    (_folder(root, "json_huge_integer") / "rows.json").write_text(
        '[{"visitor_id": ' + digits + ', "feature": [' + ", ".join([digits] * 128) + "]}]"
    )
    # Read, not refused: the integer too long for Python stays text (tests/hostile/test_reader_salvage.py)
    return Expect("json_huge_integer/rows.json", harmless=True)


@case
def csv_huge_numbers(root: Path, canary: Canary) -> Expect:
    digits = "9" * 100_000
    vector = ",".join(["1e999999", "-1e999999", "nan", digits] * 32)
    text = f'visitor_id,feature,capture_time\n{digits},"[{vector}]",{digits}\n'
    (_folder(root, "csv_huge_numbers") / "rows.csv").write_text(text * 3)
    return Expect("csv_huge_numbers/rows.csv", harmless=True)


@case
def log_binary_garbage(root: Path, canary: Canary) -> Expect:
    data = b"2024-03-16 02:00:01 uploaded 3 face images to 203.0.113.9\n" + noise_bytes(200_000)
    (_folder(root, "log_binary_garbage") / "upload.log").write_bytes(data)
    return Expect("log_binary_garbage/upload.log", harmless=True)


@case
def jsonl_mixed_garbage(root: Path, canary: Canary) -> Expect:
    data = b'{"id": 1}\n\xff\xfe\x00garbage\n{"id": \n[1,2,3]\n'
    (_folder(root, "jsonl_mixed_garbage") / "rows.jsonl").write_bytes(data)
    return Expect("jsonl_mixed_garbage/rows.jsonl", ("line", "json"))


@case
def xml_billion_laughs(root: Path, canary: Canary) -> Expect:
    entities = ['<!ENTITY lol "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    ]
    text = (
        '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n'
        + "\n".join(entities)
        + "\n]>\n<faces><face>&lol9;</face></faces>\n"
    )
    (_folder(root, "xml_billion_laughs") / "laughs.xml").write_text(text)
    return Expect("xml_billion_laughs/laughs.xml", ("entit", "dtd", "xml"))


@case
def xml_external_entity(root: Path, canary: Canary) -> Expect:
    text = (
        '<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
        "<faces><face>&x;</face></faces>\n"
    )
    (_folder(root, "xml_external_entity") / "xxe.xml").write_text(text)
    return Expect("xml_external_entity/xxe.xml", ("entit", "dtd", "xml"))


# -- serialised objects --------------------------------------------------------------------


@case
def pickle_os_system(root: Path, canary: Canary) -> Expect:
    payload = os_system_pickle(f"touch {canary.executed}")
    (_folder(root, "pickle_os_system") / "model.pkl").write_bytes(payload)
    return Expect("pickle_os_system/model.pkl", ("posix", "system", "danger", "unsafe", "call"))


@case
def npy_object_dtype(root: Path, canary: Canary) -> Expect:
    header = "{'descr': '|O', 'fortran_order': False, 'shape': (1,), }"
    header += " " * (63 - (len(header) + 10) % 64) + "\n"
    data = (
        b"\x93NUMPY\x01\x00"
        + struct.pack("<H", len(header))
        + header.encode()
        + os_system_pickle(f"touch {canary.executed}")
    )
    (_folder(root, "npy_object_dtype") / "objects.npy").write_bytes(data)
    return Expect("npy_object_dtype/objects.npy", ("object", "pickle", "dtype"))


@case
def npy_lying_shape(root: Path, canary: Canary) -> Expect:
    header = "{'descr': '<f4', 'fortran_order': False, 'shape': (100000000, 128), }"
    header += " " * (63 - (len(header) + 10) % 64) + "\n"
    data = b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode()
    (_folder(root, "npy_lying_shape") / "templates.npy").write_bytes(
        data + np.ones(128 * 3, "<f4").tobytes()
    )
    return Expect(
        "npy_lying_shape/templates.npy", ("shape", "short", "truncat", "bytes", "declare")
    )


# -- file-system oddities ------------------------------------------------------------------


@case
def file_name_not_utf8(root: Path, canary: Canary) -> Expect:
    folder = _folder(root, "file_name_not_utf8")
    (folder / os.fsdecode(b"\xff\xfe.jpg")).write_bytes(noise_image("JPEG"))
    (folder / os.fsdecode(b"caf\xe9.csv")).write_bytes(b"id,name\n1,\xe9\n")
    return Expect("file_name_not_utf8/", harmless=True)


@case
def file_name_with_newline(root: Path, canary: Canary) -> Expect:
    (_folder(root, "file_name_with_newline") / "line\nbreak.jpg").write_bytes(noise_image("JPEG"))
    return Expect("file_name_with_newline/", harmless=True)


@case
def symlink_loop(root: Path, canary: Canary) -> Expect:
    folder = _folder(root, "symlink_loop")
    os.symlink("b.jpg", folder / "a.jpg")
    os.symlink("a.jpg", folder / "b.jpg")
    os.symlink("/etc", folder / "etc")
    return Expect("symlink_loop/a.jpg", ("symlink",), at_acquisition=True)


@case
def fifo(root: Path, canary: Canary) -> Expect:
    os.mkfifo(_folder(root, "fifo") / "pipe.jpg")
    return Expect("fifo/pipe.jpg", ("fifo",), at_acquisition=True)


def build_all(root: Path, canary: Canary, names: list[str] | None = None) -> dict[str, Expect]:
    """Write every case (or the named ones) under ``root``; returns each case's expectation."""
    root.mkdir(parents=True, exist_ok=True)
    canary.folder.mkdir(parents=True, exist_ok=True)
    return {name: CASES[name](root, canary) for name in names or list(CASES)}


def zip_with_aliased_entries(
    payload: bytes, name: str, aliases: int, renamed: bool = False
) -> bytes:
    """A zip whose one stored member is named by ``aliases`` + 1 central-directory entries.

    Each entry points at the same local header: an archive of a few hundred KB that a
    naive reader lists (and hashes, and counts) thousands of times. ``renamed`` gives each
    entry a name of its own (readers that check the local header's name then refuse them).
    """
    single = io.BytesIO()
    with zipfile.ZipFile(single, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr(name, payload)
    data = single.getvalue()
    eocd = data.rindex(b"PK\x05\x06")
    directory_size, directory_offset = struct.unpack("<II", data[eocd + 12 : eocd + 20])
    entry = data[directory_offset : directory_offset + directory_size]
    name_length = struct.unpack("<H", entry[28:30])[0]
    stem, dot, suffix = name.rpartition(".")
    entries = [entry]
    for number in range(1, aliases + 1):
        alias = (f"{stem}-{number:05d}{dot}{suffix}" if renamed else name).encode()
        entries.append(
            entry[:28] + struct.pack("<H", len(alias)) + entry[30:46] + alias + entry[46 + name_length :]
        )
    directory = b"".join(entries)
    count = len(entries)
    end = b"PK\x05\x06" + struct.pack(
        "<HHHHIIH", 0, 0, count, count, len(directory), directory_offset, 0
    )
    return data[:directory_offset] + directory + end
