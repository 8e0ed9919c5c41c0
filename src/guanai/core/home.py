"""The cards of each role's home page: real counts, each from a scoped query.

Apps add their own cards with ``@home_card(order)``; a card function takes the
user and returns a list of dicts ``{label, value, url}`` (empty to show none). A card may
set ``tone`` (a Bootstrap colour: "warning", "danger") and list a few records under its
figure: ``lines`` [{text, url, note}] and ``more`` (how many are not listed). (Not
``items``: a template reads ``card.items`` of a card without it as the dict's own method.)
"""

from __future__ import annotations

def _registry(providers: list):
    """``@decorator(order)`` adding a provider to ``providers``, kept in order."""
    def register(order: int):
        def decorate(func):
            providers.append((order, func))
            providers.sort(key=lambda item: item[0])
            return func

        return decorate

    return register


_CARD_PROVIDERS: list[tuple[int, object]] = []
home_card = _registry(_CARD_PROVIDERS)


def cards_for(user) -> list[dict]:
    cards: list[dict] = []
    for _order, provider in _CARD_PROVIDERS:
        cards.extend(provider(user))
    return cards


# Sections below the cards (a role's dashboard): a provider takes the request and returns the
# section's HTML, or "" to show none. Registered from the providing app's AppConfig.ready().
_SECTION_PROVIDERS: list[tuple[int, object]] = []
home_section = _registry(_SECTION_PROVIDERS)


def sections_for(request) -> list[str]:
    return [html for _order, provider in _SECTION_PROVIDERS if (html := provider(request))]
