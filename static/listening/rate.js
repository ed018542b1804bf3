// Unlocks the rating scale only after every clip has played to its end, in order. The
// server checks the timing again; this script only keeps honest raters from answering early.
(function () {
  "use strict";
  var form = document.getElementById("vote-form");
  if (!form) return;
  var buttons = Array.prototype.slice.call(form.querySelectorAll("[data-play]"));
  var scale = document.getElementById("scale");
  var groups = Array.prototype.slice.call(scale.querySelectorAll("fieldset.scale"));
  var submit = document.getElementById("submit");
  var status = document.getElementById("play-status");
  var plays = document.getElementById("play-count");
  var timeOnPage = document.getElementById("time-on-page");
  var loadedAt = performance.now();
  var finished = {};

  function stopOthers(current) {
    buttons.forEach(function (button) {
      var other = document.getElementById(button.dataset.play);
      if (other !== current && !other.paused) other.pause();
    });
  }

  function unlockIfDone() {
    var all = buttons.every(function (button) { return finished[button.dataset.play]; });
    if (!all || !scale.disabled) return;
    scale.disabled = false;
    form.dataset.locked = "0";
    status.textContent = status.dataset.unlocked || "";
    var first = scale.querySelector("input");
    if (first && !scale.querySelector("input:checked")) first.focus();
  }

  function answered() {
    return groups.every(function (group) { return group.querySelector("input:checked"); });
  }

  buttons.forEach(function (button, index) {
    var audio = document.getElementById(button.dataset.play);
    var furthest = 0;
    button.addEventListener("click", function () {
      stopOthers(audio);
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
      finished[button.dataset.play] = true;
      var next = buttons[index + 1];
      if (next) { next.disabled = false; next.focus(); }
      unlockIfDone();
    });
  });
  scale.addEventListener("change", function () { submit.disabled = !answered(); });
  document.addEventListener("keydown", function (event) {
    if (!form.dataset.digits || scale.disabled || !/^[1-5]$/.test(event.key)) return;
    var radio = scale.querySelector('input[value="' + event.key + '"]');
    if (radio) { radio.checked = true; submit.disabled = !answered(); radio.focus(); }
  });
  form.addEventListener("submit", function (event) {
    if (scale.disabled || !answered()) { event.preventDefault(); return; }
    timeOnPage.value = String(Math.round(performance.now() - loadedAt));
    submit.disabled = true;
  });
})();
