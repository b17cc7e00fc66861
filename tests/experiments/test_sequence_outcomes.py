"""Sequence emails record their outcomes: the real gateway against the fake model server."""

from __future__ import annotations

from datetime import datetime

from storage.repos import outcomes as repo
from tests.design_examples import design_json
from tests.doubles.llm_server import FakeLLMServer
from tests.sequences.conftest import Seq, seq

__all__ = ["seq"]  # the sequences' fixture, used here as it is


def draft(subject: str) -> dict[str, object]:
    body = f"{subject}: a plain-text email about the new features, long enough to read."
    return {"subject": subject, "body_text": body, "key_points": ["speed"]}


async def outcomes(s: Seq, email_id: int) -> list[tuple[str | None, str | None, int]]:
    async with s.sessions() as session:
        rows = await repo.for_item(session, "sequence_email", email_id)
    return [(row.outcome, row.template_name, row.cost_microusd) for row in rows]


async def test_written_regenerated_rejected_and_approved(
    seq: Seq, llm_server: FakeLLMServer
) -> None:
    detail = await seq.service.create(design_json("email_sequences/request.json"), actor="api")
    seq.clock.value = datetime.fromisoformat("2027-01-12T09:00:00+00:00")
    llm_server.reply(draft("Email 1"))
    llm_server.reply(draft("Email 2"))
    assert await seq.writer.write_due() == 2
    first, second = (await seq.service.get(detail.sequence.id)).emails[:2]

    await seq.review.approve(first.id, first.revision, 7)  # held (its time passed): sent now
    llm_server.reply(draft("Email 2, again"))
    redone = await seq.review.regenerate(second.id, second.revision, 7)
    await seq.review.reject(redone.id, redone.revision, 7)

    (approved,) = await outcomes(seq, first.id)
    assert approved[:2] == ("approved_as_is", "sequence_email") and approved[2] > 0
    assert [outcome for outcome, _, _ in await outcomes(seq, second.id)] == [
        "regenerated",
        "rejected",
    ]
