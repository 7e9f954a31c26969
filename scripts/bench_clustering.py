"""Distinct-person clustering on planted identities: time and peak memory at scale.

Planted vectors only roughly imitate dlib's geometry (``persons.synthetic.DLIB_LIKE``: distances
spread like dlib's on faces_dev): the accuracy that matters is measured on real labelled faces
(scripts/bench_persons.py); here the counts show only that the method runs, and the 1M row is
the limit that must hold (10 min, 4 GB) with the method that produces the reported count.

Each set is generated in one subprocess and written to a temporary folder, then clustered in a
fresh subprocess that loads it, so the peak RSS printed is the clustering's own (the input
array included, as in a real case), not the generator's. The baseline is
``dlib.chinese_whispers_clustering`` (what face_recognition-based tools use) at 0.5 and 0.6, run
on the same 20k set; the table prints time ratios and pairwise F1 for both.

    python scripts/bench.py clustering            # 20k vs dlib, 100k, 305k and 1M (copies)
    python scripts/bench.py clustering --quick    # 5k vs dlib, 20k
    BENCH_CLUSTERING_ROWS=100000,1000000 python scripts/bench.py clustering  # these rows only
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

CAPTURES_PER_PERSON = 4  # PlantedSpec.mean_captures; rows ~ persons * 4
LIMIT_SECONDS_1M = 600
LIMIT_RSS_MB = 4096


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _generate(rows: int, seed: int, folder: str) -> dict[str, object]:
    """Run inside a child process: plant a set and write it as .npy files."""
    from venue_audit.persons import make_planted_set
    from venue_audit.persons.synthetic import DLIB_LIKE

    started = time.perf_counter()
    planted = make_planted_set(
        n_persons=max(1, rows // CAPTURES_PER_PERSON), seed=seed, **DLIB_LIKE
    )
    np.save(Path(folder) / "embeddings.npy", planted.embeddings)
    np.save(Path(folder) / "truth.npy", planted.truth)
    return {"generate_seconds": time.perf_counter() - started}


def _copied(folder: str, base_folder: str, copies: int, seed: int) -> dict[str, object]:
    """Run inside a child process: the base set and ``copies`` reflections of it.

    The generator takes longer than the clustering past ~300k rows, so larger sets are the base
    set plus copies, each reflected through the base set's mean along a random half of its
    principal axes: an orthogonal map, so every distance within a copy is the base set's, and the
    copy is as many other identities (a person and their copy are ~1.0 apart). The copies also
    differ in which directions carry capture condition: a mixed-population case.
    """
    started = time.perf_counter()
    base = np.load(Path(base_folder) / "embeddings.npy")
    truth = np.load(Path(base_folder) / "truth.npy")
    mean = base.mean(axis=0, dtype=np.float64)
    sample = base[:: max(1, base.shape[0] // 20_000)].astype(np.float64) - mean
    axes = np.linalg.eigh(sample.T @ sample)[1]  # columns: principal axes
    rng = np.random.default_rng(seed)
    parts, truths = [base], [truth]
    persons = int(truth.max()) + 1
    for copy in range(1, copies + 1):
        signs = np.where(rng.random(axes.shape[1]) < 0.5, -1.0, 1.0)
        reflection = (axes * signs) @ axes.T
        parts.append(((base - mean) @ reflection + mean).astype(np.float32))
        truths.append(truth + copy * persons)
    np.save(Path(folder) / "embeddings.npy", np.concatenate(parts))
    np.save(Path(folder) / "truth.npy", np.concatenate(truths))
    return {"generate_seconds": time.perf_counter() - started, "copies": copies}


def _one(folder: str, baseline: bool) -> dict[str, object]:
    """Run inside a child process: load, cluster, score (and optionally the dlib baseline)."""
    from venue_audit.persons import cluster_space, pairwise_score

    embeddings = np.load(Path(folder) / "embeddings.npy")
    truth = np.load(Path(folder) / "truth.npy")
    rss_before = _peak_rss_mb()
    load = os.getloadavg()[0]
    started, cpu_started = time.perf_counter(), time.process_time()
    result = cluster_space(embeddings)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    score = pairwise_score(truth, result.labels)
    out: dict[str, object] = {
        "rows": int(truth.size),
        "true": int(np.unique(truth).size),
        "found": result.n_persons,
        "band": list(result.interval),
        "estimate": result.estimate,
        "lower": result.lower_bound,
        "f1": score.f1,
        "precision": score.precision,
        "recall": score.recall,
        "seconds": elapsed,
        "cpu_seconds": cpu,  # all threads: the wall time on an idle machine is at most this
        "load": [load, os.getloadavg()[0]],
        "peak_rss_mb": _peak_rss_mb(),
        "rss_before_mb": rss_before,
        "index": result.parameters["index"],
    }
    if baseline:
        import dlib

        vectors = [dlib.vector(row.astype(np.float64)) for row in embeddings]
        for threshold in (0.5, 0.6):
            started = time.perf_counter()
            labels = np.asarray(dlib.chinese_whispers_clustering(vectors, threshold))
            seconds = time.perf_counter() - started
            cw = pairwise_score(truth, labels)
            out[f"cw{threshold}"] = {
                "seconds": seconds,
                "found": int(np.unique(labels).size),
                "f1": cw.f1,
                "precision": cw.precision,
                "recall": cw.recall,
            }
    return out


def _child(call: str) -> dict[str, object]:
    here = str(Path(__file__).resolve().parent)
    code = (
        f"import json, sys; sys.path.insert(0, {here!r}); import bench_clustering as b; "
        f"print(json.dumps(b.{call}))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{call} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _spawn(
    rows: int, seed: int, baseline: bool, base_folder: str | None = None
) -> dict[str, object]:
    """Generate (or copy from ``base_folder``), then cluster in a fresh process."""
    with tempfile.TemporaryDirectory(prefix="bench-clustering-") as folder:
        if base_folder is None:
            made = _child(f"_generate({rows}, {seed}, {folder!r})")
        else:
            base_rows = np.load(Path(base_folder) / "truth.npy", mmap_mode="r").size
            copies = max(1, round(rows / base_rows) - 1)
            made = _child(f"_copied({folder!r}, {base_folder!r}, {copies}, {seed})")
        return {**_child(f"_one({folder!r}, {baseline!r})"), **made}


COPIED_FROM = 100_000  # rows above this are copies of the 100k set (see _copied)


def run(quick: bool) -> None:
    baseline_rows = 5_000 if quick else 20_000
    sizes = [baseline_rows, 20_000] if quick else [baseline_rows, 100_000, 305_114, 1_000_000]
    if os.environ.get("BENCH_CLUSTERING_ROWS"):
        sizes = [int(rows) for rows in os.environ["BENCH_CLUSTERING_ROWS"].split(",")]
    seed = 7
    print(
        f"planted identities (seed {seed}, ~{CAPTURES_PER_PERSON} captures/person, dlib-like "
        f"spread, hard cases: near identities, outlier captures); load average at start "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    header = (
        f"{'rows':>9} {'true':>8} {'found':>8} {'estimate':>8} {'interval':>17} {'≥':>8} "
        f"{'pair F1':>8} {'prec':>7} "
        f"{'recall':>7} {'time s':>7} {'CPU s':>7} {'load':>9} {'RSS MB':>7}  index"
    )
    print(header)
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-clustering-base-") as base_folder:
        made_base: dict[str, object] = {}
        for i, rows in enumerate(dict.fromkeys(sizes)):
            if rows < COPIED_FROM:
                r = _spawn(rows, seed, baseline=(i == 0))
            else:
                if not made_base:
                    made_base = _child(f"_generate({COPIED_FROM}, {seed}, {base_folder!r})")
                if rows == COPIED_FROM:
                    r = {**_child(f"_one({base_folder!r}, False)"), **made_base}
                else:
                    r = _spawn(rows, seed, baseline=False, base_folder=base_folder)
            results.append(r)
            low, high = r["band"]
            print(
                f"{r['rows']:>9,} {r['true']:>8,} {r['found']:>8,} {r['estimate']:>8,} "
                f"{f'{low:,}-{high:,}':>17} {r['lower']:>8,} "
                f"{r['f1']:>8.5f} {r['precision']:>7.4f} {r['recall']:>7.4f} {r['seconds']:>7.1f} "
                f"{r['cpu_seconds']:>7.1f} {'{:.1f}-{:.1f}'.format(*r['load']):>9} "
                f"{r['peak_rss_mb']:>7.0f}  {r['index']}"
                + (f" (100k set + {r['copies']} reflected copies)" if r.get("copies") else ""),
                flush=True,
            )
    base = results[0]
    if "cw0.5" not in base:  # the first row was not run against dlib
        _print_limits(sizes, results)
        return
    print(f"\nvs dlib.chinese_whispers_clustering on the same {base['rows']:,} rows:")
    print(
        f"{'method':>28} {'found':>7} {'pair F1':>8} {'prec':>7} {'recall':>7} {'time s':>8}"
        f" {'time ratio':>10}"
    )
    print(
        f"{'venue_audit.persons':>28} {base['found']:>7,} {base['f1']:>8.5f} "
        f"{base['precision']:>7.4f} {base['recall']:>7.4f} {base['seconds']:>8.2f} {1.0:>10.2f}"
    )
    for threshold in (0.5, 0.6):
        cw = base[f"cw{threshold}"]
        print(
            f"{f'chinese_whispers {threshold}':>28} {cw['found']:>7,} {cw['f1']:>8.5f} "
            f"{cw['precision']:>7.4f} {cw['recall']:>7.4f} {cw['seconds']:>8.2f} "
            f"{cw['seconds'] / base['seconds']:>10.2f}"
        )
    print(f"(true persons: {base['true']:,}; time ratio = dlib time / our time)")
    print(
        "time s is wall time; CPU s counts every thread of the clustering process, so on a "
        "machine shared with other work (load above the core count) CPU s, not time s, says "
        "what an idle machine would take"
    )
    _print_limits(sizes, results)


def _print_limits(sizes: list[int], results: list[dict[str, object]]) -> None:
    big = results[-1]
    if sizes[-1] >= 1_000_000:  # planted rows land near, not on, the requested size
        ok = big["seconds"] <= LIMIT_SECONDS_1M and big["peak_rss_mb"] <= LIMIT_RSS_MB
        print(
            f"\n1M: {big['seconds']:.0f} s ({big['cpu_seconds']:.0f} CPU s) of "
            f"{LIMIT_SECONDS_1M} s, peak RSS "
            f"{big['peak_rss_mb']:.0f} MB of {LIMIT_RSS_MB} MB (the clustering process, input "
            f"included) -> {'within limits' if ok else 'OVER LIMITS'}; load average now "
            f"{os.getloadavg()[0]:.1f}"
        )
