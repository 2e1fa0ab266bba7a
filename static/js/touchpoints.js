// Quick logging on a phone: fewer taps. Loaded by the touchpoint and incident forms (no inline code: CSP).
(function () {
  "use strict";

  // The follow-up's note, owner and due date only matter when a follow-up is needed: show them then,
  // and focus the note.
  function syncFollowUp(focus) {
    var box = document.getElementById("id_follow_up");
    var note = document.querySelector("[data-testid=follow-up-fields]");
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
    var fields = document.querySelector("[data-testid=follow-up-fields]");
    // Keep the fields visible when the server sent them back with an error or a value.
    var note = document.getElementById("id_follow_up_note");
    if (fields && ((note && note.value) || fields.querySelector(".is-invalid"))) { return; }
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
