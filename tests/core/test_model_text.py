"""How a row names itself (str(), kept in the audit log's "object" column and shown in lists)
is read by people in Shanghai: a moment is shown in local time, never in UTC."""

import ast
import inspect
import textwrap

from django.apps import apps
from django.db import models


def test_no_model_names_itself_with_a_moment_in_utc() -> None:
    in_utc = []
    for model in apps.get_models():
        if not model.__module__.startswith("fugong.") or "__str__" not in vars(model):
            continue
        moments = {f.name for f in model._meta.get_fields() if isinstance(f, models.DateTimeField)}
        tree = ast.parse(textwrap.dedent(inspect.getsource(vars(model)["__str__"])))
        for node in ast.walk(tree):
            # f"{self.at:%H:%M}" formats the stored UTC moment; f"{timezone.localtime(self.at):%H:%M}" does not.
            value = node.value if isinstance(node, ast.FormattedValue) else None
            if isinstance(value, ast.Attribute) and getattr(value.value, "id", "") == "self" and value.attr in moments:
                in_utc.append(f"{model._meta.label}.{value.attr}")
    assert not in_utc, in_utc
