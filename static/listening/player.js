// Shared by every rater page: each Play button shows "playing" while its recording plays and
// "played" once it has been heard to its end; the completion code has a copy button. Events
// are caught on the document, so buttons that another script adds or replaces work too.
(function () {
  "use strict";
  var body = document.body;

  function buttonsFor(audio) {
    return document.querySelectorAll('[data-play="' + audio.id + '"]');
  }

  function show(audio, state) {
    buttonsFor(audio).forEach(function (button) {
      var played = button.classList.contains("is-played") || state === "played";
      button.classList.toggle("is-playing", state === "playing");
      button.classList.toggle("is-played", played);
      var label = button.querySelector(".play-state");
      if (label) {
        label.textContent = state === "playing" ? body.dataset.playing : played ? body.dataset.played : "";
      }
    });
  }

  // Media events do not bubble; the capture phase sees them all.
  document.addEventListener("playing", function (event) { show(event.target, "playing"); }, true);
  document.addEventListener("pause", function (event) {
    if (!event.target.ended) show(event.target, "paused");
  }, true);
  document.addEventListener("ended", function (event) { show(event.target, "played"); }, true);

  // A new clip on the same page (a vote sent without a reload) starts unplayed.
  document.addEventListener("emptied", function (event) {
    buttonsFor(event.target).forEach(function (button) {
      button.classList.remove("is-playing", "is-played");
      var label = button.querySelector(".play-state");
      if (label) label.textContent = "";
    });
  }, true);

  window.auriclePlayed = function (audio) { show(audio, "played"); };

  var copy = document.getElementById("copy-code");
  if (copy) {
    copy.hidden = false;
    copy.addEventListener("click", function () {
      var code = document.getElementById("completion-code");
      var done = function () {
        document.getElementById("copy-status").textContent = body.dataset.copied;
      };
      if (navigator.clipboard) {
        navigator.clipboard.writeText(code.textContent.trim()).then(done, function () {
          window.getSelection().selectAllChildren(code);
        });
      } else {
        window.getSelection().selectAllChildren(code);
      }
    });
  }
})();
