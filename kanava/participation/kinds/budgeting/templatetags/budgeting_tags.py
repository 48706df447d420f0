from django import template

from kanava.participation.kinds.budgeting.rules import euros as format_euros

register = template.Library()


@register.filter
def euros(amount):
    """12 500: thousands apart with a narrow no-break space."""
    return format_euros(amount)


@register.filter
def get_item(mapping, key):
    return (mapping or {}).get(key, "")


@register.filter
def percent_of(value, total):
    return 0 if not total else round(100 * value / total)
