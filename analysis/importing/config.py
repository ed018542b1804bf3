"""The P.808 toolkit's result_parser.cfg, read the way its result_parser.py reads it.

The toolkit reads the file with Python's configparser (keys lower-cased, values stripped) and
looks up a fixed set of keys; a key it does not look up is a typo that would silently change
nothing there, so here it refuses the file. The result is a plain dict (JSON, kept on the
test as screening_config) that the toolkit profile of the screening reads.
"""

from __future__ import annotations

import configparser

from analysis.importing.errors import ImportRefused, Problem

# Every key result_parser.py reads, per section. bonus: read for the toolkit's bonus files
# only (Auricle pays nothing for imported work); block_rater_...: writes its block list only.
KNOWN = {
    "general": {
        "number_of_questions_in_rating",
        "expected_votes_per_file",
        "condition_pattern",
        "condition_keys",
    },
    "trapping": {"url_found_in", "ans_found_in"},
    "gold_question": {"url_found_in", "ans_found_in", "correct_ans", "variance"},
    "acceptance_criteria": {
        "all_audio_played_equal",
        "bw_min",
        "bw_max",
        "correct_math_bigger_equal",
        "correct_tps_bigger_equal",
        "gold_standard_bigger_equal",
        "allowedmaxhitsinproject",
        "rejection_feedback",
        "rater_min_acceptance_rate_current_test",
        "rater_min_accepted_hits_current_test",
        "block_rater_if_acceptance_and_used_rate_below",
    },
    "accept_and_use": {
        "variance_bigger_equal",
        "gold_standard_bigger_equal",
        "correct_cmp_bigger_equal",
        "outlier_removal",
        "outlier_removal_clip",
        "rater_min_acceptance_rate_current_test",
        "rater_min_accepted_hits_current_test",
        "block_rater_if_acceptance_and_used_rate_below",
    },
    "bonus": {
        "quantity_hits_more_than",
        "quantity_bonus",
        "quality_top_percentage",
        "quality_bonus",
        "quality_min_pcc",
    },
}
# [math] holds any number of "clip name = answer" lines.
SECTIONS = {*KNOWN, "math"}
# Read by the toolkit but not applied by this import: refused so no rule is silently dropped.
UNSUPPORTED = {("accept_and_use", "rater_min_irr"): "inter-rater reliability removal"}
REQUIRED = [
    ("general", "number_of_questions_in_rating"),
    ("acceptance_criteria", "all_audio_played_equal"),
    ("acceptance_criteria", "correct_math_bigger_equal"),
    ("acceptance_criteria", "correct_tps_bigger_equal"),
    ("acceptance_criteria", "allowedmaxhitsinproject"),
    ("accept_and_use", "variance_bigger_equal"),
    ("accept_and_use", "correct_cmp_bigger_equal"),
]
# ACR and P.835 check a gold question; the toolkit looks these up for them.
GOLD_REQUIRED = [
    ("gold_question", "url_found_in"),
    ("gold_question", "variance"),
    ("accept_and_use", "gold_standard_bigger_equal"),
]
GOLD_METHODS = {"acr", "p835"}
TRUE = {"true", "1", "t", "y", "yes"}  # what the toolkit takes as "on"


def toolkit_config_parse(
    *,
    text: str,
    method: str,
    condition_pattern: str | None = None,
    condition_keys: str | None = None,
) -> dict:
    """The config as the screening_config dict; the flags override [general]'s condition
    pattern and keys. Raises ImportRefused naming every unknown or missing key."""
    parser = _read(text)
    if condition_pattern is not None:
        _set(parser, "condition_pattern", condition_pattern)
    if condition_keys is not None:
        _set(parser, "condition_keys", condition_keys)
    problems = _unknown(parser, method) + _missing(parser, method)
    if problems:
        raise ImportRefused("result_parser.cfg", problems)
    try:
        return _as_dict(parser, method)
    except ValueError as exc:
        raise ImportRefused("result_parser.cfg", [Problem(None, str(exc))]) from exc


def _read(text: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser()
    try:
        parser.read_string(text)
    except configparser.Error as exc:
        raise ImportRefused("result_parser.cfg", [Problem(None, str(exc).splitlines()[0])]) from exc
    return parser


def _set(parser: configparser.ConfigParser, key: str, value: str) -> None:
    if not parser.has_section("general"):
        parser.add_section("general")
    # the raw setter: a regex holds characters interpolation would read
    configparser.RawConfigParser.set(parser, "general", key, value)


def _unknown(parser: configparser.ConfigParser, method: str) -> list[Problem]:
    problems = []
    for section in parser.sections():
        if section not in SECTIONS:
            problems.append(Problem(None, f"unknown section [{section}]"))
            continue
        if section == "gold_question" and method not in GOLD_METHODS:
            problems.append(Problem(None, f"[gold_question]: the toolkit checks none for {method}"))
        for key in parser[section]:
            if key in parser.defaults() or section == "math":
                continue
            if (section, key) in UNSUPPORTED:
                what = UNSUPPORTED[section, key]
                problems.append(Problem(None, f"[{section}] {key}: {what} is not imported"))
            elif key not in KNOWN[section]:
                problems.append(Problem(None, f"[{section}] {key}: not a key result_parser reads"))
    return problems


def _missing(parser: configparser.ConfigParser, method: str) -> list[Problem]:
    needed = REQUIRED + (GOLD_REQUIRED if method in GOLD_METHODS else [])
    if method in GOLD_METHODS and not parser.has_option("gold_question", "correct_ans"):
        needed = [*needed, ("gold_question", "ans_found_in")]
    if _int(parser, "acceptance_criteria", "correct_tps_bigger_equal", 0):
        needed = [*needed, ("trapping", "url_found_in")]
        if method in {"acr", "p835"}:
            needed = [*needed, ("trapping", "ans_found_in")]
    if parser.has_option("general", "condition_pattern"):
        needed = [*needed, ("general", "condition_keys")]
    return [Problem(None, f"[{s}] {k}: missing") for s, k in needed if not parser.has_option(s, k)]


def _int(parser, section: str, key: str, default: int | None) -> int | None:
    if not parser.has_option(section, key):
        return default
    value = parser.get(section, key, raw=True)
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"[{section}] {key}: {value!r} is not a whole number") from None


def _float(parser, section: str, key: str) -> float:
    value = parser.get(section, key, raw=True)
    try:
        return float(value)
    except ValueError:
        raise ValueError(f"[{section}] {key}: {value!r} is not a number") from None


def _text(parser, section: str, key: str) -> str | None:
    return parser.get(section, key, raw=True) if parser.has_option(section, key) else None


def _on(parser, section: str, key: str) -> bool:
    return (_text(parser, section, key) or "").lower() in TRUE


def _as_dict(parser: configparser.ConfigParser, method: str) -> dict:
    keys = _text(parser, "general", "condition_keys")
    return {
        "method": method,
        "questions": _int(parser, "general", "number_of_questions_in_rating", None),
        "expected_votes": _int(parser, "general", "expected_votes_per_file", None),
        "condition_pattern": _text(parser, "general", "condition_pattern"),
        # split as the toolkit splits them: on commas, nothing stripped
        "condition_keys": keys.split(",") if keys else [],
        "math": _math(parser),
        "trap": {
            "url": _text(parser, "trapping", "url_found_in"),
            "answer": _text(parser, "trapping", "ans_found_in"),
        },
        "gold": _gold(parser) if method in GOLD_METHODS else None,
        "accept": _accept(parser),
        "use": _use(parser, method),
    }


def _math(parser) -> dict[str, int]:
    if not parser.has_section("math"):
        return {}
    own = [key for key in parser["math"] if key not in parser.defaults()]
    return {key: _int(parser, "math", key, None) for key in own}


def _gold(parser) -> dict:
    return {
        "url": _text(parser, "gold_question", "url_found_in"),
        "answer": _text(parser, "gold_question", "ans_found_in"),
        "correct_ans": _int(parser, "gold_question", "correct_ans", None),
        "variance": _int(parser, "gold_question", "variance", None),
    }


def _accept(parser) -> dict:
    section = "acceptance_criteria"
    return {
        "all_audio_played_equal": _int(parser, section, "all_audio_played_equal", None),
        "math": _int(parser, section, "correct_math_bigger_equal", None),
        "traps": _int(parser, section, "correct_tps_bigger_equal", None),
        "gold": _int(parser, section, "gold_standard_bigger_equal", None),
        "max_hits": _int(parser, section, "allowedmaxhitsinproject", None),
        # upper-cased and compared whole, as the toolkit does: "SWB," (the template's trailing
        # comma) matches no range there, so only the obvious pairs of the check count
        "bw_min": (_text(parser, section, "bw_min") or "").upper() or None,
        "bw_max": (_text(parser, section, "bw_max") or "").upper() or None,
        **_performance(parser, section),
    }


def _use(parser, method: str) -> dict:
    section = "accept_and_use"
    gold = _int(parser, section, "gold_standard_bigger_equal", None)
    return {
        "variance": _float(parser, section, "variance_bigger_equal"),
        "gold": gold if method in GOLD_METHODS else None,
        "comparisons": _int(parser, section, "correct_cmp_bigger_equal", None),
        "outlier_removal": _on(parser, section, "outlier_removal"),
        "outlier_removal_clip": _on(parser, section, "outlier_removal_clip"),
        **_performance(parser, section),
    }


def _performance(parser, section: str) -> dict:
    """The rater-performance criteria; the toolkit applies them only when one is present."""
    return {
        "rater_min_rate": _int(parser, section, "rater_min_acceptance_rate_current_test", None),
        "rater_min_hits": _int(parser, section, "rater_min_accepted_hits_current_test", None),
    }
