"""One database's benchmarks; run by ``python -m kanava.bench`` in a child process.

Prints progress lines and, last, one line of JSON with the figures.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kanava.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from kanava.audience.models import Subscriber  # noqa: E402
from kanava.core.audit import Actor  # noqa: E402
from kanava.publishing import actions  # noqa: E402
from kanava.publishing.models import Delivery  # noqa: E402
from kanava.testing.personas import make_cast, make_channel  # noqa: E402
from kanava.testing.smtp import free_port  # noqa: E402
from kanava.testing.smtp_sink import SMTPSink  # noqa: E402

ROOT = Path(settings.BASE_DIR)
WRK_SCRIPT = """
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
               + summary.errors.status + summary.errors.timeout
  io.write(string.format('{"requests": %d, "duration_us": %d, "errors": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d}\\n',
    summary.requests, summary.duration, errors, latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


def say(text: str) -> None:
    print(text, flush=True)


def fresh_database() -> None:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        connection.close()
        for suffix in ("", "-wal", "-shm"):
            Path(str(db["NAME"]) + suffix).unlink(missing_ok=True)
    else:
        name = db["NAME"]
        connection.close()
        admin = subprocess.run(["psql", "-h", db.get("HOST") or "127.0.0.1", "-U", db.get("USER") or "postgres",
                                "-d", "postgres", "-q", "-c", f"DROP DATABASE IF EXISTS {name}", "-c", f"CREATE DATABASE {name}"],
                               capture_output=True, text=True)
        if admin.returncode:
            raise SystemExit(admin.stderr)
    call_command("migrate", verbosity=0)


def start_workers(count: int, threads: int = 1) -> list[subprocess.Popen]:
    env = {**os.environ, "OUTBOX_TICK_SECONDS": "1"}
    return [subprocess.Popen([sys.executable, "manage.py", "kanava_worker", "--interval", "0.05",
                              "--threads", str(threads)], cwd=ROOT, env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(count)]


def wait_until_ready(processes: list[subprocess.Popen], settle: float = 1.0, limit: float = 60) -> float:
    """Wait until every worker has written its heartbeat (Django is set up), then ``settle`` seconds more
    for it to load the channel adapters; returns the seconds waited.  A fixed sleep was too short once the
    application grew: the clock then timed a worker's start, not a delivery."""
    from kanava.publishing.models import WorkerHeartbeat

    started = time.perf_counter()
    pids = [process.pid for process in processes]
    while time.perf_counter() - started < limit:
        if WorkerHeartbeat.objects.filter(pid__in=pids).count() >= len(pids):
            break
        time.sleep(0.1)
    time.sleep(settle)
    return time.perf_counter() - started


def peak_memory_mb(process: subprocess.Popen) -> float:
    try:
        for line in Path(f"/proc/{process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except FileNotFoundError:
        pass
    return 0.0


def stop(processes) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()


def approved(cast, channels, versions):
    editor, lead = Actor(cast.editor, "127.0.0.1"), Actor(cast.lead, "127.0.0.1")
    message = actions.do_create_message(editor, cast.org, versions=versions, channels=channels)
    actions.do_submit_for_review(editor, message)
    actions.do_approve(lead, message)
    return message


def add_subscribers(org, kind, count, prefix):
    now = timezone.now()
    rows = []
    for i in range(count):
        address = f"{prefix}{i}@bench.example" if kind == "email" else f"+358409{i:06d}"
        rows.append(Subscriber(organisation=org, kind=kind, address=address, language="fi" if i % 4 else "sv",
                               state="confirmed", confirmed_at=now, source="import"))
    Subscriber.objects.bulk_create(rows, batch_size=2000)


VERSIONS = {
    "fi": {"title": "Tiedote: vesikatko tiistaina", "body": "Vesi on poikki Kirkkotiellä tiistaina klo 9–12.\n\n"
           "Varaa juomavettä etukäteen. [Lisätietoja](https://www.kanavala.fi/vesi)."},
    "sv": {"title": "Meddelande: vattenavbrott på tisdag", "body": "Vattnet är avstängt på Kyrkvägen på tisdag "
           "kl. 9–12.\n\nSpara dricksvatten i förväg."},
}


def newsletter(cast, smtp, subscribers: int, workers: int) -> dict:
    say(f"newsletter: {subscribers} subscribers, {workers} workers")
    email = make_channel(cast.org, "email", "Newsletter", config={
        "smtp_host": "127.0.0.1", "smtp_port": smtp.port, "from_address": "uutiset@bench.example",
        "from_name": "Bench"})
    add_subscribers(cast.org, "email", subscribers, "nl")
    message = approved(cast, [email], VERSIONS)
    procs = start_workers(workers)
    wait_until_ready(procs)  # the workers start before the clock does
    base = smtp.count
    started = time.perf_counter()
    actions.do_publish(Actor(cast.lead, "127.0.0.1"), message)
    deadline = started + 600
    while smtp.count - base < subscribers and time.perf_counter() < deadline:
        time.sleep(0.02)
    elapsed = time.perf_counter() - started
    memory = max(peak_memory_mb(p) for p in procs)
    stop(procs)
    sent = smtp.count - base
    states = dict(Delivery.objects.filter(message=message).values_list("state").annotate(n=django.db.models.Count("id")))
    say(f"  {sent} received in {elapsed:.2f}s; deliveries {states}")
    return {
        "newsletter_recipients": sent,
        "newsletter_seconds_to_last_recipient": round(elapsed, 2),
        "newsletter_emails_per_second": round(sent / elapsed, 1),
        "newsletter_worker_peak_memory_mb": memory,
    }


def owned_channels(org, smtp, gateway, suffix: str = "") -> list:
    """The five owned channels, their mail going to the bench's SMTP sink and SMS to a local gateway."""
    from kanava.channels.press.models import PressContact

    if not PressContact.objects.filter(organisation=org).exists():
        PressContact.objects.create(organisation=org, name="News", newsroom="Paper", email="news@paper.example",
                                    language="fi")
        PressContact.objects.create(organisation=org, name="Red", newsroom="Tidning", email="red@tidning.example",
                                    language="sv")
    return [
        make_channel(org, "website", f"Web{suffix}"),
        make_channel(org, "email", f"Email{suffix}", config={"smtp_host": "127.0.0.1", "smtp_port": smtp.port,
                                                             "from_address": "uutiset@bench.example"}),
        make_channel(org, "sms", f"SMS{suffix}", config=gateway.channel_config(sender="Bench"),
                     secrets=gateway.channel_secrets()),
        make_channel(org, "print", f"Print{suffix}"),
        make_channel(org, "press", f"Press{suffix}", config={"host": "127.0.0.1", "port": smtp.port,
                                                             "from_email": "viestinta@bench.example"}),
    ]


def publish_and_wait(cast, message, workers: int, threads: int = 1, warm_up: float = 2) -> float:
    """Start the workers, publish, and return the seconds until every delivery is final."""
    procs = start_workers(workers, threads=threads)
    wait_until_ready(procs, settle=warm_up)
    started = time.perf_counter()
    actions.do_publish(Actor(cast.lead, "127.0.0.1"), message)
    while time.perf_counter() - started < 120:
        open_ = Delivery.objects.filter(message=message).exclude(state__in=["delivered", "failed", "uncertain"])
        if Delivery.objects.filter(message=message).exists() and not open_.exists():
            break
        time.sleep(0.02)
    elapsed = time.perf_counter() - started
    stop(procs)
    return elapsed


def report_deliveries(message) -> list:
    """Print when each delivery of the message was done; returns them."""
    deliveries = list(Delivery.objects.filter(message=message).select_related("channel").order_by("delivered_at"))
    published = type(message).objects.get(pk=message.pk).published_at
    for d in deliveries:
        took = (d.delivered_at - published).total_seconds() if d.delivered_at else None
        say(f"    {d.channel.kind:<9} {d.language or '*':<3} {d.state:<10} attempts {d.attempts} "
            f"after {took if took is None else round(took, 2)} s {d.last_error[:80]}")
    return deliveries


def fan_out(cast, smtp, workers: int) -> dict:
    say("fan-out: one message to the five owned channels")
    from kanava.testing.sms_gateway import SmsGateway

    with SmsGateway(keep_text=False) as gateway:
        channels = owned_channels(cast.org, smtp, gateway)
        add_subscribers(cast.org, "sms", 100, "")
        keep = list(Subscriber.objects.filter(kind="email").order_by("id").values_list("id", flat=True)[:100])
        Subscriber.objects.filter(kind="email").exclude(id__in=keep).delete()
        message = approved(cast, channels, VERSIONS)
        elapsed = publish_and_wait(cast, message, workers)
    deliveries = report_deliveries(message)
    say(f"  all delivered in {elapsed:.2f}s")
    return {"fan_out_seconds": round(elapsed, 2),
            "fan_out_all_delivered": all(d.state == "delivered" for d in deliveries)}


def social_servers(latency: float) -> dict:
    from kanava.testing.platforms import start_all

    servers = start_all(latency)
    # The set-up publishes hundreds of posts a minute from one account, more than X and Mastodon allow
    # (honouring those limits is tested in each channel's tests): the bench's accounts get room.
    servers["x"].rate_limits = {family: 1_000_000 for family in servers["x"].rate_limits}
    servers["x"].daily_limits = {scope: 1_000_000 for scope in servers["x"].daily_limits}
    servers["mastodon"].rate_limit = 1_000_000
    servers["bluesky"].write_points_per_hour = 1_000_000
    return servers


def social_channels(org, servers) -> list:
    from kanava.testing.platforms import connect_channels

    return connect_channels(org, servers)


def bench_image():
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (1080, 1080), "#0f5e8c").save(buffer, "JPEG")
    return SimpleUploadedFile("bench.jpg", buffer.getvalue(), content_type="image/jpeg")


def social_message(cast, channels, title_suffix=""):
    as_editor, as_lead = Actor(cast.editor, "127.0.0.1"), Actor(cast.lead, "127.0.0.1")
    versions = {k: {**v, "title": f"{v['title']}{title_suffix}", "summary": v["body"]} for k, v in VERSIONS.items()}
    message = actions.do_create_message(as_editor, cast.org, versions=versions, channels=channels)
    actions.do_add_image(as_editor, message, bench_image(), alt={"fi": "Kuva.", "sv": "Bild."})
    actions.do_submit_for_review(as_editor, message)
    actions.do_approve(as_lead, message)
    return message


def social_fan_out(cast, smtp, workers: int, latency: float = 0.1) -> dict:
    """One message to the six platforms and the five owned channels, every platform answering in 100 ms."""
    say(f"social fan-out: six platforms ({latency * 1000:.0f} ms a request) and the five owned channels")
    from kanava.testing.sms_gateway import SmsGateway

    servers = social_servers(latency)
    try:
        with SmsGateway(keep_text=False) as gateway:
            channels = owned_channels(cast.org, smtp, gateway, " 2") + social_channels(cast.org, servers)
            message = social_message(cast, channels)
            # Platforms mostly wait: 4 task loops a worker; the workers import every platform's
            # client library before their first task.
            elapsed = publish_and_wait(cast, message, workers, threads=4, warm_up=6)
    finally:
        for server in servers.values():
            server.stop()
    deliveries = report_deliveries(message)
    say(f"  all {len(deliveries)} deliveries done in {elapsed:.2f}s")
    return {"social_fan_out_seconds": round(elapsed, 2),
            "social_fan_out_deliveries": len(deliveries),
            "social_fan_out_all_delivered": all(d.state == "delivered" for d in deliveries)}


def social_metrics(cast, posts: int = 1000, latency: float = 0.1) -> dict:
    """Reach figures of 1,000 published posts on the six platforms, every request answered in 100 ms."""
    say(f"metrics: {posts} posts on six platforms ({latency * 1000:.0f} ms a request)")
    from kanava.channels.social import metrics
    from kanava.publishing import outbox

    servers = social_servers(0.0)
    try:
        channels = social_channels(cast.org, servers)
        made = 0
        while made < posts:  # publish (without latency: this is set-up, not measured)
            message = social_message(cast, channels, f" {made}")
            actions.do_publish(Actor(cast.lead, "127.0.0.1"), message)
            outbox.drain()
            made += Delivery.objects.filter(message=message, state="delivered").count()
        ids = list(Delivery.objects.filter(channel__in=channels, state="delivered").values_list("pk", flat=True))[:posts]
        for server in servers.values():
            server.latency = latency
        started = time.perf_counter()
        stored = metrics.collect(ids)
        elapsed = time.perf_counter() - started
    finally:
        for server in servers.values():
            server.stop()
    say(f"  figures for {stored} of {len(ids)} posts in {elapsed:.2f}s")
    return {"metrics_posts": len(ids), "metrics_posts_with_figures": stored,
            "metrics_seconds": round(elapsed, 2)}


def feed(cast, seconds: int) -> dict:
    say("feed: RSS under load (gunicorn, wrk)")
    if not subprocess.run(["which", "wrk"], capture_output=True).returncode == 0:
        return {"feed_error": "wrk is not installed (apt-get install wrk)"}
    web = make_channel(cast.org, "website", "Feed web")
    for i in range(30):
        message = approved(cast, [web], {k: {**v, "title": f"{v['title']} {i}"} for k, v in VERSIONS.items()})
        actions.do_publish(Actor(cast.lead, "127.0.0.1"), message)
    from kanava.publishing import outbox

    outbox.drain()
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "kanava.wsgi", "--workers", "3", "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning"], cwd=ROOT, env={**os.environ, "ALLOWED_HOSTS": "127.0.0.1"})
    url = f"http://127.0.0.1:{port}/fi/feeds/news.rss"
    try:
        import requests

        for _ in range(100):
            try:
                if requests.get(url, timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.1)
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(WRK_SCRIPT)
        subprocess.run(["wrk", "-t1", "-c8", "-d2s", url], capture_output=True)  # warm up
        run = subprocess.run(["wrk", "-t2", "-c16", f"-d{seconds}s", "-s", script.name, url],
                             capture_output=True, text=True)
        figures = json.loads(run.stdout.strip().splitlines()[-1])
    finally:
        server.terminate()
        server.wait(10)
    rps = figures["requests"] / (figures["duration_us"] / 1e6)
    say(f"  {rps:.0f} req/s, p95 {figures['p95_us'] / 1000:.1f} ms, errors {figures['errors']}")
    return {"feed_requests_per_second": round(rps), "feed_p50_ms": round(figures["p50_us"] / 1000, 1),
            "feed_p95_ms": round(figures["p95_us"] / 1000, 1), "feed_p99_ms": round(figures["p99_us"] / 1000, 1),
            "feed_errors": figures["errors"]}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--subscribers", type=int, default=20_000)
    parser.add_argument("--feed-seconds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    say(f"database: {connection.vendor}")
    fresh_database()
    cast = make_cast()
    results = {"database": connection.vendor}
    smtp = SMTPSink().start()  # count-only SMTP server in a process of its own
    try:
        results.update(newsletter(cast, smtp, args.subscribers, args.workers))
        results.update(fan_out(cast, smtp, args.workers))
        results.update(social_fan_out(cast, smtp, args.workers))
    finally:
        smtp.stop()
    results.update(social_metrics(cast))
    results.update(feed(cast, args.feed_seconds))
    print(json.dumps(results))


if __name__ == "__main__":
    main()
