(function () {
  "use strict";
  var form = document.querySelector("form.finder[data-index]");
  var list = document.getElementById("exercises");
  // From a file, browsers refuse the fetch: the page stays the plain list, quietly.
  if (!form || !list || !window.fetch || location.protocol === "file:") return;
  var PAGE = 60;
  var nodes = Array.prototype.slice.call(list.children);
  var empty = document.querySelector(".finder-empty");
  var more = document.querySelector(".finder-more");
  var status = form.querySelector(".finder-status");
  var search = form.elements.namedItem("q");
  var facets = ["muscle", "equipment", "level", "category"];
  var forms = JSON.parse(form.dataset.forms);
  var plural = window.Intl && Intl.PluralRules ? new Intl.PluralRules(form.dataset.lang) : null;
  var items = [];
  var everything = nodes.map(function (node, i) { return i; });
  var matches = [];
  var shown = 0;

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLocaleLowerCase();
  }

  function counted(n) {
    var text = (plural && forms[plural.select(n)]) || forms.other;
    return text.replace("{count}", n.toLocaleString(document.documentElement.lang));
  }

  function chosen() {
    var picked = {};
    facets.forEach(function (name) {
      var select = form.elements.namedItem(name);
      picked[name] = select && select.value !== "" ? parseInt(select.value, 10) : -1;
    });
    return picked;
  }

  function fits(item, picked) {
    return (picked.level < 0 || item.level === picked.level) &&
      (picked.category < 0 || item.category === picked.category) &&
      (picked.muscle < 0 || item.muscles.indexOf(picked.muscle) >= 0) &&
      (picked.equipment < 0 || item.equipment.indexOf(picked.equipment) >= 0);
  }

  function has(text, words) {
    for (var w = 0; w < words.length; w++) if (text.indexOf(words[w]) < 0) return false;
    return true;
  }

  function find(words, picked) {
    // Exercises whose names have every word come first, then those with them anywhere.
    var first = [], then = [];
    for (var i = 0; i < items.length; i++) {
      var item = items[i];
      if (!fits(item, picked)) continue;
      if (has(item.title, words)) first.push(i);
      else if (has(item.text, words)) then.push(i);
    }
    return first.concat(then);
  }

  function put(chosen) {
    var fragment = document.createDocumentFragment();
    chosen.forEach(function (node) { fragment.appendChild(node); });
    list.replaceChildren(fragment);
  }

  function show(count) {
    shown = Math.min(count, matches.length);
    put(matches.slice(0, shown).map(function (i) { return nodes[i]; }));
    more.hidden = shown >= matches.length;
  }

  function remember(query, picked) {
    var params = new URLSearchParams();
    if (query) params.set("q", query);
    facets.forEach(function (name) {
      if (picked[name] >= 0) params.set(name, form.elements.namedItem(name).value);
    });
    var search = params.toString();
    history.replaceState(null, "", search ? "?" + search : location.pathname);
  }

  function update() {
    var query = search.value.trim();
    var words = fold(query).split(/\s+/).filter(Boolean);
    var picked = chosen();
    var filtering = words.length > 0 || facets.some(function (name) { return picked[name] >= 0; });
    remember(query, picked);
    // Back to no filter, the whole list, a page at a time too: ten thousand cards at once
    // would take the browser a good part of a second to lay out.
    matches = filtering ? find(words, picked) : everything;
    show(PAGE);
    empty.hidden = matches.length > 0;
    status.textContent = filtering ? counted(matches.length) : "";
  }

  function read(node, selector) {
    var found = node.querySelector(selector);
    return found ? found.textContent : "";
  }

  function start(data) {
    if (!data || data.version !== 1 || data.items.length !== nodes.length) return; // stale
    var facet = data.facets;
    items = data.items.map(function (row, i) {
      var names = fold(read(nodes[i], "h2") + " " + row[4]);
      var about = [read(nodes[i], "p")];
      row[2].forEach(function (n) { about.push(facet.muscle[n]); });
      row[3].forEach(function (n) { about.push(facet.equipment[n]); });
      if (row[1] >= 0) about.push(facet.category[row[1]]);
      return {
        title: names,
        text: names + " " + fold(about.join(" ")),
        level: row[0],
        category: row[1],
        muscles: row[2],
        equipment: row[3]
      };
    });
    var params = new URLSearchParams(location.search);
    search.value = params.get("q") || "";
    facets.forEach(function (name) {
      var select = form.elements.namedItem(name);
      if (select && params.has(name)) select.value = params.get(name);
    });
    form.hidden = false;
    form.addEventListener("input", update);
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    form.addEventListener("reset", function () { setTimeout(update, 0); });
    more.addEventListener("click", function () { show(shown + PAGE); });
    if (params.toString()) update();
  }

  fetch(form.dataset.index)
    .then(function (response) { return response.ok ? response.json() : null; })
    .then(start, function () {}); // offline: the plain list stays
})();
