"""The demo's social platforms: every stand-in on a fixed local port, with accounts connected.

``manage.py demo_sinks`` runs :func:`serve` (one process for all of them);
``manage.py seed_demo`` then reads the connections it wrote to
``var/demo-platforms.json`` and creates the demo organisation's channels
(and the director's personal X account) with them.  Restarting the demo
keeps working: the stand-ins take back the tokens they issued before.

The stand-ins also play the audience: every few seconds each published post
gains a few views, likes, comments and shares, so the reach figures Kanava
fetches move.  That is the only made-up part, and it lives here, in the
demo's stand-ins, never in Kanava.
"""

from __future__ import annotations

import json
import random
import threading
import time
from pathlib import Path

from django.conf import settings

from kanava.testing.platforms import server_class

#: Stand-in servers and their ports (Facebook and Instagram share Meta's Graph API).
PORTS = {"meta": 8031, "x": 8032, "linkedin": 8033, "mastodon": 8034, "bluesky": 8035}
SERVER_OF = {"facebook": "meta", "instagram": "meta", "x": "x", "linkedin": "linkedin", "mastodon": "mastodon",
             "bluesky": "bluesky"}
ORGANISATION_ACCOUNT = "kanavala"
DIRECTOR_ACCOUNT = "villevirtanen"
#: (channel kind, account, channel name, the director's personal account)
CONNECTIONS = [
    ("facebook", ORGANISATION_ACCOUNT, "Facebook", False),
    ("instagram", ORGANISATION_ACCOUNT, "Instagram", False),
    ("x", ORGANISATION_ACCOUNT, "X", False),
    ("linkedin", ORGANISATION_ACCOUNT, "LinkedIn", False),
    ("mastodon", ORGANISATION_ACCOUNT, "Mastodon", False),
    ("bluesky", ORGANISATION_ACCOUNT, "Bluesky", False),
    ("x", DIRECTOR_ACCOUNT, "Ville Virtanen – X", True),
]


def connections_path() -> Path:
    return Path(settings.VAR_DIR) / "demo-platforms.json"


def make_servers(ports: dict[str, int] | None = None) -> dict:
    ports = ports or PORTS
    servers = {}
    for name, port in ports.items():
        kind = next(k for k, v in SERVER_OF.items() if v == name)
        server = server_class(kind)(port=port)
        server.auto_approve = False  # the demo shows the platform's "Allow" page, as a real one would
        # Instagram's stand-in would fetch each image from the demo's web server, which may not be up
        # yet when the seeded post goes out: the demo takes image addresses on trust.
        if hasattr(server, "fetch_loopback_images"):
            server.fetch_loopback_images = False
        servers[name] = server
    return servers


def _config(server, kind: str, account: str, personal: bool) -> dict:
    if kind in ("facebook", "instagram"):
        return server.channel_config(kind=kind, account=account)
    if kind == "linkedin":
        return server.channel_config(organization=not personal)
    if kind == "x":
        return server.channel_config(account=account)
    return server.channel_config()


def connect_all(servers: dict) -> dict:
    """Connect every demo account on the running stand-ins; what a channel needs, per connection."""
    found = []
    for kind, account, name, personal in CONNECTIONS:
        server = servers[SERVER_OF[kind]]
        found.append({"kind": kind, "account": account, "name": name, "personal": personal,
                      "config": _config(server, kind, account, personal),
                      "secrets": server.channel_secrets(account)})
    return {"connections": found,
            "credentials": {name: server.export_credentials() for name, server in servers.items()}}


def restore(servers: dict, data: dict) -> None:
    """A restarted demo: the stand-ins accept the tokens they issued last time."""
    for name, credentials in (data.get("credentials") or {}).items():
        if name in servers:
            servers[name].import_credentials(credentials)
    for kind, account, _name, personal in CONNECTIONS:  # accounts and pages exist again
        _config(servers[SERVER_OF[kind]], kind, account, personal)


def engage(servers: dict, rng: random.Random) -> None:
    """The simulated audience: each post gains a little reach."""
    for server in servers.values():
        for post in list(getattr(server, "posts", [])):
            post_id = getattr(post, "id", None) or getattr(post, "uri", None)
            if not post_id:
                continue
            figures = getattr(post, "_demo", {"impressions": 0, "reactions": 0, "comments": 0, "shares": 0})
            figures = {k: v + rng.randint(0, {"impressions": 40, "reactions": 4, "comments": 1, "shares": 1}[k])
                       for k, v in figures.items()}
            post._demo = figures
            for names in (figures, {"likes": figures["reactions"], "replies": figures["comments"],
                                    "reposts": figures["shares"]}):
                try:
                    server.set_metrics(post_id, **names)
                    break
                except (KeyError, AttributeError, TypeError):
                    continue


def serve(stop: threading.Event | None = None, ports: dict[str, int] | None = None, write=print) -> dict:
    """Start the stand-ins, connect the demo accounts (once) and keep the audience busy."""
    servers = make_servers(ports)
    for server in servers.values():
        server.start()
    path = connections_path()
    if path.exists():
        restore(servers, json.loads(path.read_text()))
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(connect_all(servers), indent=1))
        path.chmod(0o600)
    write("Demo social platforms: " + ", ".join(f"{name} {server.url}" for name, server in servers.items()))
    rng = random.Random(2026)

    def audience():
        from kanava.testing.platforms.demo_residents import mail, speak

        while not (stop and stop.is_set()):
            time.sleep(5)
            engage(servers, rng)
            speak(servers)
            mail()
            save_credentials(servers)

    threading.Thread(target=audience, daemon=True, name="demo-audience").start()
    return servers


def save_credentials(servers: dict) -> None:
    """Keep the file up to date with refreshed (rotated) tokens, so a restart still knows them."""
    path = connections_path()
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return
    data["credentials"] = {name: server.export_credentials() for name, server in servers.items()}
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(data, indent=1))
    temporary.chmod(0o600)
    temporary.replace(path)


def read_connections(wait: float = 20.0) -> list[dict]:
    """The connections ``serve`` wrote (seed_demo waits for the stand-ins to start)."""
    path = connections_path()
    deadline = time.monotonic() + wait
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    if not path.exists():
        return []
    return json.loads(path.read_text()).get("connections", [])
