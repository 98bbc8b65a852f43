from django import template

from fugong.notify.kinds import label_of

register = template.Library()


@register.filter
def kind_label(kind: str) -> str:
    return label_of(kind)
