"""Search keys that let people find 巴邱镇 by typing 巴邱, baqiu or bqz."""

from pypinyin import Style, lazy_pinyin


def search_key(*names: str) -> str:
    """Lower-case text holding each name, its full pinyin and its initials."""
    parts: list[str] = []
    for name in names:
        if not name:
            continue
        parts.append(name.lower())
        parts.append("".join(lazy_pinyin(name)).lower())
        parts.append("".join(lazy_pinyin(name, style=Style.FIRST_LETTER)).lower())
    return " ".join(parts)


def normalise_query(query: str) -> str:
    """What to match against a search key: lower case, no spaces (people type "ba qiu")."""
    return "".join(query.split()).lower()
