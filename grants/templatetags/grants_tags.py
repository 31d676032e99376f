from decimal import Decimal

from django import template
from django.utils.html import format_html

register = template.Library()

TAG_COLOURS = {
    "draft": "grey",
    "submitted": "blue",
    "ineligible": "red",
    "in_review": "yellow",
    "awarded": "green",
    "declined": "red",
}


@register.filter
def pounds(amount) -> str:
    """£1,250 or £249.50."""
    if amount is None or amount == "":
        return ""
    amount = Decimal(amount)
    if amount == amount.to_integral_value():
        return f"£{amount:,.0f}"
    return f"£{amount:,.2f}"


@register.simple_tag
def status_tag(application):
    colour = TAG_COLOURS.get(application.status, "grey")
    return format_html(
        '<strong class="govuk-tag govuk-tag--{}">{}</strong>',
        colour,
        application.get_status_display(),
    )
