// The mapping-review page: send the files to POST /catalogues/map, show one table per file,
// and save the rows the member accepts or corrects with POST /catalogues/map/corrections.
// The member chosen in the list goes to both requests as ?member=: an administrator must name
// one, and a member's token may name only its own member. The member token is read from its input field when a request is sent; it is never written
// to storage, a cookie or a URL.
(function () {
  "use strict";

  var ui = JSON.parse(document.getElementById("ui-text").textContent);
  var classes = JSON.parse(document.getElementById("product-classes").textContent);
  var lang = document.documentElement.lang || "ru";
  var form = document.getElementById("map-form");
  var tokenInput = document.getElementById("member-token");
  var memberSelect = document.getElementById("member-select");
  var mapStatus = document.getElementById("mapping-status");
  var report = document.getElementById("mapping-report");
  var saveControls = document.getElementById("save-controls");
  var saveStatus = document.getElementById("save-status");
  var classByCurie = {};
  classes.forEach(function (cls) { classByCurie[cls.curie] = cls; });

  // One entry per product row that has a code: the select and what a correction sends.
  var decisions = [];

  function element(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    if (className) { node.className = className; }
    return node;
  }

  function say(box, lines, failed) {
    box.hidden = false;
    box.className = failed ? "status error" : "status";
    box.textContent = "";
    [].concat(lines).forEach(function (line) { box.appendChild(element("p", line)); });
  }

  function authHeaders() {
    var headers = { "Accept": "application/json", "Accept-Language": lang };
    var token = tokenInput.value.trim();
    if (token) { headers["Authorization"] = "Bearer " + token; }
    return headers;
  }

  // Add the chosen member. Without a token the request acts for no member, so nothing is added.
  function forMember(path) {
    if (!memberSelect.value || !tokenInput.value.trim()) { return path; }
    return path + "?member=" + encodeURIComponent(memberSelect.value);
  }

  // Resolve to {ok, body}; a body that is not JSON becomes {message: status text}.
  function send(url, options) {
    return fetch(url, options).then(function (response) {
      return response.json()
        .catch(function () { return { message: response.status + " " + response.statusText }; })
        .then(function (body) { return { ok: response.ok, body: body }; });
    });
  }

  function classLabel(curie, fallback) {
    var known = classByCurie[curie];
    return known ? known.label : (fallback || curie);
  }

  function classLink(curie, fallback) {
    if (!curie) { return element("span", ui.mapping_none, "muted"); }
    var term = curie.indexOf("vic:") === 0 ? curie.slice(4) : null;
    var link = element(term ? "a" : "span", classLabel(curie, fallback));
    if (term) { link.href = "/ontology/" + encodeURIComponent(term) + "?lang=" + lang; }
    link.title = curie;
    return link;
  }

  function formatConfidence(value) {
    return Number(value).toLocaleString(lang === "en" ? "en" : "ru", {
      minimumFractionDigits: 2,
      maximumFractionDigits: 2,
    });
  }

  function shortClass(iri) {
    var cut = Math.max(iri.lastIndexOf("/"), iri.lastIndexOf("#"));
    return "vic:" + iri.slice(cut + 1);
  }

  function evidenceText(item) {
    if (item.kind === "manual") { return ui.evidence_manual; }
    if (item.kind === "label") {
      return ui.evidence_label + " «" + item.label + "»" + (item.fuzzy ? " (" + item.fuzzy.join(", ") + ")" : "");
    }
    if (item.kind === "code") {
      var fitted = (item.classes || []).map(function (iri) { return classLabel(shortClass(iri)); });
      return ui.evidence_code + " " + item.scheme + " " + item.code + " → " + fitted.join(", ");
    }
    return item.kind;
  }

  function findingText(finding) {
    var text = ui["finding_" + finding.kind] || finding.kind;
    if (finding.kind === "attribute_mismatch") {
      return text + " (" + finding.field + ": " + finding.in_name + " ≠ " + finding.in_column + ")";
    }
    if (finding.kind === "unknown_code") { return text + " (" + finding.scheme + " " + finding.code + ")"; }
    return text;
  }

  function evidenceCell(row) {
    var cell = element("td");
    var list = element("ul", null, "plain");
    row.evidence.forEach(function (item) { list.appendChild(element("li", evidenceText(item))); });
    row.findings.forEach(function (finding) {
      list.appendChild(element("li", findingText(finding), "warning"));
    });
    if (list.children.length) { cell.appendChild(list); } else { cell.textContent = ui.mapping_none; }
    return cell;
  }

  function candidatesCell(row) {
    var cell = element("td");
    if (row.status === "mapped" || row.candidates.length === 0) {
      cell.appendChild(element("span", ui.mapping_none, "muted"));
      return cell;
    }
    var list = element("ul", null, "plain");
    row.candidates.forEach(function (candidate) {
      var item = element("li");
      item.appendChild(classLink(candidate.class, candidate.label));
      item.appendChild(document.createTextNode(" " + formatConfidence(candidate.confidence)));
      list.appendChild(item);
    });
    cell.appendChild(list);
    return cell;
  }

  function option(value, text) {
    var node = element("option", text);
    node.value = value;
    return node;
  }

  function group(label, curies) {
    var node = element("optgroup");
    node.label = label;
    curies.forEach(function (curie) { node.appendChild(option(curie, classLabel(curie))); });
    return node;
  }

  function decisionCell(row, file, id) {
    var cell = element("td");
    if (!row.code) {
      cell.appendChild(element("span", ui.mapping_no_code, "muted"));
      return cell;
    }
    var label = element("label", ui.mapping_decision_for + " " + row.row + ": " + row.name, "visually-hidden");
    label.htmlFor = id;
    var select = element("select");
    select.id = id;
    select.appendChild(option("", ui.mapping_keep));
    if (row.class) {
      select.appendChild(option(row.class, ui.mapping_accept + ": " + classLabel(row.class, row.class_label)));
    }
    var candidates = row.candidates
      .map(function (candidate) { return candidate.class; })
      .filter(function (curie) { return curie !== row.class && classByCurie[curie]; });
    if (row.status !== "mapped" && candidates.length) {
      select.appendChild(group(ui.mapping_candidates, candidates));
    }
    select.appendChild(group(ui.mapping_other_classes, classes.map(function (cls) { return cls.curie; })));
    cell.appendChild(label);
    cell.appendChild(select);
    decisions.push({ select: select, row: row, file: file });
    return cell;
  }

  function renderRow(row, file, id) {
    var tr = element("tr");
    tr.dataset.row = row.row;
    tr.dataset.code = row.code;
    tr.appendChild(element("td", row.row, "number"));
    tr.appendChild(element("td", row.code || ui.mapping_none));
    tr.appendChild(element("th", row.name || ui.mapping_none)).scope = "row";
    var suggested = element("td", null, "suggested");
    suggested.appendChild(classLink(row.class, row.class_label));
    tr.appendChild(suggested);
    var confidence = element("td", formatConfidence(row.confidence), "number confidence");
    confidence.dataset.confidence = row.confidence;
    tr.appendChild(confidence);
    var status = element("td", ui["status_" + row.status] || row.status, "status-" + row.status);
    status.dataset.status = row.status;
    status.dataset.justification = row.justification;
    tr.appendChild(status);
    tr.appendChild(evidenceCell(row));
    tr.appendChild(candidatesCell(row));
    tr.appendChild(decisionCell(row, file, id));
    return tr;
  }

  function renderFile(result, index) {
    var section = element("section", null, "mapping-file");
    var headingId = "mapping-file-" + index;
    section.setAttribute("aria-labelledby", headingId);
    var heading = element("h3", result.file);
    heading.id = headingId;
    section.appendChild(heading);
    var counts = result.counts;
    section.appendChild(element("p",
      ui.mapping_rows + ": " + result.rows.length + " · " + ui.status_mapped + " " + counts.mapped +
      " · " + ui.status_ambiguous + " " + counts.ambiguous + " · " + ui.status_unmapped + " " + counts.unmapped));
    if (result.rows.length === 0) {
      section.appendChild(element("p", ui.mapping_no_rows, "muted"));
      return section;
    }
    // The wrapper scrolls on narrow screens; it is focusable so the keyboard can scroll it.
    var wrap = element("div", null, "table-wrap");
    wrap.tabIndex = 0;
    wrap.setAttribute("role", "region");
    wrap.setAttribute("aria-labelledby", headingId);
    var table = element("table", null, "mapping");
    table.appendChild(element("caption", ui.mapping_report + ": " + result.file));
    var head = element("tr");
    ["row", "mapping_code", "name", "mapping_suggested", "mapping_confidence", "mapping_status",
      "mapping_evidence", "mapping_candidates", "mapping_decision"].forEach(function (key) {
      head.appendChild(element("th", ui[key])).scope = "col";
    });
    table.appendChild(element("thead")).appendChild(head);
    var body = element("tbody");
    result.rows.forEach(function (row) {
      body.appendChild(renderRow(row, result.file, "decision-" + index + "-" + row.row));
    });
    table.appendChild(body);
    wrap.appendChild(table);
    section.appendChild(wrap);
    return section;
  }

  function render(body) {
    report.textContent = "";
    decisions = [];
    var files = body.files || [];
    files.forEach(function (result, index) { report.appendChild(renderFile(result, index)); });
    var total = files.reduce(function (sum, result) { return sum + result.rows.length; }, 0);
    say(mapStatus, ui.mapping_rows + ": " + total);
    saveControls.hidden = decisions.length === 0;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    report.textContent = "";
    saveControls.hidden = true;
    saveStatus.hidden = true;
    say(mapStatus, ui.mapping_running);
    send(forMember("/catalogues/map"), { method: "POST", body: new FormData(form), headers: authHeaders() })
      .then(function (result) {
        if (!result.ok) {
          say(mapStatus, ui.mapping_failed + ": " + (result.body.message || ""), true);
          return;
        }
        render(result.body);
      })
      .catch(function (error) { say(mapStatus, ui.mapping_failed + ": " + error, true); });
  });

  document.getElementById("accept-all").addEventListener("click", function () {
    decisions.forEach(function (decision) {
      if (decision.row.status === "mapped" && decision.row.class) { decision.select.value = decision.row.class; }
    });
  });

  // Send the chosen rows one by one, so each failure is reported with its own row and message.
  // An administrator's token without a chosen member fails every row alike (400
  // missing_member), so the first such response stops the rest.
  function saveAll(chosen) {
    var saved = [];
    var failures = [];
    var missingMember = false;
    var chain = Promise.resolve();
    chosen.forEach(function (decision) {
      chain = chain.then(function () {
        if (missingMember) { return undefined; }
        var headers = authHeaders();
        headers["Content-Type"] = "application/json";
        return send(forMember("/catalogues/map/corrections"), {
          method: "POST",
          headers: headers,
          body: JSON.stringify({ code: decision.row.code, "class": decision.select.value, label: decision.row.name }),
        }).then(function (result) {
          var where = ui.row + " " + decision.row.row + " (" + decision.row.code + ")";
          if (result.ok) {
            saved.push(result.body);
          } else if (result.body.error === "missing_member") {
            missingMember = true;
          } else {
            failures.push(where + ": " + (result.body.message || ""));
          }
        }, function (error) {
          failures.push(ui.row + " " + decision.row.row + ": " + error);
        });
      });
    });
    return chain.then(function () {
      return { saved: saved, failures: failures, missingMember: missingMember };
    });
  }

  document.getElementById("save-decisions").addEventListener("click", function () {
    var chosen = decisions.filter(function (decision) { return decision.select.value; });
    if (chosen.length === 0) {
      say(saveStatus, ui.mapping_nothing_to_save, true);
      return;
    }
    if (!tokenInput.value.trim()) {
      say(saveStatus, ui.mapping_token_missing, true);
      tokenInput.focus();
      return;
    }
    say(saveStatus, ui.mapping_saving);
    saveAll(chosen).then(function (outcome) {
      if (outcome.missingMember && outcome.saved.length === 0) {
        say(saveStatus, ui.mapping_member_missing, true);
        memberSelect.focus();
        return;
      }
      var lines = [];
      if (outcome.saved.length) {
        lines.push(ui.mapping_saved + ": " + outcome.saved.length + " (" + outcome.saved[0].member + "). " + ui.mapping_saved_hint);
      }
      outcome.failures.forEach(function (failure) { lines.push(ui.mapping_save_failed + ": " + failure); });
      say(saveStatus, lines, outcome.failures.length > 0);
    });
  });
})();
