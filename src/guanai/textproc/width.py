"""Full-width to half-width folding (ＡＢＣ１２３ → ABC123)."""

# THE invisible characters that survive copy and paste from web pages, Word and Excel
# (zero-width space/non-joiner/joiner, word joiner, byte-order mark): every clean-up drops these.
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
DROP_INVISIBLE = dict.fromkeys(map(ord, INVISIBLE))

_FULLWIDTH_OFFSET = 0xFEE0
# Full-width ASCII block U+FF01..U+FF5E maps onto U+0021..U+007E; the ideographic
# space U+3000 maps onto the ASCII space.
_TABLE = {cp: cp - _FULLWIDTH_OFFSET for cp in range(0xFF01, 0xFF5F)}
_TABLE[0x3000] = 0x20

_ALNUM_TABLE = {
    cp: cp - _FULLWIDTH_OFFSET
    for cp in range(0xFF01, 0xFF5F)
    if chr(cp - _FULLWIDTH_OFFSET).isalnum() or chr(cp - _FULLWIDTH_OFFSET) in ".%-+"
}


def to_halfwidth(text: str) -> str:
    """Fold every full-width ASCII character (and the ideographic space)."""
    return text.translate(_TABLE)


def alnum_to_halfwidth(text: str) -> str:
    """Fold only full-width digits, letters and . % - +, keeping Chinese
    punctuation such as ，（）：as it is, which Chinese prose needs."""
    return text.translate(_ALNUM_TABLE)
