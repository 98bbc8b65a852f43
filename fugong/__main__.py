"""The `fugong` command: Django's manage.py under the project's own name, plus the engines' own
commands, which need no settings, database or secret and so run without Django: `solve_vrp`
(the routing engine on a benchmark file) and `resumption_index` (the index from files)."""

import os
import sys


def main() -> None:
    if sys.argv[1:2] == ["solve_vrp"]:  # the routing engine alone: no settings, no database
        from fugong.routing.cli import solve_vrp

        sys.exit(solve_vrp(sys.argv[2:]))
    if sys.argv[1:2] == ["resumption_index"]:  # files in, a CSV out: no settings, no database
        from fugong.resumption.cli import resumption_index

        sys.exit(resumption_index(sys.argv[2:]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fugong.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
