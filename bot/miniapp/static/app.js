// Campaign Copilot's Mini App. Every request carries Telegram's signed initData in the
// Authorization header (never a cookie or the URL). Views are HTML fragments that htmx
// swaps into #view; the actions (move a post, decide on a draft, brand settings) are
// JSON POSTs from here. Drag uses pointer events, so it works with a mouse and a finger.
(function () {
  "use strict";

  var tg = window.Telegram && window.Telegram.WebApp;
  var initData = (tg && tg.initData) || "";
  var view = document.getElementById("view");
  var toastBox = document.getElementById("toast");
  var lastCalendar = "/app/api/view/calendar?view=month";
  var blobUrls = [];
  var toastTimer = null;

  function toast(text, bad) {
    toastBox.textContent = text;
    toastBox.className = bad ? "bad" : "good";
    toastBox.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { toastBox.hidden = true; }, 4000);
  }

  function haptic(kind) {
    if (tg && tg.HapticFeedback) tg.HapticFeedback.notificationOccurred(kind);
  }

  function load(path) {
    if (path.indexOf("/app/api/view/calendar") === 0) lastCalendar = path;
    return htmx.ajax("GET", path, { target: "#view" });
  }

  function post(path, body) {
    return fetch(path, {
      method: "POST",
      headers: { "Authorization": "tma " + initData, "Content-Type": "application/json" },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () {
        return { error: "The server answered " + response.status + "." };
      }).then(function (data) { return { ok: response.ok, status: response.status, data: data }; });
    }, function () {
      return { ok: false, status: 0, data: { error: "No connection. Nothing was changed." } };
    });
  }

  // htmx requests (the views) get the same header.
  document.addEventListener("htmx:config:request", function (event) {
    var ctx = event.detail.ctx;
    ctx.request.headers["Authorization"] = "tma " + initData;
    if (ctx.request.action.indexOf("/app/api/view/calendar") === 0) lastCalendar = ctx.request.action;
  });
  document.addEventListener("htmx:after:swap", function () {
    showImages();
    var kept = keep;
    keep = null;
    if (kept) restore(kept);
    else scrollWeek();
  });
  document.addEventListener("htmx:error", function () {
    toast("No connection. Switch tabs to try again.", true);
  });

  // Tabs.
  function selectTab(name) {
    document.querySelectorAll("[data-tab]").forEach(function (tab) {
      tab.setAttribute("aria-selected", tab.dataset.tab === name ? "true" : "false");
    });
    load(name === "calendar" ? lastCalendar : "/app/api/view/" + name);
  }
  document.querySelectorAll("[data-tab]").forEach(function (tab) {
    tab.addEventListener("click", function () { selectTab(tab.dataset.tab); });
  });

  // Images: fetched with the header, shown through blob: URLs (no tokens in URLs).
  function showImages() {
    blobUrls.forEach(function (url) { URL.revokeObjectURL(url); });
    blobUrls = [];
    view.querySelectorAll("img[data-image]").forEach(function (img) {
      fetch("/app/api/images/" + img.dataset.image, { headers: { "Authorization": "tma " + initData } })
        .then(function (response) { return response.ok ? response.blob() : null; })
        .then(function (blob) {
          if (!blob) return;
          var url = URL.createObjectURL(blob);
          blobUrls.push(url);
          img.src = url;
        }, function () {});
    });
  }

  // The week view opens at its first post, or at 07:00 when it has none.
  function scrollWeek() {
    var grid = view.querySelector(".week-grid");
    if (!grid) return;
    var first = grid.querySelector("[data-item]");
    var row = first ? first.closest("[data-slot]") : grid.querySelector('[data-slot$="T07:00"]');
    var head = grid.querySelector(".day-head");
    // To the row's top edge, just under the sticky day names.
    if (!row) return;
    var offset = row.getBoundingClientRect().top - grid.getBoundingClientRect().top;
    grid.scrollTop = Math.max(0, grid.scrollTop + offset - (head ? head.offsetHeight : 0));
  }

  // Drag a post to another day (month) or hour (week): pointer events, mouse and touch.
  var drag = null;

  function dropTarget(x, y) {
    var under = document.elementFromPoint(x, y);
    return under ? under.closest("[data-date], [data-slot]") : null;
  }

  function newTime(item, target) {
    var time = item.dataset.time; // HH:MM, local to TIMEZONE
    if (target.dataset.date) return target.dataset.date + "T" + time;
    return target.dataset.slot.slice(0, 14) + time.slice(3); // YYYY-MM-DDTHH: + MM
  }

  function sameSlot(item, target) {
    var home = item.closest("[data-date], [data-slot]");
    return home === target;
  }

  function mark(target) {
    if (drag.over === target) return;
    if (drag.over) drag.over.classList.remove("drop");
    drag.over = target;
    if (target) target.classList.add("drop");
  }

  function endDrag() {
    if (!drag) return;
    if (drag.ghost) drag.ghost.remove();
    if (drag.over) drag.over.classList.remove("drop");
    drag.item.classList.remove("dragging");
    drag = null;
  }

  view.addEventListener("pointerdown", function (event) {
    var item = event.target.closest("[data-draggable]");
    if (!item || event.button > 0) return;
    event.preventDefault();
    drag = { item: item, x: event.clientX, y: event.clientY, moved: false, ghost: null, over: null };
    item.setPointerCapture(event.pointerId);
  });

  view.addEventListener("pointermove", function (event) {
    if (!drag) return;
    if (!drag.moved && Math.abs(event.clientX - drag.x) + Math.abs(event.clientY - drag.y) < 6) return;
    if (!drag.moved) {
      drag.moved = true;
      drag.ghost = drag.item.cloneNode(true);
      drag.ghost.classList.add("ghost");
      drag.ghost.removeAttribute("data-item");
      drag.ghost.removeAttribute("data-draggable");
      document.body.appendChild(drag.ghost);
      drag.item.classList.add("dragging");
    }
    drag.ghost.style.transform = "translate(" + (event.clientX + 8) + "px," + (event.clientY + 8) + "px)";
    mark(dropTarget(event.clientX, event.clientY));
  });

  view.addEventListener("pointerup", function (event) {
    if (!drag) return;
    var item = drag.item;
    var moved = drag.moved;
    var target = moved ? dropTarget(event.clientX, event.clientY) : null;
    endDrag();
    if (!moved) { describe(item); return; }
    if (!target || sameSlot(item, target)) return;
    var parts = item.dataset.item.split(":");
    var when = newTime(item, target);
    item.classList.add("moving");
    post("/app/api/posts/" + parts[1] + "/reschedule", { scheduled_at: when }).then(function (answer) {
      toast(answer.data.message || answer.data.error, !answer.ok);
      haptic(answer.ok ? "success" : "error");
      load(lastCalendar);
    });
  });

  view.addEventListener("pointercancel", function () { endDrag(); still = null; });

  // An item that can't move, dragged anyway: say why, rather than nothing at all (it
  // never left its place). Posts that can move are draggable, drafts included.
  var WHY_NOT = {
    published: "it was already published",
    scheduled: "it is being published right now",
    unknown: "its last send may have gone out; settle that in /schedule first",
    failed: "approve it first (/approve)",
    missed: "approve it first (/approve)"
  };
  var still = null;

  view.addEventListener("pointerdown", function (event) {
    var item = event.target.closest("[data-item]:not([data-draggable])");
    still = item && event.button <= 0 ? { item: item, x: event.clientX, y: event.clientY } : null;
  });

  view.addEventListener("pointerup", function (event) {
    if (!still) return;
    var item = still.item;
    var far = Math.abs(event.clientX - still.x) + Math.abs(event.clientY - still.y) >= 6;
    still = null;
    if (!far) return;
    var kind = item.dataset.item.split(":")[0];
    if (kind !== "post") {
      toast("Sequence emails can't be moved here: they go at their sequence's times.", true);
      return;
    }
    var why = WHY_NOT[item.dataset.status] || "it can't take a new time now";
    toast("This post can't be moved: " + why + ".", true);
    haptic("error");
  });

  // A tap on any item (a cell shows only the start of its title) says what it is.
  function describe(item) {
    var title = item.lastChild ? item.lastChild.textContent.trim() : "";
    toast(item.getAttribute("title") + " · " + title, false);
  }
  view.addEventListener("click", function (event) {
    var item = event.target.closest("[data-item]:not([data-draggable])");
    if (item) describe(item);
  });

  // Review cards: approve, reject, regenerate, edit (then save).
  function setBusy(card, busy) {
    card.querySelectorAll("button").forEach(function (button) { button.disabled = busy; });
  }

  function decide(card, body) {
    // What the card showed: a decision on a view older than the item is refused.
    body.revision = parseInt(card.dataset.revision, 10);
    body.status = card.dataset.status;
    setBusy(card, true);
    var path = "/app/api/review/" + card.dataset.kind + "/" + card.dataset.id;
    post(path, body).then(function (answer) {
      if (answer.data.needs_confirmation) {
        setBusy(card, false);
        var approve = card.querySelector('[data-action="approve"]');
        approve.dataset.confirmed = "true";
        approve.textContent = "Approve anyway — I checked it";
        toast(answer.data.error, true);
        return;
      }
      toast(answer.data.message || answer.data.error, !answer.ok);
      haptic(answer.ok ? "success" : "error");
      load("/app/api/view/queue");
    });
  }

  function onCardButton(card, button) {
    var action = button.dataset.action;
    var editor = card.querySelector(".editor");
    var actions = card.querySelector(".actions");
    if (action === "edit") { editor.hidden = false; actions.hidden = true; editor.querySelector("textarea").focus(); return; }
    if (action === "cancel-edit") { editor.hidden = true; actions.hidden = false; return; }
    if (action === "save") { decide(card, { action: "edit", text: editor.querySelector("textarea").value }); return; }
    decide(card, { action: action, confirmed: button.dataset.confirmed === "true" });
  }

  // Brand settings: crew on/off and the threshold.
  function saveBrand(card, id) {
    var threshold = parseInt(card.querySelector('[name="quality_threshold"]').value, 10);
    var body = { crew_enabled: card.querySelector('[name="crew_enabled"]').checked,
                 quality_threshold: isNaN(threshold) ? null : threshold };
    setBusy(card, true);
    post("/app/api/brands/" + id, body).then(function (answer) {
      setBusy(card, false);
      toast(answer.data.message || answer.data.error, !answer.ok);
      if (answer.ok) load("/app/api/view/brands");
    });
  }

  view.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button) return;
    var card = button.closest("[data-card]");
    if (card && button.dataset.action) { onCardButton(card, button); return; }
    var brand = button.closest("[data-brand]");
    if (brand && button.dataset.brandSave) saveBrand(brand, button.dataset.brandSave);
  });

  // Someone is mid-action: typing in an edit box or a field, dragging, or waiting for a
  // decision's answer. Re-reading then would throw their work away.
  function busy() {
    var active = document.activeElement;
    return Boolean(drag || view.querySelector(".editor:not([hidden])") ||
      view.querySelector("[data-card] button:disabled") ||
      (active && view.contains(active) && /INPUT|TEXTAREA|SELECT/.test(active.tagName)));
  }

  function currentTab() {
    var tab = document.querySelector('[data-tab][aria-selected="true"]');
    return tab ? tab.dataset.tab : null;
  }

  // Back in view (another app, the chat): read again, so decisions made in the chat show.
  function refresh() {
    var tab = currentTab();
    if (!busy() && tab && initData) selectTab(tab);
  }

  // Live enough: while the app is in view, the calendar and the queue re-read every 20 s,
  // so a decision taken in the chat shows here too. Nothing is read while the app is
  // hidden or someone is busy; an open "similar to" stays open and the week keeps its scroll.
  var POLL_MS = 20000;
  var pollTimer = null;
  var keep = null;

  function poll() {
    pollTimer = null;
    var tab = currentTab();
    if (!document.hidden && initData && !busy() && (tab === "calendar" || tab === "queue")) {
      var grid = view.querySelector(".week-grid");
      keep = {
        open: Array.prototype.map.call(view.querySelectorAll("[data-card] details[open]"),
          function (details) { return details.closest("[data-card]").dataset.card; }),
        weekTop: grid ? grid.scrollTop : null
      };
      load(tab === "calendar" ? lastCalendar : "/app/api/view/queue");
    }
    startPolling();
  }

  function startPolling() {
    clearTimeout(pollTimer);
    pollTimer = document.hidden ? null : setTimeout(poll, POLL_MS);
  }

  function stopPolling() {
    clearTimeout(pollTimer);
    pollTimer = null;
  }

  // After a poll's swap: what the person had open stays open, where they were stays put.
  function restore(kept) {
    kept.open.forEach(function (key) {
      var details = view.querySelector('[data-card="' + key + '"] details');
      if (details) details.open = true;
    });
    var grid = view.querySelector(".week-grid");
    if (grid && kept.weekTop !== null) grid.scrollTop = kept.weekTop;
  }

  document.addEventListener("visibilitychange", function () {
    if (document.hidden) { stopPolling(); return; }
    refresh();
    startPolling();
  });

  // Theme: Telegram sets the --tg-theme-* variables; the scheme picks our fallbacks.
  function applyScheme() {
    document.documentElement.dataset.scheme = (tg && tg.colorScheme) || "light";
  }

  function start() {
    applyScheme();
    if (tg) {
      tg.ready();
      tg.expand();
      tg.onEvent("themeChanged", applyScheme);
      tg.onEvent("activated", function () { refresh(); startPolling(); });
      tg.onEvent("deactivated", stopPolling);
    }
    if (!initData) {
      view.innerHTML = "";
      var box = document.createElement("div");
      box.className = "refusal";
      box.dataset.refusal = "401";
      box.setAttribute("role", "alert");
      box.textContent = "Open this dashboard from Telegram: send /dashboard to the bot.";
      view.appendChild(box);
      return;
    }
    selectTab("calendar");
    startPolling();
  }

  // Deferred like htmx, so this runs before DOMContentLoaded and after htmx set itself up.
  if (document.readyState === "complete") start();
  else document.addEventListener("DOMContentLoaded", start);
})();
