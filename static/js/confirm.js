// Irreversible actions ask first, in the page's <dialog id="confirm"> (issue 14, point 1):
// a form with data-confirm="question" when it is sent, and any htmx request whose element
// (or an ancestor) has hx-confirm. Without JavaScript the form posts as it is.
(function () {
  "use strict";
  var dialog = document.getElementById("confirm");
  var proceed = null;

  function ask(question, then) {
    if (!dialog || !dialog.showModal) {
      if (window.confirm(question)) then();
      return;
    }
    dialog.querySelector("[data-question]").textContent = question;
    proceed = then;
    dialog.returnValue = "";
    dialog.showModal();
  }

  if (dialog) {
    dialog.addEventListener("close", function () {
      var then = proceed;
      proceed = null;
      if (dialog.returnValue === "yes" && then) then();
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-confirm")) return;
    if (form.hasAttribute("data-confirmed")) {
      form.removeAttribute("data-confirmed");
      return;
    }
    event.preventDefault();
    var submitter = event.submitter;
    ask(form.getAttribute("data-confirm"), function () {
      form.setAttribute("data-confirmed", "");
      form.requestSubmit(submitter);
    });
  });

  document.addEventListener("htmx:confirm", function (event) {
    if (!event.detail.question) return;
    event.preventDefault();
    ask(event.detail.question, function () { event.detail.issueRequest(true); });
  });
})();
