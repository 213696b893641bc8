/* Progressive enhancement for article pages. Without it every claim's label links to its note (shown as
   the link's target: beside the passage on wide screens, in place on narrow ones) and the timeline column
   scrolls on its own. With it:
   - on narrow screens a label opens its note in place and Escape closes it, returning focus;
   - on wide screens the note of the claim in the middle of the window stands beside it (all of them at
     once would not fit beside the text), and the timeline column keeps that claim's events in sight and
     marks them current;
   - pointing at or focusing a claim pairs it with its events (and an event with its claims). */
(function () {
  "use strict";

  // Across a reload (the live preview reloads the page on every save) the tab keeps its scroll position
  // and its open note: saved in sessionStorage as the page goes, taken back once by the next page of the
  // tab if it has the same address and comes within a minute.
  var KEEP = "factsite-kept-view";
  var kept = null;
  try {
    kept = JSON.parse(sessionStorage.getItem(KEEP) || "null");
    sessionStorage.removeItem(KEEP);
  } catch (e) { kept = null; }
  if (!kept || kept.path !== location.pathname || !(Date.now() - kept.at < 60000)) kept = null;
  var keptNote = function () { return null; }; // the open (or current) note's id, on article pages
  window.addEventListener("pagehide", function () {
    try {
      sessionStorage.setItem(KEEP, JSON.stringify({ path: location.pathname, at: Date.now(), y: window.scrollY, note: keptNote() }));
    } catch (e) { /* storage full or refused: nothing kept */ }
  });
  function restoreScroll() {
    if (!kept) return;
    var y = kept.y;
    window.scrollTo(0, y);
    window.addEventListener("load", function () { if (Math.abs(window.scrollY - y) > 2) window.scrollTo(0, y); }, { once: true });
  }

  var body = document.querySelector(".article-body");
  if (!body) { restoreScroll(); return; }
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

  // Wide screens show the notes beside the text one or two at a time (they are too many to stand side by
  // side): those of the claims nearest the reading line (see follow), or of the claim last pointed at.
  var shown = [];
  function showBeside(notes) {
    notes = notes.filter(function (n, i) { return n && notes.indexOf(n) === i; });
    shown.forEach(function (n) { if (notes.indexOf(n) < 0) n.classList.remove("current"); });
    notes.forEach(function (n) { n.classList.add("current"); });
    shown = notes;
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

  // Wide screens: bring the first of these events into view in the timeline column (scrolling the column
  // only), unless one of them is in view already: inside the column and inside the window.
  function reveal(events) {
    if (!scroller || !events.length || scroller.scrollHeight <= scroller.clientHeight) return;
    var box = scroller.getBoundingClientRect();
    var top = Math.max(box.top, 0);
    var bottom = Math.min(box.bottom, window.innerHeight);
    var inView = events.some(function (e) {
      var r = e.getBoundingClientRect();
      return r.top >= top && r.bottom <= bottom;
    });
    if (inView) return;
    var r = events[0].getBoundingClientRect(); // the least scrolling that brings it into view
    var by = r.top < top ? r.top - top - 16 : Math.min(r.bottom - bottom + 16, r.top - top - 16);
    scroller.scrollTo({ top: scroller.scrollTop + by, behavior: reduce.matches ? "auto" : "smooth" });
  }

  // The reading line is the middle of the window; in the last half screen of the page, where the last
  // passages cannot reach the middle, it moves down to meet them.
  function readingLine() {
    var middle = window.innerHeight / 2;
    var rest = document.documentElement.scrollHeight - window.innerHeight - window.scrollY;
    return rest < middle ? Math.min(window.innerHeight * 0.85, 2 * middle - rest) : middle;
  }
  function nearestTo(line, withEvents) {
    var best = null;
    var bestDistance = Infinity;
    marks.forEach(function (mark) {
      var r = mark.getBoundingClientRect();
      if (r.bottom < window.innerHeight * 0.15 || r.top > window.innerHeight * 0.85) return;
      if (withEvents && !eventsOf(mark.id.replace(/^quote-/, "")).length) return;
      var distance = Math.abs((r.top + r.bottom) / 2 - line);
      if (distance < bestDistance) { best = mark; bestDistance = distance; }
    });
    return best && best.id.replace(/^quote-/, "");
  }

  var marks = document.querySelectorAll(".article-header mark.claim, .article-body mark.claim");
  var current = [];
  function follow() {
    var middle = window.innerHeight / 2;
    var line = readingLine();
    var near = [nearestTo(middle, false), nearestTo(line, false)].filter(Boolean);
    if (near.length) showBeside(near.map(function (id) { return document.getElementById("claim-" + id); }));
    // The events of the claim nearest the middle (and, near the end, of the one nearest the line) are current.
    var late = nearestTo(line, true);
    var best = nearestTo(middle, true);
    var events = best ? eventsOf(best) : [];
    var lateEvents = late && late !== best ? eventsOf(late) : [];
    current.forEach(function (e) { e.classList.remove("current"); });
    current = events.concat(lateEvents.filter(function (e) { return events.indexOf(e) < 0; }));
    current.forEach(function (e) { e.classList.add("current"); });
    reveal(lateEvents);
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
      showBeside([document.getElementById("claim-" + claimId)]);
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

  keptNote = function () { return open ? open.note.id : shown.length ? shown[0].id : null; };
  (function restoreNote() {
    var note = kept && kept.note ? document.getElementById(kept.note) : null;
    if (!note || !note.classList.contains("note")) { restoreScroll(); return; }
    var ref = Array.prototype.filter.call(document.querySelectorAll("a.claim-ref"), function (a) { return noteFor(a) === note; })[0];
    if (!besideText(note) && ref) { // a phone: open it in place, as a tap on its label did
      note.classList.add("open");
      ref.setAttribute("aria-expanded", "true");
      ref.setAttribute("aria-controls", note.id);
      open = { ref: ref, note: note };
    } else {
      showBeside([note]);
    }
    restoreScroll(); // after the note opened in place, which moves what follows it
  })();

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
