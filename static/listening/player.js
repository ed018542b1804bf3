// Shared by every rater page: each Play button shows "playing" while its recording plays and
// "played" once it has been heard to its end; the completion code has a copy button. Events
// are caught on the document, so buttons that another script adds or replaces work too.
(function () {
  "use strict";
  var body = document.body;

  function buttonsFor(audio) {
    return document.querySelectorAll('[data-play="' + audio.id + '"]');
  }

  function label(button, text) {
    var span = button.querySelector(".play-state");
    if (span) span.textContent = text;
  }

  function show(audio, state) {
    buttonsFor(audio).forEach(function (button) {
      if (state === "played") button.dataset.playedSrc = audio.src;
      var played = button.dataset.playedSrc === audio.src;
      button.classList.toggle("is-playing", state === "playing");
      button.classList.toggle("is-played", played && state !== "playing");
      label(button, state === "playing" ? body.dataset.playing : played ? body.dataset.played : "");
    });
  }

  // Media events do not bubble; the capture phase sees them all.
  document.addEventListener("playing", function (event) { show(event.target, "playing"); }, true);
  document.addEventListener("pause", function (event) {
    if (!event.target.ended) show(event.target, "paused");
  }, true);
  document.addEventListener("ended", function (event) { show(event.target, "played"); }, true);
  // Another clip behind the same button (the next stimulus, without a reload) is unplayed.
  document.addEventListener("loadstart", function (event) { show(event.target, "loaded"); }, true);

  window.auriclePlayed = function (audio) { show(audio, "played"); };
  progressFollowsClips();

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

  // The rating page may move to the next clip without a reload, rewriting its "Clip n of m"
  // line; the session's bar follows that line.
  function progressFollowsClips() {
    var bar = document.getElementById("session-progress");
    var line = document.getElementById("rate-progress");
    if (!bar || !line || !window.MutationObserver) return;
    new MutationObserver(function () { progressUpdate(bar, line); })
      .observe(line, { childList: true, characterData: true, subtree: true });
  }

  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (whole, name) { return values[name]; });
  }

  function progressUpdate(bar, line) {
    var numbers = line.textContent.match(/\d+/g);
    if (!numbers || numbers.length < 2) return;
    var position = Number(numbers[0]), total = Number(numbers[1]);
    // The line carries the rating clips' wording; any other is a training clip's.
    var training = line.textContent !== fill(line.dataset.rating || "", { position: position, total: total });
    var clipsLeft = total - position + 1;
    var data = bar.dataset;
    var left = training
      ? clipsLeft * Number(data.trainingClip) + Number(data.ratingStep)
      : clipsLeft * Number(data.ratingClip);
    var current = training ? 2 : 3;
    bar.querySelectorAll(".step").forEach(function (step, index) {
      var state = index < current ? "done" : index === current ? "current" : "todo";
      step.className = "step step-" + state;
      if (state === "current") step.setAttribute("aria-current", "step");
      else step.removeAttribute("aria-current");
    });
    document.getElementById("progress-bar").value = Math.round(100 * (1 - left / Number(data.total)));
    var stepText = document.getElementById("step-text");
    stepText.textContent = fill(stepText.dataset.template, { number: current + 1 });
    var timeLeft = document.getElementById("time-left");
    timeLeft.dataset.minutes = String(Math.ceil(left / 60));
    timeLeft.textContent = fill(timeLeft.dataset.template, { minutes: timeLeft.dataset.minutes });
  }
})();
