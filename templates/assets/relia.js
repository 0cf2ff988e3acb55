// relia: draws the charts of a page with the echarts.min.js shipped beside
// this file. No network access; works from file:// and any sub-path.
"use strict";
var reliaCharts = [];
function reliaChart(id, option) {
  var el = document.getElementById(id);
  if (!el || typeof echarts === "undefined") { return; }
  // A time chart's option comes as an echarts media option (a phone
  // layout) with relia's own settings beside it, which echarts must not see.
  var extra = option.relia;
  delete option.relia;
  var base = option.baseOption || option;
  var dark = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
  var chart = echarts.init(el, dark ? "dark" : null, { renderer: "canvas" });
  if (dark) { base.backgroundColor = "transparent"; }
  if (extra && base.tooltip) { base.tooltip.formatter = reliaTooltip(base, extra.unit || ""); }
  chart.setOption(option);
  reliaCharts.push(chart);
}

// reliaTooltip lists, at the time under the pointer, each series' value
// and the shaded spans (incidents, chaos runs, adjustments) that cover it:
// the chart prints no names over the spans, which would pile up. A value
// carrying a third number was raised to the floor of a log axis; the
// tooltip gives the true one.
function reliaTooltip(option, unit) {
  var esc = echarts.format.encodeHTML;
  var spans = [];
  (option.series || []).forEach(function (s) {
    ((s.markArea && s.markArea.data) || []).forEach(function (d) {
      if (d.length === 2) {
        spans.push({ name: d[0].name || "", color: (d[0].itemStyle && d[0].itemStyle.color) || "", from: d[0].xAxis, to: d[1].xAxis });
      }
    });
  });
  return function (params) {
    if (!params || !params.length) { return ""; }
    var t = params[0].axisValue;
    var rows = ["<strong>" + esc(echarts.time.format(t, "{yyyy}-{MM}-{dd} {HH}:{mm}", false)) + "</strong>"];
    params.forEach(function (p) {
      var v = Array.isArray(p.value) ? p.value : [null, p.value];
      var text = v[1] == null ? "no data" : v[1] + unit;
      if (v.length > 2) { text = v[2] + unit + " (drawn at " + v[1] + unit + ")"; }
      rows.push(p.marker + esc(p.seriesName) + ": <strong>" + esc(text) + "</strong>");
    });
    spans.forEach(function (s) {
      if (s.from <= t && t <= s.to) {
        rows.push('<span class="tip-span" style="background:' + esc(s.color) + '"></span>' + esc(s.name));
      }
    });
    return rows.join("<br>");
  };
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

// The grouped SLO table of a large site's home page: filter by words
// (service, SLO name, status) and sort the SLOs of each service, and the
// services by their first SLO. Sort keys are read from the cells, so the
// rows carry nothing extra.
function reliaSLOIndex() {
  var table = document.getElementById("slo-groups");
  if (!table) { return; }
  var filter = document.getElementById("slo-filter");
  var sort = document.getElementById("slo-sort");
  var count = document.getElementById("slo-count");
  var groups = Array.prototype.slice.call(table.tBodies);
  var byName = groups.map(function (g) {
    return { g: g, rows: Array.prototype.slice.call(g.querySelectorAll("tr.slo")) };
  });
  var total = 0;
  byName.forEach(function (x) { total += x.rows.length; });
  // column and direction of each sort; NaN ("—") always sorts last
  var keys = { budget: [5, 1], compliance: [4, 1], burn: [6, -1] };
  function key(tr, k) {
    var v = parseFloat(tr.cells[k[0]].textContent.replace(/[^0-9.+-]/g, ""));
    return isNaN(v) ? Infinity : k[1] * v;
  }
  function apply() {
    var words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
    var k = keys[sort.value];
    var shown = 0;
    var order = byName.map(function (x) {
      var svc = x.g.dataset.service.toLowerCase();
      var rows = x.rows.slice();
      if (k) { rows.sort(function (a, b) { return key(a, k) - key(b, k); }); }
      var n = 0, rank = Infinity;
      rows.forEach(function (r) {
        var hay = svc + "/" + r.cells[0].textContent.toLowerCase() + " " + r.dataset.s;
        var ok = words.every(function (w) { return hay.indexOf(w) >= 0; });
        r.hidden = !ok;
        if (ok) { n++; if (k && rank === Infinity) { rank = key(r, k); } }
        x.g.appendChild(r);
      });
      x.g.hidden = n === 0;
      shown += n;
      return { g: x.g, rank: rank };
    });
    if (k) { order.sort(function (a, b) { return a.rank - b.rank; }); }
    order.forEach(function (x) { table.appendChild(x.g); });
    count.textContent = shown + " of " + total + " SLOs";
  }
  filter.addEventListener("input", apply);
  sort.addEventListener("change", apply);
}
