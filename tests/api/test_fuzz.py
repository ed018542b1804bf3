"""Schemathesis against the live server: every operation of the schema, with the world's real
ids and with generated ones, answers without a 5xx and as its schema says."""

from __future__ import annotations

import hypothesis
import pytest
import schemathesis
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.api.conftest import person_make

# A few examples per operation keep the run well under a minute.
EXAMPLES = 3
FUZZ = hypothesis.settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=True,
    phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
    suppress_health_check=list(hypothesis.HealthCheck),
)


def real_ids(path: str, world: dict) -> dict:
    """The path parameters that name the world's own rows, for this operation's path."""
    resource = path.removeprefix("/api/v1/").split("/")[0]
    owner = {"tests": "test", "corpora": "corpus", "systems": "system", "testsets": "testset",
             "raters": "rater"}.get(resource)  # fmt: skip
    found = {"report_id": world["report"].pk, "name": "votes.csv"}
    if owner is not None:
        found |= {"id": world[owner].pk, f"{owner}_id": world[owner].pk}
    if "/tables/" in path:
        found["name"] = "systems"
    return {name: value for name, value in found.items() if "{" + name + "}" in path}


def exercise(operation, world: dict, token: str) -> None:
    """Raises schemathesis's report of the first failure: the request, the answer, the rule."""
    strategy = st.one_of(
        operation.as_strategy(path_parameters=real_ids(operation.path, world)),
        operation.as_strategy(),
    )

    @FUZZ
    @hypothesis.given(case=strategy)
    def call(case):
        case.call_and_validate(
            headers={"Authorization": f"Token {token}"},
            checks=[not_a_server_error, response_schema_conformance],
        )

    call()


@pytest.mark.django_db(transaction=True)
def test_schemathesis_finds_no_server_error_and_no_answer_outside_the_schema(live_server, world):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=person_make("organizer")).key
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/schema/?format=json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 30
    for operation in operations:
        exercise(operation, world, token)
