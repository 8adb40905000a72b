// CustCare keyboard shortcuts: "/" search, "n" new contact, "e" establish, "h" history filters, "?" help;
// in Control Central also "a" switch account, "p" switch premise, "t" timeline, "d" person and "c" account details.
// They are ignored while the user types in a field, so nothing typed is ever taken as a command.
(function () {
  "use strict";
  function typing(el) {
    if (!el) return false;
    var tag = el.tagName;
    return el.isContentEditable || tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT";
  }
  function focusSearch() {
    var box = document.getElementById("id_q") || document.getElementById("header-q");
    if (box) { box.focus(); box.select(); }
  }
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape" && typing(document.activeElement)) { document.activeElement.blur(); return; }
    if (ev.ctrlKey || ev.metaKey || ev.altKey || typing(ev.target)) return;
    var target;
    switch (ev.key) {
      case "/": ev.preventDefault(); focusSearch(); break;
      case "n": target = document.querySelector('[data-shortcut="n"]'); break;
      case "e": target = document.querySelector('.no-match [data-shortcut="e"]') || document.querySelector('[data-shortcut="e"]'); break;
      case "h":
        var f = document.querySelector("#history .filters input, #history .filters select");
        if (f) { ev.preventDefault(); f.focus(); }
        break;
      case "a": case "p":
        var sw = document.querySelector('[data-shortcut-focus="' + ev.key + '"]');
        if (sw) { ev.preventDefault(); sw.focus(); }
        break;
      case "t":
        var tl = document.querySelector('[data-shortcut-target="t"]');
        if (tl) { ev.preventDefault(); tl.scrollIntoView(); tl.focus(); }
        break;
      case "d": case "c": target = document.querySelector('[data-shortcut="' + ev.key + '"]'); break;
      case "?": var foot = document.querySelector(".site-footer"); if (foot) { foot.scrollIntoView(); foot.setAttribute("tabindex", "-1"); foot.focus(); } break;
    }
    if (target) { ev.preventDefault(); target.click(); }
  });
  // After an HTMX swap of search results, keep the focus where the user is typing.
  document.addEventListener("htmx:afterSwap", function (ev) {
    if (ev.detail && ev.detail.target && ev.detail.target.id === "history-results") {
      var region = document.getElementById("history");
      if (region && !region.contains(document.activeElement)) region.scrollIntoView({ block: "nearest" });
    }
  });
})();
