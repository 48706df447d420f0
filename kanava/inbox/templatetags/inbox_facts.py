"""``{% comment_form post %}``: the comment form under a news item (on a cached page: no per-person content)."""

from django import template

from kanava.inbox.forms_feedback import FeedbackForm

register = template.Library()


@register.inclusion_tag("inbox/facts/_comment_form.html")
def comment_form(post, form=None):
    return {"post": post, "form": form or FeedbackForm(comment=True)}
