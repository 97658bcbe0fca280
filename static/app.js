// Live screens: the server pushes {event, ticket_id, version}; we let htmx
// re-fetch the affected fragment, so rendering and permissions stay server-side.
(function () {
  "use strict";
  function start() {
    if (!document.body.dataset.live || typeof io === "undefined") return;
    var socket = io({ transports: ["websocket", "polling"] });
    socket.on("ticket", function (payload) {
      document.body.dispatchEvent(new CustomEvent("ticket-changed", { detail: payload }));
      var own = document.querySelector('[data-ticket-id="' + payload.ticket_id + '"]');
      if (own) own.dispatchEvent(new CustomEvent("this-ticket-changed", { detail: payload }));
    });
  }
  document.addEventListener("htmx:beforeSwap", function (evt) {
    // Show 4xx fragments (validation, permissions) instead of silently ignoring them.
    var status = evt.detail.xhr.status;
    if (status >= 400 && status < 500) {
      evt.detail.shouldSwap = true;
      evt.detail.isError = false;
      evt.detail.target = document.getElementById("flash");
    }
  });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
