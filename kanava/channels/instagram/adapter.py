"""Instagram: posts on the organisation's professional account (or a voice's), through the Graph API.

The Instagram account is the one linked to a Facebook Page, connected with
the same Facebook Login (:mod:`kanava.channels.facebook.graph`); calls use
the Page's token.  Publishing is Instagram's two steps:

1. a *container* per post: ``POST /{ig-user-id}/media`` with ``image_url``,
   ``caption`` and ``alt_text``; for two to ten images one container per
   image (``is_carousel_item=true``) and a ``media_type=CAROUSEL`` container
   with their ids as ``children``.  Instagram fetches each image itself from
   its URL, so images are given by the site's absolute public address;
2. when the container's ``status_code`` is ``FINISHED`` (asked a few times,
   waiting a little longer each time; ``ERROR`` is permanent, with
   Instagram's reason): ``POST /{ig-user-id}/media_publish`` with its id.

Instagram allows 100 API posts per account in any 24 hours:
:meth:`InstagramAdapter.read_limits` reads ``content_publishing_limit``
(the health check keeps it in ``platform_state["limits"]``) and each post
asks first, so a used-up quota waits instead of failing.  A caption has at
most 2,200 characters and every post needs an image.

Comments on the account's media come into the inbox, are answered and hidden
through :mod:`kanava.channels.instagram.intake`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kanava.channels.base import ChannelError, Problem
from kanava.channels.facebook import graph
from kanava.channels.instagram.intake import InstagramInbox
from kanava.channels.social import errors
from kanava.channels.social.adapter import Connection, ImageFile, Metrics, Outgoing, PostRef, SocialAdapter
from kanava.channels.social.metrics import fetch_each

MAX_CHARACTERS = 2200
MAX_IMAGES = 10
QUOTA_TOTAL = 100
#: Waits between asking whether a container is ready (seconds); then Kanava tries again later.
POLL_WAITS = (0.5, 1, 2, 4, 5, 5)
FIND_COUNT = 25
FIND_WINDOW = timedelta(days=7)
SCOPES = ["instagram_basic", "instagram_content_publish", "instagram_manage_insights", "pages_show_list",
          "pages_read_engagement", "instagram_manage_comments"]
METRICS = "views,likes,comments,shares"


@dataclass
class InstagramConfig(graph.MetaConfig):
    ig_user_id: str = field(default="", metadata={
        "label": gettext_lazy("Instagram account id"),
        "help": gettext_lazy("Filled in when connecting: the Instagram professional account linked to the "
                             "Facebook Page.")})

    def problems(self) -> list[str]:
        problems = super().problems()
        if self.ig_user_id and not str(self.ig_user_id).isdigit():
            problems.append(_("The Instagram account id is a number: connect the account to fill it in."))
        return problems


class InstagramAdapter(InstagramInbox, graph.MetaLogin, SocialAdapter):
    kind = "instagram"
    scopes = SCOPES
    #: The inbox side (comments in, replies out, hiding): :mod:`kanava.channels.instagram.intake`.
    can_reply = True
    moderation_actions = ("hide", "restore")
    default_limit = MAX_CHARACTERS
    threads = False
    max_images = MAX_IMAGES
    requires_image = True
    config_class = InstagramConfig
    secret_fields = {
        "client_secret": gettext_lazy("App Secret"),
        "access_token": gettext_lazy("Page access token (connecting fills it in)"),
    }
    #: Seconds between status questions; the tests' stand-in answers at once.
    poll_waits = POLL_WAITS

    @cached_property
    def graph(self) -> graph.GraphClient:
        return graph.GraphClient(self.channel, self.config)

    @property
    def token(self) -> str:
        return self.secrets.get("access_token", "")

    def account_id(self) -> str:
        if not self.config.ig_user_id:
            raise ChannelError(_("%(channel)s has no Instagram account: connect it on the Connections page.")
                               % {"channel": self.channel.name}, permanent=True)
        return str(self.config.ig_user_id)

    def validate(self, variant) -> list[Problem]:
        """The base checks (image required, at most ten, length), and a warning for images that are not JPEG."""
        problems = super().validate(variant)
        for image in variant.message.images.all():
            if not image.file.name.lower().endswith((".jpg", ".jpeg")):
                problems.append(Problem("instagram_jpeg", _(
                    "Instagram takes JPEG images only and may refuse %(name)s: add it as a JPEG file.") % {
                        "name": image.file.name.rsplit("/", 1)[-1]}, severity="warning",
                    language=variant.language))
        return problems

    # -- limits --------------------------------------------------------------------------
    def read_limits(self) -> dict:
        """The caption limit and the 24-hour publishing quota (``quota_usage`` of ``quota_total``)."""
        body = self.graph.get(f"{self.account_id()}/content_publishing_limit", self.token,
                              fields="quota_usage,config")
        entry = (body.get("data") or [{}])[0]
        total = (entry.get("config") or {}).get("quota_total") or QUOTA_TOTAL
        return {"max_characters": MAX_CHARACTERS, "quota_usage": int(entry.get("quota_usage") or 0),
                "quota_total": int(total), "quota_checked_at": timezone.now().isoformat()}

    def _check_quota(self) -> None:
        """Refuse for now (and pause the channel) when the 24-hour quota is used up."""
        from kanava.channels.models import Channel

        limits = self.read_limits()
        state = dict(self.channel.platform_state or {})
        state["limits"] = {**state.get("limits", {}), **limits}
        Channel.objects.filter(pk=self.channel.pk).update(platform_state=state)
        self.channel.platform_state = state
        if limits["quota_usage"] >= limits["quota_total"]:
            errors.pause_channel(self.channel, graph.QUOTA_WAIT)
            raise ChannelError(_("Instagram allows %(total)s posts in 24 hours and they are used up; trying again "
                                 "in %(minutes)s min.") % {"total": limits["quota_total"],
                                                           "minutes": graph.QUOTA_WAIT // 60},
                               retry_after=graph.QUOTA_WAIT)

    # -- publishing --------------------------------------------------------------------
    def post(self, out: Outgoing) -> PostRef:
        account = self.account_id()
        images = out.images[:MAX_IMAGES]
        if not images:
            raise ChannelError(_("%(platform)s needs at least one image.") % {"platform": self.channel.manifest.label},
                               permanent=True)
        self._check_quota()
        if len(images) == 1:
            container = self._container(account, self._image_fields(images[0], caption=out.text))
        else:
            children = [self._container(account, {**self._image_fields(image), "is_carousel_item": "true"})
                        for image in images]
            self._wait_until_finished(children)
            container = self._container(account, {"media_type": "CAROUSEL", "children": ",".join(children),
                                                  "caption": out.text})
        self._wait_until_finished([container])
        body = self.graph.post(f"{account}/media_publish", self.token, data={"creation_id": container})
        if not body.get("id"):
            raise ChannelError(_("Instagram took the post but did not say which it is; checking again."))
        return PostRef(id=str(body["id"]), url=self._permalink(str(body["id"])))

    @staticmethod
    def _image_fields(image: ImageFile, caption: str | None = None) -> dict:
        fields = {"image_url": image.url}
        if image.alt.strip():
            fields["alt_text"] = image.alt.strip()
        if caption is not None:
            fields["caption"] = caption
        return fields

    def _container(self, account: str, fields: dict) -> str:
        body = self.graph.post(f"{account}/media", self.token, data=fields)
        if not body.get("id"):
            raise ChannelError(_("Instagram did not take the image; trying again."))
        return str(body["id"])

    def _wait_until_finished(self, containers: list[str]) -> None:
        """Ask until every container is ``FINISHED``; ``ERROR`` is permanent, too long a wait is tried later."""
        waiting = list(containers)
        for wait in (0, *self.poll_waits):
            time.sleep(wait)
            still = []
            for container in waiting:
                body = self.graph.get(container, self.token, fields="status_code,status")
                status = str(body.get("status_code") or "")
                if status == "ERROR":
                    raise ChannelError(_("Instagram could not process the image: %(reason)s") % {
                        "reason": body.get("status") or status}, permanent=True)
                if status == "EXPIRED":
                    raise ChannelError(_("Instagram let the prepared post expire; preparing it again."))
                if status not in ("FINISHED", "PUBLISHED"):
                    still.append(container)
            waiting = still
            if not waiting:
                return
        raise ChannelError(_("Instagram is still processing the images; trying again in a minute."), retry_after=60)

    def _permalink(self, media_id: str) -> str:
        """The post's address; the post is out even if Instagram does not say it now."""
        try:
            return str(self.graph.get(media_id, self.token, fields="permalink").get("permalink") or "")
        except ChannelError:
            return ""

    def find(self, out: Outgoing) -> PostRef | None:
        """The account's recent post with exactly this caption, if an earlier attempt made it; None if not there."""
        body = self.graph.get(f"{self.account_id()}/media", self.token, fields="id,caption,permalink,timestamp",
                              limit=FIND_COUNT)
        wanted, since = out.text.strip(), timezone.now() - FIND_WINDOW
        for entry in body.get("data") or []:
            if str(entry.get("caption") or "").strip() != wanted or not entry.get("id"):
                continue
            moment = graph.parse_time(entry.get("timestamp"))
            if moment is None or moment >= since:
                return PostRef(id=str(entry["id"]), url=str(entry.get("permalink") or ""))
        return None

    # -- figures -----------------------------------------------------------------------
    def fetch_metrics_for(self, refs: list[PostRef]) -> dict[str, Metrics]:
        """Views, likes, comments and shares from each post's insights."""
        answers = fetch_each(refs, lambda ref: self.graph.answer("GET", f"{ref.id}/insights", self.token,
                                                                 params={"metric": METRICS}))
        found = {}
        for ref in refs:
            answer = answers.get(ref.id)
            if graph.error_code(answer) == (100, 33):
                continue  # deleted on Instagram
            figures = {entry.get("name"): ((entry.get("values") or [{}])[-1]).get("value")
                       for entry in self.graph.checked(answer).get("data") or []}
            found[ref.id] = Metrics(impressions=figures.get("views"), reactions=figures.get("likes"),
                                    comments=figures.get("comments"), shares=figures.get("shares"), raw=figures)
        return found

    # -- connection ----------------------------------------------------------------------
    def verify(self) -> None:
        self.graph.get(self.account_id(), self.token, fields="id,username")

    def finish_connection(self, token: dict) -> Connection:
        """Exchange for a long-lived user token and take the Instagram account linked to the chosen Page."""
        user_token, expires_at = graph.long_lived(self.graph, self.secrets, token["access_token"])
        pages = graph.managed_pages(self.graph, user_token)
        wanted = str(self.config.ig_user_id or "")
        linked = [p for p in pages if (p.get("instagram_business_account") or {}).get("id")]
        if wanted:
            linked = [p for p in linked if str(p["instagram_business_account"]["id"]) == wanted]
        elif self.config.page_id:
            linked = [p for p in linked if str(p["id"]) == str(self.config.page_id)]
        if not linked:
            raise ChannelError(_("No Instagram professional account is linked to the Facebook Page you chose. Link "
                                 "the account to the Page in Instagram's settings, then connect again."),
                               permanent=True)
        page = linked[0]
        account = page["instagram_business_account"]
        username = str(account.get("username") or "")
        if not username:
            username = str(self.graph.get(str(account["id"]), page["access_token"], fields="username")
                           .get("username") or account["id"])
        return Connection(account_name=f"@{username}", account_url=f"https://www.instagram.com/{username}/",
                          secrets={"access_token": page["access_token"], "user_token": user_token},
                          config={"page_id": str(page["id"]), "ig_user_id": str(account["id"])},
                          expires_at=expires_at)
