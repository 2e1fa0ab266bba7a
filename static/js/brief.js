// The account brief: its Print button (no inline handlers: the content security policy forbids them).
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var el = event.target.closest && event.target.closest("[data-print]");
    if (el) { window.print(); }
  });
})();
