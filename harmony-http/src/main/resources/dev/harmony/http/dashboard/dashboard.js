// Polls the JSON endpoint once a second and writes the figures into the table cells and the diagram
// badges of each pipeline. Reloads the page when pipelines start or stop, so their diagrams appear.
(function () {
  "use strict";
  var status = document.getElementById("status");
  var polls = 0;
  var shown = names(Array.prototype.map.call(document.querySelectorAll("section[data-pipeline]"),
      function (s) { return s.getAttribute("data-pipeline"); }));

  function names(list) { return list.slice().sort().join("\n"); }
  function ms(v) {
    if (v === 0) { return "\u2013"; }
    if (v < 1) { return (v * 1000).toFixed(0) + " \u00b5s"; }
    return v >= 100 ? v.toFixed(0) + " ms" : v >= 10 ? v.toFixed(1) + " ms" : v.toFixed(2) + " ms";
  }
  function total(map) { var n = 0; for (var k in map) { n += map[k]; } return n; }
  function kinds(map) {
    return Object.keys(map).sort().map(function (k) { return k + " " + map[k]; }).join(", ");
  }
  function byAttr(root, selector, attr, value) {
    var all = root.querySelectorAll(selector);
    for (var i = 0; i < all.length; i++) { if (all[i].getAttribute(attr) === value) { return all[i]; } }
    return null;
  }
  function set(row, field, text, value) {
    var cell = row && row.querySelector('[data-field="' + field + '"]');
    if (cell) { cell.textContent = text; cell.setAttribute("data-value", String(value)); }
  }
  function fill(row, f) {
    set(row, "count", String(f.count), f.count);
    set(row, "passed", String(f.passed), f.passed);
    set(row, "rejected", String(total(f.rejected)), total(f.rejected));
    set(row, "rejected-by-kind", kinds(f.rejected), kinds(f.rejected));
    set(row, "failed", String(f.failed), f.failed);
    set(row, "p50", ms(f.p50Millis), f.p50Millis);
    set(row, "p99", ms(f.p99Millis), f.p99Millis);
    set(row, "rate", f.perSecond.toFixed(1) + "/s", f.perSecond);
  }
  function badge(svg, stage, f) {
    var box = byAttr(svg, "g[data-stage]", "data-stage", stage);
    if (!box) { return; }
    var rect = box.querySelector("rect");
    var g = box.querySelector("g.badge");
    var ns = "http://www.w3.org/2000/svg";
    if (!g) {
      g = document.createElementNS(ns, "g");
      g.setAttribute("class", "badge");
      g.appendChild(document.createElementNS(ns, "rect"));
      g.appendChild(document.createElementNS(ns, "text"));
      box.appendChild(g);
    }
    var text = g.querySelector("text");
    var rejected = total(f.rejected);
    text.textContent = f.count + " \u2192 \u2713" + f.passed + (rejected ? " \u2717" + rejected : "") + (f.failed ? " !" + f.failed : "");
    var right = Number(rect.getAttribute("x")) + Number(rect.getAttribute("width")) - 6;
    var top = Number(rect.getAttribute("y"));
    text.setAttribute("x", String(right - 7));
    text.setAttribute("y", String(top + 4));
    text.setAttribute("text-anchor", "end");
    var width = text.getComputedTextLength ? text.getComputedTextLength() : 60;
    var bg = g.querySelector("rect");
    bg.setAttribute("x", String(right - width - 14));
    bg.setAttribute("y", String(top - 8));
    bg.setAttribute("width", String(width + 14));
    bg.setAttribute("height", "16");
    bg.setAttribute("rx", "8");
  }
  function update(p) {
    var section = byAttr(document, "section[data-pipeline]", "data-pipeline", p.name);
    if (!section) { return; }
    var summary = section.querySelector(".summary");
    set(summary, "count", String(p.exchanges.count), p.exchanges.count);
    set(summary, "passed", String(p.exchanges.passed), p.exchanges.passed);
    set(summary, "rejected", String(total(p.exchanges.rejected)), total(p.exchanges.rejected));
    set(summary, "failed", String(p.exchanges.failed), p.exchanges.failed);
    set(summary, "inFlight", String(p.inFlight), p.inFlight);
    set(summary, "throughput", p.throughputPerSecond.toFixed(1) + "/s", p.throughputPerSecond);
    var svg = section.querySelector("svg");
    fill(byAttr(section, "tr[data-stage]", "data-stage", p.frontend), p.exchanges);
    if (svg) { badge(svg, p.frontend, p.exchanges); }
    p.stages.forEach(function (s) {
      fill(byAttr(section, "tr[data-stage]", "data-stage", s.stage), s.figures);
      if (svg) { badge(svg, s.stage, s.figures); }
    });
    var deliveries = section.querySelector("table.deliveries");
    if (deliveries) { (p.deliveries || []).forEach(function (d) { delivery(deliveries, d); }); }
  }
  function delivery(table, d) {
    var row = byAttr(table, "tr[data-destination]", "data-destination", d.destination);
    if (!row) {
      row = document.createElement("tr");
      row.setAttribute("data-destination", d.destination);
      var name = document.createElement("td");
      name.textContent = d.destination;
      row.appendChild(name);
      ["attempts", "delivered", "retried", "dead", "p50", "p99"].forEach(function (f) {
        var cell = document.createElement("td");
        cell.setAttribute("data-field", f);
        row.appendChild(cell);
      });
      table.tBodies[0].appendChild(row);
      table.hidden = false;
    }
    ["attempts", "delivered", "retried", "dead"].forEach(function (f) { set(row, f, String(d[f]), d[f]); });
    set(row, "p50", ms(d.p50Millis), d.p50Millis);
    set(row, "p99", ms(d.p99Millis), d.p99Millis);
  }
  function queue(q) {
    var row = byAttr(document, "tr[data-queue]", "data-queue", q.destination);
    if (!row) { return; }
    ["depth", "dead", "delivered", "attempts", "failedAttempts"].forEach(function (f) { set(row, f, String(q[f]), q[f]); });
    set(row, "oldestPendingSeconds", q.oldestPendingSeconds.toFixed(0) + " s", q.oldestPendingSeconds);
  }
  function poll() {
    var request = new XMLHttpRequest();
    request.open("GET", "api/pipelines");
    request.setRequestHeader("Cache-Control", "no-store");
    request.onload = function () {
      if (request.status !== 200) { fail("HTTP " + request.status); return; }
      var data = JSON.parse(request.responseText);
      if (names(data.pipelines.map(function (p) { return p.name; })) !== shown) { location.reload(); return; }
      data.pipelines.forEach(update);
      (data.queues || []).forEach(queue);
      polls++;
      status.setAttribute("data-polls", String(polls));
      status.className = "ok";
      status.textContent = "live, updated " + new Date().toLocaleTimeString();
    };
    request.onerror = function () { fail("dashboard unreachable"); };
    request.send();
  }
  function fail(why) { status.className = "error"; status.textContent = "not updating: " + why; }
  poll();
  setInterval(poll, 1000);
})();
