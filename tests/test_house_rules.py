"""House rules read from the source (ast), not from running it.

Rule 1, one way to change state: views, the API, tasks and management commands call services;
they never write models or forms themselves. In those modules a call `x.m(...)` with `m` one of
WRITES (including a ModelForm's `form.save()`) is a write, unless `x` is provably something
else:
- a name bound in the same function or module to a dict (a `{...}` display or comprehension,
  `dict(...)`, or annotated `dict`), or to a hash (`hashlib.<algorithm>(...)`): `.update` on them
  changes a local value, not a row;
- a parameter annotated `Progress`: a job's progress, which the job machinery writes on a side
  connection so the page can show it; it is not a state change of the app;
- `default_storage` (files in storage, not rows), `request.session`, `response.headers`;
- or the call is a decorator: `@router.delete(...)` declares a route.
Anything else is named as file:line. ALLOWED lists functions that still write, each with its
reason; the goal is none.

Rule 2, one service, one transaction: every services function that an entry point (the modules
above) calls and that writes (a WRITES call or an audit entry in its body, or in a helper of the
same module it calls) is `@durable` (fugong.core.transactions) or `@transaction.atomic(durable=True)`,
so wrapping two services fails loudly. And no durable service calls another one (by name in its
module, or as `module.function` of a services module it imports): the shared part belongs in a
private helper without a transaction of its own. Calls through other modules are not followed;
running them would raise RuntimeError in the tests. A batch service may instead open a durable
block per item (`with service_transaction(...)` in its loop). Services join a transaction opened
around them (`services_join`, `all_or_nothing`) only in the modules of JOINERS.

Rule 3, helpers open no transaction: in services modules a plain `transaction.atomic` is only a
savepoint, a `with` directly in a `try` (a failed insert undoes only itself), or the
transaction services join; never a decorator.
"""

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "fugong"
WRITES = frozenset(
    {"save", "delete", "create", "bulk_create", "update", "bulk_update", "get_or_create", "update_or_create"}
)
NOT_ROWS = frozenset({"default_storage", "request.session", "response.headers"})
NOT_ROW_TYPES = frozenset({"dict", "Progress"})

# (file, function) -> why it may still write.
ALLOWED: dict[tuple[str, str], str] = {}


# service -> why it may write outside a durable transaction.
NOT_DURABLE: dict[str, str] = {}
# Where services may join a transaction opened around them (fugong.core.transactions), and why.
JOINERS = {
    "fugong/core/idempotency.py": "an API key is kept only with its action's changes",
    "fugong/core/jobs.py": "the immediate backend runs a job's task inside start_job",
    "fugong/core/imports.py": "a file imports all its rows or none",
    "fugong/core/transactions.py": "where joining is defined",
    "fugong/delivery/services/exchange.py": "an orders file imports all its orders or none",
    "fugong/demo/power.py": "each part of the demo loads whole or not at all",
    "fugong/demo/world.py": "the demo loads whole or not at all",
}


def entry_modules() -> list[Path]:
    found = {PACKAGE / "api.py"}
    for app in PACKAGE.iterdir():
        if not (app / "__init__.py").exists():
            continue
        found.update(p for p in (app / "api.py", app / "tasks.py", app / "views.py") if p.exists())
        found.update((app / "views").rglob("*.py"))
        found.update((app / "management" / "commands").glob("*.py"))
    return sorted(found)


def services_modules() -> list[Path]:
    return sorted([*PACKAGE.glob("*/services.py"), *PACKAGE.glob("*/services/*.py")])


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


def _annotation_name(annotation: ast.expr | None) -> str:
    if isinstance(annotation, ast.Subscript):
        annotation = annotation.value
    return _dotted(annotation) if annotation is not None else ""


def _not_a_row(value: ast.expr | None) -> bool:
    if isinstance(value, ast.Dict | ast.DictComp):
        return True
    if isinstance(value, ast.Call):
        callee = _dotted(value.func)
        return callee == "dict" or callee.startswith("hashlib.")
    return False


def _local_values(scope: ast.AST) -> set[str]:
    """Names bound in `scope` (not in nested functions) to something that is not a row."""
    names: set[str] = set()
    if isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef):
        for arg in [*scope.args.posonlyargs, *scope.args.args, *scope.args.kwonlyargs]:
            if _annotation_name(arg.annotation) in NOT_ROW_TYPES:
                names.add(arg.arg)
    for node in _walk_scope(scope):
        if isinstance(node, ast.Assign) and _not_a_row(node.value):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and (_annotation_name(node.annotation) in NOT_ROW_TYPES or _not_a_row(node.value))
        ):
            names.add(node.target.id)
    return names


def _walk_scope(scope: ast.AST) -> Iterator[ast.AST]:
    """The nodes of `scope` without those of functions defined inside it."""
    for child in ast.iter_child_nodes(scope):
        yield child
        if not isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            yield from _walk_scope(child)


@dataclass(frozen=True)
class Write:
    line: int
    function: str
    code: str


def writes_in(source: str) -> list[Write]:
    """Every write call in `source` under rule 1 (see the module's docstring)."""
    tree = ast.parse(source)
    found: list[Write] = []
    module_values = _local_values(tree)

    def visit(scope: ast.AST, function: str, values: set[str]) -> None:
        decorators = {id(d) for n in _walk_scope(scope) if hasattr(n, "decorator_list") for d in n.decorator_list}
        if hasattr(scope, "decorator_list"):
            decorators.update(id(d) for d in scope.decorator_list)
        for node in _walk_scope(scope):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                visit(node, node.name if function == "<module>" else function, values | _local_values(node))
            elif isinstance(node, ast.Lambda):
                visit(node, function, values)
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in WRITES
                and id(node) not in decorators
            ):
                receiver = _dotted(node.func.value)
                if receiver in values or receiver in NOT_ROWS:
                    continue
                found.append(Write(node.lineno, function, ast.unparse(node)[:80]))

    visit(tree, "<module>", module_values)
    return sorted(found, key=lambda w: w.line)


def test_entry_points_change_state_only_through_services() -> None:
    found = []
    for path in entry_modules():
        name = str(path.relative_to(ROOT))
        for write in writes_in(path.read_text()):
            if (name, write.function) not in ALLOWED:
                found.append(f"{name}:{write.line} in {write.function}: {write.code}")
    assert not found, "Entry points write models themselves; move these into a service:\n" + "\n".join(found)


def test_every_allowed_exception_still_writes() -> None:
    """An entry of ALLOWED whose function no longer writes is stale: remove it."""
    still = {
        (str(path.relative_to(ROOT)), write.function)
        for path in entry_modules()
        for write in writes_in(path.read_text())
    }
    assert set(ALLOWED) <= still, sorted(set(ALLOWED) - still)


WRITER = """
import hashlib
from django.core.files.storage import default_storage
from fugong.core.jobs import Progress

@router.delete("/things/{pk}")
def view(request, pk):
    context: dict = {"a": 1}
    context.update(b=2)
    totals = {}
    totals.update(c=3)
    digest = hashlib.sha256()
    digest.update(b"x")
    request.session.update({"k": 1})
    default_storage.delete("name")
    form = ThingForm(request.POST)
    form.save()
    Thing.objects.create(name="x")
    Thing.objects.filter(pk=pk).update(name="y")
    thing = Thing.objects.get(pk=pk)
    thing.delete()

def task(progress: Progress, rows):
    progress.update(0, 10)
    Thing.objects.bulk_create(rows)

def other(context):
    context.update(x=1)
"""


def test_the_write_rule_finds_writes_and_passes_local_values() -> None:
    found = [(write.line, write.function, write.code.split("(")[0]) for write in writes_in(WRITER)]
    assert found == [
        (17, "view", "form.save"),
        (18, "view", "Thing.objects.create"),
        (19, "view", "Thing.objects.filter"),
        (21, "view", "thing.delete"),
        (25, "task", "Thing.objects.bulk_create"),
        (28, "other", "context.update"),  # a parameter is not known to be a dict
    ]


@pytest.mark.parametrize("line", ["form.save()", "plan.save(update_fields=['job'])", "Job.objects.get_or_create()"])
def test_an_added_violation_is_named(line: str) -> None:
    assert [w.line for w in writes_in(f"def view(request):\n    {line}\n")] == [2]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_services(module: str) -> bool:
    return module.endswith(".services") or ".services." in module


def _imports(tree: ast.Module, module: str) -> dict[str, str]:
    """Local name -> the absolute dotted name it was imported as."""
    package = module.rsplit(".", 1)[0]
    names = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update({a.asname or a.name: a.name for a in node.names})
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            names.update({a.asname or a.name: f"{base}.{a.name}" for a in node.names})
    return names


def _is_durable_marker(node: ast.expr) -> bool:
    if _dotted(node).rsplit(".", 1)[-1] == "durable":
        return True
    if isinstance(node, ast.Call):
        callee = _dotted(node.func)
        if callee.endswith("service_transaction"):
            return True
        return callee.endswith("transaction.atomic") and any(
            k.arg == "durable" and isinstance(k.value, ast.Constant) and k.value.value is True for k in node.keywords
        )
    return False


@dataclass
class Service:
    module: str
    node: ast.FunctionDef
    imports: dict[str, str]
    siblings: dict[str, ast.FunctionDef]
    known: dict[str, "Service"]  # every services function, by absolute name

    @property
    def name(self) -> str:
        return f"{self.module}.{self.node.name}"

    @property
    def durable(self) -> bool:
        return any(_is_durable_marker(d) for d in self.node.decorator_list) or any(
            isinstance(n, ast.With) and any(_is_durable_marker(i.context_expr) for i in n.items)
            for n in _walk_scope(self.node)
        )

    def reach(self) -> list[ast.FunctionDef]:
        """This function and the helpers of its module it calls, as far as they go, without durable ones."""
        seen, todo = [self.node], [self.node]
        while todo:
            for call in (n for n in ast.walk(todo.pop()) if isinstance(n, ast.Call)):
                helper = self.siblings.get(_dotted(call.func))
                if helper is not None and helper not in seen and not self.known[f"{self.module}.{helper.name}"].durable:
                    seen.append(helper)
                    todo.append(helper)
        return seen

    def writes(self) -> bool:
        for function in self.reach():
            if writes_in(ast.unparse(function)) or any(
                _dotted(n.func).startswith("audit.record") for n in ast.walk(function) if isinstance(n, ast.Call)
            ):
                return True
        return False

    def calls(self) -> Iterator[tuple[int, str]]:
        """(line, absolute name) of every call in reach that names a function of a services module."""
        for function in self.reach():
            for call in (n for n in ast.walk(function) if isinstance(n, ast.Call)):
                target = _resolve(_dotted(call.func), self.module, self.imports, self.known)
                if target:
                    yield call.lineno, target


def _resolve(callee: str, module: str, imports: dict[str, str], known: dict[str, Service]) -> str:
    head, _, rest = callee.partition(".")
    if head in imports:
        full = f"{imports[head]}.{rest}" if rest else imports[head]
    elif callee and not rest:
        full = f"{module}.{head}"
    else:
        return ""
    return full if full in known else ""


def load_services(sources: dict[str, str]) -> dict[str, Service]:
    """Every function of the services modules `sources` (module name -> source)."""
    known: dict[str, Service] = {}
    for module, source in sources.items():
        tree = ast.parse(source)
        imports = _imports(tree, module)
        siblings = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
        for name, node in siblings.items():
            known[f"{module}.{name}"] = Service(module, node, imports, siblings, known)
    return known


SERVICES = load_services({_module_name(path): path.read_text() for path in services_modules()})


def entry_calls() -> Iterator[tuple[str, int, str]]:
    """(file, line, service) of every call of a services function in an entry point."""
    for path in entry_modules():
        module = _module_name(path)
        tree = ast.parse(path.read_text())
        imports = _imports(tree, module)
        for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call)):
            callee = _dotted(call.func)
            if callee.partition(".")[0] in imports and (target := _resolve(callee, module, imports, SERVICES)):
                yield str(path.relative_to(ROOT)), call.lineno, target


def needs_durable(service: Service) -> bool:
    return not service.durable and service.writes() and service.name not in NOT_DURABLE


def nested(services: dict[str, Service]) -> list[str]:
    """Durable services that call another durable service."""
    return sorted(
        f"{service.name} (line {line}) calls {target}"
        for service in services.values()
        if service.durable
        for line, target in service.calls()
        if target != service.name and services[target].durable
    )


def test_services_called_from_entry_points_run_in_a_durable_transaction() -> None:
    found = sorted(
        f"{file}:{line} calls {target}, which writes outside a durable transaction"
        for file, line, target in entry_calls()
        if needs_durable(SERVICES[target])
    )
    assert not found, "Make these services @durable:\n" + "\n".join(found)


def test_no_durable_service_calls_another() -> None:
    found = nested(SERVICES)
    assert not found, "Share a helper without a transaction instead:\n" + "\n".join(found)


def test_the_services_exist() -> None:
    """The rules above see the services (an empty SERVICES would pass them all)."""
    assert SERVICES["fugong.delivery.services.planning.queue_planning"].durable
    assert any(target.endswith("queue_planning") for _file, _line, target in entry_calls())


SERVICE_SOURCES = {
    "fugong.x.services.a": """
from django.db import transaction
from fugong.core.transactions import durable, service_transaction
from . import b

def save(actor, thing):
    _write(thing)

def _write(thing):
    thing.save()
    audit.record(None, "thing.save", thing)

@durable
def publish(actor, thing):
    b.notify(thing)
    _write(thing)

@transaction.atomic(durable=True)
def close(thing):
    publish(None, thing)

def run_daily():
    for thing in things:
        with service_transaction("run_daily"):
            thing.delete()

def look(thing):
    return thing.name
""",
    "fugong.x.services.b": """
from fugong.core.transactions import durable

@durable
def notify(thing):
    Message.objects.create(thing=thing)
""",
}


def test_the_transaction_rules_find_what_they_are_for() -> None:
    services = load_services(SERVICE_SOURCES)
    public = [name for name, service in services.items() if not service.node.name.startswith("_")]
    assert [name for name in public if needs_durable(services[name])] == ["fugong.x.services.a.save"]
    assert services["fugong.x.services.a.run_daily"].durable
    assert not services["fugong.x.services.a.look"].writes()
    assert nested(services) == [
        "fugong.x.services.a.close (line 20) calls fugong.x.services.a.publish",
        "fugong.x.services.a.publish (line 15) calls fugong.x.services.b.notify",
    ]


def test_services_join_only_where_a_unit_is_wider_than_one_service() -> None:
    found = sorted(
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path in PACKAGE.rglob("*.py")
        if str(path.relative_to(ROOT)) not in JOINERS
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Name | ast.Attribute)
        and _dotted(node).rsplit(".", 1)[-1] in {"services_join", "all_or_nothing"}
    )
    assert not found, "Services merged into a wider transaction; call one service instead:\n" + "\n".join(found)


def _plain_atomic(node: ast.expr) -> bool:
    return _dotted(node.func if isinstance(node, ast.Call) else node).endswith("transaction.atomic") and not (
        _is_durable_marker(node)
    )


def plain_transactions(source: str, module: str) -> list[str]:
    """Transactions in a services module that are neither a service's own nor a savepoint."""
    found = []
    tree = ast.parse(source)
    savepoints = {
        id(item.context_expr)
        for node in ast.walk(tree)
        if isinstance(node, ast.Try)
        for statement in node.body
        if isinstance(statement, ast.With)
        for item in statement.items
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            found += [f"{module}:{d.lineno} @{_dotted(d)}" for d in node.decorator_list if _plain_atomic(d)]
            if f"{module}.{node.name}" in NOT_DURABLE:
                continue
            for statement in (n for n in _walk_scope(node) if isinstance(n, ast.With)):
                joins = any(
                    "services_join" in _dotted(getattr(i.context_expr, "func", i.context_expr)) for i in statement.items
                )
                found += [
                    f"{module}:{statement.lineno} in {node.name}"
                    for item in statement.items
                    if _plain_atomic(item.context_expr) and id(item.context_expr) not in savepoints and not joins
                ]
    return found


def test_helpers_open_no_transaction_of_their_own() -> None:
    """In services modules a plain `transaction.atomic` is a savepoint inside a `try` (a failed
    insert undoes only itself) or the transaction that services join; a function that needs a
    transaction of its own is a service: `@durable`."""
    found = [line for path in services_modules() for line in plain_transactions(path.read_text(), _module_name(path))]
    assert not found, "\n".join(found)


def test_the_transaction_rule_finds_a_helper_with_its_own() -> None:
    source = """
@transaction.atomic
def helper(thing):
    thing.save()

def other(thing):
    with transaction.atomic():
        thing.save()
    try:
        with transaction.atomic():
            thing.save()
    except IntegrityError:
        pass
"""
    assert plain_transactions(source, "m") == ["m:2 @transaction.atomic", "m:7 in other"]
