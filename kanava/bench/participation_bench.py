"""A hearing with 3 sections and 2,000 comments under load (issue 5): pages, the comments API, posting.

    .venv/bin/python -m kanava.bench.participation_bench            # PostgreSQL, database kanava_participation_bench
    DATABASE_URL=postgres://... .venv/bin/python -m kanava.bench.participation_bench --fresh

Creates (in the configured database; ``--fresh`` drops and migrates it first) an
organisation with one hearing of 3 sections and 2,000 comments (with replies and
supports) and ~20 other processes, then starts gunicorn with production settings
(``KANAVA_ENV=production``, static files compressed by WhiteNoise, ``--workers``
processes; the default is what two cores allow, 2 × 2 + 1) and measures with wrk,
each for ``--seconds`` at ``--connections`` connections:

- the hearing page (``/fi/participate/<slug>/`` when the framework's process page
  answers, and the hearing's own page ``.../hearing/``), a section page with its
  first 20 comments, the process list (``/fi/participate/``, when it answers);
- 100 and 50 comments of a section through the API;
- the section page rendered afresh, as a reader with a session gets it (not cached);

plus page weight (HTML + the CSS and JavaScript it loads, as transferred to a browser
that accepts gzip and has nothing cached) and posting a comment: the mean latency
of 200 sequential POSTs over HTTP.  The last line is JSON with the figures and the
targets (ten times Kerrokantasi's rates measured on the same machine).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kanava_participation_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kanava.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from kanava.participation.models import Phase, Process  # noqa: E402
from kanava.participation.kinds.hearing.models import Comment, Section  # noqa: E402
from kanava.testing.personas import make_organisation  # noqa: E402
from kanava.testing.smtp import free_port  # noqa: E402

ROOT = Path(settings.BASE_DIR)
WRK_SCRIPT = """
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
               + summary.errors.status + summary.errors.timeout
  io.write(string.format('{"requests": %d, "duration_us": %d, "errors": %d, '
    .. '"p50_us": %d, "p95_us": %d, "p99_us": %d}\\n', summary.requests, summary.duration, errors,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""
#: Kerrokantasi on this machine (issue 5), times ten for rates.
TARGETS = {
    "hearing_page_requests_per_second": (">=", 360),
    "api_100_comments_requests_per_second": (">=", 130),
    "api_50_comments_requests_per_second": (">=", 175),
    "process_list_requests_per_second": (">=", 430),
    "post_comment_mean_ms": ("<", 30),
    "page_weight_max_bytes": ("<", 150 * 1024),
}
TEXTS = [
    "Saattoliikenteen pysäkki on liian lähellä risteystä, aamuisin siinä on jo nyt ruuhkaa.",
    "Lähimetsä on tärkeä välituntipaikka. Hyvä että se säilyy.",
    "Kirjasto koulun yhteydessä on hyvä ajatus, kunhan aukioloajat sopivat myös työssäkäyville.",
    "Pyöräpaikkoja tarvitaan enemmän kuin 450, ja osan pitäisi olla katettuja.",
    "Bra att det blir ett förhöjt övergångsställe. Det behövs också bättre belysning på Skolvägen.",
    "Kommer det att finnas svenskspråkig undervisning i samma byggnad?",
    "Koulun pihan pitäisi olla iltaisin valaistu, jotta sitä voi käyttää myös talvella. " * 3,
]
NAMES = ["", "", "", "Leena", "Mikko K.", "Anna", "Asukas", "Eino"]
SHARE = (1000, 600, 400)  # comments per section


def say(text: str) -> None:
    print(text, flush=True)


def fresh_database() -> None:
    from kanava.bench.run import fresh_database as fresh

    fresh()


def make_hearing(organisation, slug: str, comments: tuple[int, ...], rng: random.Random) -> Process:
    now = timezone.now()
    process = Process.objects.create(
        organisation=organisation, kind="hearing", slug=slug, state=Process.State.PUBLISHED, published_at=now,
        title={"fi": "Kirkonkylän koulukeskuksen asemakaavaluonnos", "sv": "Utkast till detaljplan för skolcentret"},
        summary={"fi": "Kerro mielipiteesi kaavaluonnoksesta.", "sv": "Säg vad du tycker om planutkastet."},
        body={"fi": "Kaavaluonnos on **nähtävillä** kunnantalolla ja kirjastossa.\n\n" * 3,
              "sv": "Planutkastet finns **framlagt** i kommunhuset och på biblioteket.\n\n" * 3},
        languages=["fi", "sv"], settings={})
    Phase.objects.create(process=process, kind="input", starts_at=now - timedelta(days=10),
                         ends_at=now + timedelta(days=30))
    places = [{"id": f"paikka-{i}", "name": {"fi": f"Paikka {i}", "sv": f"Plats {i}"},
               "geometry": {"type": "Point", "coordinates": [24.94 + i / 1000, 60.17]}} for i in range(6)]
    for index, count in enumerate(comments):
        section = Section.objects.create(
            process=process, ordering=index,
            title={"fi": f"Osa {index + 1}: Liikenne", "sv": f"Del {index + 1}: Trafik"},
            abstract={"fi": "Saattoliikenne, pyöräpysäköinti ja suojatiet.", "sv": "Trafik och cykelparkering."},
            body={"fi": "Saattoliikenne ohjataan Koulutien varteen. Pyöräpaikkoja tulee 450.\n\n" * 6,
                  "sv": "Hämtning och lämning sker vid Skolvägen.\n\n" * 6},
            map_input="point" if index == 2 else "none", places=places if index == 2 else [])
        add_comments(process, section, count, rng, now)
    return process


def add_comments(process, section, count: int, rng: random.Random, now) -> None:
    """``count`` comments, one in ten a reply, with supports; counters set as the actions would have."""
    threads = [Comment(process=process, section=section, text=rng.choice(TEXTS), display_name=rng.choice(NAMES),
                       language=rng.choice("fffs"), created_at=now - timedelta(minutes=rng.randint(1, 60 * 24 * 30)),
                       support_count=int(rng.paretovariate(1.5)) - 1,
                       source=rng.choice(["online"] * 19 + ["paper"]))
               for _ in range(count - count // 10)]
    with transaction.atomic():
        Comment.objects.bulk_create(threads, batch_size=1000)
        replies = []
        for _ in range(count // 10):
            parent = rng.choice(threads)
            parent.reply_count += 1
            replies.append(Comment(process=process, section=section, parent=parent, text=rng.choice(TEXTS),
                                   created_at=parent.created_at + timedelta(minutes=5), language="fi"))
        Comment.objects.bulk_create(replies, batch_size=1000)
        Comment.objects.bulk_update([t for t in threads if t.reply_count], ["reply_count"], batch_size=1000)
        Section.objects.filter(pk=section.pk).update(comment_count=count, thread_count=len(threads))
        Process.objects.filter(pk=process.pk).update(contribution_count=Comment.objects.filter(process=process).count(),
                                                     participant_count=count)


def make_data(seed: int = 5) -> dict:
    rng = random.Random(seed)
    suffix = f"{int(time.time())}"
    organisation = make_organisation(f"hearingbench{suffix}")
    hearing = make_hearing(organisation, "koulukeskus", SHARE, rng)
    for i in range(20):
        make_hearing(organisation, f"prosessi-{i}", (rng.randint(0, 30),), rng)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE participation_hearing_comment, participation_hearing_section, "
                           "participation_process")
    sections = list(Section.objects.filter(process=hearing).order_by("ordering"))
    return {"organisation": organisation, "hearing": hearing, "sections": sections}


# -- the server ---------------------------------------------------------------------------------------

def server_environment(workdir: Path, organisation) -> dict:
    """Production settings, with the development secrets (so both sides agree) and room for 200 posts."""
    (workdir / "participation_bench_settings.py").write_text(
        "from kanava.settings import *  # noqa\n"
        "# 200 sequential posts come from one address: the per-address limit would stop them.\n"
        "PARTICIPATION_ANONYMOUS_LIMIT = 1_000_000\n")
    return {**os.environ, "KANAVA_ENV": "production", "DEBUG": "0", "SECRET_KEY": settings.SECRET_KEY,
            "FIELD_ENCRYPTION_KEYS": ",".join(getattr(settings, "FIELD_ENCRYPTION_KEYS", []) or [])
            or _field_keys(), "SECURE_SSL_REDIRECT": "0", "SECURE_HSTS_SECONDS": "0",
            "ALLOWED_HOSTS": "127.0.0.1", "KANAVA_DEFAULT_ORGANISATION": organisation.slug,
            "STATIC_ROOT": str(workdir / "static"),
            "DJANGO_SETTINGS_MODULE": "participation_bench_settings",
            "PYTHONPATH": os.pathsep.join([str(workdir), str(ROOT), os.environ.get("PYTHONPATH", "")])}


def _field_keys() -> str:
    path = Path(settings.BASE_DIR) / "var" / "field_key"
    return path.read_text().strip() if path.exists() else ""


def start_server(env: dict, workers: int) -> tuple[subprocess.Popen, str]:
    say("  collecting static files (compressed, as in production)")
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env,
                   check=True)
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "kanava.wsgi", "--workers", str(workers), "--bind",
               f"127.0.0.1:{port}", "--log-level", "warning", "--access-logfile", "/dev/null"]
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    return server, f"http://127.0.0.1:{port}"


def wait_for(base: str) -> None:
    import requests

    for _ in range(200):
        try:
            requests.get(base + "/fi/participate/koulukeskus/hearing/", timeout=2)
            return
        except requests.RequestException:
            time.sleep(0.1)
    raise SystemExit("gunicorn did not start")


def status_of(url: str) -> int:
    import requests

    return requests.get(url, timeout=10, allow_redirects=False).status_code


def server_cpu_seconds(server: subprocess.Popen) -> float:
    """CPU time (user + system) used so far by gunicorn's master and workers.

    Requests per second depend on what else the machine runs; CPU time per request
    does much less, so it is reported too (and what two idle cores could serve).
    """
    pids = [server.pid]
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children")
    if children.exists():
        pids += [int(pid) for pid in children.read_text().split()]
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
        except (FileNotFoundError, IndexError, ValueError):
            pass
    return ticks / os.sysconf("SC_CLK_TCK")


def wrk(url: str, seconds: int, connections: int, script: str, server: subprocess.Popen,
        headers: tuple[str, ...] = ()) -> dict:
    extra = [argument for header in headers for argument in ("-H", header)]
    subprocess.run(["wrk", "-t2", f"-c{connections}", "-d3s", *extra, url], capture_output=True)  # warm up
    cpu_before = server_cpu_seconds(server)
    run = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-s", script, *extra, url],
                         capture_output=True, text=True)
    cpu = server_cpu_seconds(server) - cpu_before
    figures = json.loads(run.stdout.strip().splitlines()[-1])
    rps = figures["requests"] / (figures["duration_us"] / 1e6)
    cpu_ms = 1000 * cpu / max(figures["requests"], 1)
    return {"requests_per_second": round(rps), "p50_ms": round(figures["p50_us"] / 1000, 1),
            "p95_ms": round(figures["p95_us"] / 1000, 1), "p99_ms": round(figures["p99_us"] / 1000, 1),
            "errors": figures["errors"], "server_cpu_ms_per_request": round(cpu_ms, 2),
            "two_idle_cores_requests_per_second": round(2000 / cpu_ms) if cpu_ms else None}


ASSET = re.compile(r'<(?:link[^>]+rel="stylesheet"[^>]+href|script[^>]+src)="([^"]+)"')


def page_weight(base: str, path: str) -> dict:
    """Bytes transferred for the HTML and the CSS and JavaScript it loads, gzip accepted, nothing cached."""
    import requests

    def transferred(url: str) -> tuple[int, str]:
        response = requests.get(url, headers={"Accept-Encoding": "gzip, br;q=0"}, stream=True, timeout=10)
        raw = response.raw.read(decode_content=False)
        response.raw.decode_content = True
        return len(raw), response.text if response.headers.get("Content-Type", "").startswith("text/html") else ""

    html_bytes, html = transferred(base + path)
    if not html:
        html = requests.get(base + path, timeout=10).text
    assets = sorted(set(ASSET.findall(html)))
    asset_bytes = sum(transferred(base + asset if asset.startswith("/") else asset)[0] for asset in assets)
    return {"html_bytes": html_bytes, "asset_bytes": asset_bytes, "total_bytes": html_bytes + asset_bytes,
            "assets": len(assets)}


def post_comments(base: str, process, section, count: int) -> float:
    """Mean milliseconds of ``count`` sequential comment POSTs (a new HTTP connection each, like a browser form)."""
    import requests

    url = f"{base}/fi/participate/{process.slug}/hearing/sections/{section.pk}/"
    times = []
    for i in range(count):
        data = {"text": f"Benchmark-kommentti {i}: {TEXTS[i % len(TEXTS)]}", "display_name": "Bench"}
        start = time.perf_counter()
        response = requests.post(url, data=data, headers={"Sec-Fetch-Site": "same-origin"}, allow_redirects=False,
                                 timeout=10)
        times.append((time.perf_counter() - start) * 1000)
        if response.status_code != 302:
            raise SystemExit(f"posting answered {response.status_code}: {response.text[:300]}")
    return round(statistics.mean(times), 1)


def measure(data: dict, args) -> dict:
    if shutil.which("wrk") is None:
        return {"error": "wrk is not installed (apt-get install wrk)"}
    hearing, sections = data["hearing"], data["sections"]
    results: dict = {}
    workdir = Path(tempfile.mkdtemp(prefix="participation-bench-"))
    script = workdir / "report.lua"
    script.write_text(WRK_SCRIPT)
    server, base = start_server(server_environment(workdir, data["organisation"]), args.workers)
    try:
        wait_for(base)
        paths = {
            "hearing_page": f"/fi/participate/{hearing.slug}/",
            "hearing_own_page": f"/fi/participate/{hearing.slug}/hearing/",
            "section_page": f"/fi/participate/{hearing.slug}/hearing/sections/{sections[0].pk}/",
            "section_map_page": f"/fi/participate/{hearing.slug}/hearing/sections/{sections[2].pk}/",
            "api_100_comments": f"/api/v1/participation/processes/{hearing.pk}/hearing/sections/{sections[0].pk}"
                                f"/comments/?limit=100",
            "api_50_comments": f"/api/v1/participation/processes/{hearing.pk}/hearing/sections/{sections[0].pk}"
                               f"/comments/?limit=50",
            "process_list": "/fi/participate/",
        }
        # A reader with a session (identified, or just back from commenting) gets the section page rendered
        # afresh: 20 comments with their replies from the database, not from the cache.
        fresh = {"section_page_rendered": (paths["section_page"], ("Cookie: sessionid=bench-reader",))}
        for name, path in [*paths.items(), *((n, p) for n, (p, _h) in fresh.items())]:
            status = status_of(base + path)
            if status != 200:
                say(f"  {name:<18} {path} answers {status}: not measured")
                results[f"{name}_status"] = status
                continue
            figures = wrk(base + path, args.seconds, args.connections, str(script), server,
                          headers=fresh[name][1] if name in fresh else ())
            for key, value in figures.items():
                results[f"{name}_{key}"] = value
            say(f"  {name:<18} {figures['requests_per_second']:>6} req/s  p50 {figures['p50_ms']:6.1f} ms  "
                f"p95 {figures['p95_ms']:6.1f} ms  p99 {figures['p99_ms']:6.1f} ms  errors {figures['errors']}  "
                f"server CPU {figures['server_cpu_ms_per_request']:.2f} ms/request")
        if "hearing_page_requests_per_second" not in results and "hearing_own_page_requests_per_second" in results:
            # The framework's process page is not there yet: the hearing's own page stands in for it.
            for key in ("requests_per_second", "p50_ms", "p95_ms", "p99_ms", "errors", "server_cpu_ms_per_request",
                    "two_idle_cores_requests_per_second"):
                results[f"hearing_page_{key}"] = results[f"hearing_own_page_{key}"]
            results["hearing_page_measured_at"] = paths["hearing_own_page"]
        weights = {}
        for name in ("hearing_page", "hearing_own_page", "section_page", "section_map_page", "process_list"):
            if status_of(base + paths[name]) == 200:
                weights[name] = page_weight(base, paths[name])
                results[f"{name}_weight_bytes"] = weights[name]["total_bytes"]
                say(f"  weight {name:<18} {weights[name]['total_bytes']:>7} bytes "
                    f"(HTML {weights[name]['html_bytes']}, {weights[name]['assets']} CSS/JS files "
                    f"{weights[name]['asset_bytes']})")
        results["page_weight_max_bytes"] = max(w["total_bytes"] for w in weights.values())
        results["post_comment_mean_ms"] = post_comments(base, hearing, sections[1], args.posts)
        say(f"  posting a comment: mean {results['post_comment_mean_ms']} ms over {args.posts} sequential posts")
    finally:
        server.terminate()
        server.wait(15)
        shutil.rmtree(workdir, ignore_errors=True)
    return results


def verdicts(results: dict, targets: dict | None = None) -> dict:
    """Each target's key: "met", "missed" or "not measured" (``targets``: this module's by default)."""
    found = {}
    for key, (op, target) in (TARGETS if targets is None else targets).items():
        value = results.get(key)
        if value is None:
            found[key] = "not measured"
        else:
            found[key] = "met" if (value >= target if op == ">=" else value < target) else "missed"
    return found


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2 * 2 + 1)
    parser.add_argument("--posts", type=int, default=200)
    parser.add_argument("--fresh", action="store_true", help="drop and migrate the database first")
    args = parser.parse_args(argv)
    say(f"participation: a hearing with 3 sections and {sum(SHARE)} comments on {connection.vendor}, "
        f"{args.workers} gunicorn workers, {args.connections} connections for {args.seconds} s")
    if args.fresh:
        fresh_database()
    else:
        call_command("migrate", verbosity=0)
    start = time.perf_counter()
    data = make_data()
    say(f"  data created in {time.perf_counter() - start:.1f} s")
    try:
        results = {"database": connection.vendor, "hearing_comments": sum(SHARE), "gunicorn_workers": args.workers,
                   "cpus": os.cpu_count(), "load_average_at_start": round(os.getloadavg()[0], 2)}
        results.update(measure(data, args))
    finally:
        if not args.fresh:
            data["organisation"].delete()
    results["targets"] = {key: f"{op} {target}" for key, (op, target) in TARGETS.items()}
    results["verdicts"] = verdicts(results)
    print(json.dumps(results))
    return results


if __name__ == "__main__":
    main()
