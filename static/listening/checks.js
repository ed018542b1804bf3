// Qualification and setup: each recording plays from its start, and the form can be sent
// once every recording has been heard to its end; until then the page lists those still to
// play. Typed answers and what was heard are kept in this tab (sessionStorage), so a reload
// loses nothing. The server grades the answers.
(function () {
  "use strict";
  var form = document.getElementById("check-form");
  if (!form) return;
  var submit = document.getElementById("submit");
  var status = document.getElementById("check-status");
  var statusText = status.querySelector(".status-text");
  var list = document.getElementById("unplayed");
  var buttons = Array.prototype.slice.call(form.querySelectorAll("[data-play]"));
  var audios = buttons.map(function (button) { return document.getElementById(button.dataset.play); });
  var storeKey = "auricle:" + form.getAttribute("action");
  var generic = statusText.textContent;
  var LIST_AT_MOST = 3; // a longer list says nothing the page does not show already
  var saved = load();

  function load() {
    try { return JSON.parse(sessionStorage.getItem(storeKey)) || { fields: {}, heard: {} }; }
    catch (error) { return { fields: {}, heard: {} }; }
  }

  function save() {
    try { sessionStorage.setItem(storeKey, JSON.stringify(saved)); } catch (error) { /* full or off */ }
  }

  function fields() {
    return Array.prototype.slice.call(form.elements).filter(function (element) {
      return element.name && element.name !== "csrfmiddlewaretoken" && element.type !== "submit";
    });
  }

  function remember(element) {
    if (element.type === "radio") { if (element.checked) saved.fields[element.name] = element.value; }
    else if (element.type === "checkbox") saved.fields[element.name] = element.checked ? element.value : "";
    else saved.fields[element.name] = element.value;
    save();
  }

  function restore() {
    fields().forEach(function (element) {
      var value = saved.fields[element.name];
      if (value === undefined) return;
      if (element.type === "radio") element.checked = element.value === value;
      else if (element.type === "checkbox") element.checked = element.value === value;
      else element.value = value;
    });
    audios.forEach(function (audio) { if (saved.heard[audio.id]) window.auriclePlayed(audio); });
  }

  function update() {
    var missing = buttons.filter(function (button) { return !saved.heard[button.dataset.play]; });
    list.textContent = "";
    missing.slice(0, missing.length > LIST_AT_MOST ? 0 : LIST_AT_MOST).forEach(function (button) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = "#" + button.id;
      link.textContent = button.dataset.name;
      link.addEventListener("click", function (event) { event.preventDefault(); button.focus(); });
      item.appendChild(link);
      list.appendChild(item);
    });
    submit.disabled = missing.length > 0;
    status.classList.toggle("is-missing", missing.length > 0);
    if (!missing.length) statusText.textContent = status.dataset.allPlayed;
    else statusText.textContent = missing.length > LIST_AT_MOST ? generic : status.dataset.still;
  }

  buttons.forEach(function (button, index) {
    var audio = audios[index];
    button.addEventListener("click", function () {
      audios.forEach(function (other) { if (other !== audio) other.pause(); });
      audio.currentTime = 0;
      audio.play();
    });
    audio.addEventListener("ended", function () {
      saved.heard[audio.id] = true;
      save();
      update();
    });
  });
  form.addEventListener("input", function (event) { if (event.target.name) remember(event.target); });
  form.addEventListener("change", function (event) { if (event.target.name) remember(event.target); });
  restore();
  update();
})();
