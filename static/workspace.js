// The agent's desk on every staff page: offers pop up wherever the agent is (with
// their countdown), and the common actions have keys. Offers, presence and queues
// are server-rendered fragments; this file only counts down and presses buttons.
(function () {
  "use strict";

  // An offer's seconds left, from its expiry instant; at zero the server's router
  // times it out and /live says so, which re-fetches the offers part.
  function tick() {
    var now = Date.now();
    document.querySelectorAll(".offer[data-expires]").forEach(function (offer) {
      var left = Math.max(0, Math.ceil((Date.parse(offer.dataset.expires) - now) / 1000));
      var out = offer.querySelector(".offer-countdown");
      if (out) out.textContent = left + "s";
      offer.classList.toggle("offer-ending", left <= 5);
    });
  }
  setInterval(tick, 250);
  document.addEventListener("htmx:afterSettle", tick);

  // Pages other than the workspace get a tray that shows the agent's offers.
  function tray() {
    if (document.querySelector("[data-workspace]") || !document.body.dataset.agent) return;
    var box = document.createElement("div");
    box.id = "offer-tray";
    box.setAttribute("aria-live", "assertive");
    box.setAttribute("hx-get", "/workspace/offers");
    box.setAttribute("hx-trigger",
      "load, live-offer-created from:body, live-offer-expired from:body, live-resync from:body");
    document.body.appendChild(box);
    if (window.htmx) window.htmx.process(box);
  }

  function typing(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }

  function press(selector) {
    var el = document.querySelector(selector);
    if (!el) return false;
    el.click();
    return true;
  }

  var keys = {
    a: function () { return press(".offer .offer-accept"); },
    d: function () { return press(".offer .offer-decline"); },
    n: function () { return press("#ws-next"); },
    s: function () {
      var select = document.getElementById("ws-status");
      if (!select) return false;
      select.value = select.value === "available" ? "away" : "available";
      select.dispatchEvent(new Event("change", { bubbles: true }));
      return true;
    },
    r: function () { return reply("public"); },
    i: function () { return reply("internal"); }
  };

  function reply(kind) {
    var body = document.getElementById("reply-body");
    if (!body) return false;
    var radio = document.querySelector('input[name="kind"][value="' + kind + '"]');
    if (radio) radio.checked = true;
    body.focus();
    return true;
  }

  document.addEventListener("keydown", function (evt) {
    if (evt.key === "Escape" && typing(evt.target)) { evt.target.blur(); return; }
    if (evt.ctrlKey || evt.metaKey || evt.altKey || typing(evt.target)) return;
    var action = keys[evt.key.toLowerCase()];
    if (action && action()) evt.preventDefault();
  });

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", tray);
  else tray();
})();
