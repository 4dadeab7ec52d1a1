// The upload page: send the files to /catalogues/validate and show the report grouped by
// file and row, each finding with its column, offending value and message.
(function () {
  "use strict";

  var ui = JSON.parse(document.getElementById("ui-text").textContent);
  var form = document.getElementById("upload-form");
  var status = document.getElementById("report-status");
  var report = document.getElementById("report");
  var lang = document.documentElement.lang || "ru";

  function element(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    if (className) { node.className = className; }
    return node;
  }

  function say(text) {
    status.hidden = false;
    status.textContent = text;
  }

  // Findings keyed by file, then by row; findings without a row apply to the whole file.
  function group(results) {
    var files = {};
    results.forEach(function (result) {
      var file = result.file || "";
      var row = result.row === undefined || result.row === null ? "" : String(result.row);
      files[file] = files[file] || {};
      (files[file][row] = files[file][row] || []).push(result);
    });
    return files;
  }

  function renderRow(file, row, findings) {
    var box = element("section", null, "report-row");
    box.setAttribute("aria-label", file + ", " + (row ? ui.row + " " + row : ui.file_level));
    box.appendChild(element("h3", row ? ui.row + " " + row : ui.file_level));
    var list = element("ul");
    findings.forEach(function (finding) {
      var item = element("li");
      if (finding.column) { item.appendChild(element("strong", finding.column + ": ")); }
      if (finding.value !== undefined && finding.value !== null && finding.value !== "") {
        item.appendChild(element("span", finding.value, "value"));
        item.appendChild(document.createTextNode(" — "));
      }
      item.appendChild(document.createTextNode(finding.message));
      item.appendChild(element("span", " (" + finding.severity + ")", "muted"));
      list.appendChild(item);
    });
    box.appendChild(list);
    return box;
  }

  function render(body) {
    report.textContent = "";
    var results = body.results || [];
    if (body.conforms || results.length === 0) {
      say(ui.conforms);
      return;
    }
    say(ui.findings + ": " + results.length);
    var files = group(results);
    Object.keys(files).forEach(function (file) {
      report.appendChild(element("h3", file || ui.file));
      var rows = Object.keys(files[file]).sort(function (a, b) {
        return (a === "" ? -1 : Number(a)) - (b === "" ? -1 : Number(b));
      });
      rows.forEach(function (row) { report.appendChild(renderRow(file, row, files[file][row])); });
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    report.textContent = "";
    say(ui.checking);
    fetch("/catalogues/validate", {
      method: "POST",
      body: new FormData(form),
      headers: { "Accept": "application/json", "Accept-Language": lang },
    })
      .then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      })
      .then(function (answer) {
        if (!answer.ok) {
          say(ui.upload_failed + ": " + (answer.body.message || ""));
          return;
        }
        render(answer.body);
      })
      .catch(function (error) { say(ui.upload_failed + ": " + error); });
  });
})();
