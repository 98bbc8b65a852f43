"""The layers in pyproject's [tool.importlinter] hold, and `make lint` would refuse a change
that breaks them: a copy of the package with one forbidden import added fails the contracts,
naming the import."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(tree / "pyproject.toml")],
        cwd=tree,
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def copy_of_the_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tree = tmp_path_factory.mktemp("tree")
    shutil.copy(ROOT / "pyproject.toml", tree)
    shutil.copytree(
        ROOT / "fugong", tree / "fugong", ignore=shutil.ignore_patterns("locale", "static", "templates", "__pycache__")
    )
    return tree


def test_the_package_keeps_every_contract(copy_of_the_package: Path) -> None:
    result = lint_imports(copy_of_the_package)
    assert result.returncode == 0, result.stdout
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "forbidden", "contract"),
    [
        # core is the bottom layer: it may not reach up into accounts (the cycle the review found)
        ("core/masking.py", "from fugong.accounts.models import User", "Layers"),
        # accounts sits below the directory
        ("accounts/forms.py", "from fugong.directory.models import Site", "Layers"),
        # a domain module may not import one above it
        ("screening/queries.py", "from fugong.power.models import PowerAccount", "Layers"),
        ("routing/plan.py", "import django", "The engines are plain Python"),
        # the layers allow power to use delivery, but never delivery's pages
        ("power/views/office.py", "from fugong.delivery.views.office import backlog", "another app's pages"),
    ],
)
def test_a_forbidden_import_breaks_the_contracts(
    copy_of_the_package: Path, module: str, forbidden: str, contract: str
) -> None:
    source = copy_of_the_package / "fugong" / module
    original = source.read_text()
    source.write_text(f"{original}\n{forbidden}  # added by the test\n")
    try:
        result = lint_imports(copy_of_the_package)
    finally:
        source.write_text(original)
    assert result.returncode != 0
    broken = result.stdout.split("Broken contracts", 1)[1]
    assert contract in broken
    assert f"fugong.{module.removesuffix('.py').replace('/', '.')}" in broken
