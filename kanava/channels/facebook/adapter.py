"""Facebook: posts on the organisation's Page (or a voice's own public-figure Page).

Through Graph API's Pages endpoints with the Page access token (see
:mod:`kanava.channels.facebook.graph` for the client, errors and login):

- text only: ``POST /{page-id}/feed`` with ``message`` and ``link`` (the
  message on the resident site, so Facebook shows a link preview);
- with images: each image goes up unpublished (``POST /{page-id}/photos``,
  multipart ``source``, ``alt_text_custom``), then ``POST /{page-id}/feed``
  with ``attached_media``: one post, up to ten images;
- an attempt whose answer was lost is looked for in the Page's recent feed
  by its exact text (each message's text carries its own link, so two
  messages do not share one); Facebook also refuses the same text again soon
  after (``#506``), which Kanava then takes as "look for it";
- figures: reactions, comments and shares from the post, impressions from
  ``/insights?metric=post_impressions``, a few posts at a time;
- the inbox side (comments and Page messages in, replies out, hiding and
  banning): :mod:`kanava.channels.facebook.intake`, and comments pushed by
  Meta as they happen: :mod:`kanava.channels.facebook.webhooks`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kanava.channels.base import ChannelError
from kanava.channels.facebook import graph
from kanava.channels.facebook.intake import FacebookInbox
from kanava.channels.social.adapter import Connection, Metrics, Outgoing, PostRef, SocialAdapter
from kanava.channels.social.metrics import fetch_each

MAX_CHARACTERS = 63206
MAX_IMAGES = 10
#: The Page's latest posts searched for one whose answer was lost, and how far back.
FIND_COUNT = 25
FIND_WINDOW = timedelta(days=7)
DUPLICATE_CODE = 506
#: What connecting a Page asks for (Instagram's scopes too: one sign-in can connect both).
SCOPES = ["pages_show_list", "pages_read_engagement", "pages_manage_posts", "read_insights", "instagram_basic",
          "instagram_content_publish", "pages_read_user_content", "pages_manage_engagement", "pages_messaging",
          "instagram_manage_comments"]


@dataclass
class FacebookConfig(graph.MetaConfig):
    pass


class FacebookAdapter(FacebookInbox, graph.MetaLogin, SocialAdapter):
    kind = "facebook"
    scopes = SCOPES
    #: The inbox side (comments, Page messages, replies, moderation): :mod:`kanava.channels.facebook.intake`.
    can_reply = True
    moderation_actions = ("hide", "restore", "ban")
    default_limit = MAX_CHARACTERS
    threads = False
    max_images = MAX_IMAGES
    config_class = FacebookConfig
    secret_fields = {
        "client_secret": gettext_lazy("App Secret"),
        "access_token": gettext_lazy("Page access token (connecting fills it in)"),
    }

    @cached_property
    def graph(self) -> graph.GraphClient:
        return graph.GraphClient(self.channel, self.config)

    @property
    def token(self) -> str:
        return self.secrets.get("access_token", "")

    def page_id(self) -> str:
        if not self.config.page_id:
            raise ChannelError(_("%(channel)s has no Facebook Page: connect the account on the channel health "
                                 "page.") % {"channel": self.channel.name}, permanent=True)
        return str(self.config.page_id)

    def ref(self, post_id: str) -> PostRef:
        """A Page post's id is ``<page-id>_<post-id>``; its public address is the Page's ``/posts/<post-id>``."""
        page, _sep, number = post_id.partition("_")
        return PostRef(id=post_id, url=self.config.auth_url(f"{page}/posts/{number or page}"))

    # -- publishing --------------------------------------------------------------------
    def post(self, out: Outgoing) -> PostRef:
        page = self.page_id()
        data = {"message": out.text}
        if out.images:
            for index, image in enumerate(out.images[:MAX_IMAGES]):
                data[f"attached_media[{index}]"] = json.dumps({"media_fbid": self._upload(page, image)})
        elif out.link:
            data["link"] = out.link
        answer = self.graph.answer("POST", f"{page}/feed", self.token, data=data)
        if graph.error_code(answer)[0] == DUPLICATE_CODE:  # the same text is there already: an earlier attempt?
            found = self.find(out)
            if found is not None:
                return found
        body = self.graph.checked(answer)
        if not body.get("id"):
            raise ChannelError(_("Facebook took the post but did not say which it is; checking again."))
        return self.ref(str(body["id"]))

    def _upload(self, page: str, image) -> str:
        """An unpublished photo on the Page, to attach to the post; returns its id."""
        data = {"published": "false"}
        if image.alt.strip():
            data["alt_text_custom"] = image.alt.strip()
        body = self.graph.post(f"{page}/photos", self.token, data=data,
                               files={"source": (image.name, image.read(), image.content_type)})
        if not body.get("id"):
            raise ChannelError(_("Facebook did not take the image; trying again."))
        return str(body["id"])

    def find(self, out: Outgoing) -> PostRef | None:
        """The Page's recent post with exactly this text, if an earlier attempt made it; None if not there."""
        since = int((timezone.now() - FIND_WINDOW).timestamp())
        body = self.graph.get(f"{self.page_id()}/feed", self.token, fields="id,message,created_time",
                              limit=FIND_COUNT, since=since)
        wanted = out.text.strip()
        for entry in body.get("data") or []:
            if str(entry.get("message") or "").strip() == wanted and entry.get("id"):
                return self.ref(str(entry["id"]))
        return None

    # -- figures -----------------------------------------------------------------------
    def fetch_metrics_for(self, refs: list[PostRef]) -> dict[str, Metrics]:
        """Reactions, comments and shares from each post, impressions from its insights."""
        answers = fetch_each(refs, self._ask_figures)
        found = {}
        for ref in refs:
            post_answer, insight_answer = answers.get(ref.id, (None, None))
            if graph.error_code(post_answer) == (100, 33):
                continue  # the post was deleted on Facebook
            post = self.graph.checked(post_answer)
            impressions = self._impressions(insight_answer)
            found[ref.id] = Metrics(
                impressions=impressions,
                reactions=((post.get("reactions") or {}).get("summary") or {}).get("total_count", 0),
                comments=((post.get("comments") or {}).get("summary") or {}).get("total_count", 0),
                shares=(post.get("shares") or {}).get("count", 0),  # Graph leaves "shares" out until someone shares
                raw={"post": post, "impressions": impressions})
        return found

    def _ask_figures(self, ref: PostRef):
        """For worker threads: the raw answers (or exceptions); nothing touches the database here."""
        results = []
        for path, params in (
                (ref.id, {"fields": "reactions.summary(total_count),comments.summary(total_count),shares"}),
                (f"{ref.id}/insights", {"metric": "post_impressions"})):
            results.append(self.graph.answer("GET", path, self.token, params=params))
        return tuple(results)

    def _impressions(self, answer) -> int | None:
        """``post_impressions``, or None when Facebook has no insights for the post (yet)."""
        if graph.error_code(answer)[0] == 100:
            return None
        for entry in self.graph.checked(answer).get("data") or []:
            if entry.get("name") == "post_impressions":
                values = entry.get("values") or [{}]
                return values[-1].get("value")
        return None

    # -- connection ----------------------------------------------------------------------
    def verify(self) -> None:
        self.graph.get(self.page_id(), self.token, fields="id,name")

    def finish_connection(self, token: dict) -> Connection:
        """Exchange for a long-lived user token, pick the Page, keep its Page token."""
        user_token, expires_at = graph.long_lived(self.graph, self.secrets, token["access_token"])
        page = graph.pick_page(graph.managed_pages(self.graph, user_token), str(self.config.page_id or ""))
        return Connection(account_name=str(page.get("name") or page["id"]),
                          account_url=self.config.auth_url(str(page["id"])),
                          secrets={"access_token": page["access_token"], "user_token": user_token},
                          config={"page_id": str(page["id"])}, expires_at=expires_at)
