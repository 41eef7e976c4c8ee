/* Site search: starts Pagefind's UI on the first archive bundle and merges the other
   bundles and the recent index (see frontline/site/search.py). /search/tiers.json names
   the bundles that exist. */
(function () {
  "use strict";
  var box = document.getElementById("search");
  if (!box || !window.PagefindUI || !window.fetch) return;
  var tiersPath = box.getAttribute("data-tiers") || "/search/tiers.json";

  function start(bundles) {
    var ui = new window.PagefindUI({
      element: "#search",
      bundlePath: bundles[0],
      mergeIndex: bundles.slice(1).map(function (path) { return { bundlePath: path }; }),
      showImages: false,
      resetStyles: false,
      autofocus: false,
      translations: {
        placeholder: "キーワードを入力（例：蒸留、OpenAI）",
        zero_results: "「[SEARCH_TERM]」に一致する記事は見つかりませんでした。",
      },
    });
    var input = box.querySelector("input");
    if (input) input.setAttribute("aria-label", "キーワード");
    var query = new URLSearchParams(window.location.search).get("q");
    if (query) ui.triggerSearch(query);
    document.documentElement.classList.add("has-search");
  }

  fetch(tiersPath)
    .then(function (response) {
      if (!response.ok) throw new Error(tiersPath + ": " + response.status);
      return response.json();
    })
    .then(function (tiers) { if (tiers.bundles.length) start(tiers.bundles); })
    .catch(function () { /* no index to read: the links to the lists remain */ });
})();
