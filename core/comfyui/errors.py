"""What can go wrong talking to ComfyUI. Every message is safe to show an admin as it is."""

from __future__ import annotations

from core.errors import CopilotError


class ComfyError(CopilotError):
    """Base of every ComfyUI problem."""


class WorkflowError(ComfyError):
    """The configured workflow file is unusable (bad JSON, wrong shape, no prompt input)."""


class ComfyUnreachable(ComfyError):
    """No answer: connection refused, DNS failure, a request timeout, a dropped connection."""


class ComfyServerError(ComfyError):
    """The server answered, but not in a way we can use (HTTP 5xx, 403, an unexpected body)."""


class ComfyValidationError(ComfyError):
    """HTTP 400 from POST /prompt: the server refused the workflow before running it."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("The image server rejected the workflow: " + "; ".join(problems))
        self.problems = problems


class ComfyTimeout(ComfyError):
    """The run did not finish before our deadline (it may still be running on the server)."""


class ComfyRunLost(ComfyError):
    """The server no longer knows the run: it restarted, or somebody deleted the job.

    ComfyUI keeps its queue and history in memory only, so a restart forgets every run;
    the images already written stay on disk but nothing links them to the run any more.
    """
