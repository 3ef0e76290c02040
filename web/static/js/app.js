// Microlab's page behaviour: keyboard shortcuts for quizzes and review.
// Everything here is an enhancement; every page works without it.
(function () {
  "use strict";

  function typing(ev) {
    var t = ev.target;
    return t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName) && t.type !== "radio" && t.type !== "checkbox");
  }

  // The server shows due times on the learner's clock and starts their
  // review day at 4:00 their time: tell it the time zone.
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    var cookie = "tz=" + encodeURIComponent(zone);
    if (zone && document.cookie.split("; ").indexOf(cookie) < 0) {
      document.cookie = cookie + "; path=/; max-age=31536000; samesite=lax" + (location.protocol === "https:" ? "; secure" : "");
    }
  } catch (e) { /* no Intl: the pages say UTC */ }

  // After htmx swaps a new question or its feedback into the quiz card,
  // focus goes where a reader continues (the question, the feedback, or
  // what was wrong with the answer) instead of falling back to <body>.
  document.addEventListener("htmx:afterSwap", function (ev) {
    var target = ev.detail && ev.detail.target;
    if (!target || target.id !== "quiz-card") return;
    var next = target.querySelector("[data-focus]");
    if (next) next.focus();
  });

  // Ordering questions: without JavaScript each item has a position menu.
  // With it, the items themselves move (drag them, or focus one and use
  // the arrow keys or its buttons) and the menus follow the list, so the
  // form sends what the reader sees.
  function enhanceOrdering(root) {
    var list = root.querySelector("ol[data-reorder]");
    if (!list || list.dataset.enhanced) return;
    list.dataset.enhanced = "1";
    var hint = root.querySelector("[data-testid=reorder-hint]");
    if (hint) hint.hidden = false;
    var live = document.createElement("p");
    live.className = "visually-hidden";
    live.setAttribute("aria-live", "polite");
    list.after(live);
    function items() { return Array.prototype.slice.call(list.children); }
    function name(li) { return li.querySelector("label").textContent.trim(); }
    function sync() {
      items().forEach(function (li, i) {
        var select = li.querySelector("select");
        if (select) select.value = String(i + 1);
        li.querySelector("[data-move=up]").disabled = i === 0;
        li.querySelector("[data-move=down]").disabled = i === items().length - 1;
      });
    }
    function move(li, by) {
      var all = items(), i = all.indexOf(li), j = i + by;
      if (j < 0 || j >= all.length) return;
      if (by < 0) list.insertBefore(li, all[j]); else list.insertBefore(li, all[j].nextSibling);
      sync();
      li.focus();
      live.textContent = name(li) + ": position " + (j + 1) + " of " + all.length + ".";
    }
    items().forEach(function (li) {
      li.tabIndex = 0;
      li.draggable = true;
      li.classList.add("movable");
      li.setAttribute("aria-roledescription", "movable item");
      var label = li.querySelector("label");
      label.querySelector("select").classList.add("visually-hidden");
      var tools = document.createElement("span");
      tools.className = "move-buttons";
      [["up", "↑", -1], ["down", "↓", 1]].forEach(function (b) {
        var button = document.createElement("button");
        button.type = "button";
        button.dataset.move = b[0];
        button.textContent = b[1];
        button.setAttribute("aria-label", "Move “" + name(li) + "” " + b[0]);
        button.addEventListener("click", function () { move(li, b[2]); });
        tools.appendChild(button);
      });
      li.appendChild(tools);
      li.addEventListener("keydown", function (ev) {
        if (ev.target !== li) return;
        if (ev.key === "ArrowUp" || ev.key === "ArrowDown") {
          ev.preventDefault();
          move(li, ev.key === "ArrowUp" ? -1 : 1);
        }
      });
      li.addEventListener("dragstart", function (ev) {
        li.classList.add("dragging");
        ev.dataTransfer.effectAllowed = "move";
        ev.dataTransfer.setData("text/plain", li.dataset.option);
      });
      li.addEventListener("dragend", function () { li.classList.remove("dragging"); sync(); });
    });
    // A form shown again after a refusal keeps the positions sent: when
    // they put every item in its own place, the list starts in that order.
    var given = items().map(function (li) { return Number(li.querySelector("select").value); });
    var distinct = given.filter(function (p, i) { return p >= 1 && given.indexOf(p) === i; });
    if (distinct.length === given.length) {
      items().slice().sort(function (a, b) {
        return Number(a.querySelector("select").value) - Number(b.querySelector("select").value);
      }).forEach(function (li) { list.appendChild(li); });
    }
    list.addEventListener("dragover", function (ev) {
      var dragging = list.querySelector(".dragging");
      if (!dragging) return;
      ev.preventDefault();
      var after = items().filter(function (li) {
        var r = li.getBoundingClientRect();
        return li !== dragging && ev.clientY < r.top + r.height / 2;
      })[0];
      list.insertBefore(dragging, after || null);
    });
    sync();
  }
  enhanceOrdering(document);
  document.addEventListener("htmx:afterSwap", function (ev) {
    if (ev.detail && ev.detail.target) enhanceOrdering(ev.detail.target);
  });

  // The contents beside a long page mark the section being read.
  var tocLinks = document.querySelectorAll(".article-layout > .toc a[href^='#']");
  if (tocLinks.length && "IntersectionObserver" in window) {
    var byID = {};
    tocLinks.forEach(function (a) { byID[decodeURIComponent(a.getAttribute("href").slice(1))] = a; });
    var observer = new IntersectionObserver(function () {
      var current = null;
      document.querySelectorAll(".prose h2[id], .prose h3[id]").forEach(function (h) {
        if (h.getBoundingClientRect().top < window.innerHeight * 0.3) current = h.id;
      });
      tocLinks.forEach(function (a) { a.removeAttribute("aria-current"); });
      if (current && byID[current]) byID[current].setAttribute("aria-current", "location");
    }, { rootMargin: "0px 0px -70% 0px" });
    Object.keys(byID).forEach(function (id) {
      var h = document.getElementById(id);
      if (h) observer.observe(h);
    });
  }

  // Changing the theme reloads the page: come back to the same place.
  document.addEventListener("submit", function (ev) {
    if (ev.target.classList && ev.target.classList.contains("theme-form")) {
      try { sessionStorage.setItem("microlab-scroll", location.pathname + " " + Math.round(window.scrollY)); } catch (e) { /* private mode */ }
    }
  });
  try {
    var kept = (sessionStorage.getItem("microlab-scroll") || "").split(" ");
    sessionStorage.removeItem("microlab-scroll");
    if (kept[0] === location.pathname && kept[1]) window.scrollTo(0, Number(kept[1]));
  } catch (e) { /* private mode */ }

  // The search box follows the address: after Back or Forward the box
  // shows the query the results are for.
  function syncSearchBox() {
    var box = document.getElementById("q");
    if (box) box.value = new URLSearchParams(location.search).get("q") || "";
  }
  document.addEventListener("htmx:historyRestore", syncSearchBox);
  window.addEventListener("pageshow", function (ev) { if (ev.persisted) syncSearchBox(); });

  document.addEventListener("keydown", function (ev) {
    // Enter submits the quiz's answer from wherever focus is in its form:
    // a radio, a checkbox, a position menu or a movable item (the hint
    // says so).
    if (ev.key === "Enter" && !ev.ctrlKey && !ev.metaKey && !ev.altKey && !ev.shiftKey) {
      var quizForm = ev.target.closest && ev.target.closest("form[data-shortcuts=quiz]");
      if (quizForm && /^(INPUT|SELECT|LI)$/.test(ev.target.tagName)) {
        ev.preventDefault();
        quizForm.requestSubmit();
        return;
      }
    }
    if (ev.ctrlKey || ev.metaKey || ev.altKey || typing(ev)) return;

    // "/" goes to the search box: the page's own, or the header's.
    if (ev.key === "/") {
      var search = document.getElementById("q") || document.getElementById("site-q");
      if (search) { search.focus(); search.select(); ev.preventDefault(); }
      return;
    }

    // Quiz: 1-9 choose an option, N goes to the next question. Enter
    // submits the form natively.
    var form = document.querySelector("form[data-shortcuts=quiz]");
    if (form && /^[1-9]$/.test(ev.key)) {
      var input = form.querySelector('input[data-key="' + ev.key + '"]');
      if (input) {
        if (input.type === "checkbox") input.checked = !input.checked; else input.checked = true;
        input.focus();
        ev.preventDefault();
      }
      return;
    }
    if (ev.key === "n" || ev.key === "N") {
      var next = document.querySelector("a[data-next]");
      if (next) { next.click(); ev.preventDefault(); }
      return;
    }

    // Review: U undoes the last rating, Space reveals the answer, 1-4
    // rate once it is revealed.
    if (ev.key === "u" || ev.key === "U") {
      var undo = document.querySelector("form[data-testid=undo]");
      if (undo) { undo.requestSubmit(); ev.preventDefault(); }
      return;
    }
    var back = document.querySelector("details[data-shortcuts=review]");
    if (!back) return;
    if (ev.key === " " && !back.open) {
      back.open = true;
      ev.preventDefault();
      return;
    }
    if (back.open && /^[1-4]$/.test(ev.key)) {
      var button = back.querySelector('button[data-key="' + ev.key + '"]');
      if (button) { button.click(); ev.preventDefault(); }
    }
  });
})();
