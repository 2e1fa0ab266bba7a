// Plan pages: open the tab named in the address (#vision, #compromiso) and keep the address in step
// with the tab shown, so links and reloads land where the user was; the print button.
(function () {
  "use strict";
  function showTabFromHash() {
    var id = window.location.hash.replace("#", "");
    if (!id || !window.bootstrap) { return; }
    var button = document.querySelector('#plan-tabs [data-bs-target="#' + id + '"]');
    if (button) { window.bootstrap.Tab.getOrCreateInstance(button).show(); }
  }
  document.addEventListener("DOMContentLoaded", showTabFromHash);
  window.addEventListener("hashchange", showTabFromHash);
  document.addEventListener("shown.bs.tab", function (event) {
    var target = event.target.getAttribute("data-bs-target");
    if (target && window.history.replaceState) { window.history.replaceState(null, "", target); }
  });
  document.addEventListener("click", function (event) {
    var el = event.target.closest && event.target.closest("[data-print]");
    if (el) { window.print(); }
  });
})();
