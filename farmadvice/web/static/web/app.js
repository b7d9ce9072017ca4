// Small enhancements on top of htmx; every page works without them.
// After htmx loads a panel (a drill-down, a trend), move focus to its heading so that keyboard and
// screen-reader users land on what they asked for; results that update while typing do not take focus.
document.addEventListener("htmx:afterSwap", function (event) {
  var heading = event.detail.target.querySelector("[data-focus-after-swap]");
  if (heading) {
    heading.focus();
    heading.scrollIntoView({ block: "start", behavior: "smooth" });
  }
});

// A form that came back with errors: start at its summary, which links to each field.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.getElementById("form-errors");
  if (summary) {
    summary.focus();
  }
});
