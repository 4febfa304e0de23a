"""Every refusal message the code can give, read from the source (for test_problem_language).

A refusal is found where it is made:
- calls to `abort(...)`, `deny(...)`, `problem(...)` and `ValidationError(...)`;
- `raise SomeError(...)` of our own exceptions (Python's built-in ones and ContentError are
  for the people running the service, never an answer);
- `error=` keywords (a marshmallow validator's own words);
- functions named `problems` or `..._problem(s)`: they word a refusal for someone else to
  raise (a password's, a crisis line's).

In those places a message is a string literal, an f-string or a `+` of strings with a space
in it (field names have none), or a module constant, or a dict, list or tuple of them, that
the expression names. A local variable is followed to what its function assigns or appends
to it. The holes of an f-string are filled with "1", so a pattern in
api.http.problem_words must accept that.

Not found: words handed in through a function's parameter (`add_account(..., taken)`):
their literal is found where the caller names it, if that is a refusal site too.
"""

import ast
import builtins
import importlib
from dataclasses import dataclass
from pathlib import Path

API = Path(__file__).resolve().parents[2] / "api"
SITES = {"abort", "deny", "problem", "ValidationError"}
NOT_ANSWERS = {"ContentError"}
NOT_WORDS = {"headers", "members"}  # keywords of abort() and problem() that carry no message
HOLE = "1"


@dataclass(frozen=True)
class Refusal:
    where: str  # path:line
    text: str  # with each f-string hole as "1"


def _called(func) -> str | None:
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)


def _answer(name: str | None) -> bool:
    builtin = getattr(builtins, name or "", None)
    return name not in NOT_ANSWERS and not (
        isinstance(builtin, type) and issubclass(builtin, BaseException))


def _text(node) -> str | None:
    """A string expression as it reads, holes filled; None when it is not one."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(part.value if isinstance(part, ast.Constant) else HOLE
                       for part in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _text(node.left), _text(node.right)
        if left is not None or right is not None:
            return (left or HOLE) + (right or HOLE)
    return None


class _Reader:
    def __init__(self, where: str, namespace: dict):
        self.where, self.namespace = where, namespace
        self.found: list[Refusal] = []

    def add(self, line: int, text: str) -> None:
        if " " in text:
            self.found.append(Refusal(f"{self.where}:{line}", text))

    def words(self, node, locals_: set[str] | None = None) -> None:
        """The messages in an expression; the local names it uses go into `locals_`."""
        text = _text(node)
        if text is not None:
            self.add(node.lineno, text)
            return
        if isinstance(node, ast.Name | ast.Attribute):
            try:
                value = eval(compile(ast.Expression(node), "<refusal>", "eval"),  # noqa: S307
                             self.namespace)
            except Exception:  # noqa: BLE001 (a local, or not a constant: followed below)
                value = None
            values = (value.values() if isinstance(value, dict)
                      else value if isinstance(value, list | tuple) else [value])
            strings = [v for v in values if isinstance(v, str)]
            for string in strings:
                self.add(node.lineno, string)
            if not strings and isinstance(node, ast.Name) and locals_ is not None:
                locals_.add(node.id)
            return
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, ast.expr_context):
                self.words(child, locals_)

    def follow(self, function, names: set[str]) -> None:
        """What `function` assigns to, or appends to, the local `names`."""
        for node in ast.walk(function):
            if isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign) and node.value:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)} & names:
                    self.words(node.value)
            elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                  and node.func.attr in ("append", "extend")):
                base = node.func.value
                while isinstance(base, ast.Call | ast.Attribute | ast.Subscript):
                    base = base.func if isinstance(base, ast.Call) else base.value
                if isinstance(base, ast.Name) and base.id in names:
                    for arg in node.args:
                        self.words(arg)


def _site_arguments(node) -> list | None:
    if isinstance(node, ast.Call) and _called(node.func) in SITES:
        return [*node.args, *(k.value for k in node.keywords if k.arg not in NOT_WORDS)]
    if (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)
            and _answer(_called(node.exc.func))):
        return [*node.exc.args, *(k.value for k in node.exc.keywords)]
    if isinstance(node, ast.keyword) and node.arg == "error":
        return [node.value]
    return None


def _wording(node) -> bool:
    return (isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            and (node.name == "problems" or node.name.endswith(("_problem", "_problems"))))


def read(source: str, where: str, namespace: dict) -> list[Refusal]:
    """The refusals in one module's source; `namespace` resolves the constants it names."""
    tree = ast.parse(source)
    reader = _Reader(where, namespace)
    functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
    for node in ast.walk(tree):
        if _wording(node):
            body = node.body[1:] if ast.get_docstring(node) else node.body
            for statement in body:
                reader.words(statement)
            continue
        arguments = _site_arguments(node)
        if arguments is None:
            continue
        locals_: set[str] = set()
        for argument in arguments:
            reader.words(argument, locals_)
        inside = [f for f in functions if f.lineno <= node.lineno <= f.end_lineno]
        if locals_ and inside:
            reader.follow(max(inside, key=lambda f: f.lineno), locals_)
    return reader.found


def every_refusal() -> list[Refusal]:
    """Every refusal in the app's code (not the migrations, nor the command line's words)."""
    found = []
    for path in sorted(API.rglob("*.py")):
        relative = path.relative_to(API.parent)
        if "migrations" in relative.parts or relative == Path("api/cli.py"):
            continue
        name = ".".join(relative.with_suffix("").parts).removesuffix(".__init__")
        found += read(path.read_text(encoding="utf-8"), str(relative),
                      vars(importlib.import_module(name)))
    return found
