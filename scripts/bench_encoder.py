"""The int8 encoder against the exact one, on real labelled faces.

Development data: ``../shared/data/faces_dev`` and its capture-like variants, made by
``bench_persons`` (imported, not copied); the suite stops with a message when it is absent. Each
set's pictures go through the default face engine up to the aligned chip (the largest face of each
picture, as ``bench_persons`` takes it); the chips are encoded by the exact encoder (``onnx``) and
by a candidate: the shipped ``onnx-int8`` recipe, or one given on the command line. Printed per
set and overall:

    descriptor |Δ|      Euclidean distance between a face's two descriptors, mean and max
    pair |Δ|            change of the distance of each pair of faces in a set: mean, p99, max
    decisions           share of labelled pairs whose same/different decision at 0.6 changes:
                        same-person pairs, different-person pairs, all
    persons             every ``bench.py persons`` row (held-out identities) clustered on either
                        encoder's embeddings: F1 and estimate, and the largest moves
    speed               CPU ms per chip, batches of 32, one thread, the two encoders alternating

    python scripts/bench.py encoder                  # the shipped recipe
    python scripts/bench.py encoder --method minmax --float-convs 0 --float-ops ""  # recipe 1
    python scripts/bench.py encoder --quick          # photos and tight-grey only

Chips are cached under ``~/.cache/venue-audit/bench-encoder`` (aligned 150 px faces of the
development data: they stay on this machine, never in the repository).
"""

from __future__ import annotations

import argparse
import hashlib
import time
from dataclasses import replace

import bench_persons
import numpy as np

THRESHOLD = 0.6
BATCH = 32


def _chips_of_set(name: str) -> dict[int, np.ndarray]:
    """Picture index -> aligned chip of its largest face, as the default engine makes it."""
    from venue_audit.faces import ENGINE_VERSION, EngineConfig, FaceEngine

    key = f"{ENGINE_VERSION}|{bench_persons.VARIANT_VERSION}|{name}"
    cached = (
        bench_persons._cache_dir().parent
        / "bench-encoder"
        / (f"{name}-{hashlib.sha256(key.encode()).hexdigest()[:16]}.npz")
    )
    if cached.exists():
        z = np.load(cached)
        return dict(zip(z["index"].tolist(), z["chips"], strict=True))

    class ChipEngine(FaceEngine):
        """The engine up to the chips: encoding is left to the benchmark."""

        def _encode_pending(self, pending: list) -> None:  # type: ignore[override]
            self.pending = pending

    engine = ChipEngine(EngineConfig())
    out: dict[int, np.ndarray] = {}
    for index, _, data in bench_persons._pictures(name):
        engine.pending = []
        engine.analyze_batch([(data, str(index))])
        for prepared in engine.pending:
            faces = prepared.analysis.faces
            if faces:
                areas = [(f.bbox[2] - f.bbox[0]) * (f.bbox[1] - f.bbox[3]) for f in faces]
                out[index] = prepared.chips[int(np.argmax(areas))]
    cached.parent.mkdir(parents=True, exist_ok=True)
    np.savez(cached, index=np.array(list(out)), chips=np.stack(list(out.values())))
    return out


def _encoders(args: argparse.Namespace) -> tuple[object, object, str]:
    from venue_audit.faces.models import _fp32_model_bytes, onnx_encoder, onnx_int8_encoder
    from venue_audit.faces.onnx_resnet import OnnxResNet
    from venue_audit.faces.quantized import Recipe, build_int8_model_bytes, calibration_chips

    cache_dir = str(bench_persons._cache_dir().parent)
    exact = onnx_encoder(cache_dir)
    if not args.recipe_given:
        return exact, onnx_int8_encoder(cache_dir), "shipped onnx-int8"
    recipe = Recipe(
        method=args.method,
        activations=args.activations,
        per_channel=not args.per_tensor,
        reduce_range=args.reduce_range,
        float_convs=tuple(int(i) for i in args.float_convs.split(",") if i),
        quantized_ops=tuple(o for o in args.ops.split(",") if o),
        float_ops=tuple(o for o in args.float_ops.split(",") if o),
        calibration_options=args.calibration_options,
    )
    started = time.perf_counter()
    model = build_int8_model_bytes(_fp32_model_bytes(cache_dir), calibration_chips(), recipe)
    print(f"candidate {recipe} built in {time.perf_counter() - started:.0f} s", flush=True)
    return exact, OnnxResNet(model), str(recipe)


def _encode(encoder: object, chips: np.ndarray) -> np.ndarray:
    return np.concatenate(
        [encoder(chips[i : i + BATCH]) for i in range(0, len(chips), BATCH)]  # type: ignore[operator]
    ).astype(np.float64)


def _pair_distances(x: np.ndarray) -> np.ndarray:
    """Distances of every pair i < j, in one flat array."""
    squared = (x * x).sum(axis=1)
    d = np.sqrt(np.maximum(squared[:, None] + squared[None, :] - 2 * x @ x.T, 0.0))
    return d[np.triu_indices(len(x), 1)]


def _compare(exact: np.ndarray, candidate: np.ndarray, identities: np.ndarray) -> dict:
    moved = np.linalg.norm(exact - candidate, axis=1)
    d_exact, d_candidate = _pair_distances(exact), _pair_distances(candidate)
    same = (identities[:, None] == identities[None, :])[np.triu_indices(len(identities), 1)]
    flipped = (d_exact <= THRESHOLD) != (d_candidate <= THRESHOLD)
    toward_truth = flipped & ((d_candidate <= THRESHOLD) == same)
    return {
        "moved": moved,
        "pair": np.abs(d_exact - d_candidate),
        "same": same,
        "flipped": flipped,
        "toward": toward_truth,
    }


def _print_comparison(name: str, c: dict) -> None:
    same, flipped = c["same"], c["flipped"]
    print(
        f"{name:<14} {len(c['moved']):>5} {c['moved'].mean():>8.4f} {c['moved'].max():>7.4f} "
        f"{c['pair'].mean():>8.5f} {np.percentile(c['pair'], 99):>7.4f} {c['pair'].max():>7.4f} "
        f"{flipped.size:>9} {flipped[same].mean():>8.3%} {flipped[~same].mean():>8.3%} "
        f"{flipped.mean():>8.3%} {int(flipped.sum()):>6} {int(c['toward'].sum()):>6}",
        flush=True,
    )


def _persons_rows(exact_sets: list, candidate_sets: list) -> tuple[float, int]:
    """Every ``bench.py persons`` row on both encoders' embeddings; the largest moves."""
    from venue_audit.persons import cluster_space, pairwise_score

    def rows(full: list) -> list:
        measured = [bench_persons.split(s) for s in full]
        measured += [
            bench_persons.venue_like(s, 3, p) for p in (0.45, 0.25) for s in list(measured)
        ]
        if len(full) == len(bench_persons.SETS):
            measured.append(bench_persons.mixed(measured[3], measured[0]))
        return measured

    print(f"\n{'persons row':<34} {'groups':>9} {'estimate':>9} {'F1':>13} {'ΔF1':>7}")
    worst_f1, worst_estimate = 0.0, 0
    for a, b in zip(rows(exact_sets), rows(candidate_sets), strict=True):
        truth = np.unique(a.identities, return_inverse=True)[1]
        ra, rb = cluster_space(a.embeddings), cluster_space(b.embeddings)
        fa, fb = pairwise_score(truth, ra.labels).f1, pairwise_score(truth, rb.labels).f1
        worst_f1 = max(worst_f1, abs(fb - fa))
        worst_estimate = max(worst_estimate, abs(rb.estimate - ra.estimate))
        print(
            f"{a.name:<34} {f'{ra.n_persons}→{rb.n_persons}':>9} "
            f"{f'{ra.estimate}→{rb.estimate}':>9} {f'{fa:.3f}→{fb:.3f}':>13} {fb - fa:>+7.3f}",
            flush=True,
        )
    return worst_f1, worst_estimate


def _speed(exact: object, candidate: object, chips: np.ndarray, rounds: int) -> tuple[float, float]:
    """CPU ms per chip of each encoder, measured in alternating rounds (one thread each)."""
    batch = chips[:BATCH]
    spent = [0.0, 0.0]
    for encoder in (exact, candidate):
        encoder(batch)  # type: ignore[operator]  # warm-up
    for _ in range(rounds):
        for k, encoder in enumerate((exact, candidate)):
            started = time.process_time()
            for _ in range(4):
                encoder(batch)  # type: ignore[operator]
            spent[k] += time.process_time() - started
    per_chip = rounds * 4 * BATCH
    return spent[0] / per_chip * 1e3, spent[1] / per_chip * 1e3


def run(quick: bool, argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="bench.py encoder")
    parser.add_argument("--method", default=None, choices=("minmax", "percentile", "entropy"))
    parser.add_argument("--activations", default=None, choices=("uint8", "int8"))
    parser.add_argument("--per-tensor", action="store_true")
    parser.add_argument("--reduce-range", action="store_true")
    parser.add_argument("--float-convs", default=None, help="conv indexes kept float, e.g. 0,1")
    parser.add_argument("--ops", default=None, help="op types quantised, e.g. Conv,MatMul")
    parser.add_argument("--float-ops", default=None, help="op types kept float, e.g. Sub,Mul")
    parser.add_argument("--percentile", type=float, default=None, help="with --method percentile")
    parser.add_argument("--no-persons", action="store_true", help="skip the persons rows")
    args = parser.parse_args(argv or [])
    from venue_audit.faces.quantized import Recipe

    default = Recipe()
    args.recipe_given = any(
        v not in (None, False)
        for v in (args.method, args.activations, args.float_convs, args.ops, args.float_ops)
    ) or (args.per_tensor or args.reduce_range or args.percentile is not None)
    args.method = args.method or default.method
    args.activations = args.activations or default.activations
    args.float_convs = (
        args.float_convs
        if args.float_convs is not None
        else ",".join(map(str, default.float_convs))
    )
    args.ops = args.ops if args.ops is not None else ",".join(default.quantized_ops)
    args.float_ops = args.float_ops if args.float_ops is not None else ",".join(default.float_ops)
    if args.percentile is None:
        keep = args.method == default.method
        args.calibration_options = default.calibration_options if keep else ()
    else:
        args.calibration_options = (("CalibPercentile", args.percentile),)
    if not (bench_persons.DEV / "labels.csv").exists():
        print(f"faces_dev not found at {bench_persons.DEV}: nothing to measure (not shipped)")
        return
    exact, candidate, described = _encoders(args)
    names = bench_persons.SETS[:2] if quick else bench_persons.SETS
    print(f"exact onnx vs {described}; faces_dev, every identity; pairs within each set")
    print(
        f"{'set':<14} {'faces':>5} {'desc|Δ|':>8} {'max':>7} {'pair|Δ|':>8} {'p99':>7} "
        f"{'max':>7} {'pairs':>9} {'same':>8} {'diff':>8} {'all':>8} {'flips':>6} {'toward':>6}"
    )
    exact_sets, candidate_sets, comparisons, all_chips = [], [], [], []
    for name in names:
        face_set = bench_persons.load_set(name)
        chips_by_picture = _chips_of_set(name)
        chips = np.stack([chips_by_picture[int(i)] for i in face_set.picture_of])
        e, c = _encode(exact, chips), _encode(candidate, chips)
        drift = np.abs(e - face_set.embeddings).max()
        if drift > 1e-4:  # the chips are not the faces bench_persons measured
            raise SystemExit(f"{name}: chips do not reproduce bench_persons' faces ({drift:.2e})")
        comparison = _compare(e, c, face_set.identities)
        _print_comparison(name, comparison)
        comparisons.append(comparison)
        exact_sets.append(face_set)
        candidate_sets.append(replace(face_set, embeddings=c.astype(np.float32)))
        all_chips.append(chips[:BATCH])
    total = {k: np.concatenate([c[k] for c in comparisons]) for k in comparisons[0]}
    _print_comparison("all", total)
    if not args.no_persons:
        f1, estimate = _persons_rows(exact_sets, candidate_sets)
        print(f"largest moves: F1 {f1:.3f}, estimate {estimate}")
    ms_exact, ms_candidate = _speed(exact, candidate, np.concatenate(all_chips), 3 if quick else 8)
    print(
        f"CPU ms per chip (batch {BATCH}, 1 thread, alternating): exact {ms_exact:.2f}, "
        f"candidate {ms_candidate:.2f} ({ms_exact / ms_candidate:.2f}x)"
    )
