// A job's page follows its status endpoint until the job ends; no full reload.
(function () {
  "use strict";
  var root = document.getElementById("job");
  if (!root || root.dataset.finished === "1") return;
  var url = root.dataset.statusUrl;
  var FINISHED = { done: 1, failed: 1, cancelled: 1 };

  function text(id, value) {
    var node = document.getElementById(id);
    if (node) node.textContent = value;
  }

  function errorsShow(errors) {
    var body = document.getElementById("job-errors");
    while (body.firstChild) body.removeChild(body.firstChild);
    errors.forEach(function (row) {
      var tr = document.createElement("tr");
      [row.item, row.error].forEach(function (value) {
        var td = document.createElement("td");
        td.textContent = value;
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    text("job-error-count", String(errors.length));
  }

  function show(state) {
    var bar = document.getElementById("job-progress");
    if (state.total) {
      bar.max = state.total;
      bar.value = state.done;
    }
    text("job-status", state.status);
    text("job-count", state.done + (state.total ? " of " + state.total : ""));
    text("job-message", state.message);
    errorsShow(state.errors);
    var hint = document.getElementById("job-queued-hint");
    if (hint && state.status !== "queued") hint.parentNode.removeChild(hint);
    var form = document.getElementById("job-cancel");
    if (form && FINISHED[state.status]) form.parentNode.removeChild(form);
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (state) show(state);
        if (!state || !FINISHED[state.status]) window.setTimeout(poll, 1500);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }

  window.setTimeout(poll, 1000);
})();
