// On a phone the header's links fold behind a Menu button: signed in as an administrator
// they took four lines above every page. Without JavaScript they all stay shown.
(function () {
  "use strict";
  var header = document.querySelector(".site-header");
  var toggle = header && header.querySelector(".menu-toggle");
  if (!toggle) {
    return;
  }
  header.classList.add("has-menu");
  toggle.hidden = false;
  toggle.addEventListener("click", function () {
    var open = header.classList.toggle("menu-open");
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  });
})();
