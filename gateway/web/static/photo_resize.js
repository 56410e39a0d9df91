/* Photos shrunk in the browser before they are uploaded (手机照片 are often 5-15 MB):
 * a JPEG or PNG chosen in <input type="file" data-max-bytes="…"> that is larger than
 * that limit, or wider or taller than data-max-side (2560 px unless given), is drawn on
 * a canvas at most that size and put back into the input as a JPEG that fits. Nothing
 * else is touched; without canvas or DataTransfer the original file goes and the
 * server shrinks it (gateway/files.py). No inline script: the pages' CSP forbids it.
 */
(function () {
  "use strict";
  var QUALITIES = [0.85, 0.75, 0.65, 0.55];

  function isPhoto(f) { return f && (f.type === "image/jpeg" || f.type === "image/png"); }

  // createImageBitmap reads the file without a URL (the CSP allows no blob: images);
  // older browsers read it as a data: URL, which the CSP allows.
  function load(file) {
    if (window.createImageBitmap) {
      return createImageBitmap(file).then(function (bitmap) {
        return {source: bitmap, width: bitmap.width, height: bitmap.height};
      });
    }
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onload = function () {
        var img = new Image();
        img.onload = function () { resolve({source: img, width: img.naturalWidth, height: img.naturalHeight}); };
        img.onerror = function () { reject(new Error("not an image")); };
        img.src = reader.result;
      };
      reader.onerror = function () { reject(new Error("unreadable")); };
      reader.readAsDataURL(file);
    });
  }

  function encode(img, side, quality) {
    var scale = Math.min(1, side / Math.max(img.width, img.height));
    var canvas = document.createElement("canvas");
    canvas.width = Math.max(1, Math.round(img.width * scale));
    canvas.height = Math.max(1, Math.round(img.height * scale));
    var ctx = canvas.getContext("2d");
    ctx.fillStyle = "#fff";  // a transparent PNG goes on white, as JPEG has no alpha
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(img.source, 0, 0, canvas.width, canvas.height);
    return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", quality); });
  }

  function shrink(img, limit, side) {
    var attempts = [];
    for (var s = side; s >= 320; s = Math.round(s * 0.7)) {
      QUALITIES.forEach(function (q) { attempts.push([s, q]); });
    }
    function next(i) {
      if (i >= attempts.length) { return Promise.resolve(null); }
      return encode(img, attempts[i][0], attempts[i][1]).then(function (blob) {
        return blob && blob.size <= limit ? blob : next(i + 1);
      });
    }
    return next(0);
  }

  function jpegName(name) { return (name.replace(/\.[^.]*$/, "") || "photo") + ".jpg"; }

  function handle(input) {
    var file = input.files && input.files[0];
    var limit = parseInt(input.getAttribute("data-max-bytes") || "0", 10);
    var side = parseInt(input.getAttribute("data-max-side") || "2560", 10);
    if (!isPhoto(file) || !limit || !window.DataTransfer || !HTMLCanvasElement.prototype.toBlob) { return; }
    input.setAttribute("data-resizing", "");
    load(file).then(function (img) {
      if (file.size <= limit && Math.max(img.width, img.height) <= side) { return null; }
      return shrink(img, limit, side);
    }).then(function (blob) {
      if (!blob) { return; }
      var box = new DataTransfer();
      box.items.add(new File([blob], jpegName(file.name), {type: "image/jpeg", lastModified: Date.now()}));
      input.files = box.files;
      input.setAttribute("data-resized", "");
      var said = input.form && input.form.querySelector("#att-resized");
      if (said && input.id === "att-file") { said.hidden = false; }
      input.dispatchEvent(new Event("change", {bubbles: true}));  // limits are checked again (app.js)
    }).catch(function () { /* left as chosen: the server decides */ }).then(function () {
      input.removeAttribute("data-resizing");
    });
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[type=file][data-max-bytes]")) { return; }
    handle(input);  // the change it dispatches itself finds a small JPEG and stops there
  });
})();
