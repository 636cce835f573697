// Keys for the review page. It only moves a highlight, focuses fields and
// submits the page's own forms: without it every action is still a button.
"use strict";

(function () {
  const candidates = () => Array.from(document.querySelectorAll("li.candidate"));
  let current = 0;

  function select(at) {
    const list = candidates();
    if (list.length === 0) return null;
    current = Math.max(0, Math.min(at, list.length - 1));
    list.forEach((item, index) => item.classList.toggle("current", index === current));
    list[current].scrollIntoView({ block: "nearest" });
    return list[current];
  }

  function typing(element) {
    return element instanceof HTMLInputElement ||
      element instanceof HTMLTextAreaElement ||
      element instanceof HTMLSelectElement ||
      (element instanceof HTMLElement && element.isContentEditable);
  }

  function submit(selector) {
    const item = select(current);
    const form = item && item.querySelector(selector);
    if (form) form.requestSubmit();
  }

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event.target)) {
      if (event.key === "Escape") event.target.blur();
      return;
    }
    const help = document.getElementById("keys");
    switch (event.key) {
      case "j": select(current + 1); break;
      case "k": select(current - 1); break;
      case "a": {
        const item = select(current);
        const blurb = item && item.querySelector("form.accept textarea");
        if (blurb) { blurb.focus(); blurb.select(); }
        break;
      }
      case "r": submit("form.reject"); break;
      case "s": submit("form.snooze"); break;
      case "u": {
        const undo = document.getElementById("undo");
        if (undo) undo.requestSubmit();
        break;
      }
      case "/": {
        const search = document.getElementById("search");
        if (search) { search.focus(); search.select(); }
        break;
      }
      case "?": if (help) help.hidden = !help.hidden; break;
      case "Escape": if (help) help.hidden = true; break;
      default: return;
    }
    event.preventDefault();
  });

  // Tabbing into the section field selects it, so typing replaces it.
  document.addEventListener("focusin", (event) => {
    if (event.target instanceof HTMLInputElement && event.target.name === "section") {
      event.target.select();
    }
  });

  document.addEventListener("DOMContentLoaded", () => select(0));
})();
