"""An MTurk Batch results CSV of the P.808 toolkit, read into one draft per assignment.

Reading checks the whole file before anything is written: every bad line is named with its
number (the header is line 1) and reason, and one bad line refuses the file.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone

from analysis.importing import checks
from analysis.importing.errors import ImportRefused, Problem

BASE_COLUMNS = [
    "hitid",
    "assignmentid",
    "workerid",
    "assignmentstatus",
    "accepttime",
    "submittime",
    "worktimeinseconds",
]
SCALES = {"acr": range(1, 6), "dcr": range(1, 6), "ccr": range(-3, 4), "p835": range(1, 6)}
# The answer fields of a rating question, per method (beside Answer.qN_url).
QUESTION_FIELDS = {
    "acr": {""},
    "dcr": {""},
    "ccr": {"", "_order"},
    "p835": {"_sig", "_bak", "_ovrl"},
}
QUESTION_COLUMN = re.compile(r"^answer\.q(\d+)(_[a-z_]+)?$")
URL_LIMIT = 255  # a clip's name and a stimulus's URL
ID_LIMIT = 64  # MTurk's HIT and assignment ids are 30 characters; statuses shorter
ORDERS = {"rp": False, "pr": True}  # CCR: rp = reference first; value: processed played first
# MTurk writes times as "Tue Jun 30 04:37:53 PDT 2020".
ZONES = {"PDT": -7, "PST": -8, "UTC": 0, "GMT": 0}
QUALIFICATION_FIELDS = re.compile(r"^answer\.(\d_[a-z_]+|num\d|comb_bw\d)$")
SETUP_FIELDS = re.compile(r"^(answer\.(math|cmp\d)|input\.(math|cmp\d_[ab]))$")


@dataclass(frozen=True)
class Question:
    position: int
    url: str
    role: str  # rating, gold or trap (as the toolkit tells them apart when it aggregates)
    scores: dict[str, int]  # score, and sig and bak for P.835; CCR: processed vs reference
    played: int
    processed_first: bool | None = None  # CCR
    reference: str = ""  # DCR, CCR


@dataclass(frozen=True)
class AssignmentDraft:
    line: int
    hit_id: str
    assignment_id: str
    worker_id: str
    status: str
    accepted_at: datetime
    submitted_at: datetime
    work_seconds: int
    questions: list[Question]
    checks: dict  # what the toolkit records of the assignment (analysis.importing.checks)
    qualification: dict | None  # its answers, when the qualification was shown
    setup: dict | None  # math and environment answers, when the setup was shown
    training: list[tuple[str, int]] = field(default_factory=list)  # (url, answer)


def batch_parse(*, text: str, config: dict) -> list[AssignmentDraft]:
    """Every assignment of the file, in file order. Raises ImportRefused with every problem."""
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames:
        raise ImportRefused("Batch file", [Problem(None, "empty file")])
    reader.fieldnames = [name.strip().lower().replace("_slide", "") for name in reader.fieldnames]
    problems = _header_problems(reader.fieldnames, config)
    if problems:
        raise ImportRefused("Batch file", problems)
    drafts, seen = [], {}
    for row in reader:
        line = reader.line_num
        try:
            drafts.append(_draft(row, line, config))
        except ValueError as exc:
            problems.append(Problem(line, str(exc)))
            continue
        problems += _repeats(drafts[-1], seen)
    if not drafts and not problems:
        problems.append(Problem(None, "no assignments"))
    if problems:
        raise ImportRefused("Batch file", problems)
    return drafts


def _header_problems(names: list[str], config: dict) -> list[Problem]:
    method, questions = config["method"], config["questions"]
    needed = [*BASE_COLUMNS]
    for number in range(1, questions + 1):
        needed.append(f"answer.q{number}_url")
        needed += [f"answer.q{number}{field}" for field in sorted(QUESTION_FIELDS[method])]
    if config["accept"]["traps"]:
        needed += [c for c in (config["trap"]["url"], config["trap"]["answer"]) if c]
    if config["gold"]:
        needed += [c for c in (config["gold"]["url"], config["gold"]["answer"]) if c]
    present = set(names)
    problems = [Problem(1, f"missing column {name}") for name in needed if name not in present]
    return problems + _foreign_fields(names, method)


def _foreign_fields(names: list[str], method: str) -> list[Problem]:
    """Answer fields of a rating question that belong to another method's page."""
    problems = []
    for name in names:
        found = QUESTION_COLUMN.match(name)
        if found and (found.group(2) or "") not in QUESTION_FIELDS[method] | {"_url"}:
            problems.append(Problem(1, f"column {name} is not a field of a {method} page"))
    return problems


def _draft(row: dict, line: int, config: dict) -> AssignmentDraft:
    for name in BASE_COLUMNS[:3]:
        if not (row.get(name) or "").strip():
            raise ValueError(f"{name} is empty")
    return AssignmentDraft(
        line=line,
        hit_id=_short(row["hitid"], "HITId"),
        assignment_id=_short(row["assignmentid"], "AssignmentId"),
        worker_id=row["workerid"].strip(),
        status=_short(row["assignmentstatus"], "AssignmentStatus"),
        accepted_at=_time(row["accepttime"], "AcceptTime"),
        submitted_at=_time(row["submittime"], "SubmitTime"),
        work_seconds=_whole(row["worktimeinseconds"], "WorkTimeInSeconds"),
        questions=_questions(row, config),
        checks=_checks(row, config),
        qualification=_answers(row, QUALIFICATION_FIELDS)
        if checks.qualification_shown(row)
        else None,
        setup=_answers(row, SETUP_FIELDS) if checks.setup_shown(row) else None,
        training=_training(row),
    )


def _short(text: str | None, column: str) -> str:
    text = (text or "").strip()
    if len(text) > ID_LIMIT:
        raise ValueError(f"{column} is over {ID_LIMIT} characters")
    return text


def _time(text: str | None, column: str) -> datetime:
    text = (text or "").strip()
    parts = text.split()
    if len(parts) == 6 and parts[4] in ZONES:
        zone = timezone(timedelta(hours=ZONES[parts[4]]))
        moment = " ".join(parts[:4] + parts[5:])
        try:
            return datetime.strptime(moment, "%a %b %d %H:%M:%S %Y").replace(tzinfo=zone)
        except ValueError:
            pass
    try:
        found = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{column} {text!r} is not a time") from None
    return found if found.tzinfo else found.replace(tzinfo=UTC)


def _whole(text: str | None, column: str) -> int:
    try:
        return int(float(text or ""))
    except ValueError:
        raise ValueError(f"{column} {text!r} is not a number") from None


def _questions(row: dict, config: dict) -> list[Question]:
    method = config["method"]
    trap = row.get(config["trap"]["url"] or "", "") if config["trap"]["url"] else ""
    gold = row.get(config["gold"]["url"], "") if config["gold"] else None
    questions, gold_seen, urls = [], False, set()
    for number in range(1, config["questions"] + 1):
        url = (row.get(f"answer.q{number}_url") or "").strip()
        if not url:
            raise ValueError(f"Answer.q{number}_url is empty")
        if len(url) > URL_LIMIT:
            raise ValueError(f"Answer.q{number}_url is over {URL_LIMIT} characters")
        if url in urls:
            raise ValueError(f"{url} is asked twice in one assignment")
        urls.add(url)
        # as the toolkit's aggregation tells them apart: the URL itself, the first gold only
        role = "trap" if trap and url == trap else "rating"
        if role == "rating" and gold is not None and not gold_seen and url == gold:
            role, gold_seen = "gold", True
        questions.append(_question(row, number, url, role, method))
    return questions


def _question(row: dict, number: int, url: str, role: str, method: str) -> Question:
    scores = {}
    for suffix in checks.suffixes(method):
        column = f"answer.q{number}{suffix}"
        scores[{"_sig": "sig", "_bak": "bak"}.get(suffix, "score")] = _vote(row, column, method)
    played = min(checks.finished(row, c) or 0 for c in checks.finish_columns(method, number))
    if method not in {"dcr", "ccr"}:
        return Question(number, url, role, scores, played)
    if method == "dcr":  # the reference always first
        return Question(number, url, role, scores, played, None, _reference(row, url))
    order = (row.get(f"answer.q{number}_order") or "").strip().lower()
    if order not in ORDERS:
        raise ValueError(f"Answer.q{number}_order {order!r} is neither rp nor pr")
    return Question(number, url, role, scores, played, ORDERS[order], _reference(row, url))


def _vote(row: dict, column: str, method: str) -> int:
    text = (row.get(column) or "").strip()
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"{column} {text!r} is not a vote") from None
    scale = SCALES[method]
    if value not in scale:
        raise ValueError(f"{column} {value} is outside the scale {scale[0]}..{scale[-1]}")
    return value


def _reference(row: dict, url: str) -> str:
    """The reference the HIT paired with this processed clip (Input.QN_P beside Input.QN_R);
    the trap, the reference against itself, has none there."""
    for key, value in row.items():
        if key.startswith("input.q") and key.endswith("_p") and value == url:
            reference = (row.get(key[:-2] + "_r") or "").strip()
            if len(reference) > URL_LIMIT:
                raise ValueError(f"{key[:-2]}_r is over {URL_LIMIT} characters")
            return reference
    return ""


def _checks(row: dict, config: dict) -> dict:
    questions = config["questions"]
    try:
        return {
            "all_played": int(checks.audio_played(row, config["method"], questions)),
            "qualification": (
                int(checks.qualification_passed(row, config["accept"]))
                if checks.qualification_shown(row)
                else None
            ),
            "math": checks.math_correct(row, config["math"]) if checks.setup_shown(row) else None,
            "comparisons": checks.comparisons_correct(row) if checks.setup_shown(row) else None,
            "traps": checks.traps_correct(row, config, questions),
            "gold": checks.gold_correct(row, config, questions),
            "variance": checks.session_variance(row, config, questions),
            "trap_answer": _expected(row, config),
            "gold_answer": checks.gold_answer(row, config["gold"]) if config["gold"] else None,
        }
    except (KeyError, ValueError) as exc:
        raise ValueError(_check_problem(exc)) from None


def _expected(row: dict, config: dict) -> int | None:
    """The spoken answer of an ACR or P.835 trap, from the column the config names."""
    column = config["trap"]["answer"]
    if config["method"] not in {"acr", "p835"} or not column or column not in row:
        return None
    return int(float(row[column]))


def _check_problem(exc: Exception) -> str:
    if isinstance(exc, KeyError):
        return f"missing value {exc.args[0]}"
    return str(exc) if "clip" in str(exc) else f"a trap or gold answer is not a number ({exc})"


def _answers(row: dict, pattern: re.Pattern) -> dict:
    return {name: value for name, value in row.items() if name and pattern.match(name)}


def _training(row: dict) -> list[tuple[str, int]]:
    """Training answers (Answer.tN with Answer.TN_URL), when the training was shown."""
    found = []
    for number in range(1, 100):
        url, answer = row.get(f"answer.t{number}_url"), row.get(f"answer.t{number}")
        if url is None:
            break
        if url.strip() and (answer or "").strip().lstrip("-").isdigit():
            found.append((url.strip(), int(answer)))
    return found


def _repeats(draft: AssignmentDraft, seen: dict) -> list[Problem]:
    """An assignment twice in the file, or a worker rating a clip again (Auricle keeps one
    vote per rater and clip)."""
    problems = []
    key = ("assignment", draft.assignment_id)
    if key in seen:
        problems.append(Problem(draft.line, f"assignment repeats line {seen[key]}"))
    seen.setdefault(key, draft.line)
    for question in draft.questions:
        if question.role != "rating":
            continue
        key = ("vote", draft.worker_id, question.url)
        if key in seen:
            problems.append(
                Problem(draft.line, f"the worker rated {question.url} already on line {seen[key]}")
            )
        seen.setdefault(key, draft.line)
    return problems
