"""The ComfyUI double must answer like the recordings of a real ComfyUI 0.3.64 server."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from tests.data import COMFYUI_RECORDINGS
from tests.doubles.comfyui import ComfyUIDouble

RECORDINGS = COMFYUI_RECORDINGS
HTTP: dict[str, Any] = json.loads((RECORDINGS / "http_samples.json").read_text())
WS: list[dict[str, Any]] = [
    f["msg"] for f in json.loads((RECORDINGS / "ws_messages.json").read_text())
]
QUEUE: dict[str, Any] = json.loads((RECORDINGS / "queue_interrupt.json").read_text())
JSON_TYPE = "application/json; charset=utf-8"
GOOD = HTTP["POST /prompt (good)"]["request"]


def shape(value: Any) -> Any:
    """Types in place of values: two answers conform when their shapes are equal."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(item) for item in value]
    return type(value).__name__


def frame_shapes(frames: list[dict[str, Any]]) -> list[tuple[str, Any]]:
    return [(f["type"], shape(f["data"])) for f in frames]


@pytest.fixture
async def double() -> AsyncIterator[ComfyUIDouble]:
    # The recording server had no checkpoints installed.
    async with ComfyUIDouble(checkpoints=[]) as server:
        yield server


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def get(http: aiohttp.ClientSession, url: str) -> tuple[int, str, Any]:
    async with http.get(url) as response:
        return response.status, response.headers["Content-Type"], await response.json()


async def post(http: aiohttp.ClientSession, url: str, body: Any) -> tuple[int, Any]:
    async with http.post(url, json=body) as response:
        return response.status, await response.json()


async def frames_until_done(ws: aiohttp.ClientWebSocketResponse, prompt_id: str) -> list[Any]:
    frames = []
    async with asyncio.timeout(5):
        async for message in ws:
            frame = json.loads(message.data)
            frames.append(frame)
            if frame["type"] == "executing" and frame["data"] == {
                "node": None,
                "prompt_id": prompt_id,
            }:
                return frames
    raise AssertionError("socket closed early")


async def drain(ws: aiohttp.ClientWebSocketResponse, quiet_s: float = 0.2) -> list[Any]:
    frames: list[Any] = []
    while True:
        try:
            message = await ws.receive(timeout=quiet_s)
        except TimeoutError:
            return frames
        frames.append(json.loads(message.data))


@pytest.mark.parametrize(
    ("path", "recorded"),
    [
        ("/queue", "GET /queue"),
        ("/api/queue", "GET /api/queue"),
        ("/prompt", "GET /prompt"),
        ("/features", "GET /features"),
        ("/object_info/EmptyImage", "GET /object_info/EmptyImage"),
        ("/object_info/SaveImage", "GET /object_info/SaveImage"),
        ("/embeddings", "GET /embeddings"),
        ("/models", "GET /models"),
        ("/models/checkpoints", "GET /models/checkpoints"),
        ("/history/does-not-exist", "GET /history/does-not-exist"),
    ],
)
async def test_get_routes_answer_exactly_as_recorded(
    double: ComfyUIDouble, http: aiohttp.ClientSession, path: str, recorded: str
) -> None:
    status, content_type, body = await get(http, double.url + path)

    assert (status, content_type) == (HTTP[recorded]["status"], HTTP[recorded]["content_type"])
    assert body == HTTP[recorded]["body"]


async def test_system_stats_has_the_recorded_shape(
    double: ComfyUIDouble, http: aiohttp.ClientSession
) -> None:
    status, content_type, body = await get(http, double.url + "/system_stats")
    recorded = HTTP["GET /system_stats"]

    assert (status, content_type) == (200, recorded["content_type"])
    assert shape(body) == shape(recorded["body"])
    assert body["system"]["comfyui_version"] == "0.3.64"


@pytest.mark.parametrize(
    "case",
    [
        "unknown_class",
        "missing_input",
        "missing_class_type",
        "no_output_node",
        "value_out_of_range",
        "wrong_type",
        "checkpoint_not_in_list",
    ],
)
async def test_invalid_prompts_get_the_recorded_400_body(
    double: ComfyUIDouble, http: aiohttp.ClientSession, case: str
) -> None:
    recorded = HTTP[f"POST /prompt invalid: {case}"]

    status, body = await post(http, double.url + "/prompt", {"prompt": recorded["request_prompt"]})

    assert status == recorded["status"] == 400
    assert body == recorded["body"]


async def test_a_dangling_link_gets_the_recorded_exception_shape(
    double: ComfyUIDouble, http: aiohttp.ClientSession
) -> None:
    recorded = HTTP["POST /prompt invalid: dangling_link"]

    status, body = await post(http, double.url + "/prompt", {"prompt": recorded["request_prompt"]})

    assert status == 400
    assert body["error"] == recorded["body"]["error"]
    error = body["node_errors"]["2"]["errors"][0]
    expected = recorded["body"]["node_errors"]["2"]["errors"][0]
    assert {k: v for k, v in error.items() if k != "extra_info"} == {
        k: v for k, v in expected.items() if k != "extra_info"
    }
    assert error["extra_info"]["exception_type"] == "KeyError"


async def test_no_prompt_key_and_non_json_bodies(
    double: ComfyUIDouble, http: aiohttp.ClientSession
) -> None:
    status, body = await post(http, double.url + "/prompt", {"client_id": "x"})
    assert (status, body) == (400, HTTP["POST /prompt invalid: no prompt key"]["body"])

    recorded = HTTP["POST /prompt invalid: malformed JSON body"]
    async with http.post(double.url + "/prompt", data=b"{nope") as response:
        assert response.status == recorded["status"]
        assert response.headers["Content-Type"] == recorded["content_type"]
        assert await response.text() == recorded["body"]


async def test_number_counts_every_post_and_a_client_prompt_id_is_kept(
    double: ComfyUIDouble, http: aiohttp.ClientSession
) -> None:
    await post(http, double.url + "/prompt", {"prompt": {"1": {"inputs": {}}}})

    status, body = await post(http, double.url + "/prompt", GOOD | {"prompt_id": "mine-1"})

    assert status == 200
    assert body == {"prompt_id": "mine-1", "number": 1, "node_errors": {}}
    assert shape(body) == shape(HTTP["POST /prompt (good)"]["body"])


async def test_a_run_sends_the_recorded_frames_and_history(
    double: ComfyUIDouble, http: aiohttp.ClientSession
) -> None:
    client_id = GOOD["client_id"]
    async with http.ws_connect(f"{double.url}/ws?clientId={client_id}") as ws:
        first = await ws.receive_json()
        _, body = await post(http, double.url + "/prompt", GOOD)
        frames = await frames_until_done(ws, body["prompt_id"])

    assert shape(first) == shape(WS[0])
    assert first["data"]["sid"] == client_id
    assert frame_shapes(frames) == frame_shapes(WS[1:15])
    _, _, history = await get(http, f"{double.url}/history/{body['prompt_id']}")
    entry = history[body["prompt_id"]]
    recorded = HTTP["GET /history/{id} (good)"]["body"]["2817c885-dedf-49c1-b62e-be2d34bcafd5"]
    assert shape(entry) == shape(recorded)
    assert entry["prompt"][2:] == recorded["prompt"][2:]
    assert [m[0] for m in entry["status"]["messages"]] == [
        m[0] for m in recorded["status"]["messages"]
    ]
    assert entry["outputs"]["2"]["images"][0] == {
        "filename": "bbtest_00001_.png",
        "subfolder": "",
        "type": "output",
    }


async def test_an_identical_resubmit_is_served_from_the_cache(
    double: ComfyUIDouble, http: aiohttp.ClientSession
) -> None:
    async with http.ws_connect(f"{double.url}/ws?clientId={GOOD['client_id']}") as ws:
        await ws.receive_json()
        _, first = await post(http, double.url + "/prompt", GOOD)
        await frames_until_done(ws, first["prompt_id"])
        files_before = dict(double.files)
        _, again = await post(http, double.url + "/prompt", GOOD)
        frames = await frames_until_done(ws, again["prompt_id"])

    assert frame_shapes(frames) == frame_shapes(WS[15:24])
    assert frames[3]["data"]["nodes"] == ["1", "2"]
    assert double.files == files_before
    _, _, history = await get(http, f"{double.url}/history/{again['prompt_id']}")
    recorded = HTTP["resubmit identical"]
    assert shape(history[again["prompt_id"]]["outputs"]) == shape(recorded["history_outputs"])
    assert history[again["prompt_id"]]["outputs"]["2"]["images"][0]["filename"] == (
        "bbtest_00001_.png"
    )


async def test_a_run_without_client_id_only_broadcasts_progress_state(
    double: ComfyUIDouble, http: aiohttp.ClientSession
) -> None:
    workflow = json.loads(json.dumps(GOOD["prompt"]))
    workflow["2"]["inputs"]["filename_prefix"] = "bbtest_noclient"
    async with http.ws_connect(f"{double.url}/ws?clientId=someone-else") as ws:
        await ws.receive_json()
        status, body = await post(http, double.url + "/prompt", {"prompt": workflow})
        frames = await drain(ws)

    assert status == 200
    assert frame_shapes(frames) == frame_shapes(WS[24:31])
    _, _, history = await get(http, f"{double.url}/history/{body['prompt_id']}")
    assert shape(history[body["prompt_id"]]["outputs"]) == shape(HTTP["history own prompt_id"])


async def test_a_runtime_error_is_a_200_then_an_error_in_frames_and_history(
    double: ComfyUIDouble, http: aiohttp.ClientSession
) -> None:
    double.runtime_error_next("EmptyImage", "cannot identify image file\n")
    async with http.ws_connect(f"{double.url}/ws?clientId=c1") as ws:
        await ws.receive_json()
        status, body = await post(http, double.url + "/prompt", GOOD | {"client_id": "c1"})
        frames = await frames_until_done(ws, body["prompt_id"])

    assert status == 200
    # Traceback and inputs depend on the workflow: compare the error event by its keys.
    error, recorded_error = frames.pop(6), WS[37]
    assert error["type"] == recorded_error["type"] == "execution_error"
    assert error["data"].keys() == recorded_error["data"].keys()
    assert frame_shapes(frames) == frame_shapes(WS[31:37] + WS[38:40])
    _, _, history = await get(http, f"{double.url}/history/{body['prompt_id']}")
    recorded = next(iter(HTTP["GET /history/{id} runtime-error"]["body"].values()))
    entry = history[body["prompt_id"]]
    messages, recorded_messages = entry["status"]["messages"], recorded["status"]["messages"]
    assert shape(messages[:-1]) == shape(recorded_messages[:-1])
    assert messages[-1][1].keys() == recorded_messages[-1][1].keys()
    assert (entry["status"]["status_str"], entry["status"]["completed"]) == ("error", False)
    assert (entry["outputs"], entry["meta"]) == ({}, {})
    assert entry["status"]["messages"][-1][1]["node_type"] == "EmptyImage"


async def test_interrupt_stops_the_running_prompt_like_the_recording(
    double: ComfyUIDouble, http: aiohttp.ClientSession
) -> None:
    double.never_finish_next()
    async with http.ws_connect(f"{double.url}/ws?clientId=c2") as ws:
        await ws.receive_json()
        _, body = await post(http, double.url + "/prompt", GOOD | {"client_id": "c2"})
        prompt_id = body["prompt_id"]
        _, _, queue = await get(http, double.url + "/queue")
        async with http.post(double.url + "/interrupt", json={"prompt_id": prompt_id}) as response:
            assert (response.status, await response.read()) == (200, b"")
        frames = await frames_until_done(ws, prompt_id)

    recorded_item = QUEUE["GET /queue while running"]["queue_running"][0]
    assert shape(queue["queue_running"][0][:2] + queue["queue_running"][0][3:]) == shape(
        recorded_item[:2] + recorded_item[3:]
    )
    assert [f["type"] for f in frames][-3:] == ["execution_interrupted", "status", "executing"]
    recorded_event = QUEUE["ws execution_interrupted"][0]["data"]
    assert shape(frames[-3]["data"]) == shape(recorded_event)
    _, _, history = await get(http, f"{double.url}/history/{prompt_id}")
    assert shape(history[prompt_id]["status"]) == shape(QUEUE["history status (interrupted)"])


async def test_view_serves_pngs_and_refuses_like_the_server(
    double: ComfyUIDouble, http: aiohttp.ClientSession
) -> None:
    _, body = await post(http, double.url + "/prompt", GOOD)
    for _ in range(100):
        _, _, history = await get(http, f"{double.url}/history/{body['prompt_id']}")
        if history:
            break
        await asyncio.sleep(0.01)
    image = history[body["prompt_id"]]["outputs"]["2"]["images"][0]

    async with http.get(double.url + "/view", params=image) as response:
        data = await response.read()
        assert response.status == 200
        assert response.headers["Content-Type"] == "image/png"
        assert response.headers["Content-Disposition"] == f'filename="{image["filename"]}"'
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert b"tEXtprompt" in data
    for case in HTTP["GET /view"][2:]:
        async with http.get(double.url + case["path"]) as response:
            assert (response.status, await response.text()) == (case["status"], case["body"])


async def test_an_origin_that_differs_from_host_is_refused(
    double: ComfyUIDouble, http: aiohttp.ClientSession
) -> None:
    foreign = {"Origin": f"http://localhost:{double.port}"}
    same = {"Origin": f"http://127.0.0.1:{double.port}"}

    async with http.get(double.url + "/queue", headers=foreign) as response:
        assert response.status == 403
    async with http.get(double.url + "/queue", headers=same) as response:
        assert response.status == 200


async def test_a_second_socket_with_the_same_client_id_takes_over(
    double: ComfyUIDouble, http: aiohttp.ClientSession
) -> None:
    url = f"{double.url}/ws?clientId=shared"
    async with http.ws_connect(url) as old, http.ws_connect(url) as new:
        await old.receive_json()
        await new.receive_json()
        _, body = await post(http, double.url + "/prompt", GOOD | {"client_id": "shared"})
        frames = await frames_until_done(new, body["prompt_id"])
        old_frames = await drain(old)

    assert any(f["type"] == "execution_success" for f in frames)
    assert old_frames == []  # not even the status broadcasts: the server forgot it


async def test_restart_forgets_history_and_number_but_not_files(
    double: ComfyUIDouble, http: aiohttp.ClientSession
) -> None:
    _, body = await post(http, double.url + "/prompt", GOOD)
    for _ in range(100):
        if (await get(http, f"{double.url}/history/{body['prompt_id']}"))[2]:
            break
        await asyncio.sleep(0.01)

    await double.restart()

    assert (await get(http, f"{double.url}/history/{body['prompt_id']}"))[2] == {}
    _, again = await post(http, double.url + "/prompt", GOOD)
    assert again["number"] == 0
    for _ in range(100):
        history = (await get(http, f"{double.url}/history/{again['prompt_id']}"))[2]
        if history:
            break
        await asyncio.sleep(0.01)
    # The cache died with the process, so it runs again and the counter continues on disk.
    names = [i["filename"] for i in history[again["prompt_id"]]["outputs"]["2"]["images"]]
    assert names == ["bbtest_00003_.png", "bbtest_00004_.png"]
