"""``make bench``'s heavy tests: the minutes-long checks CI leaves out (``pytest -m heavy``).

The Polis replays of the two largest shared conversations (ARI >= 0.8 against Polis's own
groups) and 300 residents voting at once on one opinion map (PostgreSQL). Runs pytest in a
child process against the database in DATABASE_URL; the last line is the JSON summary.
"""

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main() -> int:
    done = subprocess.run([sys.executable, "-m", "pytest", "-m", "heavy", "-q", "-p", "no:cacheprovider",
                           "kanava/opinionmath", "kanava/participation/kinds/opinions"],
                          cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = done.stdout.strip().splitlines()
    for line in lines[-15:]:
        print(line)
    counts = {kind: int(n) for n, kind in re.findall(r"(\d+) (passed|failed|skipped|error)", lines[-1] if lines else "")}
    print(json.dumps({"heavy_tests_passed": counts.get("passed", 0),
                      "heavy_tests_failed": counts.get("failed", 0) + counts.get("error", 0),
                      "heavy_tests_skipped": counts.get("skipped", 0)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
