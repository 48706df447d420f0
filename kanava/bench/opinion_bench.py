"""``make bench``'s opinion-map math: ``kanava.opinionmath.bench`` on the five Polis conversations,
Kanava side by side with red-dwarf in the same process; the last line is the JSON summary."""

import json

from kanava.opinionmath import bench


def main() -> None:
    rows = bench.run(report=lambda row: print(json.dumps(row), flush=True))
    speedups = [row["speed_up"] for row in rows if row.get("speed_up")]
    summary = {
        f"{row['conversation']}_{key}": round(row[key], 4)
        for row in rows for key in ("kanava_s", "red_dwarf_s", "speed_up", "ari_kanava_replay",
                                    "ari_red_dwarf", "incremental_ms", "kanava_replay_s")
        if row.get(key) is not None
    }
    summary["opinions_min_speedup_vs_red_dwarf"] = round(min(speedups), 2) if speedups else None
    summary["opinions_min_ari_replay"] = round(min(row["ari_kanava_replay"] for row in rows), 3)
    summary["opinions_max_incremental_ms"] = round(max(row["incremental_ms"] for row in rows), 2)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
