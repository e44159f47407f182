(function () {
  "use strict";
  // Opened from a file, a link to a folder shows the folder, not its page: point each such
  // link at the folder's index.html. Served, the links stay the pages' canonical URLs.
  if (location.protocol !== "file:") return;
  var links = document.querySelectorAll("a[href]");
  for (var i = 0; i < links.length; i++) {
    var href = links[i].getAttribute("href");
    if (/^([a-z][a-z0-9+.-]*:|\/|#)/i.test(href)) continue; // another site, or this page
    var cut = href.search(/[?#]/);
    var path = cut < 0 ? href : href.slice(0, cut);
    if (path.slice(-1) === "/") {
      links[i].setAttribute("href", path + "index.html" + (cut < 0 ? "" : href.slice(cut)));
    }
  }
})();
