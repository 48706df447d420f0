"""Privacy scan throughput on one core (issue 7: >= 20 MB of text per second).

``python -m kanava.privacy.bench [--megabytes 20]``

The text is ``corpus.running_text``: Finnish and Swedish news sentences and
near-misses (dates, order numbers, postal codes, ISBNs), with a finding in
about one sentence in forty.  MB is a million bytes of the text as UTF-8.
Best of three runs; no database.  Prints progress lines and, last, one line of JSON.
"""

import argparse
import json
import time

from kanava.privacy import corpus
from kanava.privacy.scan import scan

TARGET_MB_PER_SECOND = 20


def run(report=print, megabytes: float = 20, repeats: int = 3) -> dict:
    text, sprinkled = corpus.running_text(int(megabytes * 1_000_000))
    size = len(text.encode("utf-8")) / 1_000_000
    scan(text[:10_000])  # compile the patterns and read the word list outside the timing
    times = []
    for attempt in range(1, repeats + 1):
        started = time.perf_counter()
        found = scan(text)
        times.append(time.perf_counter() - started)
        report(f"run {attempt}: {size:.1f} MB in {times[-1]:.3f} s, {len(found)} findings")
    best = min(times)
    row = {"privacy_scan_mb": round(size, 1), "privacy_scan_seconds": round(best, 3),
           "privacy_scan_mb_per_second": round(size / best, 1), "privacy_findings": len(found),
           "privacy_sprinkled_sentences": sprinkled}
    report(f"best of {repeats}: {row['privacy_scan_mb_per_second']} MB/s (target >= {TARGET_MB_PER_SECOND})")
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--megabytes", type=float, default=20)
    args = parser.parse_args()
    row = run(report=lambda line: print(line, flush=True), megabytes=args.megabytes)
    print(json.dumps(row))


if __name__ == "__main__":
    main()
