"""A ledger streams: the memory of writing it does not grow with its rows."""

from __future__ import annotations

import tracemalloc

from guanai.ledgers.base import Source, write

COLUMNS = [(f"列{i}", 12) for i in range(12)]


class _User:
    unit = None
    area_id = None

    def get_full_name(self):
        return "测试"

    def get_username(self):
        return "test"


def _peak(rows: int, tmp_path) -> int:
    def generate():
        for n in range(rows):
            yield [n, f"姓名{n}", f"{n:018d}", "入户", f"走访情况很好，第{n}次走访，家中老人身体健康。" * 3] + [f"值{n}"] * 7

    source = Source(title="走访台账", columns=COLUMNS, rows=generate, count=lambda: rows)
    tracemalloc.start()
    try:
        write(source, user=_User(), path=tmp_path / f"{rows}.xlsx")
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_of_a_ledger_stays_flat_however_many_rows(tmp_path):
    small, large = _peak(1_000, tmp_path), _peak(10_000, tmp_path)
    # Ten times the rows, about the same memory: rows go to disk as they come.
    assert large < small * 1.5 + 512 * 1024, (small, large)
    assert large < 8 * 1024 * 1024, large
