// The customer's chat page (/chat). Talks Socket.IO on namespace /chat and keeps the
// chat's signed token, so a reload or a dropped connection resumes the same
// conversation: in its own localStorage when the browser allows it, and, when framed
// by static/chat-widget.js, with the embedding page too (browsers often refuse storage
// to a frame from another site); the widget gives it back in the frame's #token=.
// Everything anyone wrote is set with textContent, never as markup. Lines are sent
// one at a time, each with its own id: a line resent after a reconnect is stored once.
(function () {
  "use strict";
  var TOKEN = "servicedesk.chat.token";
  var body = document.body;
  var strings = JSON.parse(document.getElementById("chat-strings").textContent);
  var $ = function (id) { return document.getElementById(id); };
  var linesBox = $("chat-lines");
  var chat = null;          // the chat as the server last described it
  var shown = {};           // line elements by server id and by client id
  var outbox = [];          // the customer's lines not yet acknowledged, in order
  var sending = false;
  var typingSent = 0, typingTimer = null, agentTypingTimer = null, retryTimer = null;
  var given = /[#&]token=([^&]+)/.exec(location.hash);
  var parentToken = given ? decodeURIComponent(given[1]) : null;
  if (given) history.replaceState(null, "", location.pathname + location.search);

  function storage() {
    try { return window.localStorage; } catch (e) { return null; }  // refused to a framed page
  }
  function savedToken() {
    var own = null;
    try { own = storage() && storage().getItem(TOKEN); } catch (e) { own = null; }
    return own || parentToken;
  }
  function keepToken(token) {
    parentToken = token;
    try { if (storage()) storage().setItem(TOKEN, token); } catch (e) { /* memory only */ }
    tell(chat ? chat.state : "open", token);
    langLink("token=" + encodeURIComponent(token));
  }
  function forgetToken() {
    parentToken = null;
    try { if (storage()) storage().removeItem(TOKEN); } catch (e) { /* nothing kept */ }
    langLink("");
  }
  function langLink(hash) {  // switching language keeps the chat, storage or not
    var link = document.querySelector(".chat-lang");
    if (link) link.hash = hash;
  }

  function t(key, values) {
    var text = strings[key] || key;
    Object.keys(values || {}).forEach(function (name) {
      text = text.split("{" + name + "}").join(String(values[name]));
    });
    return text;
  }

  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function tell(state, token) {  // the embedding page's button (static/chat-widget.js) listens
    if (window.parent === window) return;
    var note = { servicedeskChat: state };
    if (token) note.token = token;
    window.parent.postMessage(note, "*");
  }

  function showError(error) {
    var box = $("chat-error");
    if (!error) { box.hidden = true; box.textContent = ""; return; }
    var key = "chat_error_" + error.code;
    var text = strings[key] ? t(key, { seconds: (error.fields || {}).retry_after || "" }) : t("chat_error_other");
    box.textContent = text;
    box.hidden = false;
  }

  function fieldErrors(fields) {
    ["name", "email", "text"].forEach(function (name) {
      var out = $("chat-" + name + "-error");
      var problem = (fields || {})[name];
      out.hidden = !problem;
      out.textContent = problem ? t("chat_error_" + problem) : "";
    });
  }

  function time(iso) {
    var at = iso ? new Date(iso) : new Date();
    return at.toLocaleTimeString(document.documentElement.lang, { hour: "2-digit", minute: "2-digit" });
  }

  function render(line) {
    // One line of the conversation; a line already shown is updated in place.
    var item = shown["id:" + line.id] || (line.client_id && shown["client:" + line.client_id]);
    if (!item) {
      item = document.createElement("li");
      var who = document.createElement("span"); who.className = "who";
      var text = document.createElement("p"); text.className = "text"; text.dir = "auto";
      var meta = document.createElement("span"); meta.className = "meta"; meta.dir = "ltr";
      item.appendChild(who); item.appendChild(text); item.appendChild(meta);
      linesBox.appendChild(item);
    }
    var mine = line.from === "customer";
    item.className = "line " + (mine ? "line-customer" : "line-agent");
    item.children[0].textContent = mine ? t("chat_you") : (line.name || t("chat_agent"));
    item.children[1].textContent = line.text;
    var state = mine ? (line.status || "sent") : "";
    item.dataset.state = state;
    item.children[2].textContent = time(line.at) + (state ? " · " + t("chat_" + state.replace("-", "_")) : "");
    if (line.id) { item.dataset.id = line.id; shown["id:" + line.id] = item; }
    if (line.client_id) shown["client:" + line.client_id] = item;
    linesBox.scrollTop = linesBox.scrollHeight;
    return item;
  }

  function describe(c) {
    chat = c;
    var live = c.state !== "ended";
    var status = c.state === "waiting" ? t("chat_state_waiting")
      : c.state === "active" ? (c.agent ? t("chat_state_active", { agent: c.agent }) : t("chat_state_active_anonymous"))
      : "";
    $("chat-status").textContent = status;
    var notice = $("chat-notice");
    notice.hidden = live;
    notice.textContent = live ? "" : t("chat_end_" + c.end_reason, { email: c.email, ticket: c.ticket });
    $("chat-compose").hidden = !live;
    $("chat-end").hidden = !live;
    $("chat-new").hidden = live;
    if (!live) { $("chat-typing").hidden = true; outbox.forEach(function (l) { l.status = "not-sent"; render(l); }); outbox = []; }
    tell(c.state);
  }

  function opened(answer) {
    $("chat-start").hidden = true;
    $("chat-conversation").hidden = false;
    var agentLines = [];
    answer.messages.forEach(function (line) {
      render(line);
      if (line.from === "agent" && line.delivery !== "delivered") agentLines.push(line.id);
    });
    describe(answer.chat);
    keepToken(answer.token);
    acknowledge(agentLines);
    flush();
  }

  function showStart() {
    chat = null;
    $("chat-conversation").hidden = true;
    $("chat-start").hidden = false;
    $("chat-status").textContent = "";
  }

  function acknowledge(ids) {
    if (ids.length) socket.emit("delivered", { ids: ids.slice(0, 100) });
  }

  function flush() {
    // The oldest unacknowledged line, then the next: lines arrive in order.
    if (sending || !outbox.length || !socket.connected || !chat || chat.state === "ended") return;
    sending = true;
    var line = outbox[0];
    socket.emit("message", { id: line.client_id, text: line.text }, function (answer) {
      sending = false;
      if (answer && answer.ok) {
        outbox.shift();
        line.id = answer.message.id; line.at = answer.message.at; line.status = "sent";
        render(line);
        showError(null);
        flush();
        return;
      }
      var error = (answer && answer.error) || { code: "other" };
      if (error.code === "rate_limited") {
        var wait = Number((error.fields || {}).retry_after || 5) * 1000;
        clearTimeout(retryTimer);
        retryTimer = setTimeout(flush, wait);
      } else if (error.code !== "unavailable") {
        outbox.shift(); line.status = "not-sent"; render(line); flush();
      }
    });
  }

  var socket = io("/chat", { transports: ["websocket", "polling"] });

  socket.on("connect", function () {
    body.dataset.connection = "connected";
    if (chat && chat.state !== "ended") $("chat-status").textContent = "";
    var token = savedToken();
    if (!token) { showStart(); return; }
    socket.emit("resume", { token: token }, function (answer) {
      if (answer && answer.ok) { showError(null); opened(answer); return; }
      if (answer && (answer.error.code === "bad_token" || answer.error.code === "no_chat")) {
        forgetToken();
        showStart();
      }
    });
  });
  socket.on("disconnect", function () {
    body.dataset.connection = "offline";
    sending = false;
    $("chat-status").textContent = t("chat_offline");
  });
  socket.on("chat.message", function (line) {
    render(line);
    if (line.from === "agent") { $("chat-typing").hidden = true; acknowledge([line.id]); }
  });
  socket.on("chat.state", describe);
  socket.on("chat.typing", function (data) {
    var box = $("chat-typing");
    clearTimeout(agentTypingTimer);
    box.hidden = !data.typing;
    box.textContent = data.typing ? t("chat_typing", { name: data.name || t("chat_agent") }) : "";
    if (data.typing) agentTypingTimer = setTimeout(function () { box.hidden = true; }, 8000);
  });
  socket.on("chat.error", function (error) {
    if (error.event === "resume" && error.code === "bad_token") { showError(error); return; }
    if (error.event !== "start") showError(error);
  });

  $("chat-start").addEventListener("submit", function (evt) {
    evt.preventDefault();
    var form = evt.target;
    var data = {
      name: form.name.value, email: form.email.value, text: form.text.value,
      id: newId(), language: body.dataset.lang, queue: body.dataset.queue
    };
    var missing = {};
    ["name", "email", "text"].forEach(function (f) { if (!data[f].trim()) missing[f] = "required"; });
    fieldErrors(missing);
    if (Object.keys(missing).length) return;
    form.querySelector("button").disabled = true;
    socket.emit("start", data, function (answer) {
      form.querySelector("button").disabled = false;
      if (answer && answer.ok) { fieldErrors({}); showError(null); form.text.value = ""; opened(answer); return; }
      var error = (answer && answer.error) || { code: "other" };
      fieldErrors(error.fields);
      if (error.code !== "invalid") showError(error);
    });
  });

  $("chat-compose").addEventListener("submit", function (evt) {
    evt.preventDefault();
    var box = $("chat-text");
    var text = box.value.trim();
    if (!text) return;
    box.value = "";
    stopTyping();
    var line = { client_id: newId(), from: "customer", text: text, status: "sending" };
    render(line);
    outbox.push(line);
    flush();
  });
  $("chat-text").addEventListener("keydown", function (evt) {
    if (evt.key === "Enter" && !evt.shiftKey) { evt.preventDefault(); $("chat-compose").requestSubmit(); }
  });
  $("chat-text").addEventListener("input", function () {
    var now = Date.now();
    if (now - typingSent > 2000) { socket.emit("typing", { typing: true }); typingSent = now; }
    clearTimeout(typingTimer);
    typingTimer = setTimeout(stopTyping, 3000);
  });
  function stopTyping() {
    clearTimeout(typingTimer);
    if (typingSent) { socket.emit("typing", { typing: false }); typingSent = 0; }
  }

  $("chat-end").addEventListener("click", function () {
    if (!window.confirm(t("chat_confirm_end"))) return;
    socket.emit("end", {}, function (answer) { if (answer && answer.ok) describe(answer.chat); });
  });
  $("chat-new").addEventListener("click", function () {
    forgetToken();
    linesBox.textContent = "";
    shown = {}; outbox = [];
    showError(null);
    showStart();
    tell("new");
  });
})();
