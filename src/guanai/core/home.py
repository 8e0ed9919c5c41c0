"""The cards of each role's home page: real counts, each from a scoped query.

Apps add their own cards with ``@home_card(order)``; a card function takes the
user and returns a list of dicts ``{label, value, url}`` (empty to show none).
"""

from __future__ import annotations

_CARD_PROVIDERS: list[tuple[int, object]] = []


def home_card(order: int):
    def decorate(func):
        _CARD_PROVIDERS.append((order, func))
        _CARD_PROVIDERS.sort(key=lambda item: item[0])
        return func

    return decorate


def cards_for(user) -> list[dict]:
    cards: list[dict] = []
    for _order, provider in _CARD_PROVIDERS:
        cards.extend(provider(user))
    return cards
