"""``{% load descriptions %}{{ vacancy.description|description_html }}``: a vacancy description rendered as
sanitised HTML (``recruiting.markup.render_description``)."""

from django import template

from recruiting.markup import render_description

register = template.Library()


@register.filter
def description_html(text):
    """The description (Markdown or plain text) as safe HTML; see ``recruiting.markup``."""
    return render_description(text)
