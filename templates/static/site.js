/* Progressive enhancement for article pages. Without it every claim's label links to its note (shown
   beside the passage on wide screens, opened as the link's target on narrow ones) and the timeline column
   scrolls on its own. With it:
   - on narrow screens a label opens its note in place and Escape closes it, returning focus;
   - on wide screens the timeline column keeps the events of the claims in view in sight, and marks them;
   - pointing at or focusing a claim pairs it with its events (and an event with its claims). */
(function () {
  "use strict";

  var body = document.querySelector(".article-body");
  if (!body) return;
  var scroller = document.querySelector(".timeline-scroll");
  var reduce = window.matchMedia("(prefers-reduced-motion: reduce)");
  var open = null; // {ref, note} opened by script on a narrow screen

  function noteFor(ref) {
    var id = decodeURIComponent(ref.hash.slice(1));
    var note = id.indexOf("claim-") === 0 ? document.getElementById(id) : null;
    return note && note.classList.contains("note") ? note : null;
  }

  // Beside its passage (wide screens), or shown without the script's help (under the headline, or as the target).
  function besideText(note) {
    var style = getComputedStyle(note);
    return style.float === "right" || (style.display !== "none" && !note.classList.contains("open"));
  }

  // Wide screens show one note beside the text at a time (they are too many to stand side by side): the
  // note of the claim nearest the middle of the window, or of the claim last pointed at or focused.
  var shown = null;
  function showBeside(note) {
    if (note === shown) return;
    if (shown) shown.classList.remove("current");
    shown = note;
    if (note) note.classList.add("current");
  }

  function closeNote(returnFocus) {
    if (!open) return;
    open.note.classList.remove("open");
    open.ref.setAttribute("aria-expanded", "false");
    if (returnFocus) open.ref.focus();
    open = null;
  }

  function showNote(ref, note) {
    note.tabIndex = -1;
    if (besideText(note)) { // beside the passage, or already shown: point at it
      pairWith(ref);
      note.focus({ preventScroll: true });
      return;
    }
    var same = open && open.ref === ref;
    closeNote(false);
    if (same) { ref.focus(); return; }
    if (location.hash === "#" + note.id) history.replaceState(null, "", location.pathname + location.search);
    note.classList.add("open");
    ref.setAttribute("aria-expanded", "true");
    ref.setAttribute("aria-controls", note.id);
    open = { ref: ref, note: note };
    note.focus({ preventScroll: true });
  }

  document.addEventListener("click", function (event) {
    var ref = event.target.closest && event.target.closest("a.claim-ref");
    if (!ref || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    var note = noteFor(ref);
    if (!note) return;
    event.preventDefault();
    showNote(ref, note);
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && open) {
      event.preventDefault();
      closeNote(true);
    }
  });

  // The claims a element belongs to, and the events of those claims.
  function claimOf(el) {
    var found = el.closest("mark.claim, a.claim-ref, .note");
    if (!found) return null;
    if (found.matches("mark.claim")) return found.id.replace(/^quote-/, "");
    if (found.matches("a.claim-ref")) return decodeURIComponent(found.hash.slice(1)).replace(/^claim-/, "");
    return found.id.replace(/^claim-/, "");
  }
  function eventsOf(claimId) {
    var note = document.getElementById("claim-" + claimId);
    return ((note && note.getAttribute("data-events")) || "").split(" ").filter(Boolean)
      .map(function (e) { return document.getElementById("event-" + e); }).filter(Boolean);
  }

  // Wide screens: bring the first of these events into the timeline column's view (the column only).
  function reveal(events) {
    if (!scroller || !events.length || scroller.scrollHeight <= scroller.clientHeight) return;
    var box = scroller.getBoundingClientRect();
    var inView = events.some(function (e) {
      var r = e.getBoundingClientRect();
      return r.top >= box.top && r.bottom <= box.bottom;
    });
    if (inView) return;
    var top = events[0].getBoundingClientRect().top - box.top + scroller.scrollTop - 16;
    scroller.scrollTo({ top: top, behavior: reduce.matches ? "auto" : "smooth" });
  }

  var marks = document.querySelectorAll(".article-header mark.claim, .article-body mark.claim");
  var current = [];
  function follow() {
    var middle = window.innerHeight / 2;
    var best = null; // the nearest claim that cites events
    var bestDistance = Infinity;
    var nearest = null; // the nearest claim
    var nearestDistance = Infinity;
    marks.forEach(function (mark) {
      var r = mark.getBoundingClientRect();
      if (r.bottom < window.innerHeight * 0.15 || r.top > window.innerHeight * 0.85) return;
      var distance = Math.abs((r.top + r.bottom) / 2 - middle);
      if (distance < nearestDistance) { nearest = mark; nearestDistance = distance; }
      if (eventsOf(mark.id.replace(/^quote-/, "")).length && distance < bestDistance) { best = mark; bestDistance = distance; }
    });
    if (nearest) showBeside(document.getElementById(nearest.id.replace(/^quote-/, "claim-")));
    var events = best ? eventsOf(best.id.replace(/^quote-/, "")) : [];
    current.forEach(function (e) { e.classList.remove("current"); });
    current = events;
    current.forEach(function (e) { e.classList.add("current"); });
    reveal(events);
  }
  var pending = false;
  function schedule() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(function () { pending = false; follow(); });
  }
  if (scroller) {
    window.addEventListener("scroll", schedule, { passive: true });
    window.addEventListener("resize", schedule);
    schedule();
  }

  // Pairing while pointed at or focused.
  var paired = [];
  function clear() {
    paired.forEach(function (el) { el.classList.remove("paired"); });
    paired = [];
  }
  function pairWith(el) {
    clear();
    var claimId = claimOf(el);
    if (claimId) {
      showBeside(document.getElementById("claim-" + claimId));
      var events = eventsOf(claimId);
      paired = [document.getElementById("quote-" + claimId), document.getElementById("claim-" + claimId)].concat(events);
      reveal(events);
    } else {
      var event = el.closest(".timeline-aside .event");
      if (!event) return;
      paired = [event];
      event.querySelectorAll(".cited-by a").forEach(function (a) {
        var id = decodeURIComponent(a.hash.slice(1)).replace(/^quote-/, "");
        paired.push(document.getElementById("quote-" + id), document.getElementById("claim-" + id));
      });
    }
    paired = paired.filter(Boolean);
    paired.forEach(function (p) { p.classList.add("paired"); });
  }
  document.addEventListener("mouseover", function (event) { pairWith(event.target); });
  document.addEventListener("focusin", function (event) { pairWith(event.target); });
  document.addEventListener("mouseout", clear);

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
