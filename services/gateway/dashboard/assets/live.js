// Live updates of the Integrationsplan dashboard.
//
// Follows /v1/events with EventSource (the session cookie authorizes it).
// On each event it fetches the page again and swaps the parts marked
// data-live, so every figure is computed on the server as on a full load.
// EventSource reconnects by itself and sends Last-Event-ID, so the gateway
// resumes after the last event received; if the browser gives up (a
// refused reconnect), a new EventSource resumes with ?lastEventId=.
(function () {
  "use strict";
  var config = document.getElementById("live-config");
  var statusEl = document.getElementById("live-status");
  if (!config || !statusEl || !window.EventSource || !window.fetch || !window.DOMParser) {
    return;
  }
  var services = config.getAttribute("data-services");
  var types = (config.getAttribute("data-types") || "").split(",").filter(Boolean);
  var feed = document.getElementById("feed");
  var names = {};
  var namesEl = document.getElementById("live-namen");
  if (namesEl) {
    try { names = JSON.parse(namesEl.textContent) || {}; } catch (e) { names = {}; }
  }

  // State visible to the browser tests.
  var state = { lastEventId: "", received: [], opened: 0, refreshes: 0 };
  window.dashboardLive = state;

  var source = null;
  var retryDelay = 1000;
  var retryTimer = null;

  function setStatus(text, s) {
    if (statusEl.textContent !== text) {
      statusEl.textContent = text;
    }
    statusEl.setAttribute("data-state", s);
  }

  function connect() {
    retryTimer = null;
    var url = "/v1/events?services=" + encodeURIComponent(services);
    if (types.length) {
      url += "&types=" + encodeURIComponent(types.join(","));
    }
    if (state.lastEventId) {
      url += "&lastEventId=" + encodeURIComponent(state.lastEventId);
    }
    source = new EventSource(url);
    source.onopen = function () {
      retryDelay = 1000;
      state.opened++;
      setStatus("Live verbunden: Änderungen erscheinen ohne neues Laden.", "verbunden");
      // Changes between the page's rendering and this subscription (or
      // while it was down) reach the page with one refresh; the random
      // delay spreads the viewers' refreshes after a gateway restart.
      scheduleRefresh(Math.random() * 1000);
    };
    source.onerror = function (e) {
      if (e && e.data) {
        // The gateway ended the stream with an error event; EventSource
        // reconnects with Last-Event-ID.
        setStatus("Live-Verbindung unterbrochen – verbinde neu …", "getrennt");
        return;
      }
      if (source.readyState === EventSource.CLOSED) {
        setStatus("Live-Verbindung getrennt – neuer Versuch in " + Math.round(retryDelay / 1000) + " s …", "getrennt");
        source.close();
        if (!retryTimer) {
          retryTimer = setTimeout(connect, retryDelay);
          retryDelay = Math.min(retryDelay * 2, 30000);
        }
      } else {
        setStatus("Live-Verbindung unterbrochen – verbinde neu …", "getrennt");
      }
    };
    types.forEach(function (t) { source.addEventListener(t, onEvent); });
  }

  function onEvent(e) {
    if (e.lastEventId) {
      state.lastEventId = e.lastEventId;
    }
    var data = null;
    try { data = JSON.parse(e.data); } catch (err) { data = null; }
    if (data) {
      state.received.push(data.id);
      addToFeed(e.type, data);
    }
    scheduleRefresh(250);
  }

  // The feed names what changed in words; participants and cases never
  // appear (only which offer or stage).
  function describe(type, data) {
    var p = data.payload || {};
    var short = type.substring(type.lastIndexOf(".") + 1);
    var measure = function (id) { return (names.measures && names.measures[id]) || id; };
    var actor = function (id) { return (names.actors && names.actors[id]) || id; };
    var offer = function (id) { return (names.offers && names.offers[id]) || "Angebot " + id; };
    var place = function (id) {
      return (id || "").split("-").map(function (w, i) {
        return i > 0 && ["am", "an", "im", "in", "der", "bei"].indexOf(w) >= 0 ? w : w.charAt(0).toUpperCase() + w.slice(1);
      }).join(" ");
    };
    var level = function (l) { return l === "CEFR_LEVEL_ALPHA" ? "Alpha" : (l || "").replace("CEFR_LEVEL_", ""); };
    var label = function (map, key) { return (names[map] && names[map][key]) || key || ""; };
    switch (short) {
      case "AdoptionStatusChanged":
        var text = "Maßnahme " + measure(p.measureId) + " – " + actor(p.actorId) + ": " +
          (p.fromStatus ? label("adoption", p.fromStatus) + " → " : "") + label("adoption", p.toStatus);
        if (p.toStatus === "ADOPTION_STATUS_IN_PROGRESS" || p.toStatus === "ADOPTION_STATUS_PAUSED") {
          text += " (" + (p.progressPercent || 0) + " %)";
        }
        return text;
      case "MeasureCreated": return "Neue Maßnahme " + (p.number || "") + ": " + (p.title || "");
      case "ActorCreated": return "Neuer Akteur: " + (p.displayName || p.actorId || "");
      case "ProviderCreated": return "Neuer Bildungsträger: " + (p.displayName || p.providerId || "");
      case "OfferCreated": return "Neues Angebot: " + (p.title || "");
      case "OfferStatusChanged":
        return offer(p.offerId) + ": " + label("offer", p.fromStatus) + " → " + label("offer", p.toStatus);
      case "ReferralCreated":
        return "Neue Vermittlung in " + offer(p.offerId) + " (" + label("referral", p.status) + ")";
      case "ReferralStatusChanged":
        return "Vermittlung in " + offer(p.offerId) + ": " + label("referral", p.fromStatus) + " → " + label("referral", p.toStatus);
      case "OfferFull": return offer(p.offerId) + " ist ausgebucht";
      case "GapOpened":
        return "Versorgungslücke offen: " + place(p.municipality) + ", " + level(p.level) + " (" + (p.waitingParticipants || 0) + " wartend, " + (p.freePlaces || 0) + " Plätze frei)";
      case "GapClosed":
        return "Versorgungslücke geschlossen: " + place(p.municipality) + ", " + level(p.level);
      case "ProcessVersionPublished": return "Arbeitsmarkt: neue Version des Standardprozesses";
      case "CaseOpened": return "Arbeitsmarkt: ein Fall wurde eröffnet";
      case "CaseStageChanged": return "Arbeitsmarkt: ein Fall hat die Stufe gewechselt";
      case "CaseOverdue": return "Arbeitsmarkt: ein Fall ist überfällig";
      case "CaseClosed": return "Arbeitsmarkt: ein Fall wurde abgeschlossen";
      case "CaseMigrated": return "Arbeitsmarkt: ein Fall wurde auf eine neue Prozessversion umgestellt";
      case "PilotProjectCreated": return "Arbeitsmarkt: neues Pilotprojekt";
      case "PilotOutcomeRecorded": return "Arbeitsmarkt: Ergebnisse eines Pilotprojekts erfasst";
      case "OrientationEventScheduled": return "Arbeitsmarkt: Orientierungsveranstaltung geplant";
      case "OrientationEventHeld": return "Arbeitsmarkt: Orientierungsveranstaltung durchgeführt";
    }
    return "Änderung (" + short + ")";
  }

  function addToFeed(type, data) {
    if (!feed) {
      return;
    }
    var li = document.createElement("li");
    li.setAttribute("data-event-id", data.id || "");
    var when = data.time ? new Date(data.time) : new Date();
    var time = document.createElement("time");
    time.setAttribute("datetime", when.toISOString());
    try {
      time.textContent = when.toLocaleTimeString("de-DE", { timeZone: "Europe/Berlin" });
    } catch (e) {
      time.textContent = when.toLocaleTimeString("de-DE");
    }
    li.appendChild(time);
    li.appendChild(document.createTextNode(describe(type, data)));
    feed.insertBefore(li, feed.firstChild);
    while (feed.children.length > 100) {
      feed.removeChild(feed.lastChild);
    }
  }

  // Refreshing: one fetch at a time and at most one a second, as every
  // viewer behind a key shares its rate limit; events during a fetch lead
  // to one more afterwards.
  var minRefreshGap = 1000;
  var lastRefresh = 0;
  var refreshTimer = null;
  var refreshing = false;
  var again = false;

  function scheduleRefresh(delay) {
    if (refreshing) {
      again = true;
      return;
    }
    if (refreshTimer) {
      return;
    }
    refreshTimer = setTimeout(refresh, Math.max(delay, lastRefresh + minRefreshGap - Date.now()));
  }

  function refresh() {
    refreshTimer = null;
    refreshing = true;
    lastRefresh = Date.now();
    fetch(location.href, { credentials: "same-origin", cache: "no-store", headers: { "X-Dashboard-Live": "1" } })
      .then(function (res) {
        if (res.status === 401) {
          setStatus("Sitzung abgelaufen: bitte neu anmelden.", "getrennt");
          if (source) { source.close(); }
          throw new Error("session");
        }
        if (!res.ok) {
          throw new Error("HTTP " + res.status);
        }
        return res.text();
      })
      .then(function (html) {
        swap(new DOMParser().parseFromString(html, "text/html"));
        state.refreshes++;
      })
      .catch(function () { /* the next event tries again */ })
      .then(function () {
        refreshing = false;
        if (again) {
          again = false;
          scheduleRefresh(250);
        }
      });
  }

  function swap(doc) {
    var parts = document.querySelectorAll("[data-live]");
    for (var i = 0; i < parts.length; i++) {
      var old = parts[i];
      if (!old.id) {
        continue;
      }
      var fresh = doc.getElementById(old.id);
      if (!fresh || fresh.innerHTML === old.innerHTML) {
        continue;
      }
      var changed = changedCells(old, fresh);
      var focusKey = focusedKey(old);
      old.innerHTML = fresh.innerHTML;
      restoreFocus(old, focusKey);
      changed.forEach(function (id) {
        var cell = document.getElementById(id);
        if (cell) {
          cell.classList.add("changed");
          setTimeout(function () { cell.classList.remove("changed"); }, 4000);
        }
      });
    }
  }

  function changedCells(old, fresh) {
    var out = [];
    var cells = fresh.querySelectorAll("[data-status][id]");
    for (var i = 0; i < cells.length; i++) {
      var before = old.querySelector("#" + CSS.escape(cells[i].id));
      if (before && before.getAttribute("data-status") !== cells[i].getAttribute("data-status")) {
        out.push(cells[i].id);
      }
    }
    return out;
  }

  // Keyboard focus inside a swapped part returns to the same link.
  function focusedKey(part) {
    var a = document.activeElement;
    if (!a || a === document.body || !part.contains(a)) {
      return null;
    }
    return a.id ? "#" + CSS.escape(a.id) : (a.getAttribute("href") ? "[href=\"" + CSS.escape(a.getAttribute("href")) + "\"]" : null);
  }

  function restoreFocus(part, key) {
    if (!key) {
      return;
    }
    var el = part.querySelector(key);
    if (el) {
      el.focus();
    }
  }

  connect();
})();
