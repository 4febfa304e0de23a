/* Inside the iframe pages (/embed/tips, /embed/topics): tell the page that frames it how
 * tall this page is, so it can size the iframe to fit, with no scrollbar inside. The message is
 *
 *   {"type": "rapport:resize", "height": <CSS pixels>}
 *
 * sent when the page loads and again whenever its height changes (the host page's width
 * changes, fonts load), and once more when the parent asks with {"type": "rapport:measure"}
 * (a script that started after the iframe had loaded). It holds nothing but a height, so any
 * parent may have it; the listener checks that it came from Rapport (see embed.js and the
 * README).
 */
(function () {
  "use strict";
  if (window.parent === window) return;
  var root = document.documentElement;
  var sent = -1;

  function send(again) {
    // The page's own height, not the iframe's: the root box is as tall as its content.
    var height = Math.ceil(root.getBoundingClientRect().height);
    if (height === sent && !again) return;
    sent = height;
    window.parent.postMessage({ type: "rapport:resize", height: height }, "*");
  }

  if (typeof ResizeObserver === "function") new ResizeObserver(function () { send(); }).observe(root);
  window.addEventListener("load", function () { send(); });
  window.addEventListener("message", function (event) {
    if (event.source === window.parent && event.data && event.data.type === "rapport:measure") send(true);
  });
  send();
})();
