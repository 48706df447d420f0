"""Crisis mode under load (issue 8's benchmark): from "activate" to the first message on every channel.

``python -m kanava.crisis.bench [--sms 10000] [--latency 0.05] [--workers 2] [--threads 4]``

A fresh database holds the demo's playbooks, 10,000 confirmed SMS subscribers
and 1,000 email subscribers.  The organisation's channels are the site-wide
banner, the website, email (to a count-only SMTP sink in its own process), SMS
through the local gateway answering every request in 50 ms, the printable
bulletin, the press release, and the six social platforms' stand-ins answering
in 100 ms (Instagram gets the crisis card, an image of the titles).  Real
worker processes run the outbox.  The clock starts before
:func:`kanava.crisis.activation.activate` (the whole one-step transaction) and
stops when every channel has delivered its first message and every SMS
recipient was accepted by the gateway.

Prints progress lines and, last, one line of JSON.
"""

from __future__ import annotations

import argparse
import json
import time

from kanava.bench import run  # sets Django up

from django.db.models import Count, Min  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from kanava.audience.models import Subscriber  # noqa: E402
from kanava.core.audit import Actor  # noqa: E402
from kanava.crisis import activation, demo  # noqa: E402
from kanava.crisis.models import Playbook  # noqa: E402
from kanava.publishing.models import Delivery, Recipient  # noqa: E402
from kanava.testing.personas import make_cast  # noqa: E402
from kanava.testing.sms_gateway import SmsGateway  # noqa: E402
from kanava.testing.smtp_sink import SMTPSink  # noqa: E402

say = run.say
PLACES = {"place": "Keskusta", "time": "klo 8.00", "instructions": "Vesipiste torilla."}
FINAL = ("delivered", "failed", "uncertain")


def prepare(cast, smtp, gateway, servers, sms: int, emails: int) -> Playbook:
    TOTPDevice.objects.get_or_create(user=cast.lead, name="bench", defaults={"confirmed": True})
    channels = run.owned_channels(cast.org, smtp, gateway) + run.social_channels(cast.org, servers)
    run.add_subscribers(cast.org, "sms", sms, "")
    run.add_subscribers(cast.org, "email", emails, "crisis")
    playbook = next(p for p in demo.seed(cast.org) if p.scenario == Playbook.Scenario.DRINKING_WATER)
    playbook.channel_order = ["banner", *dict.fromkeys(channel.kind for channel in channels)]
    playbook.save(update_fields=["channel_order"])
    playbook.audience_topics.clear()  # every subscriber: a real incident rather over-reaches
    return playbook


def warm_up(playbook: Playbook) -> None:
    """Load what a running web process has loaded already (the URL patterns, every channel adapter), so
    the clock measures the step and not this process's first imports (about 4 s on this machine)."""
    from kanava.site import links

    activation.reach(playbook, False)
    links.url_in("fi", "crisis_public:page")


def wait_until_done(message, sms: int, gateway, smtp, emails: int, started: float, limit: float = 600) -> dict:
    """Poll until every channel has a delivered message and every SMS and email recipient was accepted."""
    channels = set(message.channels.values_list("id", flat=True))
    firsts: dict[int, float] = {}
    all_sms = all_email = None
    while time.perf_counter() - started < limit:
        now = time.perf_counter() - started
        delivered = set(Delivery.objects.filter(message=message, state="delivered")
                        .values_list("channel_id", flat=True).distinct())
        for channel in delivered - set(firsts):
            firsts[channel] = now
        if all_sms is None and len(gateway.state.records) >= sms:
            all_sms = now
        if all_email is None and smtp.count >= emails:
            all_email = now
        open_ = Delivery.objects.filter(message=message).exclude(state__in=FINAL).exists()
        if firsts.keys() >= channels and all_sms is not None and all_email is not None and not open_:
            break
        time.sleep(0.05)
    return {"polled_firsts": firsts, "all_sms": all_sms, "all_email": all_email}


def first_deliveries(message, activated_at) -> list[dict]:
    """Per channel, from the deliveries' own timestamps: the first delivered one, after the activation."""
    rows = (Delivery.objects.filter(message=message, state="delivered").values("channel__kind", "channel__name")
            .annotate(first=Min("delivered_at"), deliveries=Count("id")).order_by("first"))
    return [{"kind": row["channel__kind"], "name": row["channel__name"], "deliveries": row["deliveries"],
             "seconds": round((row["first"] - activated_at).total_seconds(), 2)} for row in rows]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sms", type=int, default=10_000)
    parser.add_argument("--emails", type=int, default=1_000)
    parser.add_argument("--latency", type=float, default=0.05, help="the SMS gateway's answer time, seconds")
    parser.add_argument("--social-latency", type=float, default=0.1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    say(f"database: {run.connection.vendor}")
    run.fresh_database()
    cast = make_cast()
    smtp = SMTPSink().start()
    servers = run.social_servers(args.social_latency)
    gateway = SmsGateway(keep_text=False, latency=args.latency).start()
    procs = []
    try:
        playbook = prepare(cast, smtp, gateway, servers, args.sms, args.emails)
        say(f"crisis mode: {args.sms} SMS through a gateway answering in {args.latency * 1000:.0f} ms, "
            f"{args.emails} emails, {len(playbook.channel_order)} channel kinds, {args.workers} workers "
            f"x {args.threads} threads")
        warm_up(playbook)
        procs = run.start_workers(args.workers, threads=args.threads)
        run.wait_until_ready(procs, settle=2)  # then they import every platform's client
        wall = timezone.now()
        started = time.perf_counter()
        incident = activation.activate(Actor(cast.lead, "127.0.0.1"), playbook, PLACES)
        step = time.perf_counter() - started
        message = incident.events.get(kind="message").message
        from kanava.channels.press.models import PressContact

        sms_target = Subscriber.objects.filter(organisation=cast.org, kind="sms", state="confirmed").count()
        mail_target = (Subscriber.objects.filter(organisation=cast.org, kind="email", state="confirmed").count()
                       + PressContact.objects.filter(organisation=cast.org).count())
        polled = wait_until_done(message, sms_target, gateway, smtp, mail_target, started)
        memory = max(run.peak_memory_mb(p) for p in procs)
    finally:
        run.stop(procs)
        for server in servers.values():
            server.stop()
        gateway.stop()
        smtp.stop()
    firsts = first_deliveries(message, wall)
    banner = incident.events.filter(kind="delivery", data__kind="banner").first()
    if banner is not None:  # live at the commit of the step (whole seconds on the timeline)
        firsts.insert(0, {"kind": "banner", "name": "Site-wide banner", "deliveries": 1, "seconds": round(step, 2)})
    for row in firsts:
        say(f"  {row['kind']:<10} first delivered after {row['seconds']:6.2f} s ({row['deliveries']} deliveries)")
    states = dict(Delivery.objects.filter(message=message).values_list("state").annotate(n=Count("id")))
    sms_sent = Recipient.objects.filter(delivery__message=message, delivery__channel__kind="sms",
                                        state="sent").count()
    every = max(row["seconds"] for row in firsts) if firsts else None
    missing = sorted(set(message.channels.values_list("kind", flat=True)) - {row["kind"] for row in firsts})
    say(f"  the activation step itself: {step:.2f} s; every channel's first message after {every} s"
        f"{' (missing: ' + ', '.join(missing) + ')' if missing else ''}")
    say(f"  all {args.sms} SMS accepted after {polled['all_sms']} s ({sms_sent} recipients marked sent), "
        f"all {args.emails} emails after {polled['all_email']} s; deliveries {states}")
    print(json.dumps({
        "crisis_activation_step_seconds": round(step, 2),
        "crisis_every_channel_first_message_seconds": every,
        "crisis_channels_without_delivery": len(missing),
        "crisis_channels": len(firsts),
        "crisis_all_sms_seconds": round(polled["all_sms"], 2) if polled["all_sms"] is not None else None,
        "crisis_sms_recipients_sent": sms_sent,
        "crisis_all_email_seconds": round(polled["all_email"], 2) if polled["all_email"] is not None else None,
        "crisis_worker_peak_memory_mb": memory,
        "crisis_first_per_channel": {row["kind"]: row["seconds"] for row in firsts},
    }))


if __name__ == "__main__":
    main()
