"""The domain's vocabulary, at the bottom of the house.

Post statuses and their transitions (statuses), the one grammar for the dates and times
people type (timegrammar, localtime), hashtags, post formats and their caption limits
(formats), and the two errors these raise (errors). Every other package may import it;
it imports none of them, nor Telegram, HTTP or database libraries.
"""
