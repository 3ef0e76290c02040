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
    // a radio, a checkbox or a position menu (the hint says so).
    if (ev.key === "Enter" && !ev.ctrlKey && !ev.metaKey && !ev.altKey && !ev.shiftKey) {
      var quizForm = ev.target.closest && ev.target.closest("form[data-shortcuts=quiz]");
      if (quizForm && /^(INPUT|SELECT)$/.test(ev.target.tagName)) {
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
