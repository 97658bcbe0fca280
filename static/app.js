// Live screens: the server pushes {event, ticket_id, version}; we let htmx
// re-fetch the affected fragments, so rendering and permissions stay server-side.
(function () {
  "use strict";
  function start() {
    if (!document.body.dataset.live || typeof io === "undefined") return;
    var socket = io({ transports: ["websocket", "polling"] });
    socket.on("connect", function () { document.body.dataset.liveState = "connected"; });
    socket.on("disconnect", function () { document.body.dataset.liveState = "offline"; });
    socket.on("ticket", function (payload) {
      document.body.dispatchEvent(new CustomEvent("ticket-changed", { detail: payload }));
      // Every part of an open ticket screen (header, conversation, properties) refreshes,
      // unless it already shows this version (e.g. our own save answered with it): that
      // keeps a "Saved" notice, and never throws away a form for nothing.
      var selector = '[data-ticket-id="' + Number(payload.ticket_id) + '"]';
      document.querySelectorAll(selector).forEach(function (part) {
        var shown = Number(part.dataset.version || 0);
        if (shown && shown >= Number(payload.version)) return;
        part.dispatchEvent(new CustomEvent("this-ticket-changed", { detail: payload }));
      });
    });
  }
  document.addEventListener("htmx:beforeSwap", function (evt) {
    var xhr = evt.detail.xhr;
    if (xhr.status >= 400 && xhr.status < 500) {
      evt.detail.shouldSwap = true;
      evt.detail.isError = false;
      // A form answered with itself and its errors (HX-Retarget): swap it in place.
      // Anything else (permissions, expired form) goes to the page's error box.
      if (!xhr.getResponseHeader("HX-Retarget")) {
        evt.detail.target = document.getElementById("flash");
      }
    }
  });
  document.addEventListener("htmx:afterRequest", function (evt) {
    // A successful action clears an old error from the page's error box.
    var flash = document.getElementById("flash");
    var status = evt.detail.xhr ? evt.detail.xhr.status : 0;
    if (status >= 200 && status < 300 && evt.detail.requestConfig.verb !== "get" && flash) {
      flash.innerHTML = "";
    }
  });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
