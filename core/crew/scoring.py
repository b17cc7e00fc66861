"""The four scores from the models' answers and the deterministic checks.

A model's score is the starting point; the checks can only pull it down, never up, so a
draft that breaks a rule scores low even when a small model waved it through. A blocking
finding or a compliance "fail" caps compliance and overall at 49: such a draft never looks
publishable. A skipped step leaves the checks alone to decide, and the feedback says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.crew.checks import CheckResult
from core.crew.schemas import BrandAnswer, ComplianceAnswer, OptimizerAnswer
from core.crew.types import Scores

BLOCKING_PENALTY = 25  # per blocking finding, off compliance
MINOR_PENALTY = 5  # per other finding (length, hashtags), off brand and overall
FAILED_CAP = 49


@dataclass(frozen=True)
class Answers:
    brand: BrandAnswer | None
    compliance: ComplianceAnswer | None
    optimizer: OptimizerAnswer | None


def compliance_failed(checks: CheckResult, compliance: ComplianceAnswer | None) -> bool:
    return bool(checks.blocking) or (compliance is not None and compliance.verdict == "fail")


def combine(checks: CheckResult, answers: Answers) -> Scores:
    failed = compliance_failed(checks, answers.compliance)
    blocking = len(checks.blocking)
    minor = len(checks.findings) - blocking
    compliance = _start(answers.compliance.compliance if answers.compliance else None)
    compliance -= BLOCKING_PENALTY * blocking
    if failed:
        compliance = min(compliance, FAILED_CAP)
    brand = _start(answers.brand.brand_alignment if answers.brand else None) - MINOR_PENALTY * minor
    readability = checks.readability or 0
    overall = _overall(_clamp(brand), _clamp(compliance), readability, answers.optimizer)
    overall -= MINOR_PENALTY * minor
    if failed:
        overall = min(overall, FAILED_CAP)
    return Scores(
        brand_alignment=_clamp(brand),
        compliance=_clamp(compliance),
        readability=readability,
        overall_quality=_clamp(overall),
    )


def _start(model_score: int | None) -> int:
    """The model's score, or 100 when it was skipped: then only the checks subtract."""
    return 100 if model_score is None else model_score


def _overall(
    brand: int, compliance: int, readability: int, optimizer: OptimizerAnswer | None
) -> int:
    """The mean of the three scores, averaged with the optimizer's own verdict on the draft."""
    mean = (brand + compliance + readability) / 3
    if optimizer is None:
        return round(mean)
    return round((mean + optimizer.overall_quality) / 2)


def _clamp(score: int) -> int:
    return max(0, min(100, score))
