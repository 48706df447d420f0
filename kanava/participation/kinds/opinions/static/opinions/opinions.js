// Opinion map voting with htmx: after a vote swaps in the next card, move the focus to the new
// statement (or the thank-you heading) so keyboard and screen-reader users continue from it.
// The page works without this script: the buttons post the form and the server redirects.
document.addEventListener("htmx:afterSettle", function () {
  var card = document.getElementById("opinions-card");
  if (!card) return;
  var target = card.querySelector(".opinions-statement") || card.querySelector("h2");
  if (target) {
    target.setAttribute("tabindex", "-1");
    target.focus();
  }
});
