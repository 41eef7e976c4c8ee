/* Site search: reads the static index under /search/ (see frontline/site/search.py).
   No server, no third-party request; results are built with textContent only. */
(function () {
  "use strict";
  var form = document.getElementById("search-form");
  var input = document.getElementById("search-query");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  if (!form || !input || !status || !list || !window.fetch) return;
  var base = form.getAttribute("data-index") || "/search/";
  var CJK = "\u3005\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff";
  var TOKEN = new RegExp("[" + CJK + "]+|[0-9a-z\u00c0-\u024f]+", "g");
  var IS_CJK = new RegExp("^[" + CJK + "]");
  var docs = null;
  var shards = {};
  var latest = 0;

  function tokens(text) {
    var seen = [];
    var runs = text.normalize("NFKC").toLowerCase().match(TOKEN) || [];
    runs.forEach(function (run) {
      if (IS_CJK.test(run) && run.length > 1) {
        for (var i = 0; i < run.length - 1; i++) {
          var gram = run.slice(i, i + 2);
          if (seen.indexOf(gram) < 0) seen.push(gram);
        }
      } else if (seen.indexOf(run) < 0) {
        seen.push(run);
      }
    });
    return seen;
  }

  function getJSON(path) {
    return fetch(base + path).then(function (response) {
      if (!response.ok) throw new Error(path + ": " + response.status);
      return response.json();
    });
  }

  function loadDocs() {
    if (!docs) docs = getJSON("docs.json");
    return docs;
  }

  function loadShard(number, count) {
    var name = (number < 10 ? "0" : "") + number;
    if (!shards[name]) shards[name] = getJSON("index/" + name + ".json");
    return shards[name];
  }

  function match(index, wanted) {
    var scores = null;
    wanted.forEach(function (token, i) {
      var shard = index.shards[i];
      var prefix = !IS_CJK.test(token) || token.length === 1;
      var hits = {};
      Object.keys(shard).forEach(function (key) {
        if (key === token || (prefix && key.indexOf(token) === 0)) {
          shard[key].forEach(function (posting) {
            hits[posting[0]] = Math.max(hits[posting[0]] || 0, posting[1]);
          });
        }
      });
      if (scores === null) {
        scores = hits;
      } else {
        var both = {};
        Object.keys(hits).forEach(function (doc) {
          if (doc in scores) both[doc] = scores[doc] + hits[doc];
        });
        scores = both;
      }
    });
    return Object.keys(scores || {})
      .map(Number)
      .sort(function (a, b) { return scores[b] - scores[a] || b - a; }); // ties: newer first
  }

  function show(query, found, all) {
    list.textContent = "";
    if (!query) {
      status.textContent = "キーワードを入力してください。";
      return;
    }
    status.textContent = found.length
      ? "「" + query + "」の検索結果：" + found.length + "件"
      : "「" + query + "」に一致する記事は見つかりませんでした。";
    found.slice(0, 50).forEach(function (number) {
      var doc = all[number];
      var item = document.createElement("li");
      item.className = "search-result";
      var heading = document.createElement("h2");
      heading.className = "search-result__title";
      var link = document.createElement("a");
      link.href = encodeURI(doc.path);
      link.textContent = doc.title;
      if (doc.lang) heading.lang = doc.lang;
      heading.appendChild(link);
      var meta = document.createElement("p");
      meta.className = "search-result__meta";
      meta.textContent = doc.source + "・" + doc.date;
      var summary = document.createElement("p");
      summary.className = "search-result__summary";
      summary.textContent = doc.summary;
      if (doc.lang) summary.lang = doc.lang;
      item.appendChild(heading);
      item.appendChild(meta);
      item.appendChild(summary);
      if (doc.tags.length) {
        var tags = document.createElement("p");
        tags.className = "search-result__tags";
        tags.textContent = doc.tags.map(function (tag) { return "#" + tag; }).join(" ");
        item.appendChild(tags);
      }
      list.appendChild(item);
    });
  }

  function run() {
    var query = input.value.trim();
    var wanted = tokens(query);
    var ticket = ++latest;
    if (!wanted.length) {
      show(query, [], []);
      return;
    }
    loadDocs().then(function (index) {
      return Promise.all(wanted.map(function (token) {
        return loadShard(token.codePointAt(0) % index.shards);
      })).then(function (loaded) {
        if (ticket !== latest) return;
        show(query, match({ shards: loaded }, wanted), index.docs);
      });
    }).catch(function () {
      if (ticket === latest) status.textContent = "検索の準備に失敗しました。ページを再読み込みしてください。";
    });
  }

  var timer = 0;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(run, 150);
  });
  function submit() {
    var url = new URL(window.location.href);
    url.searchParams.set("q", input.value.trim());
    window.history.replaceState(null, "", url);
    clearTimeout(timer);
    run();
  }
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.isComposing) submit();
  });
  var button = document.getElementById("search-button");
  if (button) button.addEventListener("click", submit);
  document.documentElement.classList.add("has-search");
  var initial = new URLSearchParams(window.location.search).get("q");
  if (initial) {
    input.value = initial;
    run();
  }
})();
