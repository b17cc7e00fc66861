"""A stand-in for an unmodified ComfyUI 0.3.64 server, for tests.

It answers like the recordings in tests/data/comfyui/ (CONTRACT.md, http_samples.json,
ws_messages.json, queue_interrupt.json): the same status codes, JSON shapes, headers,
websocket frame order, and the same quirks:
- `number` counts every POST /prompt, failed ones included; a client prompt_id is kept
  but never checked for duplicates (the job is queued again).
- /history/{id} is {} while queued, running or unknown; history is lost on restart().
- An identical workflow is served from the cache: no node runs, no file is written, and
  the old filenames come back. Only the last prompt's nodes stay cached (ComfyUI "classic").
- A second websocket with the same clientId takes over the first, and when either one
  closes the id is forgotten (server.py pops the sid in its `finally`).
- Without client_id a run sends no execution_*/executing/executed frames to anyone, but
  its progress_state and progress frames go to every socket.
- A request whose Origin does not match Host gets 403.
- A body that is not JSON gets aiohttp's own 500 text/plain page.

Scripting: `runtime_error_next`, `never_finish_next`, `restart`, `drop_websockets`,
`ws_disabled`, `step_delay`, `checkpoints`. Observations: `prompts`, `submissions`,
`request_log`, `files`.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import hashlib
import ipaddress
import json
import posixpath
import re
import struct
import time
import uuid
import zlib
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self
from urllib.parse import urlsplit

from aiohttp import web

JSON = dict[str, Any]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

SAMPLERS = ["euler", "euler_ancestral", "heun", "dpm_2", "dpmpp_2m", "dpmpp_sde", "ddim"]
SCHEDULERS = ["simple", "sgm_uniform", "karras", "exponential", "ddim_uniform", "beta", "normal"]
MODEL_FOLDERS = [
    "checkpoints", "configs", "loras", "vae", "text_encoders", "diffusion_models",
    "clip_vision", "style_models", "embeddings", "diffusers", "vae_approx", "controlnet",
    "gligen", "upscale_models", "custom_nodes", "hypernetworks", "photomaker",
    "classifiers", "model_patches", "audio_encoders",
]  # fmt: skip
ARGV = ["main.py", "--cpu", "--listen", "127.0.0.1", "--port"]
FEATURES = {"supports_preview_metadata": True, "max_upload_size": 104857600}
FAKE_TRACEBACK = [
    '  File "/srv/comfyui/execution.py", line 496, in execute\n'
    "    output_data, output_ui, has_subgraph, has_pending_tasks = await get_output_data(...)\n",
    '  File "/srv/comfyui/execution.py", line 277, in process_inputs\n    result = f(**inputs)\n',
]


# ---- PNG -------------------------------------------------------------------------------


def png_bytes(rgb: tuple[int, int, int], *, size: int = 8, text: JSON | None = None) -> bytes:
    """A valid size x size RGB PNG of one colour, with optional tEXt chunks (ComfyUI puts
    the workflow in a `prompt` chunk)."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)  # 8-bit RGB, no interlace
    rows = (b"\x00" + bytes(rgb) * size) * size  # filter byte 0 before each row
    texts = b"".join(
        chunk(b"tEXt", key.encode("latin-1") + b"\x00" + str(value).encode("latin-1", "replace"))
        for key, value in (text or {}).items()
    )
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + texts
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def _colour(seed: object, index: int) -> tuple[int, int, int]:
    digest = hashlib.sha256(f"{seed}:{index}".encode()).digest()
    return digest[0], digest[1], digest[2]


# ---- node catalogue and validation (execution.validate_prompt) ---------------------------


@dataclass(frozen=True)
class NodeSpec:
    required: dict[str, tuple[Any, JSON]]
    returns: tuple[str, ...] = ()
    output_node: bool = False
    sampler: bool = False
    category: str = ""
    display_name: str = ""
    description: str = ""
    hidden: dict[str, str] = field(default_factory=dict)

    def object_info(self, name: str) -> JSON:
        inputs: JSON = {"required": {k: [t, c] for k, (t, c) in self.required.items()}}
        order: JSON = {"required": list(self.required)}
        if self.hidden:
            inputs["hidden"], order["hidden"] = dict(self.hidden), list(self.hidden)
        return {
            "input": inputs,
            "input_order": order,
            "output": list(self.returns),
            "output_is_list": [False] * len(self.returns),
            "output_name": list(self.returns),
            "name": name,
            "display_name": self.display_name or name,
            "description": self.description,
            "python_module": "nodes",
            "category": self.category,
            "output_node": self.output_node,
        }


def _size(default: int, low: int, step: int) -> tuple[str, JSON]:
    return ("INT", {"default": default, "min": low, "max": 16384, "step": step})


def node_specs(checkpoints: list[str]) -> dict[str, NodeSpec]:
    ckpt_tip = {"tooltip": "The name of the checkpoint (model) to load."}
    return {
        "CheckpointLoaderSimple": NodeSpec(
            {"ckpt_name": (list(checkpoints), ckpt_tip)},
            ("MODEL", "CLIP", "VAE"),
            category="loaders",
            display_name="Load Checkpoint",
        ),
        "CLIPTextEncode": NodeSpec(
            {"text": ("STRING", {"multiline": True}), "clip": ("CLIP", {})},
            ("CONDITIONING",),
            category="conditioning",
        ),
        "EmptyLatentImage": NodeSpec(
            {
                "width": _size(512, 16, 8),
                "height": _size(512, 16, 8),
                "batch_size": ("INT", {"default": 1, "min": 1, "max": 4096}),
            },
            ("LATENT",),
            category="latent",
        ),
        "KSampler": NodeSpec(
            {
                "model": ("MODEL", {}),
                "seed": ("INT", {"default": 0, "min": 0, "max": 0xFFFFFFFFFFFFFFFF}),
                "steps": ("INT", {"default": 20, "min": 1, "max": 10000}),
                "cfg": ("FLOAT", {"default": 8.0, "min": 0.0, "max": 100.0}),
                "sampler_name": (SAMPLERS, {}),
                "scheduler": (SCHEDULERS, {}),
                "positive": ("CONDITIONING", {}),
                "negative": ("CONDITIONING", {}),
                "latent_image": ("LATENT", {}),
                "denoise": ("FLOAT", {"default": 1.0, "min": 0.0, "max": 1.0}),
            },
            ("LATENT",),
            sampler=True,
            category="sampling",
        ),
        "VAEDecode": NodeSpec(
            {"samples": ("LATENT", {}), "vae": ("VAE", {})}, ("IMAGE",), category="latent"
        ),
        "EmptyImage": NodeSpec(
            {
                "width": _size(512, 1, 1),
                "height": _size(512, 1, 1),
                "batch_size": ("INT", {"default": 1, "min": 1, "max": 4096}),
                "color": (
                    "INT",
                    {"default": 0, "min": 0, "max": 16777215, "step": 1, "display": "color"},
                ),
            },
            ("IMAGE",),
            category="image",
        ),
        "SaveImage": NodeSpec(
            {
                "images": ("IMAGE", {"tooltip": "The images to save."}),
                "filename_prefix": (
                    "STRING",
                    {
                        "default": "ComfyUI",
                        "tooltip": "The prefix for the file to save. This may include "
                        "formatting information such as %date:yyyy-MM-dd% or "
                        "%Empty Latent Image.width% to include values from nodes.",
                    },
                ),
            },
            output_node=True,
            category="image",
            display_name="Save Image",
            description="Saves the input images to your ComfyUI output directory.",
            hidden={"prompt": "PROMPT", "extra_pnginfo": "EXTRA_PNGINFO"},
        ),
    }


def _is_link(value: object) -> bool:
    return isinstance(value, list) and len(value) == 2


def _error(kind: str, message: str, details: str, extra_info: JSON | None = None) -> JSON:
    """One entry of ComfyUI's error format."""
    return {"type": kind, "message": message, "details": details, "extra_info": extra_info or {}}


def _invalid(message: str, node_id: str) -> JSON:
    return _error("invalid_prompt", message, f"Node ID '#{node_id}'")


def validate_prompt(prompt: Any, specs: dict[str, NodeSpec]) -> tuple[JSON | None, list[str], JSON]:
    """(error or None, outputs to run, node_errors), as ComfyUI's validate_prompt.

    A prompt that is not an object raises, and aiohttp answers 500 as the real server does.
    """
    outputs = []
    for node_id in prompt:
        node = prompt[node_id]
        if "class_type" not in node:
            message = "Cannot execute because a node is missing the class_type property."
            return _invalid(message, node_id), [], {}
        spec = specs.get(node["class_type"])
        if spec is None:
            message = f"Cannot execute because node {node['class_type']} does not exist."
            return _invalid(message, node_id), [], {}
        if spec.output_node:
            outputs.append(node_id)
    if not outputs:
        return _error("prompt_no_outputs", "Prompt has no outputs", ""), [], {}
    return _validate_outputs(prompt, specs, outputs)


def _validate_outputs(
    prompt: JSON, specs: dict[str, NodeSpec], outputs: list[str]
) -> tuple[JSON | None, list[str], JSON]:
    validated: dict[str, tuple[bool, list[JSON]]] = {}
    good: list[str] = []
    failures: list[list[JSON]] = []
    node_errors: JSON = {}
    for output in outputs:
        try:
            ok, reasons = _validate_node(prompt, output, specs, validated)
        except Exception as exc:
            ok, reasons = False, [_exception_error("exception_during_validation", exc)]
            validated[output] = (False, reasons)
        if ok:
            good.append(output)
            continue
        failures.append(reasons)
        # Like the original, every failed node seen so far is charged to this output.
        for node_id, (node_ok, node_reasons) in validated.items():
            if not node_ok and node_reasons:
                entry = node_errors.setdefault(
                    node_id,
                    {
                        "errors": node_reasons,
                        "dependent_outputs": [],
                        "class_type": prompt[node_id]["class_type"],
                    },
                )
                entry["dependent_outputs"].append(output)
    if good:
        return None, good, node_errors
    details = "\n".join(f"{r['message']}: {r['details']}" for rs in failures for r in rs)
    error = _error("prompt_outputs_failed_validation", "Prompt outputs failed validation", details)
    return error, [], node_errors


def _exception_error(kind: str, exc: Exception) -> JSON:
    message = {
        "exception_during_validation": "Exception when validating node",
        "exception_during_inner_validation": "Exception when validating inner node",
    }[kind]
    extra = {"exception_type": type(exc).__name__, "traceback": FAKE_TRACEBACK}
    return _error(kind, message, str(exc), extra)


def _validate_node(
    prompt: JSON,
    node_id: str,
    specs: dict[str, NodeSpec],
    validated: dict[str, tuple[bool, list[JSON]]],
) -> tuple[bool, list[JSON]]:
    if node_id in validated:
        return validated[node_id]
    inputs, spec = prompt[node_id]["inputs"], specs[prompt[node_id]["class_type"]]
    errors: list[JSON] = []
    valid = True
    for name, (kind, config) in spec.required.items():
        if name not in inputs:
            missing = "Required input is missing"
            errors.append(_error("required_input_missing", missing, name, {"input_name": name}))
        elif _is_link(inputs[name]):
            valid = _validate_link(prompt, inputs[name], specs, validated) and valid
        elif (problem := _check_value(name, kind, config, inputs[name])) is not None:
            errors.append(problem)
    result = (valid and not errors, errors)
    validated[node_id] = result
    return result


def _validate_link(
    prompt: JSON, link: list[Any], specs: dict[str, NodeSpec], validated: dict[str, Any]
) -> bool:
    source = str(link[0])
    if source not in prompt:  # a link to nowhere: the KeyError the real server raises
        raise KeyError(source)
    try:
        return _validate_node(prompt, source, specs, validated)[0]
    except Exception as exc:
        validated[source] = (False, [_exception_error("exception_during_inner_validation", exc)])
        return False


_CONVERTERS: dict[str, Callable[[Any], Any]] = {"INT": int, "FLOAT": float, "STRING": str}


def _check_value(name: str, kind: Any, config: JSON, value: Any) -> JSON | None:
    info = [kind, config]
    try:
        convert = _CONVERTERS.get(kind) if isinstance(kind, str) else None
        converted = convert(value) if convert else value
    except (TypeError, ValueError) as exc:
        message = f"Failed to convert an input value to a {kind} value"
        extra = {"input_name": name, "input_config": info, "received_value": value}
        extra["exception_message"] = str(exc)
        return _error("invalid_input_type", message, f"{name}, {value}, {exc}", extra)
    extra = {"input_name": name, "input_config": info, "received_value": converted}
    if "min" in config and converted < config["min"]:
        message = f"Value {converted} smaller than min of {config['min']}"
        return _error("value_smaller_than_min", message, name, extra)
    if "max" in config and converted > config["max"]:
        message = f"Value {converted} bigger than max of {config['max']}"
        return _error("value_bigger_than_max", message, name, extra)
    if isinstance(kind, list) and converted not in kind:
        details = f"{name}: '{converted}' not in {kind}"
        return _error("value_not_in_list", "Value not in list", details, extra)
    return None


# ---- execution ---------------------------------------------------------------------------


@dataclass
class _Job:
    number: float
    prompt_id: str
    prompt: JSON
    extra_data: JSON
    outputs: list[str]
    failure: tuple[str, str, str] | None = None  # node_type, message, exception_type
    hang: bool = False

    @property
    def client_id(self) -> str | None:
        value = self.extra_data.get("client_id")
        return str(value) if value is not None else None

    def queue_item(self) -> list[Any]:
        return [self.number, self.prompt_id, self.prompt, self.extra_data, self.outputs]


@dataclass
class _Run:
    job: _Job
    messages: list[list[Any]] = field(default_factory=list)
    outputs: JSON = field(default_factory=dict)
    results: dict[str, Any] = field(default_factory=dict)
    executed: list[str] = field(default_factory=list)
    state: JSON = field(default_factory=dict)


class _Stop(Exception):
    def __init__(self, event: str, data: JSON) -> None:
        super().__init__(event)
        self.event, self.data = event, data


def _ms() -> int:
    return int(time.time() * 1000)


def _execution_order(prompt: JSON, outputs: list[str]) -> list[str]:
    order: list[str] = []

    def visit(node_id: str) -> None:
        if node_id in order:
            return
        for value in prompt[node_id]["inputs"].values():
            if _is_link(value):
                visit(str(value[0]))
        order.append(node_id)

    for output in outputs:
        visit(output)
    return order


def _signatures(prompt: JSON) -> dict[str, str]:
    """A node's cache key: its class, literal inputs and its ancestors' keys."""
    keys: dict[str, str] = {}

    def key(node_id: str) -> str:
        if node_id not in keys:
            node = prompt[node_id]
            inputs = {
                name: ["link", key(str(v[0])), v[1]] if _is_link(v) else v
                for name, v in node["inputs"].items()
            }
            text = json.dumps([node["class_type"], inputs], sort_keys=True, default=str)
            keys[node_id] = hashlib.sha256(text.encode()).hexdigest()
        return keys[node_id]

    return {node_id: key(node_id) for node_id in prompt}


def _upstream(prompt: JSON, node_id: str, names: Iterable[str]) -> Any:
    """The first literal value of one of `names` on this node or its ancestors."""
    seen: set[str] = set()
    todo = [node_id]
    while todo:
        current = todo.pop(0)
        if current in seen or current not in prompt:
            continue
        seen.add(current)
        inputs = prompt[current]["inputs"]
        for name in names:
            if name in inputs and not _is_link(inputs[name]):
                return inputs[name]
        todo.extend(str(v[0]) for v in inputs.values() if _is_link(v))
    return None


def _slow_node(job: _Job) -> str:
    """Where a never-finishing run hangs: its first sampler, else its last node to run."""
    order = _execution_order(job.prompt, job.outputs)
    samplers = [n for n in order if job.prompt[n]["class_type"] in {"KSampler"}]
    return (samplers or order[-1:])[0]


def _node_state(prompt_id: str, node_id: str, value: float, maximum: float, state: str) -> JSON:
    return {
        "value": value,
        "max": maximum,
        "state": state,
        "node_id": node_id,
        "prompt_id": prompt_id,
        "display_node_id": node_id,
        "parent_node_id": None,
        "real_node_id": node_id,
    }


def _json(body: Any, status: int = 200) -> web.Response:
    return web.json_response(body, status=status)


def _is_loopback(host: str | None) -> bool:
    if host == "localhost":
        return True
    try:
        return host is not None and ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@web.middleware
async def _origin_only(request: web.Request, handler: Handler) -> web.StreamResponse:
    """server.py's create_origin_only_middleware: Origin must match Host on loopback."""
    host, origin = request.headers.get("Host"), request.headers.get("Origin")
    if host and origin:
        parsed_origin, parsed_host = urlsplit(origin), urlsplit("//" + host.lower())
        host_domain, origin_domain = host.lower(), parsed_origin.netloc.lower()
        if parsed_origin.port is None:
            host_domain = parsed_host.hostname or ""
        if parsed_host.port is None:
            origin_domain = parsed_origin.hostname or ""
        loopback = _is_loopback(parsed_host.hostname)
        if loopback and host_domain and origin_domain and host_domain != origin_domain:
            return web.Response(status=403)
    return await handler(request)


class ComfyUIDouble:
    def __init__(
        self,
        *,
        checkpoints: Iterable[str] = ("v1-5-pruned-emaonly.safetensors",),
        step_delay: float = 0.0,
    ) -> None:
        self.checkpoints = list(checkpoints)
        self.step_delay = step_delay
        """Seconds per node, and per sampler step, so progress can be watched."""
        self.ws_disabled = False
        """True: /ws answers 404 instead of upgrading, as behind a proxy without websockets."""
        self.prompts: list[Any] = []
        """The `prompt` of every POST /prompt received, valid or not, in order."""
        self.submissions: list[Any] = []
        """Every POST /prompt body received."""
        self.request_log: list[tuple[str, str, dict[str, str]]] = []
        self.files: dict[tuple[str, str], bytes] = {}
        """(subfolder, filename) -> PNG; like the output dir it survives restart()."""
        self._fail_next: tuple[str, str, str] | None = None
        self._hang_next = False
        self._runner: web.AppRunner | None = None
        self._worker: asyncio.Task[None] | None = None
        self._open_sockets: set[web.WebSocketResponse] = set()
        self.port = 0
        self._reset_memory()

    def _reset_memory(self) -> None:
        """Everything ComfyUI keeps in memory only, i.e. loses on a restart."""
        self._number = 0
        self._pending: list[_Job] = []
        self._running: _Job | None = None
        self._history: dict[str, JSON] = {}
        self._cache: dict[str, Any] = {}
        self._sockets: dict[str, web.WebSocketResponse] = {}
        self._interrupt = asyncio.Event()
        self._client_id: str | None = None
        self._last_node: str | None = None
        self._wake = asyncio.Event()

    # ---- lifecycle -------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        app = web.Application(middlewares=[self._record, _origin_only])
        app.add_routes(self._routes())
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self._start_worker()

    async def close(self) -> None:
        await self._stop_worker()
        await self.drop_websockets()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def restart(self) -> None:
        """Like killing and starting the server: queue, history, cache, sockets and the
        `number` counter are gone; output files (and so the filename counter) remain."""
        await self._stop_worker()
        await self.drop_websockets()
        self._reset_memory()
        self._start_worker()

    async def drop_websockets(self) -> None:
        for ws in list(self._open_sockets):
            await ws.close()

    def _start_worker(self) -> None:
        self._worker = asyncio.create_task(self._work())

    async def _stop_worker(self) -> None:
        if self._worker is None:
            return
        worker, self._worker = self._worker, None
        if worker.done():
            worker.result()  # a bug in the double must fail the test loudly
        worker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await worker

    # ---- scripting -------------------------------------------------------------------

    def runtime_error_next(
        self, node_type: str, message: str, *, exception_type: str = "RuntimeError"
    ) -> None:
        """The next accepted prompt fails at its first node of `node_type` (or its first
        node to run if it has none): POST answers 200, the error shows in ws and history."""
        self._fail_next = (node_type, message, exception_type)

    def never_finish_next(self) -> None:
        """The next accepted prompt hangs (at its first sampler, else its last node) until
        interrupted or restarted."""
        self._hang_next = True

    # ---- routes ----------------------------------------------------------------------

    def _routes(self) -> list[web.RouteDef]:
        table = [
            web.route("GET", "/ws", self._ws),
            web.route("GET", "/prompt", self._get_prompt),
            web.route("POST", "/prompt", self._post_prompt),
            web.route("GET", "/queue", self._get_queue),
            web.route("POST", "/queue", self._post_queue),
            web.route("POST", "/interrupt", self._post_interrupt),
            web.route("GET", "/history", self._get_history),
            web.route("GET", "/history/{prompt_id}", self._get_history_item),
            web.route("POST", "/history", self._post_history),
            web.route("GET", "/view", self._view),
            web.route("GET", "/system_stats", self._system_stats),
            web.route("GET", "/features", self._features),
            web.route("GET", "/object_info", self._object_info),
            web.route("GET", "/object_info/{node_class}", self._object_info),
            web.route("GET", "/models", self._models),
            web.route("GET", "/models/{folder}", self._models),
            web.route("GET", "/embeddings", self._embeddings),
        ]
        # server.py registers every route a second time under /api.
        return [web.route(r.method, "/api" + r.path, r.handler) for r in table] + table

    @web.middleware
    async def _record(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        self.request_log.append((request.method, request.path_qs, dict(request.headers)))
        return await handler(request)

    async def _post_prompt(self, request: web.Request) -> web.Response:
        body = await request.json()  # not JSON -> aiohttp's own 500 page, as recorded
        self.submissions.append(body)
        number = self._take_number(body)
        if not isinstance(body, dict) or "prompt" not in body:
            no_prompt = _error("no_prompt", "No prompt provided", "No prompt provided")
            return _json({"error": no_prompt, "node_errors": {}}, status=400)
        prompt = body["prompt"]
        self.prompts.append(copy.deepcopy(prompt))
        prompt_id = str(body.get("prompt_id", uuid.uuid4()))
        error, outputs, node_errors = validate_prompt(prompt, node_specs(self.checkpoints))
        if error is not None:
            return _json({"error": error, "node_errors": node_errors}, status=400)
        extra_data = dict(body.get("extra_data") or {})
        if "client_id" in body:
            extra_data["client_id"] = body["client_id"]
        job = _Job(number, prompt_id, prompt, extra_data, outputs, self._fail_next, self._hang_next)
        self._fail_next, self._hang_next = None, False
        await self._enqueue(job)
        return _json({"prompt_id": prompt_id, "number": number, "node_errors": node_errors})

    def _take_number(self, body: Any) -> float:
        if isinstance(body, dict) and "number" in body:
            return float(body["number"])
        number = self._number
        self._number += 1
        return -number if isinstance(body, dict) and body.get("front") else number

    async def _get_prompt(self, request: web.Request) -> web.Response:
        return _json(self._queue_info())

    async def _get_queue(self, request: web.Request) -> web.Response:
        running = [self._running.queue_item()] if self._running else []
        pending = [job.queue_item() for job in self._pending]
        return _json({"queue_running": running, "queue_pending": pending})

    async def _post_queue(self, request: web.Request) -> web.Response:
        body = await request.json()
        if body.get("clear"):
            self._pending.clear()
        doomed = set(body.get("delete", []))
        self._pending = [job for job in self._pending if job.prompt_id not in doomed]
        return web.Response(status=200)

    async def _post_interrupt(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except json.JSONDecodeError:
            body = {}
        target = body.get("prompt_id")
        if not target or (self._running is not None and self._running.prompt_id == target):
            self._interrupt.set()
        return web.Response(status=200)

    async def _get_history(self, request: web.Request) -> web.Response:
        items = list(self._history.items())
        if "max_items" in request.query:
            items = items[-int(request.query["max_items"]) :]
        return _json(dict(items))

    async def _get_history_item(self, request: web.Request) -> web.Response:
        prompt_id = request.match_info["prompt_id"]
        entry = self._history.get(prompt_id)
        return _json({prompt_id: entry} if entry is not None else {})

    async def _post_history(self, request: web.Request) -> web.Response:
        body = await request.json()
        if body.get("clear"):
            self._history.clear()
        for prompt_id in body.get("delete", []):
            self._history.pop(prompt_id, None)
        return web.Response(status=200)

    async def _view(self, request: web.Request) -> web.Response:
        query = request.query
        if "filename" not in query:
            return web.Response(status=404)
        filename = query["filename"]
        if not filename or filename[0] == "/" or ".." in filename:
            return web.Response(status=400)
        if query.get("type", "output") not in {"output", "input", "temp"}:
            return web.Response(status=400)
        subfolder = posixpath.normpath(query.get("subfolder") or ".")
        if subfolder.startswith(("..", "/")):
            return web.Response(status=403)
        key = ("" if subfolder == "." else subfolder, filename)
        data = self.files.get(key) if query.get("type", "output") == "output" else None
        if data is None:
            return web.Response(status=404)
        headers = {"Content-Disposition": f'filename="{filename}"'}
        return web.Response(body=data, content_type="image/png", headers=headers)

    async def _system_stats(self, request: web.Request) -> web.Response:
        memory = 25276502016
        system = {
            "os": "posix",
            "ram_total": memory,
            "ram_free": memory // 2,
            "comfyui_version": "0.3.64",
            "required_frontend_version": "1.27.10",
            "installed_templates_version": "0.1.95",
            "required_templates_version": "0.1.95",
            "python_version": "3.11.7 (main) [GCC 12.2.0]",
            "pytorch_version": "2.13.0+cpu",
            "embedded_python": False,
            "argv": [*ARGV, str(self.port), "--disable-auto-launch"],
        }
        vram = {"vram_total": memory, "vram_free": memory // 2}
        vram |= {"torch_vram_total": memory, "torch_vram_free": memory // 2}
        device = {"name": "cpu", "type": "cpu", "index": None, **vram}
        return _json({"system": system, "devices": [device]})

    async def _features(self, request: web.Request) -> web.Response:
        return _json(FEATURES)

    async def _object_info(self, request: web.Request) -> web.Response:
        specs = node_specs(self.checkpoints)
        wanted = request.match_info.get("node_class")
        names = [wanted] if wanted is not None else list(specs)
        return _json({name: specs[name].object_info(name) for name in names if name in specs})

    async def _models(self, request: web.Request) -> web.Response:
        folder = request.match_info.get("folder")
        if folder is None:
            return _json(MODEL_FOLDERS)
        if folder not in MODEL_FOLDERS:
            return web.Response(status=404)
        return _json(list(self.checkpoints) if folder == "checkpoints" else [])

    async def _embeddings(self, request: web.Request) -> web.Response:
        return _json([])

    # ---- websocket -------------------------------------------------------------------

    async def _ws(self, request: web.Request) -> web.StreamResponse:
        if self.ws_disabled:
            return web.Response(status=404)
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        sid = request.query.get("clientId", "")
        if sid:
            self._sockets.pop(sid, None)  # the newest socket takes over the id
        else:
            sid = uuid.uuid4().hex
        self._sockets[sid] = ws
        self._open_sockets.add(ws)
        try:
            await self._send("status", {"status": self._queue_info(), "sid": sid}, sid)
            if self._client_id == sid and self._last_node is not None:
                await self._send("executing", {"node": self._last_node}, sid)
            await self._read_client(ws, sid)
        finally:
            self._sockets.pop(sid, None)  # as server.py: may drop a newer socket's id too
            self._open_sockets.discard(ws)
        return ws

    async def _read_client(self, ws: web.WebSocketResponse, sid: str) -> None:
        first = True
        async for message in ws:
            if first and message.type.name == "TEXT":
                with contextlib.suppress(ValueError, AttributeError):
                    if json.loads(message.data).get("type") == "feature_flags":
                        await self._send("feature_flags", FEATURES, sid)
            first = False

    async def _send(self, event: str, data: Any, sid: str | None) -> None:
        """server.send_json: to one socket by id, or to every socket when sid is None."""
        if sid is None:
            targets = list(self._sockets.values())
        else:
            targets = [self._sockets[sid]] if sid in self._sockets else []
        for ws in targets:
            with contextlib.suppress(ConnectionError, RuntimeError):
                await ws.send_json({"type": event, "data": data})

    def _queue_info(self) -> JSON:
        remaining = len(self._pending) + (1 if self._running else 0)
        return {"exec_info": {"queue_remaining": remaining}}

    async def _broadcast_status(self) -> None:
        await self._send("status", {"status": self._queue_info()}, None)

    # ---- the prompt worker (main.py prompt_worker + execution.py) --------------------

    async def _enqueue(self, job: _Job) -> None:
        self._pending.append(job)
        self._pending.sort(key=lambda j: j.number)
        self._wake.set()
        await self._broadcast_status()

    async def _work(self) -> None:
        while True:
            await self._wake.wait()
            if not self._pending:
                self._wake.clear()
                continue
            job = self._running = self._pending.pop(0)
            await self._broadcast_status()
            await self._execute(job)

    async def _execute(self, job: _Job) -> None:
        run = _Run(job)
        self._interrupt.clear()
        self._client_id = job.client_id
        keys = _signatures(job.prompt)
        order = _execution_order(job.prompt, job.outputs)
        cached = [node_id for node_id in order if keys[node_id] in self._cache]
        await self._message(run, "execution_start", {"prompt_id": job.prompt_id})
        await self._message(run, "execution_cached", {"nodes": cached, "prompt_id": job.prompt_id})
        try:
            for node_id in cached:
                await self._replay_cached(run, node_id, self._cache[keys[node_id]])
            for node_id in order:
                if node_id not in cached:
                    await self._run_node(run, node_id)
        except _Stop as stop:
            await self._message(run, stop.event, stop.data)
        else:
            await self._message(run, "execution_success", {"prompt_id": job.prompt_id})
        # The "classic" cache keeps only the nodes of the last prompt.
        self._cache = {keys[n]: run.results[n] for n in order if n in run.results}
        await self._task_done(run)

    async def _message(self, run: _Run, event: str, data: JSON) -> None:
        data = {**data, "timestamp": _ms()}
        run.messages.append([event, data])
        if run.job.client_id is not None:
            await self._send(event, data, run.job.client_id)

    async def _replay_cached(self, run: _Run, node_id: str, output: Any) -> None:
        run.results[node_id] = output
        if output is None:
            return
        run.outputs[node_id] = output
        await self._executed(run, node_id, output)
        run.state[node_id] = _node_state(run.job.prompt_id, node_id, 1, 1, "finished")
        await self._progress_state(run)

    async def _run_node(self, run: _Run, node_id: str) -> None:
        job = run.job
        class_type = job.prompt[node_id]["class_type"]
        self._check_interrupt(run, node_id)
        run.state[node_id] = _node_state(job.prompt_id, node_id, 0.0, 1.0, "running")
        await self._progress_state(run)
        if job.client_id is not None:
            data = {"node": node_id, "display_node": node_id, "prompt_id": job.prompt_id}
            await self._send("executing", data, job.client_id)
        self._last_node = node_id
        self._maybe_fail(run, node_id)
        if job.hang and node_id == _slow_node(job):
            await self._interrupt.wait()
        await self._steps(run, node_id)
        output = self._save_images(job, node_id) if class_type == "SaveImage" else None
        run.results[node_id] = output
        run.executed.append(node_id)
        if output is not None:
            run.outputs[node_id] = output
            await self._executed(run, node_id, output)
        done = run.state[node_id]["max"]
        run.state[node_id] = _node_state(job.prompt_id, node_id, done, done, "finished")
        await self._progress_state(run)

    async def _steps(self, run: _Run, node_id: str) -> None:
        spec = node_specs(self.checkpoints)[run.job.prompt[node_id]["class_type"]]
        steps = run.job.prompt[node_id]["inputs"].get("steps", 1) if spec.sampler else 1
        steps = steps if isinstance(steps, int) and steps > 0 else 1
        for step in range(1, steps + 1):
            await asyncio.sleep(self.step_delay)
            self._check_interrupt(run, node_id)
            if spec.sampler:
                state = _node_state(
                    run.job.prompt_id, node_id, float(step), float(steps), "running"
                )
                run.state[node_id] = state
                await self._progress_state(run)
                data = {
                    "value": step,
                    "max": steps,
                    "prompt_id": run.job.prompt_id,
                    "node": node_id,
                }
                await self._send("progress", data, run.job.client_id)

    def _check_interrupt(self, run: _Run, node_id: str) -> None:
        if self._interrupt.is_set():
            data = {
                "prompt_id": run.job.prompt_id,
                "node_id": node_id,
                "node_type": run.job.prompt[node_id]["class_type"],
                "executed": list(run.executed),
            }
            raise _Stop("execution_interrupted", data)

    def _maybe_fail(self, run: _Run, node_id: str) -> None:
        job = run.job
        if job.failure is None:
            return
        node_type, message, exception_type = job.failure
        class_type = job.prompt[node_id]["class_type"]
        present = any(n["class_type"] == node_type for n in job.prompt.values())
        if class_type != node_type and present:
            return
        inputs = job.prompt[node_id]["inputs"]
        raise _Stop(
            "execution_error",
            {
                "prompt_id": job.prompt_id,
                "node_id": node_id,
                "node_type": class_type,
                "executed": list(run.executed),
                "exception_message": message,
                "exception_type": exception_type,
                "traceback": FAKE_TRACEBACK,
                "current_inputs": {k: [v] for k, v in inputs.items() if not _is_link(v)},
                "current_outputs": [*job.outputs, node_id],
            },
        )

    async def _executed(self, run: _Run, node_id: str, output: Any) -> None:
        if run.job.client_id is not None:
            data = {"node": node_id, "display_node": node_id, "output": output}
            await self._send("executed", data | {"prompt_id": run.job.prompt_id}, run.job.client_id)

    async def _progress_state(self, run: _Run) -> None:
        data = {"prompt_id": run.job.prompt_id, "nodes": copy.deepcopy(run.state)}
        await self._send("progress_state", data, run.job.client_id)

    async def _task_done(self, run: _Run) -> None:
        job, success = run.job, run.messages[-1][0] == "execution_success"
        self._history[job.prompt_id] = {
            "prompt": job.queue_item(),
            "outputs": run.outputs,
            "status": {
                "status_str": "success" if success else "error",
                "completed": success,
                "messages": run.messages,
            },
            "meta": {
                n: {"node_id": n, "display_node": n, "parent_node": None, "real_node_id": n}
                for n in run.outputs
            },
        }
        self._running = None
        self._last_node = None
        await self._broadcast_status()
        if job.client_id is not None:
            await self._send("executing", {"node": None, "prompt_id": job.prompt_id}, job.client_id)

    # ---- output files ----------------------------------------------------------------

    def _save_images(self, job: _Job, node_id: str) -> JSON:
        prefix = str(job.prompt[node_id]["inputs"].get("filename_prefix", "ComfyUI"))
        subfolder, _, name = prefix.rpartition("/")
        count = _upstream(job.prompt, node_id, ["batch_size"])
        count = count if isinstance(count, int) and count > 0 else 1
        colour = _upstream(job.prompt, node_id, ["color"])
        seed = _upstream(job.prompt, node_id, ["seed", "noise_seed"])
        counter = self._next_counter(subfolder, name)
        images = []
        for index in range(count):
            filename = f"{name}_{counter + index:05}_.png"
            rgb = (
                ((colour >> 16) & 255, (colour >> 8) & 255, colour & 255)
                if isinstance(colour, int)
                else _colour(seed, index)
            )
            self.files[(subfolder, filename)] = png_bytes(
                rgb, text={"prompt": json.dumps(job.prompt)}
            )
            images.append({"filename": filename, "subfolder": subfolder, "type": "output"})
        return {"images": images}

    def _next_counter(self, subfolder: str, name: str) -> int:
        """folder_paths.get_save_image_path: one past the highest counter on disk."""
        pattern = re.compile(re.escape(name) + r"_(\d{5,})_\.png")
        used = [
            int(match.group(1))
            for folder, filename in self.files
            if folder == subfolder and (match := pattern.fullmatch(filename))
        ]
        return max(used, default=0) + 1
