// The SPARQL editor page: YASGUI (vendored, no CDN) on this service's /sparql endpoint, and a
// picker of the analysts' named queries that loads a query, runs it and offers its download.
(function () {
  "use strict";

  var queries = JSON.parse(document.getElementById("named-queries").textContent);
  var byId = {};
  queries.forEach(function (query) { byId[query.id] = query; });

  // Only autocompleters that work offline: the class and property ones call a remote service.
  Yasgui.Yasqe.defaults.autocompleters = ["prefixes", "variables"];
  var yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: new URL("/sparql", window.location.href).href, method: "POST" },
    copyEndpointOnNewTab: true,
    persistenceId: null,
    endpointCatalogueOptions: { getData: function () { return []; } },
  });

  var select = document.getElementById("named-query");
  var description = document.getElementById("named-query-description");
  var downloads = document.getElementById("downloads");

  function choose(id, run) {
    var query = byId[id];
    if (!query) {
      description.textContent = "";
      downloads.hidden = true;
      return;
    }
    description.textContent = query.description;
    document.getElementById("download-csv").href = "/api/cluster/queries/" + id + "?format=csv";
    document.getElementById("download-json").href = "/api/cluster/queries/" + id + "?format=json";
    downloads.hidden = false;
    var tab = yasgui.getTab();
    tab.setQuery(query.text);
    if (run) { tab.getYasqe().query(); }
  }

  select.addEventListener("change", function () { choose(select.value, false); });
  document.getElementById("named-query-form").addEventListener("submit", function (event) {
    event.preventDefault();
    choose(select.value, true);
  });

  // A link such as /editor?query=who-makes-what opens and runs that query.
  var requested = new URLSearchParams(window.location.search).get("query");
  if (requested && byId[requested]) {
    select.value = requested;
    choose(requested, true);
  }
})();
