import pytest

from guanai.areas import codes


@pytest.mark.parametrize("code,level", [
    ("990000000000", codes.PROVINCE), ("990100000000", codes.CITY), ("990101000000", codes.COUNTY),
    ("990101001000", codes.TOWNSHIP), ("990101001001", codes.VILLAGE), ("110105001002", codes.VILLAGE),
])
def test_level_of_nested_codes(code, level):
    assert codes.level_of(code) == level


@pytest.mark.parametrize("code", ["99010000000", "9901000000000", "99010000000A", "990001000000", "000000000000", "990100001000"])
def test_malformed_or_non_nesting_codes_are_refused(code):
    with pytest.raises(codes.AreaCodeError) as err:
        codes.level_of(code)
    assert "区划代码" in str(err.value)


def test_parent_and_subtree_bounds():
    assert codes.parent_code("990101001001") == "990101001000"
    assert codes.parent_code("990101001000") == "990101000000"
    assert codes.parent_code("990000000000") is None
    low, high = codes.subtree_bounds("990101000000")
    assert low <= "990101001001" < high
    assert not (low <= "990102001001" < high)
    # The range of the last possible prefix still holds its subtree.
    low, high = codes.subtree_bounds("999900000000")
    assert low <= "999999999999" < high


@pytest.mark.parametrize("code,length", [
    ("990000000000", 4), ("990100000000", 6), ("990101000000", 9), ("990101001000", 12), ("990101001001", None),
])
def test_child_prefix_length_names_the_level_below(code, length):
    assert codes.child_prefix_length(code) == length
    if length is not None:  # a child's code starts with that many of its own digits, the rest zeros
        child = "990101001001"[:length].ljust(12, "0")
        assert codes.parent_code(child) == code and codes.prefix_of(child) == child[:length]


def test_ancestors_run_from_the_area_up_to_its_province():
    assert codes.ancestors("990101001001") == ["990101001001", "990101001000", "990101000000", "990100000000",
                                               "990000000000"]
