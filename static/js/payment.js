// The payment page: Stripe's card field, confirm the PaymentIntent, then the status page.
// The server decides the amount and settles the payment from the verified webhook; this
// script only hands the card to Stripe.
(function () {
  "use strict";
  var form = document.getElementById("payment-form");
  if (!form) return;
  var errors = document.getElementById("card-errors");
  var button = form.querySelector("button");
  if (typeof Stripe === "undefined") {
    errors.textContent = form.dataset.unavailableText;
    button.disabled = true;
    return;
  }
  var stripe = Stripe(form.dataset.publishableKey);
  var card = stripe.elements().create("card");
  card.mount("#card-element");

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    button.disabled = true;
    errors.textContent = "";
    stripe
      .confirmCardPayment(form.dataset.clientSecret, { payment_method: { card: card } })
      .then(function (result) {
        if (result.error) {
          errors.textContent = result.error.message || form.dataset.errorText;
          button.disabled = false;
          return;
        }
        window.location.assign(form.dataset.statusUrl);
      });
  });
})();
