"""Log hygiene: a signed link in a URL is a key (a member's duty page, an answer to a call), so
request lines and warnings about such URLs keep the path but not the token. (A driver's route
link is one too: /delivery/r/… and /api/delivery/runs/….)"""

import logging
import re

SIGNED_PATH = re.compile(r"/(duty|answer|r|runs)/[^/\s?\"']+")


def redact(text: str) -> str:
    return SIGNED_PATH.sub(r"/\1/…", text)


class RedactSignedLinks(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        return True
