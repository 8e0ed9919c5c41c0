// Dashboards: draws every chart from its data block (<script type="application/json">, no
// inline script, as the Content-Security-Policy asks). Each chart can be saved as a PNG
// (toolbox) and has its numbers in the table beneath it (for screen readers and printing;
// "显示数据" shows it on the screen too). Print buttons ([data-print]) are site.js's.
(function () {
  "use strict";

  var PALETTE = ["#c0392b", "#e67e22", "#f1c40f", "#27ae60", "#2980b9", "#8e44ad", "#16a085", "#7f8c8d",
                 "#d35400", "#2c3e50"];
  var RISK = {"红色": "#c0392b", "橙色": "#e67e22", "黄色": "#f1c40f", "绿色": "#27ae60"};

  function option(spec) {
    var base = {
      color: PALETTE,
      animation: false,
      title: {text: spec.title, left: "center", top: 4, textStyle: {fontSize: 14, fontWeight: "bold"}},
      tooltip: {trigger: spec.kind === "pie" ? "item" : "axis"},
      toolbox: {right: 8, top: 0, feature: {saveAsImage: {title: "保存为图片", name: spec.title, type: "png",
                                                       pixelRatio: 2, backgroundColor: "#fff"}}},
      legend: {show: spec.series.length > 1 || spec.kind === "pie", bottom: 0, type: "scroll"}
    };
    if (spec.kind === "pie") {
      base.series = [{
        type: "pie", radius: ["35%", "62%"], center: ["50%", "52%"],
        label: {formatter: "{b}\n{c}" + spec.unit},
        data: spec.categories.map(function (name, i) {
          var item = {name: name, value: spec.series[0].data[i]};
          if (RISK[name]) { item.itemStyle = {color: RISK[name]}; }
          return item;
        })
      }];
      return base;
    }
    var many = spec.categories.length > 6;
    // Slanted category names reach left of the axis, which containLabel does not count: room for the first.
    base.grid = {left: many ? 30 : 8, right: 16, top: 44, bottom: base.legend.show ? 56 : 28, containLabel: true};
    base.xAxis = {type: "category", data: spec.categories,
                  axisLabel: {interval: 0, rotate: many ? 40 : 0, fontSize: 11}};
    base.yAxis = {type: "value", name: spec.unit, minInterval: spec.unit === "%" ? 0 : 1};
    base.series = spec.series.map(function (s) {
      return {
        name: s.name, data: s.data,
        type: spec.kind === "line" ? "line" : "bar",
        stack: spec.kind === "stack" ? "total" : undefined,
        smooth: false,
        label: {show: !many && spec.kind !== "stack", position: "top"}
      };
    });
    return base;
  }

  function draw() {
    if (typeof echarts === "undefined") { return; }
    var charts = [];
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var data = document.getElementById(el.getAttribute("data-chart"));
      if (!data) { return; }
      var chart = echarts.init(el, null, {renderer: "canvas"});
      chart.setOption(option(JSON.parse(data.textContent)));
      charts.push(chart);
    });
    var resize = function () { charts.forEach(function (c) { c.resize(); }); };
    window.addEventListener("resize", resize);
    window.addEventListener("load", resize);  // the stylesheet giving charts their height may come late
    window.addEventListener("beforeprint", resize);
    window.addEventListener("afterprint", resize);
  }

  function wire() {
    document.querySelectorAll("[data-toggle-table]").forEach(function (button) {
      button.addEventListener("click", function () {
        var table = document.querySelector("[data-chart-table='" + button.getAttribute("data-toggle-table") + "']");
        if (!table) { return; }
        var hidden = table.classList.toggle("visually-hidden");
        button.textContent = hidden ? "显示数据" : "隐藏数据";
        button.setAttribute("aria-expanded", hidden ? "false" : "true");
      });
    });
  }

  function start() { wire(); draw(); }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
