"""Template tags of every form page (loaded as builtins: no {% load %} needed)."""

import uuid

from django import template
from django.utils.html import format_html

from guanai.core.idempotency import TOKEN_FIELD

register = template.Library()


@register.simple_tag
def form_token():
    """A fresh one-time token for a create form (see core.idempotency)."""
    return format_html('<input type="hidden" name="{}" value="{}">', TOKEN_FIELD, uuid.uuid4().hex)
