"""Write sample_data/: the small synthetic sales-office export the demo audits.

Deterministic: the same face photos, crops and rows every time (no randomness
is used), so the checked-in sample_data/ and truth.json can be regenerated and
compared byte for byte except for the SQLite file's free-page layout.

Usage: python scripts/make_sample_data.py [--faces ../shared/data/faces] [--out sample_data]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from venue_audit.sample_venue import build

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--faces", type=Path, default=ROOT.parent / "shared" / "data" / "faces")
    parser.add_argument("--out", type=Path, default=ROOT / "sample_data")
    args = parser.parse_args()
    facts = build(args.out, args.faces)
    print(
        json.dumps(
            {"faces": facts["faces"], "persons": facts["persons"]}, ensure_ascii=False, indent=2
        )
    )


if __name__ == "__main__":
    main()
