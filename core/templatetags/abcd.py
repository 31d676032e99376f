from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """{{ columns|get_item:"name" }}: a dictionary's value in a template."""
    return mapping.get(key) if mapping else None
