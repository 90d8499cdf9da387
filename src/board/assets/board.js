// roadmap serve: live updates. The server says when the cache changed (server-sent events);
// the page then refetches its own URL's <main> and swaps it in: no reload, no build step.
(function () {
  "use strict";
  const live = document.getElementById("live");
  const meta = document.querySelector('meta[name="board-generation"]');
  // The change the page shows; the stream's first event says where the server is now.
  let shown = meta ? meta.content : "0";
  let refreshing = false;
  let again = false;

  function refresh() {
    if (refreshing) { again = true; return; }
    refreshing = true;
    fetch(location.href, { headers: { "X-Board-Fragment": "1" }, cache: "no-store" })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        document.querySelector("main").innerHTML = html;
        document.body.dataset.refreshed = String(Number(document.body.dataset.refreshed || 0) + 1);
      })
      .catch(function () {})
      .finally(function () {
        refreshing = false;
        if (again) { again = false; refresh(); }
      });
  }

  function changed(event) {
    if (event.data !== shown) { shown = event.data; refresh(); }
  }

  const events = new EventSource("/events");
  events.onopen = function () { live.classList.remove("off"); };
  events.onerror = function () { live.classList.add("off"); };
  events.addEventListener("hello", changed);
  events.onmessage = changed;

  // Empty fields stay out of the URL; a changed select applies at once.
  document.addEventListener("change", function (event) {
    if (event.target.tagName === "SELECT" && event.target.form) { event.target.form.requestSubmit(); }
  });
  document.addEventListener("submit", function (event) {
    for (const field of event.target.elements) {
      if (field.name && field.value === "") { field.disabled = true; }
    }
  });
})();
