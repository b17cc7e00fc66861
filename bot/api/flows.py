"""The SMS campaign generation design's routes (docs/API.md, "SMS flows").

    POST /api/v1/generateFlow   {"campaignDescription": ...} → the flow + metadata (201)
    GET  /api/v1/flows/{id}     a stored flow: its current version, status and versions

Answers: 201 with the stored valid flow; 422 `{"error": "No valid flow could be made",
"details": [problems], "corrections": [...], "repairs": n}` when generation, fixes and two
repair rounds still left problems (nothing stored); 400 for bad input (our usual
`{"error": "Validation failed", "details": [...]}`); 503 when no model is configured, 502
when the model gave no usable answer (a 5xx releases the Idempotency-Key, so a retry runs).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.api.context import ApiContext
from bot.api.guard import guarded
from bot.api.replies import Reply, error
from core.errors import FeatureOff, LLMError, NotFound, ValidationFailed
from core.flows.crew import review_json
from core.flows.generation import FlowNotValid
from core.flows.service import FlowService

FLOWS = web.AppKey("flows", FlowService)
API_SOURCE = "api"
FIELDS = frozenset({"campaignDescription", "persona_id"})
NOT_VALID = "No valid flow could be made"


def mount_flows(app: web.Application, flows: FlowService) -> None:
    app[FLOWS] = flows
    # 400 for bad input, so that 422 means one thing on this route: the description was
    # read, but no valid flow could be made from it.
    generate_route = guarded(generate, json_body=True, invalid_status=400)
    app.router.add_post("/api/v1/generateFlow", generate_route)
    app.router.add_get("/api/v1/flows/{id}", guarded(get_one, json_body=False))


async def generate(_: ApiContext, request: web.Request, body: dict[str, Any]) -> Reply:
    description, persona_id = parse_request(body)
    try:
        view = await request.app[FLOWS].generate(
            description, source=API_SOURCE, persona_id=persona_id
        )
    except FlowNotValid as failed:
        return Reply(422, {"error": NOT_VALID, "details": list(failed.problems),
                           "corrections": list(failed.corrections),
                           "repairs": failed.repairs})  # fmt: skip
    except FeatureOff as off:
        return error(503, str(off))
    except LLMError as failed:
        return error(502, f"The model gave no usable flow: {failed}")
    location = {"Location": f"/api/v1/flows/{view.id}"}
    return Reply(201, view.current.as_json(), location)


async def get_one(_: ApiContext, request: web.Request, __: None) -> Reply:
    raw = request.match_info["id"]
    if not raw.isdigit() or len(raw) > 12:
        raise NotFound(f"Flow {raw[:20]!r} does not exist.")
    flows = request.app[FLOWS]
    view = await flows.get(int(raw))
    body = view.as_json(await flows.versions(view.id))
    body["review"] = review_json((await flows.crew(view)).review)
    return Reply(200, body)


def parse_request(body: dict[str, Any]) -> tuple[str, int | None]:
    """The design's request (plus an optional `persona_id` whose brand allowlists links)."""
    problems = [f"{name}: unknown field" for name in sorted(set(body) - FIELDS)]
    raw = body.get("campaignDescription")
    description = raw if isinstance(raw, str) else ""
    if not description.strip():
        problems.append("campaignDescription: required, a description of the campaign in words")
    persona_id = body.get("persona_id")
    if persona_id is not None and (type(persona_id) is not int or persona_id < 1):
        problems.append("persona_id: must be a positive whole number")
    if problems:
        raise ValidationFailed(problems)
    return description, persona_id
