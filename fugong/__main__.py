"""The `fugong` command: Django's manage.py under the project's own name, plus `solve_vrp`, which
runs the routing engine on a benchmark file without Django."""

import os
import sys


def main() -> None:
    if sys.argv[1:2] == ["solve_vrp"]:  # the routing engine alone: no settings, no database
        from fugong.routing.cli import solve_vrp

        sys.exit(solve_vrp(sys.argv[2:]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fugong.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
