"""The `guanai` command: Django's management commands plus the project's own
(`serve`, `demo`, `import`, ...)."""

import os
import sys


def main(argv=None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanai.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    if args and not args[0].startswith("-"):
        args[0] = args[0].replace("-", "_")  # `guanai rotate-field-key` is the rotate_field_key command
    execute_from_command_line(["guanai", *args])


if __name__ == "__main__":
    main()
