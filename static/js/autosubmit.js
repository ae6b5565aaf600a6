// A <select data-autosubmit> sends its form when changed (no inline handler: the CSP
// allows no inline script). The form's button still works without JavaScript.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.matches && field.matches("[data-autosubmit]") && field.form) {
      field.form.requestSubmit ? field.form.requestSubmit() : field.form.submit();
    }
  });
})();
