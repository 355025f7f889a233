// The site's query editor (dist/site/query/): starts YASGUI on the endpoint the page names (data-endpoint,
// relative to the page: ../sparql under `ctoc-kg serve`) and opens each library query in its own tab.
"use strict";
(() => {
  const root = document.getElementById("yasgui");
  const endpoint = new URL(root.dataset.endpoint, location.href).href;
  // Only completers that work offline: prefixes are bundled, variables come from the query; the class and
  // property completers would ask an outside vocabulary service.
  Yasgui.Yasqe.defaults.autocompleters = ["prefixes", "variables"];
  const yasgui = new Yasgui(root, {
    requestConfig: { endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    persistenceId: null,
    endpointCatalogueOptions: { getData: () => [{ endpoint }] },
  });
  window.ctocYasgui = yasgui;

  const openQuery = (name) => {
    const text = document.getElementById(`q-${name}`).textContent;
    const open = Object.values(yasgui._tabs).find((tab) => tab.getName() === name);
    if (open) {
      yasgui.selectTabId(open.getId());
      open.setQuery(text);
      return open;
    }
    return yasgui.addTab(true, { name, yasqe: { value: text }, requestConfig: { endpoint } });
  };
  for (const button of document.querySelectorAll("button[data-query]")) {
    button.addEventListener("click", () => {
      openQuery(button.dataset.query);
      root.scrollIntoView();
    });
  }
})();
