"""POST /api/brand/upload, GET /api/brands, GET and DELETE /api/brands/{brand_id}
(docs/BRANDS.md).

The upload route is the content copilot design's: the body is its Brand Guidelines JSON
(`brand_name`, `voice`, `tone`, `values`, `colors`, `prohibited_topics`, `keywords`) plus
our fields and, optionally, `persona_id` or `persona` (a name). A multipart form with a
YAML or JSON `file` (and `persona_id` / `persona` form fields) works too, and so does a raw
YAML body. The design answers invalid input with HTTP 400, so this route does (in the
API's usual `{"error": "Validation failed", "details": [...]}`); the GET and DELETE routes
are ours and answer like the others.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import BodyPartReader, web

from bot.api.context import ApiContext
from bot.api.guard import guarded
from bot.api.replies import Reply, error, invalid
from core.brands import BrandService
from core.brands.documents import parse_brand_document, validate_brand
from core.errors import NotFound, ValidationFailed

API_ACTOR = "api"
MAX_BODY_BYTES = 256 * 1024
BRANDS = web.AppKey("brands", BrandService)
_YAML = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml")
_FORM_TARGETS = ("persona_id", "persona")
# The content copilot design answers invalid input with 400.
BAD_REQUEST = 400


def mount_brands(app: web.Application, brands: BrandService) -> None:
    app[BRANDS] = brands
    app.router.add_post("/api/brand/upload", guarded(upload_brand, json_body=False))
    app.router.add_get("/api/brands", guarded(list_brands, json_body=False))
    app.router.add_get("/api/brands/{brand_id}", guarded(get_brand, json_body=False))
    app.router.add_delete("/api/brands/{brand_id}", guarded(delete_brand, json_body=False))


async def upload_brand(_: ApiContext, request: web.Request, __: None) -> Reply:
    """201 with the stored brand when created, 200 when it replaced one."""
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        return error(413, f"Body over {MAX_BODY_BYTES // 1024} KiB; brand files are smaller.")
    try:
        body = await _body(request)
        view, created = await request.app[BRANDS].upload(validate_brand(body), actor=API_ACTOR)
    except ValidationFailed as exc:
        return invalid(exc.problems, BAD_REQUEST)
    except NotFound as exc:
        # A persona the body names that does not exist: the body is what is wrong.
        return invalid([f"persona: {exc}"], BAD_REQUEST)
    return Reply(201 if created else 200, view.as_json())


async def list_brands(_: ApiContext, request: web.Request, __: None) -> Reply:
    views = await request.app[BRANDS].list()
    return Reply(200, {"brands": [view.as_json() for view in views]})


async def get_brand(_: ApiContext, request: web.Request, __: None) -> Reply:
    view = await request.app[BRANDS].get(_brand_id(request))
    return Reply(200, view.as_json())


async def delete_brand(_: ApiContext, request: web.Request, __: None) -> Reply:
    """200 with the brand as it was (so a mistaken delete can be uploaded again); 404."""
    view = await request.app[BRANDS].delete(_brand_id(request))
    return Reply(200, {"deleted": True, "brand": view.as_json()})


def _brand_id(request: web.Request) -> int:
    raw = request.match_info["brand_id"]
    if not raw.isdigit():
        raise NotFound(f"Brand {raw!r} does not exist.")
    return int(raw)


async def _body(request: web.Request) -> object:
    """The document as data, whichever way it came: JSON, YAML, or a form with a file."""
    if request.content_type == "multipart/form-data":
        return await _form(request)
    text = await _text(request)
    if request.content_type == "application/json":
        try:
            return json.loads(text)
        except ValueError as exc:
            raise ValidationFailed([f"body: is not valid JSON ({exc})"]) from None
    if request.content_type in _YAML:
        return _document_data(text)
    raise ValidationFailed(
        ["Content-Type: must be application/json, application/yaml or multipart/form-data"]
    )


async def _form(request: web.Request) -> dict[str, Any]:
    """`file` (the YAML or JSON document) and optional `persona_id` / `persona` fields."""
    reader = await request.multipart()
    document: dict[str, Any] | None = None
    targets: dict[str, Any] = {}
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader):
            continue
        if part.name == "file":
            document = _document_data(await _part_text(part))
        elif part.name in _FORM_TARGETS:
            value = (await _part_text(part)).strip()
            targets[part.name] = (
                int(value) if part.name == "persona_id" and value.isdigit() else value
            )
    if document is None:
        raise ValidationFailed(["file: send the brand document as the form field 'file'"])
    return {**document, **targets}


def _document_data(text: str) -> dict[str, Any]:
    """A YAML/JSON document read and checked, as the plain data validate_brand takes."""
    upload = parse_brand_document(text)
    data: dict[str, Any] = upload.guidelines.model_dump(mode="json", exclude_unset=True)
    if upload.persona_id is not None:
        data["persona_id"] = upload.persona_id
    if upload.persona_name is not None:
        data["persona"] = upload.persona_name
    return data


async def _part_text(part: BodyPartReader) -> str:
    data = await part.read(decode=True)
    if len(data) > MAX_BODY_BYTES:
        raise ValidationFailed([f"{part.name}: must be at most {MAX_BODY_BYTES // 1024} KiB"])
    return _decoded(bytes(data))


async def _text(request: web.Request) -> str:
    data = await request.content.read(MAX_BODY_BYTES + 1)
    if len(data) > MAX_BODY_BYTES:
        raise ValidationFailed([f"body: must be at most {MAX_BODY_BYTES // 1024} KiB"])
    return _decoded(data)


def _decoded(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailed(["body: must be UTF-8 text"]) from None
