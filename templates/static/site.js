/* Progressive enhancement for article pages. Without it every claim still links to its card below
   the text; with it, a claim's card opens right under its paragraph, Escape closes it and returns
   focus, and hovering or focusing a claim highlights the timeline events it refers to. */
(function () {
  "use strict";

  var open = null; // {ref, panel} of the card opened by script

  function cardFor(ref) {
    var id = decodeURIComponent(ref.hash.slice(1));
    return id.indexOf("claim-") === 0 ? document.getElementById(id) : null;
  }

  function closeCard(returnFocus) {
    if (!open) return;
    open.panel.remove();
    open.ref.setAttribute("aria-expanded", "false");
    if (returnFocus) open.ref.focus();
    open = null;
  }

  function openCard(ref, card) {
    var same = open && open.ref === ref;
    closeCard(false);
    if (same) { ref.focus(); return; }
    var panel = document.createElement("section");
    var titleId = "open-card-title";
    panel.className = "claim-popover";
    panel.id = "open-card";
    panel.setAttribute("lang", "en");
    panel.setAttribute("aria-labelledby", titleId);
    panel.setAttribute("data-verdict", card.getAttribute("data-verdict"));
    var content = card.querySelector("article").cloneNode(true);
    content.removeAttribute("aria-labelledby");
    content.querySelectorAll("[id]").forEach(function (el) { el.removeAttribute("id"); });
    var heading = content.querySelector("h3");
    heading.id = titleId;
    heading.tabIndex = -1;
    var back = content.querySelector(".back-to-text");
    if (back) { back.textContent = "Show in the list of claims"; back.href = "#" + card.id; back.classList.remove("back-to-text"); }
    var close = document.createElement("button");
    close.type = "button";
    close.className = "popover-close";
    close.textContent = "Close";
    close.setAttribute("aria-label", "Close claim card (Escape)");
    close.addEventListener("click", function () { closeCard(true); });
    panel.appendChild(close);
    panel.appendChild(content);
    var block = ref.closest(".article-body > *") || ref.parentNode;
    block.insertAdjacentElement("afterend", panel);
    ref.setAttribute("aria-expanded", "true");
    ref.setAttribute("aria-controls", panel.id);
    open = { ref: ref, panel: panel };
    heading.focus();
  }

  document.addEventListener("click", function (event) {
    var ref = event.target.closest && event.target.closest("a.claim-ref");
    if (!ref || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    var card = cardFor(ref);
    if (!card) return;
    event.preventDefault();
    openCard(ref, card);
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && open) {
      event.preventDefault();
      closeCard(true);
    }
  });

  // Pair a claim with its timeline events (and an event with its claims) while pointed at or focused.
  function pairs(el) {
    var found = [];
    var claimEl = el.closest("mark.claim, a.claim-ref, .claim-card, .claim-popover");
    if (claimEl) {
      var id = claimEl.matches("mark.claim") ? claimEl.id.replace(/^quote-/, "claim-")
        : claimEl.matches("a.claim-ref") ? decodeURIComponent(claimEl.hash.slice(1))
        : claimEl.id === "open-card" ? open && cardFor(open.ref) && cardFor(open.ref).id : claimEl.id;
      var card = id && document.getElementById(id);
      if (!card) return found;
      found.push(card, document.getElementById(id.replace(/^claim-/, "quote-")));
      (card.getAttribute("data-events") || "").split(" ").forEach(function (e) {
        if (e) found.push(document.getElementById("event-" + e));
      });
      return found;
    }
    var event = el.closest(".timeline-aside .event");
    if (event) {
      found.push(event);
      event.querySelectorAll(".cited-by a").forEach(function (a) {
        var cid = decodeURIComponent(a.hash.slice(1));
        found.push(document.getElementById(cid), document.getElementById(cid.replace(/^claim-/, "quote-")));
      });
    }
    return found;
  }

  var paired = [];
  function highlight(event) {
    paired.forEach(function (el) { el.classList.remove("paired"); });
    paired = pairs(event.target).filter(Boolean);
    paired.forEach(function (el) { el.classList.add("paired"); });
  }
  function clear() {
    paired.forEach(function (el) { el.classList.remove("paired"); });
    paired = [];
  }
  if (document.querySelector(".article-body")) {
    document.addEventListener("mouseover", highlight);
    document.addEventListener("focusin", highlight);
    document.addEventListener("mouseout", clear);
  }

  // Printing shows everything, including the timeline details readers did not open.
  var closedDetails = [];
  window.addEventListener("beforeprint", function () {
    closedDetails = Array.prototype.filter.call(document.querySelectorAll("details:not([open])"), function (d) {
      d.open = true; return true;
    });
  });
  window.addEventListener("afterprint", function () {
    closedDetails.forEach(function (d) { d.open = false; });
  });
})();
