"""Human-readable names for audit log actions.

Audit events store a dotted action code (``message.approved``); people read
these labels.  An action not listed here is shown by its code, so a new
action never breaks the log, it only reads less nicely until it gets a label.
"""

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "message.created": _("Message created"),
    "message.submitted": _("Message submitted for review"),
    "message.approved": _("Message approved"),
    "message.voice_approved": _("Message approved by the voice"),
    "message.rejected": _("Message rejected"),
    "message.scheduled": _("Message scheduled"),
    "message.unscheduled": _("Message schedule cancelled"),
    "message.published": _("Message published"),
    "message.updated": _("Message edited"),
    "message.commented": _("Comment added to a message"),
    "variant.edited": _("Channel version edited"),
    "variant.reset": _("Channel version reset to the original"),
    "delivery.retried": _("Delivery retried"),
    "delivery.resolved": _("Uncertain delivery resolved"),
    "person.invited": _("Person invited"),
    "invitation.accepted": _("Invitation accepted"),
    "role.removed": _("Role removed"),
    "role.title_changed": _("Public title changed"),
    "login": _("Logged in"),
    "login.failed": _("Failed login"),
    "logout": _("Logged out"),
    "two_factor.enabled": _("Two-factor authentication set up"),
    "two_factor.failed": _("Wrong two-factor code"),
    "password.set": _("Password set"),
    "organisation.created": _("Organisation created"),
    "membership.created": _("Role given"),
    "audit.exported": _("Audit log exported"),
    "image.added": _("Image added"),
    "image.alt_changed": _("Alternative text of an image changed"),
    "image.removed": _("Image removed"),
    "attachment.added": _("Attachment added"),
    "attachment.removed": _("Attachment removed"),
    "alert.resolved": _("Alert marked as handled"),
    "channel.created": _("Channel added"),
    "channel.updated": _("Channel settings changed"),
    "variant.thread_set": _("Channel version set to go out as a thread or as one post"),
    "channel.connected": _("Account connected"),
    "channel.disconnected": _("Account disconnected"),
    "channel.personal_added": _("Personal account added"),
    "delivery.posted_by_hand": _("Posted by hand"),
    "reach.exported": _("Reach figures exported"),
    "organisation.updated": _("Organisation settings changed"),
    "subscriber.added": _("Subscriber added"),
    "subscribers.imported": _("Subscribers imported"),
    "api_token.created": _("API token created"),
    "api_token.revoked": _("API token revoked"),
    "press_contact.added": _("Press contact added"),
    "press_contact.deactivated": _("Press contact removed from the list"),
    "press_contact.reactivated": _("Press contact back on the list"),
    "subscriber.bounced": _("Subscriber's address bounced"),
    "subscriber.soft_bounced": _("Temporary bounce recorded"),
    "subscriber.confirmed": _("Subscription confirmed"),
    "subscriber.subscribed": _("Subscription requested"),
    "subscriber.unsubscribed": _("Subscription ended"),
}

# Groups offered in the audit log's action filter: (prefix, label).  A prefix
# ending in a dot matches every action of that kind; one without matches the
# action itself and its sub-actions ("login" also finds "login.failed").
ACTION_GROUPS = [
    ("message.", _("Messages")),
    ("variant.", _("Channel versions")),
    ("delivery.", _("Deliveries")),
    ("person.", _("Invitations sent")),
    ("invitation.", _("Invitations accepted")),
    ("role.", _("Roles")),
    ("login", _("Logins")),
    ("logout", _("Logouts")),
    ("two_factor.", _("Two-factor authentication")),
    ("audit.", _("Audit log exports")),
    ("channel.", _("Channels")),
    ("reach.", _("Reach exports")),
    ("organisation.", _("Organisation settings")),
    ("subscriber", _("Subscribers")),
]


def action_label(action: str) -> str:
    """The translated label of ``action``, or the code itself when unknown."""
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action
