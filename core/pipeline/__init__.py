"""The image pipeline: runs on ComfyUI, live progress, picking, linking to posts."""

from core.pipeline.callbacks import BadCallback, CallbacksOff, PipelineCallbacks
from core.pipeline.models import (
    CancelResult,
    Delivery,
    ImageRequest,
    ImageView,
    LinkedPost,
    PickResult,
    RunPage,
    RunProgress,
    RunStatus,
    RunView,
    StatusTarget,
)
from core.pipeline.planning import ImagePlan
from core.pipeline.ports import RunObserver, SilentObserver
from core.pipeline.service import PipelineService

__all__ = [
    "BadCallback",
    "CallbacksOff",
    "CancelResult",
    "Delivery",
    "ImagePlan",
    "ImageRequest",
    "ImageView",
    "LinkedPost",
    "PickResult",
    "PipelineCallbacks",
    "PipelineService",
    "RunObserver",
    "RunPage",
    "RunProgress",
    "RunStatus",
    "RunView",
    "SilentObserver",
    "StatusTarget",
]
