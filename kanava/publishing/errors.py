from django.core.exceptions import PermissionDenied, ValidationError  # noqa: F401


class WorkflowError(Exception):
    """An action is not allowed in the message's current state (translated text)."""
