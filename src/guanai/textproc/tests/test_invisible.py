"""One set of invisible characters for every clean-up: a cell, a phone, an ID number and a
web-copied document all drop the same ones (they used to differ: the word joiner survived
the document clean-up)."""

import pytest

from guanai.textproc import cells, idcard, normalize
from guanai.textproc.width import INVISIBLE


@pytest.mark.parametrize("mark", list(INVISIBLE), ids=[f"U+{ord(c):04X}" for c in INVISIBLE])
def test_every_clean_up_drops_each_invisible_mark(mark):
    assert cells.clean_text(f"张{mark}三") == "张三"
    assert cells.clean_phone(f"139{mark}1234{mark}5678") == "13912345678"
    assert idcard.parse_id_number(f"{mark}11010519491231002X{mark}").number == "11010519491231002X"
    assert normalize.normalize_document(f"全市{mark}共有") == "全市共有"
