// Quick logging on a phone: fewer taps. Loaded by the touchpoint and incident forms (no inline code: CSP).
(function () {
  "use strict";

  // The follow-up note only matters when a follow-up is needed: show it then, and focus it.
  function syncFollowUp(focus) {
    var box = document.getElementById("id_follow_up");
    var note = document.getElementById("div_id_follow_up_note");
    if (!box || !note) { return; }
    note.hidden = !box.checked;
    if (box.checked && focus) {
      var input = document.getElementById("id_follow_up_note");
      if (input) { input.focus(); }
    }
  }
  document.addEventListener("change", function (event) {
    if (event.target && event.target.id === "id_follow_up") { syncFollowUp(true); }
  });
  document.addEventListener("DOMContentLoaded", function () {
    var note = document.getElementById("id_follow_up_note");
    // Keep the note visible when the server sent it back with an error or a value.
    if (note && (note.value || note.classList.contains("is-invalid"))) { return; }
    syncFollowUp(false);
  });

  // In the account search, Enter opens the first match instead of reloading the page.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !event.target || event.target.id !== "account-search") { return; }
    var first = document.querySelector("#account-options a.list-group-item");
    if (first) {
      event.preventDefault();
      window.location.assign(first.href);
    }
  });
})();
