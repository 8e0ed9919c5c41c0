from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class CharacterClassValidator:
    """Require letters and digits in a password (level-3 complexity rule)."""

    def validate(self, password, user=None):
        has_letter = any(c.isalpha() for c in password)
        has_digit = any(c.isdigit() for c in password)
        if not (has_letter and has_digit):
            raise ValidationError(_("密码必须同时包含字母和数字。"), code="password_no_mix")

    def get_help_text(self):
        return _("密码必须同时包含字母和数字。")
