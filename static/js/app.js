// Site-wide behaviour. Kept in a file (no inline scripts) so the content security policy can forbid them.
(function () {
  "use strict";
  // Submit a form's select on change where asked (filters, language), without inline handlers.
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el && el.matches && el.matches("[data-autosubmit]")) {
      el.form.requestSubmit ? el.form.requestSubmit() : el.form.submit();
    }
  });
  // Confirm destructive actions declared with data-confirm="message".
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = form.getAttribute && form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  }, true);
  // A refused htmx request (403 not allowed, 409 edited meanwhile, 400 invalid) carries a short
  // explanation: show it above the page instead of leaving the click without an answer.
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail && event.detail.xhr;
    if (!xhr || [400, 403, 409].indexOf(xhr.status) < 0 || !xhr.responseText) { return; }
    var box = document.getElementById("htmx-errors");
    if (!box) { return; }
    box.innerHTML = xhr.responseText;
    box.scrollIntoView({block: "nearest"});
  });
})();
