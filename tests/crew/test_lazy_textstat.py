"""textstat (and the hyphenation dictionaries it loads) comes in with the first readability
score, never at start-up: a bot with the crew off never pays for it.

Runs in a fresh interpreter, since this test process may have scored a text already.
"""

from __future__ import annotations

from tests.fresh_interpreter import IMPORT_EVERY_MODULE, run_fresh

_SCRIPT = (
    IMPORT_EVERY_MODULE
    + """
out = {"imported": imported, "at_start": sorted(m for m in sys.modules if m.startswith("textstat"))}
from core.crew.checks import readability_score
out["score"] = readability_score("Our socks are warm. Come and try them on.")
out["after_a_score"] = "textstat" in sys.modules
print(json.dumps(out))
"""
)


def test_importing_the_bot_does_not_import_textstat_and_scoring_a_text_does() -> None:
    out = run_fresh(_SCRIPT)
    assert {"core.crew.checks", "core.crew.service", "bot.crew_jobs"} <= set(out["imported"])
    assert out["at_start"] == []
    assert out["after_a_score"] is True
    assert 80 <= out["score"] <= 100
