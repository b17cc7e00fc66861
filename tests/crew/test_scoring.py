"""The four scores: the models' numbers, pulled down (never up) by the checks."""

from __future__ import annotations

from core.crew.checks import CheckResult
from core.crew.schemas import BrandAnswer, ComplianceAnswer, OptimizerAnswer
from core.crew.scoring import Answers, combine, compliance_failed
from core.crew.types import CheckFinding, Scores

BRAND = BrandAnswer(brand_alignment=80)
PASS = ComplianceAnswer(verdict="pass", compliance=90)
OPTIMIZER = OptimizerAnswer(overall_quality=70, rewrite="Better.")
BLOCKING = CheckFinding(check="disclaimer", message="missing", blocking=True)
MINOR = CheckFinding(check="hashtags", message="too few", blocking=False)


def checks(*findings: CheckFinding, readability: int | None = 70) -> CheckResult:
    return CheckResult(findings=list(findings), readability=readability)


def test_clean_draft_takes_the_models_scores_and_averages_overall() -> None:
    scores = combine(checks(), Answers(BRAND, PASS, OPTIMIZER))
    # overall: mean(80, 90, 70) = 80, averaged with the optimizer's 70.
    assert scores == Scores(brand_alignment=80, compliance=90, readability=70, overall_quality=75)


def test_a_blocking_finding_fails_compliance_even_when_the_model_passed_it() -> None:
    result = checks(BLOCKING)
    assert compliance_failed(result, PASS)
    scores = combine(result, Answers(BRAND, PASS, OPTIMIZER))
    assert scores.compliance == 49  # 90 - 25 = 65, capped: a failure never looks fine
    assert scores.overall_quality <= 49


def test_several_blocking_findings_keep_pulling_compliance_down() -> None:
    scores = combine(checks(BLOCKING, BLOCKING, BLOCKING, BLOCKING), Answers(BRAND, PASS, None))
    assert scores.compliance == 0


def test_the_models_fail_verdict_fails_compliance_without_findings() -> None:
    fail = ComplianceAnswer(verdict="fail", compliance=80, issues=["Unbacked claim."])
    assert compliance_failed(checks(), fail)
    assert combine(checks(), Answers(BRAND, fail, OPTIMIZER)).compliance == 49


def test_minor_findings_take_five_points_off_brand_and_overall_only() -> None:
    clean = combine(checks(), Answers(BRAND, PASS, OPTIMIZER))
    minor = combine(checks(MINOR), Answers(BRAND, PASS, OPTIMIZER))
    assert minor.compliance == clean.compliance
    assert minor.brand_alignment == clean.brand_alignment - 5
    assert clean.overall_quality - minor.overall_quality in (6, 7)  # via the mean and directly
    assert not compliance_failed(checks(MINOR), PASS)


def test_skipped_models_leave_the_checks_to_decide() -> None:
    scores = combine(checks(MINOR, readability=60), Answers(None, None, None))
    assert scores == Scores(brand_alignment=95, compliance=100, readability=60, overall_quality=80)


def test_no_text_reads_as_zero_readability() -> None:
    assert combine(checks(readability=None), Answers(BRAND, PASS, None)).readability == 0
