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
