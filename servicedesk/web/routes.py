"""Browser routes: every page goes through `page_route` (session, role, CSRF)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from servicedesk.web import attachments, calls, customers, login, ticket_page, tickets
from servicedesk.web import board as board_page
from servicedesk.web.admin import products, queues, routing, sla, users
from servicedesk.web.chat_page import chat_page
from servicedesk.web.workspace import workspace_routes


async def home(request: Request) -> Response:
    return RedirectResponse("/tickets", status_code=303)


def page_routes() -> list[Route]:
    return [
        Route("/", home),
        Route("/login", login.login_form, methods=["GET"]),
        Route("/login", login.login_submit, methods=["POST"]),
        Route("/logout", login.logout, methods=["POST"]),
        Route("/lang/{lang}", login.set_language, methods=["GET"]),
        Route("/chat", chat_page, methods=["GET"]),  # public: the customer's web chat
        Route("/tickets", tickets.ticket_list, methods=["GET"]),
        Route("/tickets/{number:int}", ticket_page.ticket_page, methods=["GET"]),
        Route("/tickets/{number:int}/conversation", ticket_page.conversation_part),
        Route("/tickets/{number:int}/header", ticket_page.header_part),
        Route("/tickets/{number:int}/properties", ticket_page.properties_part, methods=["GET"]),
        Route("/tickets/{number:int}/properties", ticket_page.post_properties, methods=["POST"]),
        Route("/tickets/{number:int}/replies", ticket_page.post_reply, methods=["POST"]),
        Route("/tickets/{number:int}/call", calls.answer_call, methods=["POST"]),
        Route("/calls/{sid}/recording", calls.call_recording, methods=["GET"]),
        Route("/attachments/{id:int}", attachments.download),
        Route("/attachments/{id:int}/inline", attachments.inline_image),
        Route("/messages/{id:int}/source", attachments.message_source),
        Route("/customers", customers.customer_list),
        Route("/customers/{id:int}", customers.customer_page),
        Route("/customers/{id:int}/summary", customers.customer_summary),
        Route("/board", board_page.board_page, methods=["GET"]),
        Route("/board/tiles", board_page.tiles_part, methods=["GET"]),
        Route("/board/forecast", board_page.forecast_part, methods=["GET"]),
        Route("/board/closest", board_page.closest_part, methods=["GET"]),
        Route("/board/agents", board_page.agents_part, methods=["GET"]),
        *workspace_routes(),
        Route("/admin", admin_home),
        Route("/admin/products", products.products_page, methods=["GET"]),
        Route("/admin/products", products.create_product, methods=["POST"]),
        Route("/admin/queues", queues.queues_page, methods=["GET"]),
        Route("/admin/queues", queues.create_queue, methods=["POST"]),
        Route("/admin/queues/{id:int}/routing", queues.queue_routing_page, methods=["GET"]),
        Route("/admin/queues/{id:int}/routing", queues.save_queue_routing, methods=["POST"]),
        Route("/admin/routing", routing.routing_page, methods=["GET"]),
        Route("/admin/routing/skills", routing.create_skill, methods=["POST"]),
        Route("/admin/sla", sla.sla_page, methods=["GET"]),
        Route("/admin/sla", sla.load_policies_form, methods=["POST"]),
        Route("/admin/users", users.users_page, methods=["GET"]),
        Route("/admin/users", users.create_user, methods=["POST"]),
        Route("/admin/users/{id:int}/routing", users.user_routing_page, methods=["GET"]),
        Route("/admin/users/{id:int}/routing", users.save_user_routing, methods=["POST"]),
    ]


async def admin_home(request: Request) -> Response:
    return RedirectResponse("/admin/users", status_code=303)
