"""NumPy arrays are read as vectors; pickles are described and never loaded."""

from __future__ import annotations

import io
import os
import pickle
import zipfile
from pathlib import Path

import numpy as np
import pytest

from tests.sources.items import head_of, item_from_bytes, item_from_path, of_type, read_all, tables
from venue_audit.sources.base import Problem, StoreFound, TableRows
from venue_audit.sources.npy import NumpyArrayReader
from venue_audit.sources.pickles import PickleReader, walk


def npy_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=array.dtype == object)
    return buffer.getvalue()


@pytest.mark.parametrize("dtype", ["<f4", "<f8", ">f4"])
def test_npy_matrix_rows_are_the_stored_vectors(dtype: str) -> None:
    rng = np.random.default_rng(1)
    array = rng.normal(size=(37, 128)).astype(dtype)
    item = item_from_bytes("encodings.npy", npy_bytes(array))
    reader = NumpyArrayReader()
    assert reader.claims(item, head_of(item))
    found = read_all(reader, item)
    store = of_type(found, StoreFound)[0]
    assert store.details["arrays"]["encodings"]["shape"] == [37, 128]
    table = of_type(found, TableRows)[0]
    assert table.columns == ["vector"]
    assert table.column_types == [f"float{np.dtype(dtype).itemsize * 8}[128]"]
    assert [loc for loc, _ in table.rows][:2] == ["row 1", "row 2"]
    assert [values[0] for _, values in table.rows] == array.astype(float).tolist()
    assert of_type(found, Problem) == []


def test_single_vector_fortran_order_and_squeezed_shapes() -> None:
    vector = np.arange(512, dtype="<f4") / 7
    fortran = np.asfortranarray(np.arange(24, dtype="<f8").reshape(4, 6))
    squeezed = np.arange(30, dtype="<f4").reshape(5, 1, 6)
    for array, expected in [
        (vector, [vector.tolist()]),
        (fortran, fortran.tolist()),
        (squeezed, squeezed.reshape(5, 6).tolist()),
    ]:
        found = read_all(NumpyArrayReader(), item_from_bytes("v.npy", npy_bytes(array)))
        assert tables(found)["v"] == [[row] for row in expected]


def test_object_arrays_are_refused_and_never_loaded(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    array = np.array([_Payload(f"touch {marker}"), 2], dtype=object)
    found = read_all(NumpyArrayReader(), item_from_bytes("evil.npy", npy_bytes(array)))
    assert of_type(found, TableRows) == []
    assert "object array" in of_type(found, Problem)[0].reason
    assert not marker.exists()


def test_npz_members_become_tables_and_bad_members_are_reported(tmp_path: Path) -> None:
    faces = np.random.default_rng(2).normal(size=(5, 128))
    names = np.array(["a", "b"])
    buffer = io.BytesIO()
    np.savez_compressed(buffer, faces=faces, names=names)
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.writestr("broken.npy", b"\x93NUMPY\x01\x00\xff\xff{")
    path = tmp_path / "db.npz"
    path.write_bytes(buffer.getvalue())
    item = item_from_path(path)
    reader = NumpyArrayReader()
    assert item.type == "zip" and reader.claims(item, head_of(item))
    found = read_all(reader, item)
    assert tables(found) == {"faces": [[row] for row in faces.tolist()]}
    problems = {p.locator.rsplit("!/", 1)[-1]: p.reason for p in of_type(found, Problem)}
    assert set(problems) == {"names.npy", "broken.npy"}
    assert "not a numeric vector type" in problems["names.npy"]


def v1_header(text: bytes) -> bytes:
    return b"\x93NUMPY\x01\x00" + len(text).to_bytes(2, "little") + text


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"\x93NUMPY\x09\x00", "unknown .npy version"),
        (b"\x93NUMPY\x02\x00\xff\xff\xff\x7f", "larger than"),
        (v1_header(b"__import__('os').system('true')\n"), "not a dict literal"),
        (v1_header(b"[" * 5000 + b"\n"), "not a dict literal"),
        (v1_header(b"{'descr': [('a','<f4')], 'fortran_order': False, 'shape': (2,)}\n"),
         "structured dtype"),
        (v1_header(b"{'descr': '<f4', 'fortran_order': False, 'shape': (2, -1)}\n"), "bad shape"),
        (v1_header(b"{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3, 4)}\n") + b"\0" * 96,
         "not a list of vectors"),
    ],
)
def test_hostile_npy_headers_are_problems(data: bytes, reason: str) -> None:
    found = read_all(NumpyArrayReader(), item_from_bytes("x.npy", data))
    assert reason in of_type(found, Problem)[0].reason


def test_truncated_npy_keeps_the_complete_rows() -> None:
    array = np.arange(40, dtype="<f8").reshape(10, 4)
    data = npy_bytes(array)
    found = read_all(NumpyArrayReader(), item_from_bytes("t.npy", data[: len(data) - 40]))
    assert tables(found)["t"] == [[row] for row in array[:8].tolist()]
    assert "10 rows declared, 8 complete rows present" in of_type(found, Problem)[0].reason


# --- pickles ---------------------------------------------------------------------------------


class _Payload:
    """What an attacker pickles: unpickling it runs a shell command."""

    def __init__(self, command: str) -> None:
        self.command = command

    def __reduce__(self) -> tuple:
        return (os.system, (self.command,))


@pytest.mark.parametrize("protocol", [0, 2, 4, 5])
def test_malicious_pickle_is_reported_and_never_run(tmp_path: Path, protocol: int) -> None:
    marker = tmp_path / "pwned"
    data = pickle.dumps({"faces": [_Payload(f"touch {marker}")]}, protocol=protocol)
    item = item_from_bytes("model.pkl", data)
    reader = PickleReader()
    assert reader.claims(item, head_of(item))
    found = read_all(reader, item)
    assert not marker.exists()
    store = of_type(found, StoreFound)[0]
    assert store.kind == "pickle"
    assert store.details["dangerous_globals"] == [f"{os.system.__module__} system"]
    assert store.details["loaded"] is False
    reasons = [p.reason for p in of_type(found, Problem)]
    assert any("never unpickled" in r and "system" in r and "run that code" in r for r in reasons)


@pytest.mark.parametrize("protocol", [2, 3, 4, 5])
def test_face_recognition_encodings_pickle_exposes_array_bytes(protocol: int) -> None:
    rng = np.random.default_rng(5)
    encodings = [rng.normal(size=128) for _ in range(6)]
    data = pickle.dumps({"encodings": encodings, "names": ["a", "b", "a", "c", "c", "c"]},
                        protocol=protocol)
    found = read_all(PickleReader(), item_from_bytes("encodings.pickle", data))
    details = of_type(found, StoreFound)[0].details
    assert details["numpy_arrays"] == 6
    assert details["dangerous_globals"] == []
    assert any(g.endswith("_reconstruct") or g.endswith("_frombuffer") for g in details["globals"])
    kept = [values[0] for values in tables(found)["byte_strings"]]
    assert kept == [vector.tobytes() for vector in encodings]


def test_several_pickles_in_one_file_and_plain_values() -> None:
    data = pickle.dumps([1.5, 2.5], protocol=4) + pickle.dumps(b"x" * 100, protocol=4)
    summary = walk(io.BytesIO(data))
    assert summary.pickles == 2
    assert summary.error is None
    assert summary.opcodes["BINFLOAT"] == 2
    assert summary.byte_strings == {100: 1}


@pytest.mark.parametrize(
    "data, fragment",
    [
        (pickle.dumps(list(range(100)), protocol=4)[:-20], "truncated"),
        (b"\x80\x04\xff", "unknown opcode"),
        (b"\x80\x04\x8e" + (2**40).to_bytes(8, "little"), "truncated"),
        (b"\x80\x02c" + b"a" * 100_000, "longer than"),
    ],
)
def test_broken_pickles_end_with_a_located_problem(data: bytes, fragment: str) -> None:
    found = read_all(PickleReader(), item_from_bytes("bad.pkl", data))
    assert any(fragment in p.reason for p in of_type(found, Problem))


def test_pickle_claims_by_magic_or_name_only() -> None:
    reader = PickleReader()
    assert reader.claims(item_from_bytes("blob.dat", pickle.dumps(1, protocol=2)), b"\x80\x02K\x01.")
    assert reader.claims(item_from_bytes("old.pkl", b"(lp0\n."), b"(lp0\n.")
    assert not reader.claims(item_from_bytes("notes.txt", b"hello"), b"hello")
