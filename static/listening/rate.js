// Unlocks the rating scale only after the clip has played to its end. The server checks
// the timing again; this script only keeps honest raters from answering too early.
(function () {
  "use strict";
  var form = document.getElementById("vote-form");
  if (!form) return;
  var audio = document.getElementById("clip");
  var play = document.getElementById("play");
  var scale = document.getElementById("scale");
  var submit = document.getElementById("submit");
  var status = document.getElementById("play-status");
  var plays = document.getElementById("play-count");
  var timeOnPage = document.getElementById("time-on-page");
  var loadedAt = performance.now();
  var furthest = 0;

  play.addEventListener("click", function () {
    audio.currentTime = 0;
    furthest = 0;
    plays.value = String(Number(plays.value) + 1);
    audio.play();
  });
  audio.addEventListener("timeupdate", function () {
    // Playback only moves forward from the start; a jump means someone seeked.
    if (audio.currentTime > furthest + 1.0) { audio.currentTime = furthest; }
    furthest = Math.max(furthest, audio.currentTime);
  });
  audio.addEventListener("ended", function () {
    scale.disabled = false;
    form.dataset.locked = "0";
    status.textContent = status.dataset.unlocked || "";
    var first = scale.querySelector("input");
    if (first && !scale.querySelector("input:checked")) first.focus();
  });
  scale.addEventListener("change", function () { submit.disabled = false; });
  document.addEventListener("keydown", function (event) {
    if (scale.disabled || !/^[1-5]$/.test(event.key)) return;
    var radio = scale.querySelector('input[value="' + event.key + '"]');
    if (radio) { radio.checked = true; submit.disabled = false; radio.focus(); }
  });
  form.addEventListener("submit", function (event) {
    if (scale.disabled) { event.preventDefault(); return; }
    timeOnPage.value = String(Math.round(performance.now() - loadedAt));
    submit.disabled = true;
  });
})();
