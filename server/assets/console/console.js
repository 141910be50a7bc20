// The console's own script: sortable tables, the overview's trend chart
// (uPlot), and downloads and uploads that show their progress. No inline
// script: the pages' Content-Security-Policy allows only files.
(function () {
  "use strict";

  function sortTable(th) {
    var table = th.closest("table"), body = table.tBodies[0];
    var col = Array.prototype.indexOf.call(th.parentNode.children, th);
    var asc = !th.classList.contains("asc");
    th.parentNode.querySelectorAll("th").forEach(function (h) { h.classList.remove("asc", "desc"); });
    th.classList.add(asc ? "asc" : "desc");
    var num = th.dataset.sort === "num";
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = a.cells[col].textContent.trim(), y = b.cells[col].textContent.trim();
      var c = num ? (parseFloat(x) || 0) - (parseFloat(y) || 0) : x.localeCompare(y, "zh");
      return asc ? c : -c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  }

  function chart() {
    var el = document.getElementById("chart"), src = document.getElementById("chart-data");
    if (!el || !src || !window.uPlot) return;
    var d = JSON.parse(src.textContent);
    var colors = ["#0d3b66", "#f95738", "#17803d", "#ee964b"];
    var series = [{ label: d.xlabel }];
    d.labels.forEach(function (l, i) { series.push({ label: l, stroke: colors[i % colors.length], width: 2 }); });
    var plot = new uPlot({ width: el.clientWidth - 10, height: 240, series: series, scales: { x: { time: true } } },
      [d.x].concat(d.y), el);
    window.addEventListener("resize", function () { plot.setSize({ width: el.clientWidth - 10, height: 240 }); });
  }

  // download fetches a block's codes, counting lines against the block's
  // printable count to show progress, then saves them as a file.
  function download(a, ev) {
    if (!window.fetch || !window.ReadableStream) return;
    ev.preventDefault();
    var total = parseInt(a.dataset.progress, 10) || 0;
    var bar = a.parentNode.querySelector("progress");
    bar.hidden = false; bar.max = total || 1; bar.value = 0;
    fetch(a.href, { credentials: "same-origin" }).then(function (res) {
      if (!res.ok) throw new Error(res.status + " " + res.statusText);
      var reader = res.body.getReader(), parts = [], lines = 0;
      function pump() {
        return reader.read().then(function (r) {
          if (r.done) return;
          parts.push(r.value);
          for (var i = 0; i < r.value.length; i++) if (r.value[i] === 10) lines++;
          bar.value = lines;
          return pump();
        });
      }
      return pump().then(function () {
        var url = URL.createObjectURL(new Blob(parts, { type: "text/plain" }));
        var m = /filename="([^"]+)"/.exec(res.headers.get("Content-Disposition") || "");
        var save = document.createElement("a");
        save.href = url; save.download = m ? m[1] : "codes.txt";
        document.body.appendChild(save); save.click(); save.remove();
        setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
        a.dataset.done = String(lines);
      });
    }).catch(function (e) {
      bar.hidden = true;
      var msg = document.createElement("span");
      msg.className = "error"; msg.textContent = e.message;
      a.parentNode.appendChild(msg);
    });
  }

  // upload sends the form with XMLHttpRequest to show the bytes sent,
  // then shows the page the server answers.
  function upload(form, ev) {
    var bar = document.getElementById("upload-progress");
    if (!bar || !window.FormData) return;
    ev.preventDefault();
    var x = new XMLHttpRequest();
    x.open("POST", form.action);
    bar.hidden = false;
    x.upload.onprogress = function (e) { if (e.lengthComputable) { bar.max = e.total; bar.value = e.loaded; } };
    x.onload = function () {
      var doc = new DOMParser().parseFromString(x.responseText, "text/html");
      var main = doc.getElementById("main");
      if (main) document.getElementById("main").replaceWith(main);
    };
    x.send(new FormData(form));
  }

  document.addEventListener("click", function (ev) {
    var th = ev.target.closest("th[data-sort]");
    if (th) { sortTable(th); return; }
    var a = ev.target.closest("a.download");
    if (a) download(a, ev);
  });
  document.addEventListener("submit", function (ev) {
    if (ev.target.id === "upload-form") upload(ev.target, ev);
  });
  document.addEventListener("DOMContentLoaded", chart);
})();
