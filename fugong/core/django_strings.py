"""Django's own strings that its zh_Hans catalogue does not have yet (new in Django 6.x).

`makemessages` finds them here, so the project's catalogue, which Django reads before its
own, supplies the Chinese. The browser crawl (tests/browser/crawl.py) finds any that remain.
"""

from django.utils.translation import gettext_noop

DJANGO_STRINGS = [
    gettext_noop("- Select an option -"),  # BLANK_CHOICE_LABEL: the empty choice of every select
]
