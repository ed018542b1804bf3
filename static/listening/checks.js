// Qualification and setup: each recording plays from its start, and the form can be sent
// once every recording has been heard to its end. The server grades the answers.
(function () {
  "use strict";
  var form = document.getElementById("check-form");
  if (!form) return;
  var submit = document.getElementById("submit");
  var status = document.getElementById("check-status");
  var audios = Array.prototype.slice.call(form.querySelectorAll("audio[data-required]"));
  var heard = {};
  form.querySelectorAll("[data-play]").forEach(function (button) {
    var audio = document.getElementById(button.dataset.play);
    button.addEventListener("click", function () {
      audios.forEach(function (other) { if (other !== audio) other.pause(); });
      audio.currentTime = 0;
      audio.play();
    });
    audio.addEventListener("ended", function () {
      heard[audio.id] = true;
      if (audios.every(function (a) { return heard[a.id]; })) {
        submit.disabled = false;
        status.textContent = "";
      }
    });
  });
})();
