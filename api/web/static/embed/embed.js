/* Rapport tip of the day, for any web page.
 *
 *   <div data-rapport-tips data-lang="es" data-agency="AGENCY-ID" data-theme="dark"></div>
 *   <script src="https://RAPPORT-HOST/embed.js" async></script>
 *
 * Each such div gets a card inside a shadow root, so the host page's CSS cannot reach it.
 * Every piece of tip text goes in with textContent: it can never become markup or script.
 *
 * It also sizes every Rapport iframe (/embed/tips, /embed/topics) on the page to fit its
 * content: the iframe posts {"type": "rapport:resize", "height": N}; only messages from the Rapport
 * origin, from one of this page's iframes, are heeded.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var origin = new URL(script ? script.src : "/", document.baseURI).origin;
  var LABELS = {
    en: { today: "Tip of the day", more: "More tips", failed: "Tips are not available right now." },
    es: { today: "Consejo del día", more: "Más consejos", failed: "Los consejos no están disponibles ahora." }
  };
  var CSS =
    ":host{all:initial;display:block}" +
    ".card{font:16px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;" +
    "border:1px solid var(--line);border-radius:10px;padding:12px 14px;" +
    "background:var(--bg);color:var(--fg);--bg:#fff;--fg:#1d2433;--muted:#55607a;" +
    "--accent:#2457c5;--line:#d9dfeb}" +
    ".card.dark{--bg:#141821;--fg:#eef1f7;--muted:#aab3c5;--accent:#8fb2ff;--line:#2c3444}" +
    // Sizes in em of the card's own 16px: rem would follow the host page's root font size.
    ".label,.more{color:var(--muted);font-size:.85em;margin:0}" +
    "h2{font-size:1.05em;margin:4px 0}p{margin:4px 0}a{color:var(--accent)}";

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function style(root) {
    // A constructed sheet where supported (no inline <style>, so strict host CSPs work).
    if ("adoptedStyleSheets" in root && typeof CSSStyleSheet === "function") {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
      root.adoptedStyleSheets = [sheet];
    } else {
      root.appendChild(element("style", "", CSS));
    }
  }

  function render(host) {
    if (host.shadowRoot || host.getAttribute("data-rapport-ready")) return;
    host.setAttribute("data-rapport-ready", "1");
    var lang = host.getAttribute("data-lang") === "es" ? "es" : "en";
    var agency = host.getAttribute("data-agency");
    var root = host.attachShadow({ mode: "open" });
    style(root);
    var card = element("div", "card" + (host.getAttribute("data-theme") === "dark" ? " dark" : ""));
    card.setAttribute("lang", lang);
    root.appendChild(card);
    // Links into the app carry the language and the agency: its tips are found only with it.
    var query = "?lang=" + lang + (agency ? "&agency=" + encodeURIComponent(agency) : "");
    fetch(origin + "/api/v1/tips/today" + query, { headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (tip) {
        card.appendChild(element("p", "label", LABELS[lang].today));
        var heading = element("h2");
        var link = element("a", "", tip.title);
        link.href = origin + "/#/tips/" + encodeURIComponent(tip.slug) + query;
        link.target = "_blank";
        link.rel = "noopener";
        heading.appendChild(link);
        card.appendChild(heading);
        card.appendChild(element("p", "summary", tip.summary));
        if (tip.actions && tip.actions.length) card.appendChild(element("p", "try", tip.actions[0]));
        var more = element("p", "more");
        var home = element("a", "", LABELS[lang].more + " · Rapport");
        home.href = origin + "/#/tips" + query;
        home.target = "_blank";
        home.rel = "noopener";
        more.appendChild(home);
        card.appendChild(more);
      })
      .catch(function () {
        card.appendChild(element("p", "more", LABELS[lang].failed));
      });
  }

  // The iframe's height, as it says it is: its content box, plus border and padding where
  // the host page's CSS sizes boxes by their border (box-sizing: border-box).
  function fit(frame, height) {
    var style = getComputedStyle(frame);
    var extra = style.boxSizing !== "border-box" ? 0 : frame.offsetHeight - frame.clientHeight +
      parseFloat(style.paddingTop) + parseFloat(style.paddingBottom);
    frame.style.height = height + extra + "px";
  }

  function resized(event) {
    var data = event.data;
    if (event.origin !== origin || !data || data.type !== "rapport:resize") return;
    if (typeof data.height !== "number" || !(data.height >= 0)) return;
    var frames = document.getElementsByTagName("iframe");
    for (var i = 0; i < frames.length; i++) {
      if (frames[i].contentWindow === event.source) fit(frames[i], data.height);
    }
  }

  // Iframes that loaded before this script did have said their height already: ask again.
  function measureAll() {
    var frames = document.getElementsByTagName("iframe");
    for (var i = 0; i < frames.length; i++) {
      if (frames[i].src.indexOf(origin + "/embed/") === 0 && frames[i].contentWindow) {
        frames[i].contentWindow.postMessage({ type: "rapport:measure" }, origin);
      }
    }
  }

  window.addEventListener("message", resized);

  function renderAll() {
    measureAll();
    var hosts = document.querySelectorAll("[data-rapport-tips]");
    for (var i = 0; i < hosts.length; i++) render(hosts[i]);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", renderAll);
  else renderAll();
})();
