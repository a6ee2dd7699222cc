"""Reads the README's walk-through ("## A walk through the whole API") into steps, by the rules
the README states: one named operation per ```graphql block, its variables in the ```json block
right after it, `# Authorization: Bearer <...>` and `# Expect userErrors: CODE` comment lines,
`<Op.path>` placeholders taken from earlier answers, `<unique>` a fresh string each time, and
```sh blocks of `curl -s -d outcome=succeed "<url>"` lines."""
from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SECTION = "## A walk through the whole API"
BLOCK = re.compile(r"^```(\w+)\n(.*?)^```", re.S | re.M)
PLACEHOLDER = re.compile(r"<([A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z0-9_]+)+|unique)>")
OPERATION = re.compile(r"^\s*(query|mutation|subscription)\s+([A-Za-z][A-Za-z0-9]*)", re.M)
CURL = re.compile(r'^curl -s -d outcome=succeed "([^"]+)"$')


@dataclass
class Step:
    kind: str  # query, mutation, subscription or curl
    name: str
    text: str  # the GraphQL document, or the curl URL template
    variables: str | None = None  # JSON text with placeholders
    authorization: str | None = None
    expect_errors: list[str] = field(default_factory=list)


def tour_section(readme: Path) -> str:
    text = readme.read_text(encoding="utf-8")
    start = text.index(SECTION)
    end = text.find("\n## ", start + len(SECTION))
    return text[start:end if end >= 0 else len(text)]


def parse(readme: Path) -> list[Step]:
    steps: list[Step] = []
    for match in BLOCK.finditer(tour_section(readme)):
        language, body = match.group(1), match.group(2)
        if language == "graphql":
            operations = OPERATION.findall(body)
            assert len(operations) == 1, f"one named operation per block: {body[:200]}"
            kind, name = operations[0]
            auth = re.search(r"^# Authorization: Bearer (\S+)\s*$", body, re.M)
            expect = re.search(r"^# Expect userErrors: ([A-Z_, ]+)$", body, re.M)
            steps.append(Step(kind, name, body, authorization=auth.group(1) if auth else None,
                              expect_errors=[c.strip() for c in expect.group(1).split(",")]
                              if expect else []))
        elif language == "json":
            assert steps and steps[-1].variables is None, "variables follow their operation"
            steps[-1].variables = body
        elif language == "sh":
            for line in body.strip().splitlines():
                found = CURL.match(line.strip())
                assert found, f"the tour's shell lines are curl -s -d outcome=succeed: {line}"
                steps.append(Step("curl", "curl", found.group(1)))
        else:
            raise AssertionError(f"unexpected ```{language} block in the tour")
    return steps


class Answers:
    """Earlier answers by operation name, and the placeholder rule over them."""

    def __init__(self) -> None:
        self.data: dict[str, Any] = {}

    def value(self, reference: str) -> Any:
        if reference == "unique":
            return uuid.uuid4().hex[:16]
        name, *path = reference.split(".")
        assert name in self.data, f"<{reference}>: no earlier answer of {name}"
        value = self.data[name]
        for key in path:
            value = value[int(key)] if isinstance(value, list) else value[key]
        return value

    def fill(self, text: str) -> str:
        return PLACEHOLDER.sub(lambda m: str(self.value(m.group(1))), text)

    def variables(self, step: Step) -> dict[str, Any]:
        if step.variables is None:
            return {}
        assert "<" not in PLACEHOLDER.sub("", step.variables), step.variables
        return json.loads(self.fill(step.variables))  # type: ignore[no-any-return]
