"""Write-ahead-log parsing: frames, salts, checksums, commits.

A WAL holds newer page images than the database file until a checkpoint copies them back, and
keeps them (with older salts) after a checkpoint until new frames overwrite them. Each frame is
therefore either part of the current database state, an uncommitted write, or an older version
of a page: the last two are where deleted rows survive.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

WAL_MAGICS = (0x377F0682, 0x377F0683)
WAL_HEADER_SIZE = 32
FRAME_HEADER_SIZE = 24


@dataclass(frozen=True)
class WalFrame:
    index: int  # 0-based frame number in the file
    page_number: int
    commit_size: int  # database size in pages after this commit; 0 if not a commit frame
    file_offset: int  # where the page data starts in the WAL file
    data: bytes
    salt_matches: bool  # frame belongs to the current WAL generation
    checksum_ok: bool  # cumulative checksum chain valid up to and including this frame
    committed: bool = False  # belongs to a committed transaction of the current generation


@dataclass
class WalLog:
    page_size: int = 0
    checkpoint_sequence: int = 0
    frames: list[WalFrame] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def committed_frames(self) -> list[WalFrame]:
        return [f for f in self.frames if f.committed]

    @property
    def last_commit_size(self) -> int:
        sizes = [f.commit_size for f in self.frames if f.committed and f.commit_size]
        return sizes[-1] if sizes else 0


def _checksum(data: bytes, s0: int, s1: int, big_endian: bool) -> tuple[int, int]:
    fmt = ">" if big_endian else "<"
    count = len(data) // 4
    words = struct.unpack(f"{fmt}{count}I", data[: count * 4])
    mask = 0xFFFFFFFF
    for i in range(0, count - 1, 2):
        s0 = (s0 + words[i] + s1) & mask
        s1 = (s1 + words[i + 1] + s0) & mask
    return s0, s1


def parse_wal(data: bytes, name: str = "wal", max_frames: int = 1_000_000) -> WalLog:
    """Parse every frame slot of a WAL; validity is recorded per frame, never raised."""
    log = WalLog()
    if len(data) < WAL_HEADER_SIZE:
        log.notes.append(f"{name}: {len(data)} bytes, shorter than a WAL header")
        return log
    magic, version, page_size, ckpt_seq, salt1, salt2, c1, c2 = struct.unpack(
        ">8I", data[:WAL_HEADER_SIZE]
    )
    if magic not in WAL_MAGICS:
        log.notes.append(f"{name}: bad WAL magic {magic:#010x}")
        return log
    if page_size < 512 or page_size > 65536 or page_size & (page_size - 1):
        log.notes.append(f"{name}: WAL page size {page_size} is invalid")
        return log
    log.page_size = page_size
    log.checkpoint_sequence = ckpt_seq
    big = magic == 0x377F0683
    s0, s1 = _checksum(data[:24], 0, 0, big)
    chain_ok = (s0, s1) == (c1, c2)
    if not chain_ok:
        log.notes.append(f"{name}: WAL header checksum mismatch; frames treated as uncommitted")
    if version != 3007000:
        log.notes.append(f"{name}: unexpected WAL format version {version}")
    frame_size = FRAME_HEADER_SIZE + page_size
    nslots = min((len(data) - WAL_HEADER_SIZE) // frame_size, max_frames)
    if (len(data) - WAL_HEADER_SIZE) % frame_size:
        log.notes.append(f"{name}: trailing partial frame ignored")
    pending: list[WalFrame] = []
    for i in range(nslots):
        off = WAL_HEADER_SIZE + i * frame_size
        pgno, commit, fs1, fs2, fc1, fc2 = struct.unpack(">6I", data[off : off + 24])
        page = data[off + 24 : off + frame_size]
        salt_ok = (fs1, fs2) == (salt1, salt2)
        if chain_ok and salt_ok:
            s0, s1 = _checksum(data[off : off + 8], s0, s1, big)
            s0, s1 = _checksum(page, s0, s1, big)
            chain_ok = (s0, s1) == (fc1, fc2)
        frame_ok = chain_ok and salt_ok
        frame = WalFrame(i, pgno, commit, off + 24, page, salt_ok, frame_ok)
        if frame_ok:
            pending.append(frame)
            if commit:
                for f in pending:
                    log.frames.append(
                        WalFrame(f.index, f.page_number, f.commit_size, f.file_offset, f.data,
                                 f.salt_matches, f.checksum_ok, committed=True)
                    )
                pending = []
        else:
            log.frames.extend(pending)
            pending = []
            log.frames.append(frame)
    log.frames.extend(pending)
    log.frames.sort(key=lambda f: f.index)
    n_commit = len(log.committed_frames)
    n_stale = sum(1 for f in log.frames if not f.salt_matches)
    log.notes.append(
        f"{name}: {nslots} frames, {n_commit} in committed transactions, "
        f"{len(log.frames) - n_commit - n_stale} uncommitted or invalid, "
        f"{n_stale} from an earlier WAL generation (older page versions)"
    )
    return log
