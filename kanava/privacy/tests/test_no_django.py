"""The scan is plain Python: it can run and be benchmarked without Django."""

import subprocess
import sys


def test_the_scan_imports_without_django():
    check = "import sys; import kanava.privacy.scan, kanava.privacy.corpus; print('django' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


def test_the_benchmark_reports_megabytes_per_second():
    from kanava.privacy import bench

    lines = []
    row = bench.run(report=lines.append, megabytes=0.2, repeats=1)
    assert row["privacy_findings"] >= row["privacy_sprinkled_sentences"] > 0
    assert row["privacy_scan_mb_per_second"] > 0 and "MB/s" in lines[-1]
