"""The schema sent to the model leaves out long string lengths: llama.cpp grammars choke."""

from __future__ import annotations

import json

from core.llm.structured import json_schema, response_format
from core.suggestions.models import SuggestionDraft


def test_no_long_length_keywords_reach_the_model() -> None:
    text = json.dumps(response_format(SuggestionDraft))
    assert "maxLength" not in text
    # A small minimum stays: it keeps a grammar-constrained model from an empty caption.
    assert json_schema(SuggestionDraft)["properties"]["caption"]["minLength"] == 1
    assert set(json_schema(SuggestionDraft)["required"]) >= {"title", "caption", "hashtags"}


def test_item_limits_and_formats_are_kept() -> None:
    properties = json_schema(SuggestionDraft)["properties"]
    assert properties["hashtags"]["maxItems"] == 15
    assert properties["when"]["format"] == "date-time"
