// The embeddable chat button. On any site:
//
//   <script src="https://DESK/static/chat-widget.js" data-lang="he" data-queue="Sales" async></script>
//
// It adds a button that opens the desk's /chat page in a frame (same origin as the
// desk, so nothing of the site is shared with it and the desk's Socket.IO server
// needs no cross-origin access). A chat in progress stays open across the site's
// pages: the frame hands us its token (browsers often refuse storage to a frame from
// another site), we keep it in this site's storage and give it back to the frame.
// Options: data-lang (he|en), data-queue (a queue's name), data-label (the button's
// text), data-position (left|right).
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.__servicedeskChat) return;
  window.__servicedeskChat = true;
  var desk = new URL(script.src, location.href).origin;
  var pageLang = (document.documentElement.lang || navigator.language || "").slice(0, 2);
  var lang = script.getAttribute("data-lang") || (pageLang === "he" ? "he" : "en");
  var label = script.getAttribute("data-label") || (lang === "he" ? "צ׳אט עם נציג" : "Chat with us");
  var side = script.getAttribute("data-position") === "left" ? "left" : "right";
  var OPEN = "servicedesk.chat.open." + desk;
  var TOKEN = "servicedesk.chat.token." + desk;
  function stored(key, value) {  // get, set (value) or remove (null); storage may be off
    try {
      if (value === undefined) return localStorage.getItem(key);
      if (value === null) localStorage.removeItem(key); else localStorage.setItem(key, value);
    } catch (e) { /* storage off: the chat lasts as long as the page */ }
    return null;
  }
  var query = new URLSearchParams({ embed: "1", lang: lang });
  if (script.getAttribute("data-queue")) query.set("queue", script.getAttribute("data-queue"));

  var button = document.createElement("button");
  button.type = "button";
  button.textContent = label;
  button.setAttribute("aria-expanded", "false");
  button.setAttribute("data-servicedesk-chat", "button");
  var style = button.style;
  style.position = "fixed"; style.bottom = "20px"; style[side] = "20px"; style.zIndex = "2147483646";
  style.padding = "12px 18px"; style.border = "0"; style.borderRadius = "24px"; style.cursor = "pointer";
  style.background = "#1f6feb"; style.color = "#fff"; style.font = "600 15px system-ui, Arial, sans-serif";
  style.boxShadow = "0 4px 16px rgba(0,0,0,.2)";

  var frame = null;
  function open(show) {
    if (!frame) {
      frame = document.createElement("iframe");
      var token = stored(TOKEN);
      frame.src = desk + "/chat?" + query.toString() + (token ? "#token=" + encodeURIComponent(token) : "");
      frame.title = label;
      frame.setAttribute("data-servicedesk-chat", "frame");
      var f = frame.style;
      f.position = "fixed"; f.bottom = "80px"; f[side] = "20px"; f.zIndex = "2147483647";
      f.width = "min(380px, calc(100vw - 40px))"; f.height = "min(560px, calc(100vh - 100px))";
      f.border = "1px solid #e4e7ec"; f.borderRadius = "12px"; f.background = "#fff";
      f.boxShadow = "0 8px 32px rgba(0,0,0,.25)";
      document.body.appendChild(frame);
    }
    frame.style.display = show ? "block" : "none";
    button.setAttribute("aria-expanded", String(show));
    stored(OPEN, show ? "1" : null);
  }
  button.addEventListener("click", function () { open(!frame || frame.style.display === "none"); });
  window.addEventListener("message", function (evt) {
    // Only the desk's own page speaks to us; a chat that is over closes with the panel.
    if (evt.origin !== desk || !evt.data || typeof evt.data.servicedeskChat !== "string") return;
    if (typeof evt.data.token === "string") stored(TOKEN, evt.data.token);
    if (evt.data.servicedeskChat === "new") stored(TOKEN, null);
  });

  function ready() {
    document.body.appendChild(button);
    if (stored(OPEN) === "1") open(true);
  }
  if (document.body) ready(); else document.addEventListener("DOMContentLoaded", ready);
})();
