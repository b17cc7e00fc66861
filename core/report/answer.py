"""The model's part of a report: insights and exactly three recommendations, each citing
facts by id, and only ids the report really has.

The check is part of the schema (a subclass made per report holds its fact ids), so an
answer citing a fact that does not exist fails validation like any malformed answer: the
gateway re-asks the model with the reason, and never returns such an answer.
"""

from __future__ import annotations

from typing import ClassVar, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

RECOMMENDATIONS = 3


class Cited(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=400)
    fact_ids: list[str] = Field(min_length=1, max_length=6)


class Insight(Cited):
    """What the facts show, in one or two plain sentences."""


class Recommendation(Cited):
    """One concrete thing to do next, and the facts that call for it."""


class ReportAnswer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # The ids an answer may cite; set on the subclass answer_schema makes for one report.
    known_fact_ids: ClassVar[frozenset[str]] = frozenset()

    insights: list[Insight] = Field(min_length=1, max_length=4)
    recommendations: list[Recommendation] = Field(
        min_length=RECOMMENDATIONS, max_length=RECOMMENDATIONS
    )

    @model_validator(mode="after")
    def _cites_known_facts(self) -> Self:
        cited = [
            fact_id for item in self.insights + self.recommendations for fact_id in item.fact_ids
        ]
        unknown = sorted(set(cited) - self.known_fact_ids, key=cited.index)
        if unknown:
            known = ", ".join(sorted(self.known_fact_ids, key=_number))
            raise ValueError(
                f"cites {', '.join(unknown)}, which {'is' if len(unknown) == 1 else 'are'} "
                f"not among the facts; cite only these ids: {known}"
            )
        return self


def answer_schema(fact_ids: frozenset[str]) -> type[ReportAnswer]:
    """ReportAnswer accepting citations of exactly these fact ids."""
    return type("ReportAnswer", (ReportAnswer,), {"known_fact_ids": fact_ids})


def _number(fact_id: str) -> tuple[int, str]:
    digits = fact_id.lstrip("F")
    return (int(digits), fact_id) if digits.isdigit() else (0, fact_id)
