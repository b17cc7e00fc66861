"""One grammar for every date and time a person types, read in TIMEZONE.

`read_range` reads a campaign's dates (/campaign step 5), `read_moment` one post's time
(/schedule's Reschedule, a campaign preview's 🕒 Time). Both hand each date expression
to one library (dateparser, imported on first use: library.py) and add the structure
around it themselves: ranges, lengths, times of day, which year or week is meant
(days.py), and whether "1/12" is the 1st of December or January 12 (order.py).
"""

from domain.timegrammar.days import DateInputError
from domain.timegrammar.moments import EXAMPLES as MOMENT_EXAMPLES
from domain.timegrammar.moments import read_moment
from domain.timegrammar.ranges import EXAMPLES as RANGE_EXAMPLES
from domain.timegrammar.ranges import DateRange, common_ranges, read_range

__all__ = [
    "MOMENT_EXAMPLES",
    "RANGE_EXAMPLES",
    "DateInputError",
    "DateRange",
    "common_ranges",
    "read_moment",
    "read_range",
]
