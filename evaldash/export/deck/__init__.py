"""PowerPoint deck of a selection: a title slide, then one slide per indicator or per measure.

Every chart is a native PowerPoint chart (its numbers are editable in PowerPoint,
not a picture), every number comes from the store through the named queries,
and every piece of text carries one Japanese font for both the latin and the
east-asian script, so Japanese never falls back to a random font.

In three parts: what goes in the deck (selection), python-pptx building blocks (shapes) and the slides.
Used by the dashboard's download button (`build_deck`) and by
`python -m evaldash deck` (`deck_from_store`).
"""

from .selection import EmptySelection
from .slides import build_deck, deck_from_store

__all__ = ["EmptySelection", "build_deck", "deck_from_store"]
