// Filters and search of a dossier's timeline. Without this script every event stays shown.
(function () {
  "use strict";
  var form = document.getElementById("filtres");
  if (!form) { return; }
  var events = Array.prototype.slice.call(document.querySelectorAll("li.event"));
  var index = {};
  var fields = ["q", "kind", "source", "watch", "from", "to"].reduce(function (acc, id) {
    acc[id] = document.getElementById(id); return acc;
  }, {});
  function fold(text) {
    return text.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  }
  function apply() {
    var words = fold(fields.q.value).split(/\s+/).filter(Boolean);
    var shown = 0;
    events.forEach(function (li) {
      var text = fold(index[li.dataset.key] || li.textContent);
      var ok = words.every(function (w) { return text.indexOf(w) !== -1; }) &&
        (!fields.kind.value || li.dataset.kind === fields.kind.value) &&
        (!fields.source.value || li.dataset.source === fields.source.value) &&
        (!fields.watch.value || (" " + li.dataset.watches + " ").indexOf(" " + fields.watch.value + " ") !== -1) &&
        (!fields.from.value || li.dataset.date >= fields.from.value) &&
        (!fields.to.value || li.dataset.date <= fields.to.value);
      li.hidden = !ok;
      if (ok) { shown += 1; }
    });
    document.querySelectorAll("ol.timeline").forEach(function (ol) {
      var visible = ol.querySelector("li.event:not([hidden])") !== null;
      ol.hidden = !visible;
      var title = ol.previousElementSibling;
      if (title && title.classList.contains("month")) { title.hidden = !visible; }
    });
    document.querySelectorAll("section.year").forEach(function (section) {
      section.hidden = section.querySelector("li.event:not([hidden])") === null;
    });
    document.getElementById("count").textContent = shown + " événement" + (shown > 1 ? "s" : "") + " affiché" + (shown > 1 ? "s" : "");
  }
  form.hidden = false;
  form.addEventListener("input", apply);
  form.addEventListener("submit", function (event) { event.preventDefault(); apply(); });
  fetch("search.json").then(function (r) { return r.ok ? r.json() : {}; })
    .then(function (data) { index = data; apply(); })
    .catch(function () { apply(); });
}());
