"""The `guanai` command: Django's management commands plus the project's own
(`serve`, `demo`, `import`, ...)."""

import os
import sys


def main(argv=None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanai.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["guanai", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
