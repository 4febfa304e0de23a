"""The architecture's rules are checked by import-linter (contracts in pyproject.toml, run by
`make lint` in `make test`). It passes on the code, and fails on a copy given one of the
breaks the codebase once had: a cycle between two modules, a model that imports a service, a
schema that imports HTTP code."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = ROOT / ".venv" / "bin" / "lint-imports"

pytestmark = pytest.mark.skipif(not LINT_IMPORTS.exists(),
                                reason="import-linter is not installed: `make lint` installs it")


def lint_imports(folder: Path) -> subprocess.CompletedProcess:
    """The contracts of this repository's pyproject.toml, over the `api` package in `folder`."""
    return subprocess.run([str(LINT_IMPORTS), str(ROOT / "pyproject.toml"), "--no-cache"],
                          cwd=folder, env={"PYTHONPATH": str(folder), "PATH": "/usr/bin:/bin"},
                          capture_output=True, text=True, timeout=300, check=False)


@pytest.fixture
def copy(tmp_path) -> Path:
    # Python files only: the content, templates and the phone app's files are not imported.
    shutil.copytree(ROOT / "api", tmp_path / "api", ignore=lambda folder, names: [
        name for name in names
        if name == "__pycache__" or ((Path(folder) / name).is_file() and not name.endswith(".py"))])
    return tmp_path


def add_import(module: Path, line: str) -> None:
    module.write_text(f"{line}\n" + module.read_text(encoding="utf-8"), encoding="utf-8")


def test_the_code_keeps_every_contract(copy):
    result = lint_imports(copy)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout
    assert "Analyzed" in result.stdout


def test_a_cycle_between_two_modules_breaks_it(copy):
    # The embed page already uses the app shell's files; the other way round closes a circle.
    add_import(copy / "api" / "web" / "frontend.py", "import api.web.embed  # noqa")
    result = lint_imports(copy)
    assert result.returncode != 0
    assert "Plumbing packages do not import each other in circles BROKEN" in result.stdout
    assert "- .frontend -> .embed" in result.stdout  # it names the import to remove


def test_a_cycle_between_two_domains_breaks_it(copy):
    # Surveys' scoring reads content's files; content importing surveys back closes a circle.
    add_import(copy / "api" / "services" / "content" / "tips.py",
               "import api.services.surveys.scoring  # noqa")
    add_import(copy / "api" / "services" / "surveys" / "scoring.py",
               "import api.services.content.tips  # noqa")
    result = lint_imports(copy)
    assert result.returncode != 0
    assert "Domain services do not import each other in circles BROKEN" in result.stdout


def test_a_model_that_imports_a_service_breaks_the_layers(copy):
    add_import(copy / "api" / "models" / "__init__.py", "import api.services.audit  # noqa")
    result = lint_imports(copy)
    assert result.returncode != 0
    assert "A request's way goes down the layers, never up BROKEN" in result.stdout


def test_a_schema_with_http_code_breaks_it(copy):
    add_import(copy / "api" / "schemas" / "common.py", "from flask_smorest import abort  # noqa")
    result = lint_imports(copy)
    assert result.returncode != 0
    assert "Services, schemas, models and helpers hold no HTTP code BROKEN" in result.stdout
