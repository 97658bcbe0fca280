// Live screens: the server pushes {event, ticket_id, version}; we let htmx
// re-fetch the affected fragments, so rendering and permissions stay server-side.
(function () {
  "use strict";
  function start() {
    if (!document.body.dataset.live || typeof io === "undefined") return;
    var socket = io({ transports: ["websocket", "polling"] });
    socket.on("connect", function () { document.body.dataset.liveState = "connected"; });
    socket.on("disconnect", function () { document.body.dataset.liveState = "offline"; });
    // An SLA warning or breach does not change the ticket's version: refresh its
    // parts anyway, so the clocks show their new state.
    socket.on("sla", function (payload) {
      document.body.dispatchEvent(new CustomEvent("sla-changed", { detail: payload }));
      var selector = '[data-ticket-id="' + Number(payload.ticket_id) + '"]';
      document.querySelectorAll(selector).forEach(function (part) {
        part.dispatchEvent(new CustomEvent("this-ticket-changed", { detail: payload }));
      });
    });
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
  // SLA countdowns: time left to each running clock's deadline, amber from its
  // warning, red once past it (the server's sweeper then records the breach).
  function countdowns() {
    var now = Date.now();
    document.querySelectorAll(".sla-clock[data-due]").forEach(function (clock) {
      var due = Date.parse(clock.dataset.due);
      var warn = clock.dataset.warn ? Date.parse(clock.dataset.warn) : due;
      var left = Math.round((due - now) / 60000);
      var abs = Math.abs(left);
      var text = (left < 0 ? "-" : "") + (abs >= 60 ? Math.floor(abs / 60) + "h " : "") + (abs % 60) + "m";
      var out = clock.querySelector(".countdown");
      if (out) out.textContent = "(" + text + ")";
      clock.classList.toggle("sla-warn", now >= warn && now < due);
      clock.classList.toggle("sla-late", now >= due);
    });
  }
  document.addEventListener("htmx:afterSettle", countdowns);
  setInterval(countdowns, 15000);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", countdowns);
  else countdowns();
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
