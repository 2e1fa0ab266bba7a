// Charts of the accounts pages. Data comes from json_script elements (no inline code: the CSP forbids it).
(function () {
  "use strict";
  if (typeof Chart === "undefined") { return; }

  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }


  // Account page: monthly revenue, last 24 months.
  var revenue = data("revenue-data");
  var revenueCanvas = document.getElementById("revenue-chart");
  if (revenue && revenueCanvas) {
    new Chart(revenueCanvas, {
      type: "bar",
      data: { labels: revenue.labels, datasets: [{ label: revenue.label, data: revenue.revenue, backgroundColor: "rgba(13,110,253,0.6)" }] },
      options: { maintainAspectRatio: false, plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true } } }
    });
  }

  // Portfolio matrix: bubbles, quadrant lines and names, click-through to the account.
  var portfolio = data("portfolio-data");
  var portfolioCanvas = document.getElementById("portfolio-chart");
  if (portfolio && portfolioCanvas) {
    var t = portfolio.thresholds;
    var quadrantPlugin = {
      id: "quadrants",
      afterDraw: function (chart) {
        var ctx = chart.ctx, x = chart.scales.x, y = chart.scales.y;
        var px = x.getPixelForValue(t.x), py = y.getPixelForValue(t.y);
        ctx.save();
        ctx.strokeStyle = "rgba(0,0,0,0.35)";
        ctx.setLineDash([6, 4]);
        ctx.beginPath(); ctx.moveTo(px, y.top); ctx.lineTo(px, y.bottom); ctx.stroke();
        ctx.beginPath(); ctx.moveTo(x.left, py); ctx.lineTo(x.right, py); ctx.stroke();
        ctx.setLineDash([]);
        ctx.fillStyle = "rgba(0,0,0,0.45)";
        ctx.font = "600 13px system-ui, sans-serif";
        ctx.textAlign = "right"; ctx.fillText(portfolio.quadrants.strategic, x.right - 6, y.top + 16);
        ctx.textAlign = "left"; ctx.fillText(portfolio.quadrants.star, x.left + 6, y.top + 16);
        ctx.textAlign = "right"; ctx.fillText(portfolio.quadrants.status, x.right - 6, y.bottom - 8);
        ctx.textAlign = "left"; ctx.fillText(portfolio.quadrants.streamline, x.left + 6, y.bottom - 8);
        ctx.restore();
      }
    };
    var byTier = {};
    portfolio.points.forEach(function (p) { (byTier[p.tier] = byTier[p.tier] || []).push(p); });
    var datasets = Object.keys(byTier).map(function (tier) {
      return { label: portfolio.tiers[tier] || tier, data: byTier[tier], backgroundColor: portfolio.colours[tier] || "rgba(0,0,0,0.4)" };
    });
    var chart = new Chart(portfolioCanvas, {
      type: "bubble",
      data: { datasets: datasets },
      options: {
        maintainAspectRatio: false,
        scales: portfolio.scales,
        plugins: { tooltip: { callbacks: { label: function (c) {
          var p = c.raw; return p.name + " (" + Math.round(p.y) + " / " + Math.round(p.x) + ")";
        } } } },
        onClick: function (event, elements) {
          if (elements.length) {
            var el = elements[0];
            var point = chart.data.datasets[el.datasetIndex].data[el.index];
            window.location.href = portfolio.detail_url.replace("/0/", "/" + point.id + "/");
          }
        },
        onHover: function (event, elements) { event.native.target.style.cursor = elements.length ? "pointer" : "default"; }
      },
      plugins: [quadrantPlugin]
    });
    portfolioCanvas.setAttribute("data-points", String(portfolio.points.length));
  }

  // Pareto: cumulative share of revenue by rank, the A and B class lines, key accounts marked.
  var pareto = data("pareto-data");
  var paretoCanvas = document.getElementById("pareto-chart");
  if (pareto && paretoCanvas) {
    // The curve comes thinned to a few hundred points (ranks[i] is the 0-based rank of shares[i]).
    var curve = pareto.shares.map(function (y, i) { return { x: pareto.ranks[i] + 1, y: y }; });
    var keyPoints = pareto.key.map(function (r, j) { return { x: r + 1, y: pareto.key_shares[j] }; });
    var ends = [{ x: 1 }, { x: Math.max(pareto.count, 1) }];
    new Chart(paretoCanvas, {
      type: "line",
      data: { datasets: [
        { label: pareto.labels.curve, data: curve, borderColor: "rgba(13,110,253,0.9)", pointRadius: 0, fill: false },
        { label: pareto.labels.key, type: "scatter", data: keyPoints, backgroundColor: "rgba(220,53,69,0.9)", pointRadius: 4 },
        { label: pareto.labels.a, data: ends.map(function (p) { return { x: p.x, y: pareto.lines.a }; }), borderColor: "rgba(25,135,84,0.6)", borderDash: [6, 4], pointRadius: 0 },
        { label: pareto.labels.b, data: ends.map(function (p) { return { x: p.x, y: pareto.lines.b }; }), borderColor: "rgba(255,193,7,0.8)", borderDash: [6, 4], pointRadius: 0 }
      ] },
      options: { maintainAspectRatio: false, animation: false, parsing: false,
        scales: { x: { type: "linear", min: 1, max: Math.max(pareto.count, 1), title: { display: true, text: pareto.labels.x } },
                  y: { min: 0, max: 100 } } }
    });
  }
})();
