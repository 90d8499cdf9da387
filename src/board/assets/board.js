// roadmap serve: live updates. The server says when the cache changed (server-sent events);
// the page then refetches its own URL's <main> and swaps it in: no reload, no build step.
(function () {
  "use strict";
  const live = document.getElementById("live");
  let refreshing = null;
  let again = false;

  async function refresh() {
    if (refreshing) { again = true; return; }
    refreshing = fetch(location.href, { headers: { "X-Board-Fragment": "1" }, cache: "no-store" })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        document.querySelector("main").innerHTML = html;
        document.body.dataset.generation = String(Number(document.body.dataset.generation || 0) + 1);
      })
      .catch(function () {})
      .finally(function () {
        refreshing = null;
        if (again) { again = false; refresh(); }
      });
  }

  function listen() {
    const events = new EventSource("/events");
    events.onopen = function () { live.classList.remove("off"); };
    events.onmessage = refresh;
    events.onerror = function () { live.classList.add("off"); };
  }

  // Empty fields stay out of the URL; a changed select applies at once.
  document.addEventListener("change", function (event) {
    if (event.target.tagName === "SELECT" && event.target.form) { event.target.form.requestSubmit(); }
  });
  document.addEventListener("submit", function (event) {
    for (const field of event.target.elements) {
      if (field.name && field.value === "") { field.disabled = true; }
    }
  });
  listen();
})();
