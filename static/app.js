// Live screens on the Socket.IO namespace /live. The server pushes ids, never HTML
// (servicedesk/live/pushes.py); htmx re-fetches the affected fragments, so rendering
// and permissions stay server-side.
//
// The contract other scripts and templates build on:
// - every push is dispatched on <body> as a CustomEvent "live-" + its name with dots
//   as dashes (live-ticket-created, live-ticket-updated, live-ticket-assigned,
//   live-offer-created, live-offer-expired, live-sla-warning, live-sla-breached,
//   live-sla-escalated, live-queue-changed, live-agent-presence), detail = payload;
// - ticket and SLA pushes also dispatch "ticket-changed" / "sla-changed" on <body> and
//   "this-ticket-changed" on each [data-ticket-id] part of that ticket;
// - after a reconnect (never on the first connect) the screen asks the server for
//   its state ("resync") and dispatches "live-resync" (detail = that state: presence,
//   pending offers, queue counts) on <body>, then every refresh event: "ticket-changed",
//   "sla-changed", "live-queue-changed" per queue, "live-agent-presence" for me,
//   "live-offer-created" per pending offer (detail.resync = true: offer screens keep one
//   entry per offer_id and drop those missing from live-resync's offers), and
//   "this-ticket-changed" on every [data-ticket-id] part: nothing stays stale;
// - window.liveSocket is the socket, for scripts that emit (resync); offers are
//   taken and declined over HTTP.
(function () {
  "use strict";
  var PUSHES = [
    "ticket.created", "ticket.updated", "ticket.assigned",
    "offer.created", "offer.expired",
    "sla.warning", "sla.breached", "sla.escalated",
    "queue.changed", "agent.presence",
  ];
  function fire(target, name, detail) {
    target.dispatchEvent(new CustomEvent(name, { detail: detail }));
  }
  function partsOf(ticketId) {
    return document.querySelectorAll('[data-ticket-id="' + Number(ticketId) + '"]');
  }
  function start() {
    if (!document.body.dataset.live || typeof io === "undefined") return;
    var socket = io("/live", { transports: ["websocket", "polling"] });
    window.liveSocket = socket;
    var connectedBefore = false;
    socket.on("connect", function () {
      if (connectedBefore) resync();
      connectedBefore = true;
      // A ticket screen watches its ticket: the customer's typing in a web chat.
      var page = document.querySelector("[data-watch-ticket]");
      if (page) {
        socket.emit("watch", { ticket_id: Number(page.dataset.watchTicket) }, function () {
          document.body.dataset.liveState = "connected";
        });
      } else {
        document.body.dataset.liveState = "connected";
      }
    });
    socket.on("disconnect", function () { document.body.dataset.liveState = "offline"; });
    // Pushes sent while we were away are lost: ask for the state, refresh everything.
    function resync() {
      socket.emit("resync", {}, function (state) {
        state = state || {};
        fire(document.body, "live-resync", state);
        fire(document.body, "ticket-changed", { resync: true });
        fire(document.body, "sla-changed", { resync: true });
        (state.queues || []).forEach(function (queue) {
          fire(document.body, "live-queue-changed", { queue_id: queue.queue_id, resync: true });
        });
        if (state.user_id) {
          fire(document.body, "live-agent-presence", {
            user_id: state.user_id, status: state.presence, reason: "resync", resync: true,
          });
        }
        (state.offers || []).forEach(function (offer) {
          fire(document.body, "live-offer-created", Object.assign({ resync: true }, offer));
        });
        document.querySelectorAll("[data-ticket-id]").forEach(function (part) {
          fire(part, "this-ticket-changed", { resync: true });
        });
      });
    }
    PUSHES.forEach(function (name) {
      socket.on(name, function (payload) {
        fire(document.body, "live-" + name.replace(/\./g, "-"), payload);
      });
    });
    // A push can overtake a fragment's request (a reply's own answer, say, rendered
    // just before the customer's widget acknowledged it): a part without a version
    // (the conversation) swapped in from a request older than the latest push about
    // its ticket fetches itself again.
    var heard = {};
    ["ticket.created", "ticket.updated", "sla.warning", "sla.breached", "sla.escalated"].forEach(
      function (name) {
        socket.on(name, function (payload) {
          heard[payload.ticket_id] = (heard[payload.ticket_id] || 0) + 1;
        });
      }
    );
    document.addEventListener("htmx:beforeRequest", function (evt) {
      evt.detail.xhr.heardBefore = Object.assign({}, heard);
    });
    document.addEventListener("htmx:afterSettle", function (evt) {
      var part = evt.target;
      var before = evt.detail && evt.detail.xhr && evt.detail.xhr.heardBefore;
      var id = part && part.dataset && part.dataset.ticketId;
      if (!before || !id || part.dataset.version || !part.isConnected) return;
      if ((heard[id] || 0) > (before[id] || 0)) {
        part.dispatchEvent(new CustomEvent("this-ticket-changed"));
      }
    });
    // Every part of an open ticket screen (header, conversation, properties) refreshes,
    // unless it already shows this version (e.g. our own save answered with it): that
    // keeps a "Saved" notice, and never throws away a form for nothing. (An assignment
    // also comes as ticket.updated: refreshing on that one is enough.)
    ["ticket.created", "ticket.updated"].forEach(function (name) {
      socket.on(name, function (payload) {
        fire(document.body, "ticket-changed", payload);
        partsOf(payload.ticket_id).forEach(function (part) {
          var shown = Number(part.dataset.version || 0);
          if (shown && shown >= Number(payload.version)) return;
          fire(part, "this-ticket-changed", payload);
        });
      });
    });
    // An SLA warning or breach does not change the ticket's version: refresh its
    // parts anyway, so the clocks show their new state.
    ["sla.warning", "sla.breached", "sla.escalated"].forEach(function (name) {
      socket.on(name, function (payload) {
        fire(document.body, "sla-changed", payload);
        partsOf(payload.ticket_id).forEach(function (part) {
          fire(part, "this-ticket-changed", payload);
        });
      });
    });
    // Someone else on this ticket: say who is viewing it and who is typing a reply
    // (names set as text, never as markup).
    socket.on("ticket.viewers", function (payload) {
      var box = document.querySelector('[data-collision-ticket="' + Number(payload.ticket_id) + '"]');
      if (!box) return;
      var me = Number(box.dataset.me);
      var others = (payload.viewers || []).filter(function (v) { return v.user_id !== me; });
      var typing = others.filter(function (v) { return v.typing; }).map(function (v) { return v.name; });
      var viewing = others.filter(function (v) { return !v.typing; }).map(function (v) { return v.name; });
      var parts = [];
      if (typing.length) parts.push(box.dataset.typing.replace("{names}", typing.join(", ")));
      if (viewing.length) parts.push(box.dataset.viewing.replace("{names}", viewing.join(", ")));
      box.textContent = parts.join(" · ");
      box.hidden = parts.length === 0;
      box.dataset.others = String(others.length);
    });
    socket.on("typing", function (payload) {
      var box = document.querySelector('[data-typing-ticket="' + Number(payload.ticket_id) + '"]');
      if (!box) return;
      clearTimeout(box.typingTimer);
      box.hidden = !payload.typing;
      if (payload.typing) box.typingTimer = setTimeout(function () { box.hidden = true; }, 8000);
    });
    socket.on("chat", function (payload) {
      // A chat was given to me: say so, with a link (built as DOM, never as markup).
      if (payload.event !== "chat.assigned") return;
      var flash = document.getElementById("flash");
      if (!flash) return;
      var note = document.createElement("div");
      note.className = "flash ok chat-assigned";
      note.setAttribute("role", "status");
      note.appendChild(document.createTextNode((document.body.dataset.chatAssigned || "") + " "));
      var link = document.createElement("a");
      link.href = "/tickets/" + Number(payload.number);
      link.textContent = "#" + Number(payload.number);
      note.appendChild(link);
      flash.appendChild(note);
    });
    // Typing a reply on a chat ticket: the customer's widget shows "… is typing".
    document.addEventListener("input", function (evt) {
      var box = evt.target;
      // Any ticket's reply box: other agents on the ticket see "… typing a reply".
      if (!box.dataset || !(box.dataset.replyTicket || box.dataset.chatTicket)) return;
      var id = Number(box.dataset.replyTicket || box.dataset.chatTicket);
      var now = Date.now();
      if (now - (box.typingAt || 0) > 2000) {
        socket.emit("typing", { ticket_id: id, typing: true });
        box.typingAt = now;
      }
      clearTimeout(box.typingStop);
      box.typingStop = setTimeout(function () {
        socket.emit("typing", { ticket_id: id, typing: false });
        box.typingAt = 0;
      }, 3000);
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
