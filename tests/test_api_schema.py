"""The API keeps to its OpenAPI document (/api/openapi.json)."""

import dataclasses
import inspect
from collections import defaultdict
from collections.abc import Iterator
from enum import Enum
from typing import Any, get_args, get_type_hints

from pydantic import BaseModel

from fugong.api import api


def _named_types(annotation: Any) -> Iterator[type]:
    """The models and enums a type mentions, each one a schema of its own in the document."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
        for field in annotation.model_fields.values():
            yield from _named_types(field.annotation)
    elif isinstance(annotation, type) and dataclasses.is_dataclass(annotation):
        yield annotation
        for hint in get_type_hints(annotation).values():
            yield from _named_types(hint)
    elif isinstance(annotation, type) and issubclass(annotation, Enum):
        yield annotation
    else:
        for argument in get_args(annotation):
            yield from _named_types(argument)


def _schemas_of_operations() -> Iterator[type]:
    # Ninja wraps each operation's parameters and answers in models of its own making (their
    # names never reach the document); what their fields hold is what the document names.
    for router in api._get_bound_routers():
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                wrappers = [*operation.models, *operation.response_models.values()]
                for wrapper in wrappers:
                    for field in getattr(wrapper, "model_fields", {}).values():
                        yield from _named_types(field.annotation)


def test_no_two_schemas_share_a_name() -> None:
    """The document lists schemas by class name: two classes of one name would show as one,
    and one operation would be documented with the other's fields."""
    classes: dict[str, set[str]] = defaultdict(set)
    for schema in _schemas_of_operations():
        classes[schema.__name__].add(f"{schema.__module__}.{schema.__qualname__}")
    assert set(classes) >= set(api.get_openapi_schema()["components"]["schemas"])  # the walk finds them all
    assert {name: found for name, found in classes.items() if len(found) > 1} == {}


def test_every_operation_documents_the_errors_it_may_answer() -> None:
    """Refused input (422), someone else's or a missing object (403, 404) and, behind sign-in,
    a missing token (401) are answers like any other: a client reads their shape in the document."""
    document = api.get_openapi_schema()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            codes = {str(code) for code in operation["responses"]}
            signed_in = bool(operation.get("security"))
            assert codes >= {"403", "404", "422"}, (method, path)
            assert ("401" in codes) == signed_in, (method, path)
            error = operation["responses"][422]["content"]["application/json"]["schema"]
            assert error == {"$ref": "#/components/schemas/ErrorOut"}, (method, path)


def test_operations_that_act_once_per_key_say_so() -> None:
    """A phone on a poor network resends: the document tells which operations take an
    Idempotency-Key, and Schemathesis sends one to them (a resend is checked below)."""
    views = {
        api.get_openapi_operation_id(operation): inspect.unwrap(operation.view_func)
        for router in api._get_bound_routers()
        for path_view in router.path_operations.values()
        for operation in path_view.operations
    }
    for operations in api.get_openapi_schema()["paths"].values():
        for operation in operations.values():
            acts_once = "respond_once(" in inspect.getsource(views[operation["operationId"]])
            headers = [p["name"] for p in operation["parameters"] if p["in"] == "header"]
            assert ("Idempotency-Key" in headers) == acts_once, operation["operationId"]
