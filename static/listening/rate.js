// Unlocks the rating scale only after every clip has played to its end, in order. The
// server checks the timing again; this script only keeps honest raters from answering early.
// A vote goes as JSON; the answer carries the next clip, which the page takes without a
// reload. Anything unexpected (no JSON, a network error) falls back to the plain form post,
// with the same idempotency key, so the vote is still stored once.
(function () {
  "use strict";
  var form = document.getElementById("vote-form");
  if (!form) return;
  var scale = document.getElementById("scale");
  var groups = Array.prototype.slice.call(scale.querySelectorAll("fieldset.scale"));
  var submit = document.getElementById("submit");
  var status = document.getElementById("play-status");
  var plays = document.getElementById("play-count");
  var timeOnPage = document.getElementById("time-on-page");
  var stimulusKey = document.getElementById("stimulus-key");
  var idempotencyKey = document.getElementById("idempotency-key");
  var errorBox = document.getElementById("vote-error");
  var progress = document.getElementById("rate-progress");
  var csrf = form.querySelector("[name=csrfmiddlewaretoken]");
  var buttons, loadedAt, finished, sending = false;

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

  function wire(button, index) {
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
  }

  function begin() {
    buttons = Array.prototype.slice.call(form.querySelectorAll("[data-play]"));
    loadedAt = performance.now();
    finished = {};
    buttons.forEach(wire);
  }

  // The next clip in place of this one: new audio (its fetch is what serves it), new keys,
  // the scale cleared and locked again.
  function show(step) {
    stimulusKey.value = step.stimulus;
    idempotencyKey.value = step.idempotency_key;
    plays.value = "0";
    timeOnPage.value = "";
    step.clips.forEach(function (clip) {
      var old = document.getElementById(clip.id);
      var audio = document.createElement("audio");
      audio.id = clip.id;
      audio.preload = "auto";
      audio.src = clip.url;
      old.parentNode.replaceChild(audio, old);
    });
    buttons.forEach(function (button, index) {
      var fresh = button.cloneNode(true);  // drops the old clip's listeners
      fresh.disabled = index > 0;
      button.parentNode.replaceChild(fresh, button);
    });
    Array.prototype.forEach.call(scale.querySelectorAll("input:checked"), function (input) {
      input.checked = false;
    });
    scale.disabled = true;
    form.dataset.locked = "1";
    submit.disabled = true;
    status.textContent = status.dataset.lockedText || "";
    if (progress) progress.textContent = step.label;
    begin();
    delete form.dataset.sending;
    var first = form.querySelector("[data-play]");
    if (first) first.focus();
  }

  function refused(answer) {
    errorBox.textContent = answer.message || "";
    errorBox.hidden = false;
    sending = false;
    delete form.dataset.sending;
    submit.disabled = !answered();
  }

  function fallback() {
    sending = false;
    form.dataset.json = "off";
    form.submit();
  }

  function send() {
    var body = {};
    new FormData(form).forEach(function (value, name) { body[name] = value; });
    return fetch(form.action, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-CSRFToken": csrf ? csrf.value : ""
      },
      body: JSON.stringify(body)
    });
  }

  begin();
  scale.addEventListener("change", function () { submit.disabled = !answered(); });
  document.addEventListener("keydown", function (event) {
    if (!form.dataset.digits || scale.disabled || !/^[1-5]$/.test(event.key)) return;
    var radio = scale.querySelector('input[value="' + event.key + '"]');
    if (radio) { radio.checked = true; submit.disabled = !answered(); radio.focus(); }
  });
  form.addEventListener("submit", function (event) {
    if (scale.disabled || !answered() || sending) { event.preventDefault(); return; }
    timeOnPage.value = String(Math.round(performance.now() - loadedAt));
    submit.disabled = true;
    if (form.dataset.json === "off" || !window.fetch || !window.FormData) return;
    event.preventDefault();
    sending = true;
    form.dataset.sending = "1";  // until the next clip is shown or the page changes
    errorBox.hidden = true;
    send().then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") !== 0) { fallback(); return; }
      return response.json().then(function (answer) {
        if (!response.ok) { refused(answer); return; }
        sending = false;
        if (answer.next) { show(answer.next); } else { window.location.assign(answer.redirect); }
      });
    }).catch(fallback);
  });
})();
