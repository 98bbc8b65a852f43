"""What a policy's checks ask, how an answer is judged, and the decision they add up to.

One place for the rules, used by the phone page, the staff console, the scanners' API and
the policy pages (which describe each check in words).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import DECISION_SEVERITY, CheckKind, Decision, PolicyCheck

PASS, DOUBT, FAIL = "pass", "doubt", "fail"

# Answers of the multiple-choice checks and how each is judged.
VERDICTS: dict[str, dict[str, str]] = {
    CheckKind.HEALTH_CODE: {"green": PASS, "yellow": DOUBT, "red": FAIL},
    CheckKind.RISK_AREA: {"no": PASS, "yes": FAIL},
    CheckKind.TEST_RESULT: {"negative": PASS, "none": DOUBT, "positive": FAIL},
    CheckKind.MASK: {"yes": PASS, "no": FAIL},
}
# A body temperature outside these is a thermometer misread (held too far, cold hands), not a
# person to admit or send home: it asks to measure again.
LOWEST_TEMPERATURE, HIGHEST_TEMPERATURE = Decimal("35.0"), Decimal("42.0")
MAX_DOSES = 9


def answer_choices(check: PolicyCheck) -> list[tuple[str, str]]:
    """The answers a person picks from, in words (the temperature and doses are typed)."""
    kind = check.kind
    if kind == CheckKind.HEALTH_CODE:
        return [("green", _("Green code")), ("yellow", _("Yellow code")), ("red", _("Red code"))]
    if kind == CheckKind.RISK_AREA:
        days = check.within_days
        return [
            ("no", _("Not in a risk area in the last %(days)d days") % {"days": days}),
            ("yes", _("Stayed in a risk area in the last %(days)d days") % {"days": days}),
        ]
    if kind == CheckKind.TEST_RESULT:
        hours = check.within_hours
        return [
            ("negative", _("Negative result within %(hours)d hours") % {"hours": hours}),
            ("none", _("No result within %(hours)d hours") % {"hours": hours}),
            ("positive", _("Positive result")),
        ]
    if kind == CheckKind.MASK:
        return [("yes", _("Wearing a mask")), ("no", _("No mask"))]
    return []


def answer_text(kind: str, answer: Any) -> str:
    """A stored answer in words, for result screens and lists."""
    if answer is None:
        return _("not taken")
    if kind == CheckKind.TEMPERATURE:
        return f"{answer} °C"
    if kind == CheckKind.VACCINATION:
        return _("%(doses)d doses") % {"doses": answer}
    words = {
        CheckKind.HEALTH_CODE: {"green": _("Green code"), "yellow": _("Yellow code"), "red": _("Red code")},
        CheckKind.RISK_AREA: {"no": _("No"), "yes": _("Stayed in a risk area")},
        CheckKind.TEST_RESULT: {"negative": _("Negative"), "none": _("No recent result"), "positive": _("Positive")},
        CheckKind.MASK: {"yes": _("Wearing a mask"), "no": _("No mask")},
    }
    return str(words.get(CheckKind(kind), {}).get(answer, answer))


def in_words(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A check-in's stored results as label, answer in words and verdict, for screens."""
    return [
        {"label": CheckKind(r["kind"]).label, "answer": answer_text(r["kind"], r["answer"]), "verdict": r["verdict"]}
        for r in results
    ]


def reasons(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Why a person was referred or refused: the checks that did not pass, in words."""
    return [r for r in in_words(results) if r["verdict"] != PASS]


def unmeasured(results: list[dict[str, Any]]) -> bool:
    """Whether the policy asked for a temperature and none was taken."""
    return any(r["kind"] == CheckKind.TEMPERATURE and r["answer"] is None for r in results)


def answer_of(results: list[dict[str, Any]], kind: str) -> Any:
    return next((r["answer"] for r in results if r["kind"] == kind), None)


def measured(check: PolicyCheck, results: list[dict[str, Any]], raw: Any) -> list[dict[str, Any]]:
    """The results with the temperature taken after all (staff deciding a referral), judged by
    the same check; ValidationError naming the field for a bad reading."""
    try:
        answer, verdict = judge(check, raw)
    except ValidationError as error:
        raise ValidationError({"temperature": error.message_dict[f"check_{check.kind}"]}) from None
    outcome = outcome_of(check, verdict)
    return [
        r | {"answer": answer, "verdict": verdict, "outcome": outcome.value} if r["kind"] == check.kind else r
        for r in results
    ]


def describe(check: PolicyCheck) -> str:
    """The check as a rule in words: 'Temperature below 37.3 °C (otherwise: refused)'."""
    kind = check.kind
    if kind == CheckKind.HEALTH_CODE:
        rule = _("Green health code")
    elif kind == CheckKind.RISK_AREA:
        rule = _("No stay in a risk area in the last %(days)d days") % {"days": check.within_days}
    elif kind == CheckKind.TEST_RESULT:
        rule = _("Negative test result within %(hours)d hours") % {"hours": check.within_hours}
    elif kind == CheckKind.TEMPERATURE:
        rule = _("Temperature below %(limit)s °C") % {"limit": check.max_temperature}
    elif kind == CheckKind.MASK:
        rule = _("Wearing a mask")
    else:
        rule = _("At least %(doses)d vaccine doses") % {"doses": check.min_doses}
    otherwise = Decision(check.on_fail).label
    unclear = Decision(check.on_doubt).label
    if kind in (CheckKind.RISK_AREA, CheckKind.MASK, CheckKind.VACCINATION):
        return _("%(rule)s (otherwise: %(fail)s)") % {"rule": rule, "fail": otherwise}
    return _("%(rule)s (otherwise: %(fail)s; unclear: %(doubt)s)") % {"rule": rule, "fail": otherwise, "doubt": unclear}


def parse_temperature(raw: Any) -> Decimal | None:
    """A reading in °C, one decimal; blank means not taken. ValueError, with the words to show,
    for nonsense or a reading no body has (measure again)."""
    if raw is None or str(raw).strip() == "":
        return None
    try:
        value = Decimal(str(raw).strip().replace("，", ".").replace(",", ".")).quantize(Decimal("0.1"))
    except InvalidOperation:
        raise ValueError(_("Enter the temperature in °C, e.g. 36.5.")) from None
    if not value.is_finite():
        raise ValueError(_("Enter the temperature in °C, e.g. 36.5."))
    if not LOWEST_TEMPERATURE <= value <= HIGHEST_TEMPERATURE:
        raise ValueError(
            _("%(reading)s °C cannot be a body temperature (%(low)s to %(high)s °C): please measure again.")
            % {"reading": value, "low": LOWEST_TEMPERATURE, "high": HIGHEST_TEMPERATURE}
        )
    return value


@dataclass(frozen=True)
class Evaluation:
    results: list[dict[str, Any]]  # per check: kind, answer, verdict, outcome
    decision: Decision
    temperature: Decimal | None


def judge(check: PolicyCheck, raw: Any) -> tuple[Any, str]:
    """(the answer as stored, its verdict); ValidationError naming the check."""
    kind = check.kind
    field = f"check_{kind}"
    if kind == CheckKind.TEMPERATURE:
        try:
            reading = parse_temperature(raw)
        except ValueError as problem:
            raise ValidationError({field: str(problem)}, code="temperature") from None
        if reading is None:
            return None, DOUBT
        assert check.max_temperature is not None
        return str(reading), PASS if reading < check.max_temperature else FAIL
    if kind == CheckKind.VACCINATION:
        try:
            doses = int(str(raw).strip())
        except (TypeError, ValueError):
            raise ValidationError({field: _("Enter the number of vaccine doses.")}, code="doses") from None
        if not 0 <= doses <= MAX_DOSES:
            raise ValidationError({field: _("Enter the number of vaccine doses.")}, code="doses")
        assert check.min_doses is not None
        return doses, PASS if doses >= check.min_doses else FAIL
    answer = str(raw or "").strip()
    if answer not in VERDICTS[kind]:
        raise ValidationError({field: _("Choose an answer for “%(check)s”.") % {"check": check}}, code="answer")
    return answer, VERDICTS[kind][answer]


def outcome_of(check: PolicyCheck, verdict: str) -> Decision:
    if verdict == PASS:
        return Decision.ADMIT
    return Decision(check.on_fail if verdict == FAIL else check.on_doubt)


def evaluate(checks: Iterable[PolicyCheck], answers: Mapping[str, Any]) -> Evaluation:
    """Judge every check of the policy; the worst outcome decides. All answers' problems are
    reported together."""
    results: list[dict[str, Any]] = []
    errors: dict[str, list[str]] = {}
    decision = Decision.ADMIT
    temperature = None
    for check in checks:
        try:
            answer, verdict = judge(check, answers.get(check.kind))
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                errors.setdefault(name, []).extend(messages)
            continue
        outcome = outcome_of(check, verdict)
        results.append({"kind": check.kind, "answer": answer, "verdict": verdict, "outcome": outcome.value})
        if check.kind == CheckKind.TEMPERATURE and answer is not None:
            temperature = Decimal(answer)
        if DECISION_SEVERITY[outcome] > DECISION_SEVERITY[decision]:
            decision = outcome
    if errors:
        raise ValidationError(errors)
    return Evaluation(results, decision, temperature)
