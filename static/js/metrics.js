// Draws every chart on a metrics page or panel. Each <canvas data-chart="ID"> names a json_script
// element holding a complete Chart.js configuration built by the server; nothing is inline (CSP).
// The file may run more than once (the account page loads the metrics panel with htmx, scripts
// included), so it installs itself once and later runs only draw what is new.
(function () {
  "use strict";
  if (window.KamMetrics) {
    window.KamMetrics.drawAll(document);
    return;
  }
  var palette = ["#0d6efd", "#dc3545", "#198754", "#fd7e14", "#6f42c1", "#20c997", "#d63384",
                 "#0dcaf0", "#6c757d", "#ffc107", "#6610f2", "#adb5bd"];

  function colourise(config) {
    var datasets = (config.data && config.data.datasets) || [];
    datasets.forEach(function (ds, i) {
      var colour = palette[i % palette.length];
      if (!ds.borderColor) { ds.borderColor = colour; }
      if (!ds.backgroundColor) { ds.backgroundColor = config.type === "line" ? colour : colour + "99"; }
    });
  }

  // Quadrant lines of the portfolio matrix at the programme's thresholds.
  var thresholdLines = {
    id: "thresholdLines",
    afterDraw: function (chart) {
      var t = chart.config.options.plugins && chart.config.options.plugins.thresholdLines;
      if (!t) { return; }
      var ctx = chart.ctx, area = chart.chartArea;
      var x = chart.scales.x.getPixelForValue(t.x), y = chart.scales.y.getPixelForValue(t.y);
      ctx.save();
      ctx.strokeStyle = "#6c757d";
      ctx.setLineDash([4, 4]);
      ctx.beginPath();
      ctx.moveTo(x, area.top); ctx.lineTo(x, area.bottom);
      ctx.moveTo(area.left, y); ctx.lineTo(area.right, y);
      ctx.stroke();
      ctx.restore();
    }
  };

  function draw(canvas) {
    var source = document.getElementById(canvas.getAttribute("data-chart"));
    if (!source) { return; }
    var config = JSON.parse(source.textContent);
    config.options = config.options || {};
    config.options.maintainAspectRatio = false;
    config.options.plugins = config.options.plugins || {};
    if (config.thresholds) {
      config.options.plugins.thresholdLines = config.thresholds;
    }
    if (config.type === "bubble") {
      config.options.plugins.tooltip = {
        callbacks: {
          label: function (item) {
            var raw = item.raw || {};
            return (raw.name || "") + " (" + raw.x + ", " + raw.y + ")";
          }
        }
      };
    }
    colourise(config);
    new window.Chart(canvas, { type: config.type, data: config.data, options: config.options,
                               plugins: [thresholdLines] });
  }

  // Chart.js comes from static/vendor: already on the page, or loaded once from data-chart-src.
  var waiting = [];
  function withChart(callback) {
    if (window.Chart) { callback(); return; }
    waiting.push(callback);
    if (waiting.length > 1) { return; }
    var holder = document.querySelector("[data-chart-src]");
    if (!holder) { return; }
    var script = document.createElement("script");
    script.src = holder.getAttribute("data-chart-src");
    script.onload = function () {
      var pending = waiting;
      waiting = [];
      pending.forEach(function (fn) { fn(); });
    };
    document.head.appendChild(script);
  }

  function drawAll(root) {
    var canvases = (root || document).querySelectorAll("canvas[data-chart]");
    if (!canvases.length) { return; }
    withChart(function () {
      canvases.forEach(function (canvas) {
        if (!window.Chart.getChart(canvas)) { draw(canvas); }
      });
    });
  }

  window.KamMetrics = { drawAll: drawAll };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  } else {
    drawAll(document);
  }
  document.addEventListener("htmx:afterSettle", function (event) { drawAll(event.target); });
})();
