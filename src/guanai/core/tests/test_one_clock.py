"""One clock: Django-side code asks guanai.core.clock (or timezone.localdate/now) for today,
never date.today() or a naive datetime.now(); textproc, which has no Django, takes today as an
argument and falls back to the process's date only when called on its own."""

import ast
from pathlib import Path

import guanai

SRC = Path(guanai.__file__).parent
NAIVE = {("date", "today"), ("datetime", "today"), ("datetime", "now")}


def _naive_clock_calls(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            owner_name = owner.id if isinstance(owner, ast.Name) else getattr(owner, "attr", None)
            if (owner_name, node.func.attr) in NAIVE and not node.args and not node.keywords:
                yield node.lineno


def test_no_code_outside_textproc_reads_the_processs_own_date():
    # The package, and the repository's own tests beside it (browser tests, scope harness).
    trees = [SRC] + [tree for tree in [SRC.parent.parent / "tests"] if tree.is_dir()]
    found = [f"{path.relative_to(SRC.parent.parent)}:{line}"
             for tree in trees for path in sorted(tree.rglob("*.py"))
             if "migrations" not in path.parts and "textproc" not in path.parts
             for line in _naive_clock_calls(path)]
    assert found == [], "use guanai.core.clock.today() or timezone.now(): " + ", ".join(found)


def test_the_check_sees_a_naive_call(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("from datetime import date, datetime\nA = date.today()\nB = datetime.now()\n"
                      "C = datetime.now(tz=None)\n", encoding="utf-8")
    assert list(_naive_clock_calls(sample)) == [2, 3]
