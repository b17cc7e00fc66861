"""The ComfyUI boundary: workflow templates, the client protocol, and the plain objects.

The HTTP client itself (aiohttp) is bot/adapters/comfyui.py.
"""

from core.comfyui.errors import (
    ComfyError,
    ComfyRunLost,
    ComfyServerError,
    ComfyTimeout,
    ComfyUnreachable,
    ComfyValidationError,
    WorkflowError,
)
from core.comfyui.types import (
    ComfyAPI,
    ImageRef,
    Progress,
    ProgressCallback,
    RunOutcome,
    SubmitResult,
    Workflow,
)
from core.comfyui.workflow import WorkflowTemplate, fill, load_workflow, new_seed, parse_workflow

__all__ = [
    "ComfyAPI",
    "ComfyError",
    "ComfyRunLost",
    "ComfyServerError",
    "ComfyTimeout",
    "ComfyUnreachable",
    "ComfyValidationError",
    "ImageRef",
    "Progress",
    "ProgressCallback",
    "RunOutcome",
    "SubmitResult",
    "Workflow",
    "WorkflowError",
    "WorkflowTemplate",
    "fill",
    "load_workflow",
    "new_seed",
    "parse_workflow",
]
