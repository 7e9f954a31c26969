"""Distinct persons on real labelled faces: faces_dev and capture-like variants of it.

Development data: ``../shared/data/faces_dev`` (829 in-the-wild CelebA pictures of 139
identities; non-commercial terms, so nothing of it enters the repository). The suite stops with a
message when it is absent. From each picture it derives what venue cameras store (人脸小图):

    photos         the picture as it is (250 px, in the wild)
    tight-grey     a crop 0.95-1.15x the face box, 60-150 px wide, greyscale, JPEG q60-75
    tight-colour   the same in colour
    loose-grey     a crop 1.6-2.2x the face box, 60-150 px wide, greyscale, JPEG q60-75
    loose-colour   the same in colour

and one mixed evidence: the loose grey crops of half the identities with the photos of the
other half (two very different cameras in one case; "found" there counts faces, not pictures)

(the face box is dlib HOG's on the original, upsampled once, else BlazeFace's; pictures in which
neither finds a face make no crop). Every set goes through the default face engine; the largest
face of each picture carries the picture's label.

Identities are split in two by a hash of their label: thresholds were chosen on the ``tune`` half,
and the numbers printed are those of the ``held-out`` half (``--all`` in the environment variable
``BENCH_PERSONS_PART=tune`` prints the other half). Per set it prints faces found, persons found
vs true, the interval and the lower bound vs true, pairwise precision/recall/F1, splits and merges,
and chinese-whispers at 0.5 and average linkage at 0.6 on the same faces; the measured ceiling is
the best F1 either baseline reaches with its threshold chosen on the held-out faces themselves.

    python scripts/bench.py persons          # every set, held-out identities
    python scripts/bench.py persons --quick  # photos and tight-grey only
    BENCH_PERSONS_RATES=1 python scripts/bench.py persons   # refit persons.uncertainty's constants
    BENCH_PERSONS_MIRROR=1 python scripts/bench.py persons  # opt-in: mirror-averaged descriptors

The mirror rows measure dlib's ``num_jitters`` idea on poor captures without changing the engine:
each face's chip is rebuilt from the engine's landmarks, flipped, encoded with the default
encoder, and the two descriptors averaged (for every face, and for poor captures only).

Analysed faces are cached under ``~/.cache/venue-audit/bench-persons`` (embeddings, no pictures).
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import random
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
DEV = REPO.parent / "shared" / "data" / "faces_dev"
SETS = ("photos", "tight-grey", "tight-colour", "loose-grey", "loose-colour")
VARIANT_VERSION = 1
FRAMING = {"tight": (0.95, 1.15), "loose": (1.6, 2.2)}


@dataclass
class FaceSet:
    """The largest face of every picture of one set in which a face was found."""

    name: str
    pictures: int  # pictures of the set (crops made)
    identities: np.ndarray  # (N,) label of each face's picture
    embeddings: np.ndarray  # (N, 128) float32
    quality: np.ndarray  # (N,) engine quality 0..1
    size: np.ndarray  # (N,) face box side, px
    grey: np.ndarray  # (N,) bool: greyscale picture
    picture_of: np.ndarray  # (N,) index of the picture in labels.csv order

    def part(self, keep: np.ndarray) -> FaceSet:
        return FaceSet(
            self.name,
            int(np.unique(self.picture_of[keep]).size),
            self.identities[keep],
            self.embeddings[keep],
            self.quality[keep],
            self.size[keep],
            self.grey[keep],
            self.picture_of[keep],
        )


def venue_like(face_set: FaceSet, seed: int, p: float = 0.45) -> FaceSet:
    """Fewer captures for most people, as at a venue: geometric(p) captures per identity, at
    most what the set has (with p = 0.45, 45 % of the people seen once, a few five times or more)."""
    rng = np.random.default_rng(seed)
    keep = np.zeros(face_set.identities.size, dtype=bool)
    for identity in np.unique(face_set.identities):
        rows = np.flatnonzero(face_set.identities == identity)
        wanted = min(rows.size, int(rng.geometric(p)))
        keep[rng.choice(rows, size=wanted, replace=False)] = True
    out = face_set.part(keep)
    out.name = f"{face_set.name} venue-like" + ("" if p == 0.45 else f" p={p}")
    out.pictures = int(keep.sum())
    return out


def mixed(first: FaceSet, second: FaceSet) -> FaceSet:
    """Two populations in one evidence: ``first``'s faces of half the identities and
    ``second``'s of the other half (two very different cameras, different visitors)."""

    def half(face_set: FaceSet, side: int) -> FaceSet:
        keep = np.array(
            [
                hashlib.sha256(f"mix{i}".encode()).digest()[0] % 2 == side
                for i in face_set.identities
            ]
        )
        return face_set.part(keep)

    a, b = half(first, 0), half(second, 1)
    return FaceSet(
        f"mixed: {first.name} + {second.name}",
        a.pictures + b.pictures,
        np.concatenate([a.identities, b.identities]),
        np.concatenate([a.embeddings, b.embeddings]),
        np.concatenate([a.quality, b.quality]),
        np.concatenate([a.size, b.size]),
        np.concatenate([a.grey, b.grey]),
        np.concatenate([a.picture_of, b.picture_of]),
    )


def held_out(identity: str) -> bool:
    """Identity-disjoint halves, fixed by the label alone."""
    return hashlib.sha256(identity.encode()).digest()[0] % 2 == 1


def _labels() -> list[tuple[Path, str]]:
    with (DEV / "labels.csv").open(newline="") as handle:
        return [(DEV / row["file"], row["person"]) for row in csv.DictReader(handle)]


def _face_box(rgb: np.ndarray) -> tuple[float, float, float, float] | None:
    """(left, top, right, bottom) of the largest face in an original picture."""
    from venue_audit.faces import blazeface
    from venue_audit.faces.models import hog_detector

    found = [(r.left(), r.top(), r.right() + 1, r.bottom() + 1) for r in hog_detector()(rgb, 1)]
    if not found:
        found = [(d.left, d.top, d.right, d.bottom) for d in blazeface.detect(rgb, border=0.3)]
    if not found:
        return None
    return max(found, key=lambda b: (b[2] - b[0]) * (b[3] - b[1]))


def _variant(
    image: object, box: tuple[float, float, float, float], name: str, rng: random.Random
) -> bytes:
    from PIL import Image

    framing, colour = name.split("-")
    low, high = FRAMING[framing]
    left, top, right, bottom = box
    side = (right - left) * rng.uniform(low, high)
    aspect = rng.uniform(1.0, 1.2)  # capture crops are often a little taller than wide
    cx = (left + right) / 2 + rng.uniform(-0.05, 0.05) * side
    cy = (top + bottom) / 2 + rng.uniform(-0.05, 0.05) * side
    crop = image.crop(  # type: ignore[attr-defined]
        (
            round(cx - side / 2),
            round(cy - side * aspect / 2),
            round(cx + side / 2),
            round(cy + side * aspect / 2),
        )
    )
    width = rng.randint(60, 150)
    crop = crop.resize((width, round(width * aspect)), Image.Resampling.BILINEAR)
    if colour == "grey":
        crop = crop.convert("L")
    out = io.BytesIO()
    crop.save(out, "JPEG", quality=rng.randint(60, 75))
    return out.getvalue()


def _pictures(name: str) -> list[tuple[int, str, bytes]]:
    """(picture index, identity, bytes) of one set, in labels.csv order."""
    import cv2
    from PIL import Image

    out = []
    rng = random.Random(f"{name}-{VARIANT_VERSION}")
    for index, (path, identity) in enumerate(_labels()):
        data = path.read_bytes()
        if name == "photos":
            out.append((index, identity, data))
            continue
        image = Image.open(io.BytesIO(data)).convert("RGB")
        box = _face_box(cv2.cvtColor(cv2.imread(str(path)), cv2.COLOR_BGR2RGB))
        if box is not None:
            out.append((index, identity, _variant(image, box, name, rng)))
    return out


def _cache_dir() -> Path:
    from venue_audit.faces.models import default_cache_dir

    return default_cache_dir() / "bench-persons"


def load_set(name: str, workers: int = 2) -> FaceSet:
    """Analyse one set with the default engine (cached by engine version and variant version)."""
    from venue_audit.faces import ENGINE_VERSION, EngineConfig, analyze_many
    from venue_audit.faces.errors import FaceInputError

    key = hashlib.sha256(f"{ENGINE_VERSION}|{VARIANT_VERSION}|{name}".encode()).hexdigest()[:16]
    cached = _cache_dir() / f"{name}-{key}.npz"
    if cached.exists():
        z = np.load(cached)
        return FaceSet(
            name,
            int(z["pictures"]),
            z["identities"],
            z["embeddings"],
            z["quality"],
            z["size"],
            z["grey"],
            z["picture_of"],
        )
    pictures = _pictures(name)
    rows = []
    results = analyze_many(((i, data) for i, _, data in pictures), EngineConfig(), workers)
    for (index, identity, _), (_, result) in zip(pictures, results, strict=True):
        if isinstance(result, FaceInputError) or not result.faces:
            continue
        face = max(result.faces, key=lambda f: (f.bbox[2] - f.bbox[0]) * (f.bbox[1] - f.bbox[3]))
        top, right, bottom, left = face.bbox
        rows.append(
            (
                index,
                identity,
                face.embedding,
                face.quality,
                min(right - left, bottom - top),
                name.endswith("grey"),
            )
        )
    face_set = FaceSet(
        name,
        len(pictures),
        np.array([r[1] for r in rows]),
        np.stack([r[2] for r in rows]).astype(np.float32),
        np.array([r[3] for r in rows], dtype=np.float32),
        np.array([r[4] for r in rows], dtype=np.float32),
        np.array([r[5] for r in rows], dtype=bool),
        np.array([r[0] for r in rows], dtype=np.int64),
    )
    cached.parent.mkdir(parents=True, exist_ok=True)
    np.savez(
        cached,
        pictures=face_set.pictures,
        identities=face_set.identities,
        embeddings=face_set.embeddings,
        quality=face_set.quality,
        size=face_set.size,
        grey=face_set.grey,
        picture_of=face_set.picture_of,
    )
    return face_set


def load_mirrored(name: str, face_set: FaceSet, workers: int = 2) -> np.ndarray:
    """Per face of ``face_set``, the descriptor of its mirrored chip (dlib's ``num_jitters`` idea,
    measured, not used by the engine): the chip rebuilt from the engine's landmarks on the decoded
    picture, flipped left-right and encoded with the default encoder. Cached like load_set."""
    import dlib

    from venue_audit.faces import ENGINE_VERSION, EngineConfig, analyze_many
    from venue_audit.faces.decode import decode_image
    from venue_audit.faces.engine import CHIP_PADDING, CHIP_SIZE
    from venue_audit.faces.errors import FaceInputError
    from venue_audit.faces.models import encode_chips

    config = EngineConfig()
    key = hashlib.sha256(
        f"{ENGINE_VERSION}|{VARIANT_VERSION}|{name}|{config.encoder}|mirror".encode()
    ).hexdigest()[:16]
    cached = _cache_dir() / f"{name}-{key}-mirror.npz"
    if not cached.exists():
        pictures = _pictures(name)
        rebuilt, mirrored, picture_of = [], [], []
        results = analyze_many(((i, data) for i, _, data in pictures), config, workers)
        for (index, _, data), (_, result) in zip(pictures, results, strict=True):
            if isinstance(result, FaceInputError) or not result.faces:
                continue
            face = max(
                result.faces, key=lambda f: (f.bbox[2] - f.bbox[0]) * (f.bbox[1] - f.bbox[3])
            )
            top, right, bottom, left = face.bbox
            shape = dlib.full_object_detection(
                dlib.rectangle(left, top, right, bottom),
                [dlib.point(int(x), int(y)) for x, y in face.landmarks],
            )
            chip = dlib.get_face_chip(decode_image(data), shape, CHIP_SIZE, CHIP_PADDING)
            rebuilt.append(chip)
            mirrored.append(np.ascontiguousarray(chip[:, ::-1]))
            picture_of.append(index)
        both = encode_chips(rebuilt + mirrored, config.encoder, config.resolved_cache_dir())
        np.savez(
            cached,
            picture_of=np.array(picture_of),
            rebuilt=both[: len(rebuilt)],
            mirrored=both[len(rebuilt) :],
        )
    z = np.load(cached)
    row = {int(p): i for i, p in enumerate(z["picture_of"])}
    at = np.array([row[int(p)] for p in face_set.picture_of])
    same = np.linalg.norm(z["rebuilt"][at] - face_set.embeddings, axis=1) < 1e-3
    if not same.all():  # a chip the engine made from another picture (its second try)
        print(f"  {name}: {int((~same).sum())} of {same.size} chips rebuilt differently")
    mirror = z["mirrored"][at].copy()
    mirror[~same] = face_set.embeddings[~same]  # no mirror where the chip is not the engine's
    return mirror


POOR_QUALITY = 0.5  # engine quality below this (size under ~100 px, blur): a poor capture


def mirror_rows(part: str = "held-out") -> None:
    """Pairwise F1, ceiling, groups and estimate with each descriptor averaged with that of the
    mirrored chip: for every face, and for poor captures only (BENCH_PERSONS_MIRROR=1)."""
    from venue_audit.persons import cluster_space, pairwise_score

    print(
        f"mirror averaging (descriptor + mirrored chip's) / 2, {part} identities; poor = engine "
        f"quality < {POOR_QUALITY}"
    )
    print(
        f"{'set':<24} {'variant':<10} {'poor':>5} {'groups':>6} {'estimate':>8} {'interval':>9} "
        f"{'≥':>4} {'prec':>6} {'recall':>6} {'F1':>6} | ceiling"
    )
    for name in SETS:
        whole = load_set(name)
        mirror = load_mirrored(name, whole)
        faces = split(whole, part)
        keep = np.array([held_out(i) == (part == "held-out") for i in whole.identities])
        mirror = mirror[keep]
        for label, thinned in (("", faces), (" venue-like", venue_like(faces, 3, 0.45))):
            rows = np.isin(faces.picture_of, thinned.picture_of)
            truth = np.unique(thinned.identities, return_inverse=True)[1]
            poor = thinned.quality < POOR_QUALITY
            averaged = (thinned.embeddings + mirror[rows]) / 2
            variants = {
                "none": thinned.embeddings,
                "all": averaged,
                "poor only": np.where(poor[:, None], averaged, thinned.embeddings),
            }
            for variant, x in variants.items():
                result = cluster_space(x)
                score = pairwise_score(truth, result.labels)
                best, best_name = ceiling(x, truth)
                low, high = result.interval
                print(
                    f"{name + label:<24} {variant:<10} {poor.mean():>5.0%} {result.n_persons:>6} "
                    f"{result.estimate:>8} {f'{low}-{high}':>9} {result.lower_bound:>4} "
                    f"{score.precision:>6.3f} {score.recall:>6.3f} {score.f1:>6.3f} | "
                    f"{max(best, score.f1):.3f} ({best_name})",
                    flush=True,
                )
    print(f"(true persons: {int(np.unique(faces.identities).size)} per row)")


def split(face_set: FaceSet, part: str = "held-out") -> FaceSet:
    """The faces of one identity-disjoint half; ``pictures`` counts that half's pictures."""
    keep = np.array([held_out(i) == (part == "held-out") for i in face_set.identities], dtype=bool)
    out = face_set.part(keep)
    all_ids = [identity for _, identity in _labels()]
    wanted = sum(held_out(i) == (part == "held-out") for i in all_ids)
    # pictures of this half that made a crop (a crop needs a face box in the original)
    out.pictures = round(face_set.pictures * wanted / len(all_ids))
    return out


@dataclass
class Errors:
    """Per group found: is it a split-off fragment, how many persons does it hide (merges)."""

    fragment: np.ndarray  # (G,) bool
    hidden: np.ndarray  # (G,) int

    @property
    def splits(self) -> int:
        return int(self.fragment.sum())

    @property
    def merges(self) -> int:
        return int(self.hidden.sum())


def errors(truth: np.ndarray, labels: np.ndarray) -> Errors:
    """found = true + splits - merges, exactly (see persons.uncertainty)."""
    n_groups = int(labels.max()) + 1
    n_true = int(truth.max()) + 1
    table = np.zeros((n_groups, n_true), dtype=np.int64)
    np.add.at(table, (labels, truth), 1)
    dominant = table.argmax(axis=1)
    size = table.sum(axis=1)
    fragment = np.ones(n_groups, dtype=bool)
    for identity in np.unique(dominant):
        groups = np.flatnonzero(dominant == identity)
        fragment[groups[np.argmax(size[groups])]] = False
    hidden = np.zeros(n_groups, dtype=np.int64)
    for identity in np.setdiff1d(np.arange(n_true), dominant):
        hidden[table[:, identity].argmax()] += 1
    return Errors(fragment, hidden)


def chinese_whispers(x: np.ndarray, threshold: float) -> np.ndarray:
    import dlib

    vectors = [dlib.vector(row.astype(np.float64)) for row in x]
    return np.asarray(dlib.chinese_whispers_clustering(vectors, threshold), dtype=np.int64)


def average_linkage(x: np.ndarray, threshold: float) -> np.ndarray:
    from scipy.cluster.hierarchy import fcluster, linkage

    if x.shape[0] < 2:
        return np.zeros(x.shape[0], dtype=np.int64)
    tree = linkage(x.astype(np.float64), "average")
    return fcluster(tree, threshold, "distance").astype(np.int64) - 1


def ceiling(x: np.ndarray, truth: np.ndarray) -> tuple[float, str]:
    """Best F1 of either baseline with its threshold chosen on these very faces."""
    from venue_audit.persons import pairwise_score

    best = (0.0, "")
    for threshold in np.arange(0.40, 0.70, 0.01):
        for name, method in (("average", average_linkage), ("cw", chinese_whispers)):
            f1 = pairwise_score(truth, method(x, float(threshold))).f1
            best = max(best, (f1, f"{name} {threshold:.2f}"))
    return best


RATE_RETURN_PROBABILITIES = (0.2, 0.3, 0.45, 0.6)
# The 5 full sets (everybody five or six times) are outnumbered 8 to 1 by the thinned ones; each
# measured set weighs the same in the fit, a full set this many times as much, so that both
# regimes (most small groups fragments / most small groups people seen once) are fitted.
FULL_SET_WEIGHT = 4.0


def _logistic(x: np.ndarray, y: np.ndarray, weight: np.ndarray, ridge: float = 1e-2) -> np.ndarray:
    """Weighted logistic regression by Newton's method (a few hundred rows, three columns)."""
    w = np.zeros(x.shape[1])
    for _ in range(60):
        p = 1.0 / (1.0 + np.exp(-x @ w))
        gradient = x.T @ (weight * (p - y)) + ridge * w
        hessian = (x * (weight * p * (1 - p))[:, None]).T @ x + ridge * np.eye(x.shape[1])
        w -= np.linalg.solve(hessian, gradient)
    return w


def rates(part: str = "tune") -> None:
    """Print persons.uncertainty's constants, measured on one half of every set.

    Besides each full set (everybody has five or six pictures), each set thinned to venue-like
    numbers of captures (geometric with p = 0.2 ... 0.6, two seeds each): whether a small group
    is a fragment or a person seen once depends on how often people come back.
    """
    from venue_audit.persons import cluster_space
    from venue_audit.persons.uncertainty import (
        NEAR_REFERENCE,
        SIZE_EDGES,
        chance_shift,
        crowding,
        estimate_count,
        near_feature,
        returning_share,
        size_bins,
    )

    full = [split(load_set(name), part) for name in SETS]
    measured = [(faces, FULL_SET_WEIGHT) for faces in full] + [
        (venue_like(faces, seed, p), 1.0)
        for faces in full
        for p in RATE_RETURN_PROBABILITIES
        for seed in (1, 2)
    ]
    outcomes = []
    for faces, weight in measured:
        truth = np.unique(faces.identities, return_inverse=True)[1]
        result = cluster_space(faces.embeddings)
        sizes = np.bincount(result.labels)
        outcomes.append(
            (
                int(truth.max()) + 1,
                sizes,
                result.cluster_near_returning,
                errors(truth, result.labels),
                weight,
                crowding(sizes, result.cluster_separation),
                result.cluster_separation,
                crowding(sizes, result.cluster_separation, prior_groups=0),
            )
        )
    fragment = []
    for size in (1, 2):
        x, y, w = [], [], []
        for _, sizes, near, found, weight, *_ in outcomes:
            rows = sizes == size
            if not rows.any():
                continue
            share = np.full(rows.sum(), returning_share(sizes))
            near_rows = near_feature(near[rows], chance_shift(sizes, near))
            x.append(np.stack([np.ones(rows.sum()), share, near_rows], axis=1))
            y.append(found.fragment[rows].astype(float))
            w.append(np.full(rows.sum(), weight * 100.0 / rows.sum()))
        coef = _logistic(np.concatenate(x), np.concatenate(y), np.concatenate(w))
        fragment.append(tuple(round(float(c), 3) for c in coef))
    middle = np.concatenate(
        [
            found.fragment[(sizes >= 3) & (sizes < SIZE_EDGES[2])]
            for _, sizes, _, found, *_ in outcomes
        ]
    )
    n_size = len(SIZE_EDGES) + 1
    # persons hidden per group and unit of crowding, pooled: sum(hidden) / sum(crowding)
    hidden, exposure, groups = np.zeros(n_size), np.zeros(n_size), np.zeros(n_size)
    for _, sizes, _, found, _, crowded, *_ in outcomes:
        np.add.at(hidden, size_bins(sizes), found.hidden)
        np.add.at(exposure, size_bins(sizes), crowded)
        np.add.at(groups, size_bins(sizes), 1)
    merge = tuple(round(float(h / max(e, 1e-9)), 3) for h, e in zip(hidden, exposure, strict=True))
    residuals = []
    for true, sizes, near, _, _, _, separation, _ in outcomes:
        point = estimate_count(
            sizes, near, separation, fragment=tuple(fragment), merge=merge, residuals=(0.0, 0.0)
        ).estimate
        residuals.append((true - point) / point)
    crowded = [raw for *_, raw in outcomes]  # the sets' own, without the prior
    chance = [chance_shift(sizes, near, 0) for _, sizes, near, *_ in outcomes]
    print(f"FRAGMENT = {tuple(fragment)}")
    print(f"FRAGMENT_MIDDLE = {middle.mean():.3f}  # groups: {middle.size}")
    print(f"MERGE = {merge}  # groups: {groups.astype(int).tolist()}")
    print(
        f"PRIOR_CROWDING = {np.median(crowded):.2f}  # range {min(crowded):.2f}-{max(crowded):.2f}"
    )
    print(f"NEAR_REFERENCE = {NEAR_REFERENCE + np.median(chance):.2f}  # median of the sets")
    print(f"RESIDUALS = ({min(residuals):.3f}, {max(residuals):.3f})  # sets: {len(residuals)}")


def run(quick: bool) -> None:
    if not (DEV / "labels.csv").exists():
        print(f"faces_dev not found at {DEV}: nothing to measure (development data, not shipped)")
        return
    from venue_audit.persons import cluster_space, pairwise_score

    if os.environ.get("BENCH_PERSONS_RATES"):
        rates()
        return
    if os.environ.get("BENCH_PERSONS_MIRROR"):
        mirror_rows(os.environ.get("BENCH_PERSONS_PART", "held-out"))
        return
    part = os.environ.get("BENCH_PERSONS_PART", "held-out")
    started = time.perf_counter()
    print(
        f"faces_dev, {part} identities (thresholds and rates chosen on the other half); "
        "persons = groups found; estimate, interval and lower bound from the measured rates"
    )
    header = (
        f"{'set':<24} {'pictures':>8} {'found':>6} {'true':>5} {'persons':>7} {'estimate':>8} "
        f"{'interval':>9} {'≥':>4} {'prec':>6} {'recall':>6} {'F1':>6} {'splits':>6} "
        f"{'merges':>6} | {'cw0.5 F1':>8} {'n':>4} | {'avg0.6 F1':>9} {'n':>4} | ceiling"
    )
    print(header)
    measured = [split(load_set(name), part) for name in (SETS[:2] if quick else SETS)]
    measured += [venue_like(faces, 3, p) for p in (0.45, 0.25) for faces in list(measured)]
    if not quick:  # grey loose crops of half the people, colour photos of the others
        measured.append(mixed(measured[3], measured[0]))
    for faces in measured:
        name = faces.name
        truth = np.unique(faces.identities, return_inverse=True)[1]
        true = int(truth.max()) + 1
        result = cluster_space(faces.embeddings)
        score = pairwise_score(truth, result.labels)
        found = errors(truth, result.labels)
        cw = chinese_whispers(faces.embeddings, 0.5)
        avg = average_linkage(faces.embeddings, 0.6)
        best, best_name = ceiling(faces.embeddings, truth)
        best = max(best, score.f1)
        low, high = result.interval
        print(
            f"{name:<24} {faces.pictures:>8} {faces.identities.size / faces.pictures:>6.1%} "
            f"{true:>5} {result.n_persons:>7} {result.estimate:>8} {f'{low}-{high}':>9} "
            f"{result.lower_bound:>4} {score.precision:>6.3f} {score.recall:>6.3f} "
            f"{score.f1:>6.3f} {found.splits:>6} {found.merges:>6} | "
            f"{pairwise_score(truth, cw).f1:>8.3f} {np.unique(cw).size:>4} | "
            f"{pairwise_score(truth, avg).f1:>9.3f} {np.unique(avg).size:>4} | "
            f"{best:.3f} ({best_name})",
            flush=True,
        )
    print(f"({time.perf_counter() - started:.0f} s)")
