/* The search page: one search box over the site's Pagefind bundles, one bundle per language (see
   factsite/search_index.py), each opened through its own pagefind.js so that each language is searched with
   its own stemmer. The results of all of them are listed together. The page says what to do instead when
   this cannot run: its <noscript>, or a message when the index cannot load (from a file:// address).
   Results are built as DOM nodes: of Pagefind's excerpt markup only <mark> is kept. */
(function () {
  "use strict";

  var box = document.getElementById("search");
  var script = document.currentScript;
  if (!box || !script) return;
  var root = new URL("../", script.src); // this file is static/search.js: the site root is one folder up
  var form = document.getElementById("search-form");
  var input = document.getElementById("search-input");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var more = document.getElementById("search-more");
  var pageLang = document.documentElement.lang;
  var PAGE = 10; // results shown at a time

  function unavailable() {
    box.hidden = true;
    document.getElementById("search-unavailable").hidden = false;
  }
  if (location.protocol === "file:") return unavailable(); // browsers refuse the index's fetches there

  var bundles = (box.getAttribute("data-bundles") || "").split(/\s+/).filter(Boolean).map(function (pair) {
    var cut = pair.indexOf("=");
    var folders = pair.slice(cut + 1).split(",");
    return { lang: pair.slice(0, cut), folder: folders[0], shards: folders.slice(1) };
  });

  // Each bundle is opened through its own pagefind.js: one module, one worker and one WebAssembly module
  // (its language's stemmer) per language. Instances made from one pagefind.js share its first WebAssembly
  // module, so they would all stem with one language's rules.
  var loading = null;
  function instances() {
    if (!loading) {
      loading = Promise.all(bundles.map(function (b) {
        return import(new URL(b.folder + "pagefind.js", root).href).then(function (pagefind) {
          return pagefind.options({ excerptLength: 24 }).then(function () {
            // A language's other shards join its first: one index, searched and ranked as one.
            return Promise.all(b.shards.map(function (folder) {
              return pagefind.mergeIndex(new URL(folder, root).href);
            }));
          }).then(function () {
            return { lang: b.lang, pagefind: pagefind, last: Promise.resolve() };
          });
        });
      }));
      loading.catch(function () { loading = null; }); // a failed load is tried again on the next search
    }
    return loading;
  }

  function element(name, className, text) {
    var node = document.createElement(name);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  // Pagefind's excerpt is HTML (its text with < and > escaped, the matches in <mark>): parsed inertly, and
  // only text and <mark> are copied.
  function appendExcerpt(target, html) {
    var parsed = new DOMParser().parseFromString("<p>" + html + "</p>", "text/html").body;
    (function copy(from) {
      from.childNodes.forEach(function (node) {
        if (node.nodeType === Node.TEXT_NODE) target.appendChild(document.createTextNode(node.nodeValue));
        else if (node.nodeName === "MARK") target.appendChild(element("mark", "", node.textContent));
        else copy(node);
      });
    })(parsed);
  }

  function show(hit, data) {
    var meta = data.meta || {};
    var item = element("li", "search-result");
    var heading = element("h2", "search-title");
    var link = element("a", "", meta.title || data.raw_url);
    link.href = new URL(data.raw_url || data.url, root).href;
    heading.appendChild(link);
    item.appendChild(heading);
    item.appendChild(element("p", "search-kind", [meta.kind, meta.detail].filter(Boolean).join(" · ")));
    var excerpt = element("p", "search-excerpt");
    appendExcerpt(excerpt, data.excerpt || "");
    item.appendChild(excerpt);
    if (hit.lang !== pageLang) [link, excerpt].forEach(function (node) { node.lang = hit.lang; });
    return item;
  }

  var latest = 0; // the number of the newest search: older answers are dropped
  var hits = [];
  var shown = 0;
  var term = "";
  var partialOnly = false;

  function say(text) { status.textContent = text; }

  function showMore(seq) {
    var next = hits.slice(shown, shown + PAGE);
    return Promise.all(next.map(function (hit) { return hit.result.data(); })).then(function (data) {
      if (seq !== latest) return;
      data.forEach(function (d, i) { list.appendChild(show(next[i], d)); });
      shown += next.length;
      more.hidden = shown >= hits.length;
      var one = hits.length === 1;
      var count = one ? "1 result" : hits.length + " results";
      var what = count + " for “" + term + "”";
      var match = count + (one ? " matches " : " match ");
      if (partialOnly && /\s/.test(term)) what = "No result has all the words “" + term + "”; " + match + "them in part";
      else if (partialOnly) what = "No result has the word “" + term + "”; " + match + "it in part";
      say(what + (shown < hits.length ? ", " + shown + " shown." : "."));
    });
  }

  // Pagefind matches a word by its stem, and a word being typed by its beginning; when nothing begins with
  // it, by the longest indexed word it begins with ("a" for "autosuficiencia" in the English index). Every
  // language has an index of its own, so that guess would bury the one index that has the word. So each
  // result counts the words typed it has in some form (each word's "exact" search in Pagefind: the same
  // stem). The results with all of them are listed; only when there are none, the partial matches, those
  // with more of the words first. Pagefind's scores order the rest.
  // One search at a time in each bundle: a new one waits for the last (whose answer is then dropped).
  function searchBundle(b, words) {
    var done = b.last.then(function () {
      return b.pagefind.search(words).then(function (all) {
        var hits = all.results.map(function (result) { return { lang: b.lang, result: result, words: 0 }; });
        var typed = words.replace(/"/g, "").split(/\s+/).filter(Boolean);
        return typed.reduce(function (before, word) {
          return before.then(function () {
            if (!hits.length) return;
            return b.pagefind.search("\"" + word + "\"").then(function (exact) {
              var ids = exact.results.map(function (r) { return r.id; });
              hits.forEach(function (hit) { if (ids.indexOf(hit.result.id) >= 0) hit.words += 1; });
            });
          });
        }, Promise.resolve()).then(function () {
          hits.forEach(function (hit) { hit.all = hit.words === typed.length; });
          return hits;
        });
      });
    });
    b.last = done.catch(function () {});
    return done;
  }

  function byRank(a, b) { return b.words - a.words || b.result.score - a.result.score; }

  function search(words) {
    var seq = ++latest;
    term = words.trim();
    if (!term) {
      list.textContent = "";
      more.hidden = true;
      say("");
      return Promise.resolve();
    }
    say("Searching…");
    return instances().then(function (all) {
      return Promise.all(all.map(function (b) { return searchBundle(b, term); }));
    }).then(function (found) {
      if (seq !== latest) return;
      var every = [].concat.apply([], found).sort(byRank);
      var whole = every.filter(function (hit) { return hit.all; });
      partialOnly = !whole.length;
      hits = partialOnly ? every : whole;
      shown = 0;
      list.textContent = "";
      more.hidden = true;
      if (!hits.length) return say("No results for “" + term + "”. Try fewer words, or another form of the word.");
      return showMore(seq);
    }).catch(function (err) {
      if (seq !== latest) return;
      say("Search could not load its index (" + err.message + "). The articles, timeline and sources pages list everything it covers.");
    });
  }

  var timer = null;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { remember(); search(input.value); }, 200);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault(); // the page's policy allows no form submission: the search runs here
    clearTimeout(timer);
    remember();
    search(input.value);
  });
  more.addEventListener("click", function () {
    var first = list.children.length;
    showMore(latest).then(function () {
      var link = list.children[first] && list.children[first].querySelector("a");
      if (link) link.focus(); // to the first result just added
    });
  });

  // The words are kept in the address (search.html?q=...), so going back to the page finds them again.
  function remember() {
    var url = new URL(location.href);
    if (input.value.trim()) url.searchParams.set("q", input.value.trim());
    else url.searchParams.delete("q");
    history.replaceState(null, "", url.href);
  }

  box.hidden = false;
  var asked = new URL(location.href).searchParams.get("q");
  if (asked) {
    input.value = asked;
    search(asked);
  }
})();
