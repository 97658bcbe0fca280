"""The /api/v1 route table. The same table produces the routes and the OpenAPI document."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from servicedesk.api import schemas as s
from servicedesk.api import sla_views as sla
from servicedesk.api import views as v


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    endpoint: Callable[[Request], Awaitable[Response]]
    summary: str
    body: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    status: int = 200
    query: tuple[str, ...] = ()
    roles: str = "admin, supervisor, agent, partner"


OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "POST",
        "/customers",
        v.create_customer,
        "Create a customer",
        s.CustomerIn,
        s.CustomerOut,
        201,
    ),
    Operation(
        "GET",
        "/customers",
        v.list_customers,
        "Find customers (by normalised e-mail or phone)",
        response=s.CustomerOut,
        query=("email", "phone", "q", "limit", "offset"),
    ),
    Operation("GET", "/customers/{id}", v.get_customer, "One customer", response=s.CustomerOut),
    Operation(
        "PATCH",
        "/customers/{id}",
        v.patch_customer,
        "Change a customer; new identities are added",
        s.CustomerPatch,
        s.CustomerOut,
    ),
    Operation(
        "GET",
        "/customers/{id}/timeline",
        v.customer_timeline,
        "Every message of every ticket of the customer, newest first",
        response=s.TimelineOut,
        query=("limit", "offset"),
    ),
    Operation(
        "POST",
        "/products",
        v.create_product,
        "Create a product",
        s.ProductIn,
        s.ProductOut,
        201,
        roles="admin",
    ),
    Operation(
        "GET",
        "/products",
        v.list_products,
        "List products",
        response=s.ProductOut,
        query=("category", "limit", "offset"),
    ),
    Operation(
        "POST", "/assets", v.create_asset, "Register a customer's unit", s.AssetIn, s.AssetOut, 201
    ),
    Operation(
        "GET",
        "/assets",
        v.list_assets,
        "List assets with warranty state",
        response=s.AssetOut,
        query=("customer_id", "serial", "limit", "offset"),
    ),
    Operation(
        "POST",
        "/tickets",
        v.create_ticket,
        "Open a ticket (unknown customers are created)",
        s.TicketIn,
        s.TicketOut,
        201,
    ),
    Operation(
        "GET",
        "/tickets",
        v.list_tickets,
        "List tickets you may see",
        response=s.TicketOut,
        query=("status", "queue", "customer", "assignee", "limit", "offset"),
    ),
    Operation(
        "GET", "/tickets/{id}", v.get_ticket, "One ticket with its messages", response=s.TicketOut
    ),
    Operation(
        "PATCH",
        "/tickets/{id}",
        v.patch_ticket,
        "Change status, priority, queue or assignee",
        s.TicketPatch,
        s.TicketOut,
        roles="admin, supervisor, agent",
    ),
    Operation(
        "POST",
        "/tickets/{id}/replies",
        v.create_reply,
        "Reply publicly or add an internal note",
        s.ReplyIn,
        s.MessageOut,
        201,
    ),
    Operation(
        "GET",
        "/sla/policies",
        sla.list_policies,
        "The SLA policies in force (first match wins)",
        response=s.SlaPoliciesOut,
        roles="admin, supervisor, agent",
    ),
    Operation(
        "GET",
        "/sla/calendars",
        sla.list_calendars,
        "The business calendars of the SLA policies in force",
        response=s.SlaCalendarsOut,
        roles="admin, supervisor, agent",
    ),
    Operation(
        "GET",
        "/reports/sla",
        sla.sla_report,
        "SLA compliance per metric of clocks started in [from, to)",
        response=s.SlaReportOut,
        query=("from", "to", "group_by"),
        roles="admin, supervisor",
    ),
)


def openapi_document() -> dict[str, object]:
    schemas: dict[str, object] = {}

    def ref(model: type[BaseModel]) -> dict[str, str]:
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(schema.pop("$defs", {}))
        schemas[model.__name__] = schema
        return {"$ref": f"#/components/schemas/{model.__name__}"}

    error = {
        "type": "object",
        "properties": {
            "error": {"type": "string"},
            "message": {"type": "string"},
            "fields": {"type": "object", "additionalProperties": {"type": "string"}},
        },
    }
    paths: dict[str, dict[str, object]] = {}
    for op in OPERATIONS:
        responses: dict[str, object] = {
            "401": {
                "description": "no or bad token",
                "content": {"application/json": {"schema": error}},
            },
            "403": {
                "description": "role or scope forbids it",
                "content": {"application/json": {"schema": error}},
            },
        }
        if op.response is not None:
            body: dict[str, object] = dict(ref(op.response))
            if op.method == "GET" and "{id}" not in op.path or op.path.endswith("timeline"):
                body = {
                    "type": "object",
                    "properties": {
                        "items": {"type": "array", "items": body},
                        "total": {"type": "integer"},
                        "limit": {"type": "integer"},
                        "offset": {"type": "integer"},
                    },
                }
            responses[str(op.status)] = {
                "description": "ok",
                "content": {"application/json": {"schema": body}},
            }
        if op.body is not None or op.query:
            responses["422"] = {
                "description": "invalid input, per field",
                "content": {"application/json": {"schema": error}},
            }
        entry: dict[str, object] = {
            "summary": op.summary,
            "description": f"Roles: {op.roles}.",
            "security": [{"bearer": []}],
            "responses": responses,
            "parameters": [
                {"name": q, "in": "query", "required": False, "schema": {"type": "string"}}
                for q in op.query
            ]
            + (
                [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}]
                if "{id}" in op.path
                else []
            ),
        }
        if op.body is not None:
            entry["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": ref(op.body)}},
            }
        paths.setdefault("/api/v1" + op.path, {})[op.method.lower()] = entry
    return {
        "openapi": "3.1.0",
        "info": {"title": "Service desk API", "version": "1"},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


async def openapi(request: Request) -> Response:
    return JSONResponse(openapi_document())


def routes() -> list[Route]:
    table = [Route(op.path, op.endpoint, methods=[op.method]) for op in OPERATIONS]
    table.append(Route("/openapi.json", openapi, methods=["GET"]))
    return table
