// Camera scanning on the home page: the "scan" button opens the camera
// (the rear one where there is a choice), decodes a QR code or
// DataMatrix with the browser's BarcodeDetector where it has one, else
// with the vendored zxing-wasm reader, and opens the code's page through
// /resolve (a Digital Link URL, a GS1 element string or a raw code).
// Without this script the typed field and the search still work.
(function () {
  "use strict";
  var panel = document.getElementById("scanner");
  var button = document.getElementById("scan-button");
  if (!panel || !button) {
    return;
  }
  var video = document.getElementById("scan-video");
  var status = document.getElementById("scan-status");
  var stop = document.getElementById("scan-stop");
  var lang = document.documentElement.lang || "zh";
  var stream = null;
  var running = false;

  function state(name, detail) {
    panel.dataset.state = name;
    status.textContent = (panel.dataset["msg" + name.charAt(0).toUpperCase() + name.slice(1)] || name) + (detail ? " (" + detail + ")" : "");
  }

  function close() {
    running = false;
    if (stream) {
      stream.getTracks().forEach(function (t) { t.stop(); });
      stream = null;
    }
    video.srcObject = null;
  }

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      s.src = src;
      s.onload = resolve;
      s.onerror = function () { reject(new Error("cannot load " + src)); };
      document.head.appendChild(s);
    });
  }

  // decoder returns a function from the video to the texts it shows now.
  function decoder() {
    if ("BarcodeDetector" in window) {
      return window.BarcodeDetector.getSupportedFormats().then(function (have) {
        var want = ["qr_code", "data_matrix"].filter(function (f) { return have.indexOf(f) >= 0; });
        if (want.length === 0) {
          return zxing();
        }
        panel.dataset.decoder = "barcode-detector";
        var d = new window.BarcodeDetector({ formats: want });
        return function (v) {
          return d.detect(v).then(function (bs) { return bs.map(function (b) { return b.rawValue; }); });
        };
      });
    }
    return zxing();
  }

  function zxing() {
    if (typeof WebAssembly !== "object") {
      return Promise.reject(new Error("no WebAssembly"));
    }
    return loadScript("/assets/zxing-reader.iife.js").then(function () {
      var z = window.ZXingWASM;
      z.prepareZXingModule({
        overrides: {
          locateFile: function (path, prefix) {
            return path.endsWith(".wasm") ? "/assets/" + path : prefix + path;
          }
        },
        fireImmediately: true
      });
      panel.dataset.decoder = "zxing-wasm";
      var canvas = document.createElement("canvas");
      var ctx = canvas.getContext("2d", { willReadFrequently: true });
      return function (v) {
        var w = v.videoWidth, h = v.videoHeight;
        if (!w || !h) {
          return Promise.resolve([]);
        }
        canvas.width = w;
        canvas.height = h;
        ctx.drawImage(v, 0, 0, w, h);
        return z.readBarcodes(ctx.getImageData(0, 0, w, h), {
          formats: ["QRCode", "DataMatrix"], tryHarder: true, maxNumberOfSymbols: 1
        }).then(function (rs) {
          return rs.filter(function (r) { return r.isValid; }).map(function (r) { return r.text; });
        });
      };
    });
  }

  function loop(decode) {
    if (!running) {
      return;
    }
    decode(video).then(function (texts) {
      var t = texts.filter(function (x) { return x && x.trim(); })[0];
      if (t && running) {
        close();
        state("found");
        location.href = "/resolve?code=" + encodeURIComponent(t.trim()) + "&lang=" + encodeURIComponent(lang);
        return;
      }
      setTimeout(function () { loop(decode); }, 150);
    }, function () {
      setTimeout(function () { loop(decode); }, 300);
    });
  }

  function start() {
    if (running) {
      return;
    }
    panel.hidden = false;
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      state("unsupported");
      return;
    }
    state("starting");
    running = true;
    navigator.mediaDevices.getUserMedia({ video: { facingMode: { ideal: "environment" } }, audio: false }).then(function (s) {
      if (!running) {
        s.getTracks().forEach(function (t) { t.stop(); });
        return;
      }
      stream = s;
      video.srcObject = s;
      return video.play().then(decoder).then(function (decode) {
        state("looking");
        loop(decode);
      }, function (err) {
        close();
        state("unsupported", err && err.message);
      });
    }, function (err) {
      running = false;
      var n = err && err.name;
      if (n === "NotAllowedError" || n === "SecurityError" || n === "PermissionDeniedError") {
        state("denied");
      } else {
        state("nocamera", n);
      }
    });
  }

  button.hidden = false;
  button.addEventListener("click", start);
  stop.addEventListener("click", function () {
    close();
    panel.hidden = true;
  });
})();
