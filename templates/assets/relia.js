// relia: draws the charts of a page with the echarts.min.js shipped beside
// this file. No network access; works from file:// and any sub-path.
"use strict";
var reliaCharts = [];
function reliaChart(id, option) {
  var el = document.getElementById(id);
  if (!el || typeof echarts === "undefined") { return; }
  var dark = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
  var chart = echarts.init(el, dark ? "dark" : null, { renderer: "canvas" });
  if (dark) { option.backgroundColor = "transparent"; }
  chart.setOption(option);
  reliaCharts.push(chart);
}
window.addEventListener("resize", function () {
  reliaCharts.forEach(function (c) { c.resize(); });
});
window.addEventListener("beforeprint", function () {
  reliaCharts.forEach(function (c) { c.resize(); });
});

// Action items: filter the table by status and owner, in the page.
function reliaActionFilters() {
  var status = document.getElementById("filter-status");
  var owner = document.getElementById("filter-owner");
  var count = document.getElementById("filter-count");
  var rows = document.querySelectorAll("#actions tbody tr[data-status]");
  function apply() {
    var shown = 0;
    rows.forEach(function (r) {
      var s = status.value, o = owner.value;
      var ok = (!s || (s === "overdue" ? r.dataset.overdue === "true" : r.dataset.status === s)) &&
               (!o || r.dataset.owner === o);
      r.hidden = !ok;
      if (ok) { shown++; }
    });
    count.textContent = shown + " of " + rows.length;
  }
  status.addEventListener("change", apply);
  owner.addEventListener("change", apply);
  apply();
}

// Search: match every word of the query against the index built with the
// site (search/index.js); results link relative to the site root.
function reliaSearchPage(root) {
  var input = document.getElementById("search-input");
  var list = document.getElementById("search-results");
  var none = document.getElementById("search-none");
  var docs = window.reliaSearchIndex || [];
  function run() {
    var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    list.textContent = "";
    if (!words.length) { none.hidden = true; return; }
    var hits = docs.filter(function (d) {
      var hay = (d.t + " " + d.x).toLowerCase();
      return words.every(function (w) { return hay.indexOf(w) >= 0; });
    });
    hits.slice(0, 50).forEach(function (d) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = root + d.p;
      a.textContent = d.t;
      var kind = document.createElement("span");
      kind.className = "muted small";
      kind.textContent = " " + d.k;
      li.appendChild(a);
      li.appendChild(kind);
      list.appendChild(li);
    });
    none.hidden = hits.length > 0;
  }
  input.addEventListener("input", run);
  var q = new URLSearchParams(window.location.search).get("q");
  if (q) { input.value = q; }
  run();
}
