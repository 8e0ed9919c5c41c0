"""Pure Chinese-text helpers: no Django imports anywhere in this package.

Each module holds one concern (width folding, ID numbers, pinyin keys, cell
values, document normalisation, fact extraction) so the importer, the archive
and the fact-checker share one implementation of each.
"""
