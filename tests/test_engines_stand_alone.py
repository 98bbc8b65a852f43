"""The two engines are plain Python: the route planner and the resumption index import no Django
(and no other part of Fugong), so they run in a worker, a notebook or on a Spark executor alike."""

import json
import subprocess
import sys

import pytest

ENGINES = [
    "fugong.routing",
    "fugong.routing.plan",
    "fugong.routing.solver",
    "fugong.resumption.engine",
    "fugong.resumption.cli",
]


@pytest.mark.parametrize("module", ENGINES)
def test_an_engine_imports_without_django(module: str) -> None:
    probe = f"import importlib, json, sys; importlib.import_module({module!r}); print(json.dumps(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True)
    loaded = json.loads(result.stdout.splitlines()[-1])
    own = ("fugong.routing", "fugong.resumption.engine", "fugong.resumption.inputs", "fugong.resumption.cli")
    packages = {"fugong", "fugong.resumption"}  # the empty package files above the engines
    outside = [
        name
        for name in loaded
        if name.split(".")[0] == "django"
        or (name.startswith("fugong") and not name.startswith(own) and name not in packages)
    ]
    assert outside == []
