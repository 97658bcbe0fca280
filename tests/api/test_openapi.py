"""The OpenAPI document at /api/v1/openapi.json describes exactly the route table."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from servicedesk.api.routes import OPERATIONS


@pytest.fixture
async def document(client) -> dict[str, Any]:
    resp = await client.get("/api/v1/openapi.json")
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"].startswith("application/json")
    return resp.json()


def refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs(value)


def resolve(document: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), ref
    node: Any = document
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        assert isinstance(node, dict), ref
        assert part in node, ref
        node = node[part]
    return node


def test_document_is_openapi_3_1(document):
    assert document["openapi"].startswith("3.1")
    assert document["info"]["title"]
    assert document["components"]["securitySchemes"]["bearer"] == {
        "type": "http",
        "scheme": "bearer",
    }


@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: f"{op.method} {op.path}")
def test_every_operation_is_described(document, op):
    entry = document["paths"]["/api/v1" + op.path][op.method.lower()]
    assert entry["summary"] == op.summary
    assert entry["security"] == [{"bearer": []}]
    assert {"401", "403", str(op.status)} <= set(entry["responses"])
    params = {(p["name"], p["in"]) for p in entry["parameters"]}
    assert params == {(q, "query") for q in op.query} | (
        {("id", "path")} if "{id}" in op.path else set()
    )
    if op.body is None:
        assert "requestBody" not in entry
    else:
        schema = entry["requestBody"]["content"]["application/json"]["schema"]
        assert schema == {"$ref": f"#/components/schemas/{op.body.__name__}"}
        assert "422" in entry["responses"]


def test_no_undocumented_operations(document):
    described = {
        (method.upper(), path) for path, methods in document["paths"].items() for method in methods
    }
    assert described == {(op.method, "/api/v1" + op.path) for op in OPERATIONS}


def test_every_ref_resolves(document):
    found = set(refs(document))
    assert found  # the document does use references
    for ref in found:
        target = resolve(document, ref)
        assert isinstance(target, dict)
        assert target, ref


def test_request_schemas_forbid_extra_fields(document):
    schemas = document["components"]["schemas"]
    for op in OPERATIONS:
        if op.body is not None:
            assert schemas[op.body.__name__]["additionalProperties"] is False, op.body


async def test_document_is_public_and_the_same_every_time(client, document):
    # Clients fetch it before they have a token; building it twice must not drift.
    again = await client.get("/api/v1/openapi.json", headers={"Authorization": "Bearer nope"})
    assert again.status_code == 200
    assert again.json() == document
