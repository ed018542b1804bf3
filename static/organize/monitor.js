// Fetches the monitoring panel again every few seconds and swaps it in: no full reload.
(function () {
  "use strict";
  var panel = document.getElementById("monitor-panel");
  if (!panel) return;
  var seconds = parseInt(panel.dataset.seconds, 10) || 10;
  function refresh() {
    fetch(panel.dataset.url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) { if (html !== null) panel.innerHTML = html; })
      .catch(function () { /* the next round tries again */ })
      .finally(function () { window.setTimeout(refresh, seconds * 1000); });
  }
  window.setTimeout(refresh, seconds * 1000);
})();
