from guanai.textproc.width import alnum_to_halfwidth, to_halfwidth


def test_fullwidth_digits_and_letters_fold():
    assert to_halfwidth("ＩＤ１１０１０５") == "ID110105"
    assert to_halfwidth("３４７１１　人") == "34711 人"


def test_alnum_folding_keeps_chinese_punctuation():
    assert alnum_to_halfwidth("共３４７１１人，（一）") == "共34711人，（一）"
