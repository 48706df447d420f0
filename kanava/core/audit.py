"""The audit log: every state change records who, what, when and from where."""

from dataclasses import dataclass

from kanava.core.models import AuditEvent, Organisation, Person


@dataclass(frozen=True)
class Actor:
    """Who is acting and from which address; passed to every action."""

    person: Person | None
    ip_address: str | None = None
    label: str = ""

    @classmethod
    def system(cls, label: str = "system") -> "Actor":
        return cls(person=None, ip_address=None, label=label)

    @classmethod
    def from_request(cls, request) -> "Actor":
        person = request.user if request.user.is_authenticated else None
        return cls(person=person, ip_address=getattr(request, "client_ip", None))

    def __str__(self):
        return str(self.person) if self.person else self.label


def record(actor: Actor, organisation: Organisation | None, action: str, obj=None, **data) -> AuditEvent:
    """Append one audit event.  ``action`` is a dotted name: ``message.approved``."""
    return AuditEvent.objects.create(
        organisation=organisation,
        actor=actor.person,
        actor_label=str(actor)[:255],
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:255] if obj is not None else "",
        data=data,
        ip_address=actor.ip_address,
    )
