// segscribe web: uploads with progress (files and folders, by picker or drag and drop) and the citation panel.
// No inline script and no eval: the page's Content-Security-Policy allows only this file and htmx.
(function () {
  "use strict";
  const body = document.body;
  const base = body.dataset.base || "";
  const csrf = body.dataset.csrf || "";

  function readEntry(entry, prefix, out) {
    return new Promise(function (resolve) {
      if (entry.isFile) {
        entry.file(function (f) { out.push([f, prefix + f.name]); resolve(); }, function () { resolve(); });
      } else if (entry.isDirectory) {
        const reader = entry.createReader();
        const all = [];
        const next = function () {
          reader.readEntries(function (batch) {
            if (!batch.length) {
              Promise.all(all.map(function (e) { return readEntry(e, prefix + entry.name + "/", out); })).then(resolve);
            } else { all.push.apply(all, batch); next(); }
          }, function () { resolve(); });
        };
        next();
      } else { resolve(); }
    });
  }

  function send(pairs) {
    if (!pairs.length) { return; }
    const status = document.getElementById("upload-status");
    const bar = document.getElementById("upload-progress");
    const results = document.getElementById("upload-results");
    const data = new FormData();
    pairs.forEach(function (p) { data.append("files", p[0], p[1]); });
    const xhr = new XMLHttpRequest();
    xhr.open("POST", base + "/upload");
    xhr.setRequestHeader("X-CSRF-Token", csrf);
    bar.hidden = false; bar.value = 0;
    status.textContent = "Uploading " + pairs.length + " file(s)…";
    xhr.upload.onprogress = function (ev) {
      if (ev.lengthComputable) { bar.value = Math.round(100 * ev.loaded / ev.total); }
      if (ev.loaded === ev.total) { status.textContent = "Reading and indexing…"; }
    };
    xhr.onload = function () {
      bar.hidden = true;
      status.textContent = xhr.status === 200 ? "Done." : "Upload refused (" + xhr.status + "): " + xhr.responseText;
      if (xhr.status === 200) { results.innerHTML = xhr.responseText; }  // server-rendered, escaped HTML
      results.dataset.done = String(Date.now());
    };
    xhr.onerror = function () { bar.hidden = true; status.textContent = "Upload failed: the server did not answer."; };
    xhr.send(data);
  }

  const form = document.getElementById("upload-form");
  if (form) {
    form.addEventListener("submit", function (ev) { ev.preventDefault(); });
    ["files", "folder"].forEach(function (id) {
      const input = document.getElementById(id);
      input.addEventListener("change", function () {
        send(Array.from(input.files).map(function (f) { return [f, f.webkitRelativePath || f.name]; }));
        input.value = "";
      });
    });
    form.addEventListener("dragover", function (ev) { ev.preventDefault(); form.classList.add("over"); });
    form.addEventListener("dragleave", function () { form.classList.remove("over"); });
    form.addEventListener("drop", function (ev) {
      ev.preventDefault();
      form.classList.remove("over");
      const out = [];
      const entries = Array.from(ev.dataTransfer.items || []).map(function (i) {
        return i.webkitGetAsEntry ? i.webkitGetAsEntry() : null;
      }).filter(Boolean);
      if (!entries.length) {
        send(Array.from(ev.dataTransfer.files).map(function (f) { return [f, f.name]; }));
        return;
      }
      Promise.all(entries.map(function (e) { return readEntry(e, "", out); })).then(function () { send(out); });
    });
  }

  const panel = document.getElementById("panel");
  function closePanel() { panel.hidden = true; panel.innerHTML = ""; }
  document.addEventListener("htmx:afterSwap", function (ev) {
    if (ev.detail.target === panel) {
      panel.hidden = false;
      const mark = document.getElementById("highlight");
      if (mark) { mark.scrollIntoView({block: "nearest"}); }
    }
  });
  document.addEventListener("click", function (ev) {
    if (ev.target && ev.target.id === "panel-close") { closePanel(); }
  });
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape" && !panel.hidden) { closePanel(); }
  });
})();
