"""``{% hiring_reports as reports %}``: the hiring reports (``recruiting.reports.REPORTS``) for the Reports menu."""

from django import template

register = template.Library()


@register.simple_tag
def hiring_reports() -> list:
    """The reports in menu order, each with ``slug``, ``title`` and ``summary``."""
    from recruiting.reports import REPORTS

    return list(REPORTS.values())
