"""Which known product a store or table belongs to; the core asks here and never names a profile.

Profiles register like readers. The scanner keeps one :class:`ProfileSession`
per scan: it names each store's profile before the store is written, gives
explicit column roles for a product's tables, and reads a product's folder
layout for picture files. Per-store memory (join keys from tables read
earlier) lives on the store reference itself, so it ends with the store.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from typing import Any

from venue_audit.consent.capture_time import CaptureTime
from venue_audit.sources.base import ImageFound, StoreFound, TableRows
from venue_audit.sources.classify import ColumnRoles, TemplateColumn
from venue_audit.sources.profiles.base import PictureFacts, Profile, ProfileMatch

_PROFILES: list[Profile] = []
_LOADED = False
# Store kinds whose StoreFound lists every table before the first rows (a streamed dump
# or a push log learns its tables as it goes, so there a table is matched on its own).
COMPLETE_TABLE_LISTS = frozenset({"sqlite"})
_STATE = "_profile_state"
_SYSTEMS = "product versions by store"


def register_profile(profile_class: type[Profile]) -> type[Profile]:
    """Class decorator: make a profile available to the scanner."""
    if not any(type(p) is profile_class for p in _PROFILES):
        _PROFILES.append(profile_class())
    return profile_class


def profiles() -> list[Profile]:
    global _LOADED
    if not _LOADED:
        import venue_audit.sources.profiles as package

        for module in pkgutil.iter_modules(package.__path__):
            if module.name not in ("base", "registry"):
                importlib.import_module(f"{package.__name__}.{module.name}")
        _LOADED = True
    return list(_PROFILES)


def store_state(store: Any) -> dict[str, Any]:
    """Memory that lives exactly as long as one store reference (one database, one dump)."""
    return vars(store).setdefault(_STATE, {})


def _store_tables(store: Any) -> set[str] | None:
    if getattr(store, "kind", None) not in COMPLETE_TABLE_LISTS:
        return None
    tables = (getattr(store, "details", None) or {}).get("tables")
    return table_names(tables) if isinstance(tables, dict | list) else None


def table_names(tables: Any) -> set[str]:
    """Lower-case table names without schema (a live snapshot may keep ``public.face_search``)."""
    return {str(t).rsplit(".", 1)[-1].lower() for t in tables or ()}


def match_table(store: Any, table: str, columns: list[str]) -> ProfileMatch | None:
    """The profile whose map covers this table (and whose signature the store holds, when known)."""
    tables = _store_tables(store)
    for profile in profiles():
        if tables is not None and not (profile.ANY_STORE or profile.fits_store(tables)):
            continue
        table_map = profile.table_map(table, columns)
        if table_map is not None:
            return ProfileMatch(profile, table_map, [*columns, *table_map.extra])
    return None


def system_label(profile: str | None, details: Any) -> str:
    """What the report's store table calls a store: the gear or product and its version."""
    if not isinstance(details, dict) or not details.get("system"):
        return profile or ""
    version = details.get("version")
    return f"{details['system']}" + (f", {version}" if version else "")


def known_table(table: str, columns: list[str]) -> str | None:
    """Why a known product needs this table copied (its faces, or the keys its faces join to).

    Live acquisition copies what the classifier sees as face data; a product's join
    tables (Immich's ``asset_face``, digiKam's ``IdentityAttributes``) hold no faces of
    their own but carry the person keys and capture times, so they are copied too.
    Decoy tables (CLIP vectors) are not.
    """
    match = match_table(None, table, columns)
    if match is None or match.table_map.decoy:
        return None
    note = f" ({match.table_map.note})" if match.table_map.note else ""
    return f"{match.profile.NAME} profile: {match.table_map.table}{note}"


def reading_order(tables: list[str]) -> list[str]:
    """A store's tables with those a known product joins to first (digiKam's identity names).

    Only a store whose whole table list is known (SQLite) can be read in this order; the
    rest keep their name order.
    """
    known = {t.rsplit(".", 1)[-1].lower() for t in tables}
    first: list[str] = []
    for profile in profiles():
        if profile.fits_store(known):
            first += [t.lower() for t in profile.READ_FIRST]
    rank = {name: i for i, name in enumerate(first)}
    return sorted(
        tables, key=lambda t: rank.get(t.rsplit(".", 1)[-1].lower(), len(rank))
    )


def _cell_readers() -> list[Profile]:
    return [p for p in profiles() if type(p).cell_rows is not Profile.cell_rows]


def cell_tables(table: TableRows, row_locator: str, row: list[Any]) -> Iterator[TableRows]:
    """Known products' objects held whole in the cells of one row, as tables of their own.

    Each object is a row located by the table's row, the column and the object's
    number (``rowid 12, column body, FaceObject 2``); the table keeps its name, so the
    records say which table of the store held them. The product's own map reads them.
    """
    readers = _cell_readers()
    for index, cell in enumerate(row):
        if cell is None or not isinstance(cell, str | bytes | bytearray | memoryview):
            continue
        for profile in readers:
            found = profile.cell_rows(cell)
            if found is None:
                continue
            column = table.columns[index] if index < len(table.columns) else str(index + 1)
            where = f"{row_locator}, column {column}, {found.label}"
            rows = [(f"{where} {n}", values) for n, values in enumerate(found.rows, 1)]
            yield TableRows(table.table, found.columns, iter(rows), table.deleted)
            break


def explicit_roles(store: Any, table: TableRows) -> tuple[TableRows, ColumnRoles, str] | None:
    """A known product's roles for a table, with its rows adapted; None leaves it to the classifier."""
    match = match_table(store, table.table, table.columns)
    if match is None:
        return None
    table_map, profile = match.table_map, match.profile
    state = store_state(store)
    if table_map.version:
        system = {"system": profile.SYSTEM or profile.NAME, "version": table_map.version}
        state.get("shared", {}).setdefault(_SYSTEMS, {})[store.locator] = system
        if isinstance(getattr(store, "details", None), dict):
            store.details.update(system)
    roles = ColumnRoles(
        person_key=match.index(table_map.person_key),
        time=match.index(table_map.time),
        deleted=match.index(table_map.deleted),
        camera=match.index(table_map.camera),
    )
    if table_map.decoy:
        roles.reasons.append(f"{profile.NAME} profile: {table_map.table}: {table_map.decoy}")
    else:
        roles.images = [i for c in table_map.images if (i := match.index(c)) is not None]
        for template in table_map.templates:
            index = match.index(template.column)
            if index is not None:
                roles.templates.append(
                    TemplateColumn(
                        index,
                        template.dim or 0,
                        f"{template.model} ({profile.NAME} profile)",
                        space=template.space,
                        opaque=template.dim is None,
                    )
                )
        roles.reasons.append(
            f"{profile.NAME} profile: {table_map.table} mapped explicitly"
            + (f" ({table_map.note})" if table_map.note else "")
        )

    def rows() -> Iterator[tuple[str, list[Any]]]:
        for locator, values in table.rows:
            row = dict(zip(table.columns, values, strict=False))
            for extra in table_map.extra:
                row[extra] = None
            adapted = profile.adapt(table_map, row, state)
            yield locator, [adapted.get(column) for column in match.columns]

    adapted = TableRows(table.table, match.columns, rows(), table.deleted, None)
    return adapted, roles, profile.NAME


class ProfileSession:
    """One scan's view of the profiles: names stores and reads products' folder layouts."""

    def __init__(self) -> None:
        self.named: dict[str, str] = {}
        self.shared: dict[str, Any] = {}
        # per-store memory of the item being read: a streaming reader reports its store
        # again at the end (a new reference), which must find the same memory and profile
        self.states: dict[str, dict[str, Any]] = {}
        self.refs: dict[str, Any] = {}

    def picture(self, locator: str, tz: Any = None) -> PictureFacts | None:
        return picture_facts(locator, tz, self.shared)

    def settle_person_keys(self, stores: dict[str, Any], records: list[Any]) -> int:
        """Resolve the provisional person keys of stores read to their end; returns how many.

        ``records`` are the scanner's drafts (``store_locator`` and ``artifacts`` with
        ``person_key_kind``/``person_key``); called once per evidence item, after its
        readers finished and before anything is written.
        """
        resolved: dict[str, dict[tuple[str, str], str]] = {}
        for locator, store in stores.items():
            keys: dict[tuple[str, str], str] = {}
            for profile in profiles():
                if getattr(store, "profile", None) == profile.NAME:
                    keys.update(profile.person_keys(self.states.get(locator, {})))
            if keys:
                resolved[locator] = keys
        self.states.clear()
        self.refs.clear()
        changed = 0
        for record in records:
            keys = resolved.get(record.store_locator)
            for artifact in record.artifacts if keys else ():
                key = keys.get((artifact.person_key_kind, artifact.person_key))  # type: ignore[union-attr]
                if key is not None and key != artifact.person_key:
                    artifact.person_key = key
                    changed += 1
        return changed

    def name_store(self, store: Any, found: Any) -> None:
        """Set ``store.profile`` before the store is written, from whatever names the product."""
        state = self.states.setdefault(store.locator, store_state(store))
        vars(store)[_STATE] = state
        state["shared"] = self.shared
        earlier = self.refs.setdefault(store.locator, store)
        if earlier is not store:  # the store reported anew: it keeps the profile its tables gave it
            if store.profile == "generic":
                store.profile = earlier.profile
            self.refs[store.locator] = store
        name: str | None = None
        if isinstance(found, StoreFound) and found.kind in COMPLETE_TABLE_LISTS:
            tables = table_names(found.details.get("tables"))
            name = next((p.NAME for p in profiles() if p.fits_store(tables)), None)
        elif isinstance(found, TableRows):
            match = match_table(store, found.table, found.columns)
            name = match.profile.NAME if match else None
        elif isinstance(found, ImageFound) and store.kind == "folder":
            facts = picture_facts(found.locator, None, self.shared)
            name = facts.profile if facts else None
        if name is not None and store.profile in ("generic", name):
            self.named[store.locator] = name
        name = self.named.get(store.locator)
        if name is not None:
            store.profile = name
        # a streaming reader reports its store anew at the end: keep the version seen in its tables
        system = self.shared.get(_SYSTEMS, {}).get(store.locator)
        if system is not None and isinstance(getattr(store, "details", None), dict):
            store.details.update(system)


def picture_facts(
    locator: str, tz: Any = None, shared: dict[str, Any] | None = None
) -> PictureFacts | None:
    """What a known product's folder layout says about a picture (person, capture time)."""
    parts = [p.rstrip("!") for p in locator.replace("\\", "/").split("/") if p.rstrip("!")]
    for profile in profiles():
        facts = profile.picture(parts, tz, {} if shared is None else shared)
        if facts is not None:
            return facts
    return None


__all__ = [
    "CaptureTime",
    "ProfileSession",
    "cell_tables",
    "explicit_roles",
    "known_table",
    "match_table",
    "picture_facts",
    "profiles",
    "reading_order",
    "register_profile",
    "store_state",
    "system_label",
]
