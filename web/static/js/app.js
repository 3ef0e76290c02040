// Microlab's page behaviour: keyboard shortcuts for quizzes and review.
// Everything here is an enhancement; every page works without it.
(function () {
  "use strict";

  function typing(ev) {
    var t = ev.target;
    return t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName) && t.type !== "radio" && t.type !== "checkbox");
  }

  document.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey || typing(ev)) return;

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

    // Review: Space reveals the answer, 1-4 rate once it is revealed.
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
