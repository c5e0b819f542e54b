// Rapport's small behaviours: keyboard shortcuts, the workspace switcher, confirmations, copy.
// No build step; everything works without it, this only makes it quicker.
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  function isTyping(target) {
    if (!target || !(target instanceof Element)) return false;
    if (target.isContentEditable) return true;
    return /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName);
  }

  function openShortcuts() {
    var dialog = document.getElementById("shortcut-help");
    if (dialog && !dialog.open && typeof dialog.showModal === "function") dialog.showModal();
  }

  // "g" then a letter goes to a page: the letters come from the nav links' data-shortcut.
  var pendingG = false;
  var pendingTimer = null;

  function clearPending() {
    pendingG = false;
    document.documentElement.classList.remove("pending-g");
    if (pendingTimer) clearTimeout(pendingTimer);
    pendingTimer = null;
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (isTyping(event.target)) return;
    var dialog = document.getElementById("shortcut-help");
    if (dialog && dialog.open) return;
    var key = event.key;

    if (pendingG) {
      clearPending();
      var link = document.querySelector('a[data-shortcut="' + CSS.escape(key) + '"]');
      if (link) {
        event.preventDefault();
        window.location.assign(link.href);
      }
      return;
    }
    if (key === "g") {
      pendingG = true;
      document.documentElement.classList.add("pending-g");
      pendingTimer = setTimeout(clearPending, 1500);
      return;
    }
    if (key === "/") {
      var search = document.querySelector("[data-search]");
      if (search) {
        event.preventDefault();
        search.focus();
        if (typeof search.select === "function") search.select();
      }
      return;
    }
    if (key === "?") {
      event.preventDefault();
      openShortcuts();
    }
  });

  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (!target) return;
    if (target.closest("[data-open-shortcuts]")) {
      openShortcuts();
      return;
    }
    var copy = target.closest("[data-copy]");
    if (copy) {
      var source = document.querySelector(copy.getAttribute("data-copy"));
      if (!source) return;
      var text = source.textContent.trim();
      var done = function () {
        copy.textContent = "Copied";
        setTimeout(function () { copy.textContent = "Copy"; }, 2000);
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done, function () { selectText(source); });
      } else {
        selectText(source);
      }
    }
  });

  function selectText(element) {
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  // The workspace switcher goes as soon as another workspace is chosen.
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (select instanceof HTMLSelectElement && select.hasAttribute("data-autosubmit")) {
      select.form.requestSubmit();
    }
  });

  // The inbox: j/k move through conversations, Enter opens, x selects, a assigns the current one
  // to me, e closes it, r opens it to reply. On a conversation, a/e/r press its buttons.
  var currentId = null;

  function inboxRows() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-inbox-row]"));
  }

  function setCurrent(row) {
    inboxRows().forEach(function (r) { r.classList.remove("is-current"); r.removeAttribute("aria-current"); });
    if (!row) return;
    row.classList.add("is-current");
    row.setAttribute("aria-current", "true");
    currentId = row.getAttribute("data-id");
    var link = row.querySelector(".conversation-link");
    if (link) link.focus({ preventScroll: false });
  }

  function currentRow() {
    var rows = inboxRows();
    if (!rows.length) return null;
    return rows.find(function (r) { return r.getAttribute("data-id") === currentId; }) || null;
  }

  function rowAction(row, field, value) {
    var form = document.getElementById("row-action");
    if (!form || !row) return;
    form.querySelector('[name="ids"]').value = row.getAttribute("data-id");
    form.querySelector('[name="assignee"]').value = field === "assignee" ? value : "";
    form.querySelector('[name="status"]').value = field === "status" ? value : "";
    form.requestSubmit();
  }

  // The live list refreshes itself only while nobody is selecting or typing in it.
  function inboxIdle() {
    if (document.querySelector("[data-inbox-list] input[type=checkbox]:checked")) return false;
    return !isTyping(document.activeElement);
  }

  // Live lists skip a refresh while someone is busy in them (no hx-on or trigger filters: the
  // Content-Security-Policy allows no eval). Only the list's own poll is held back, not the
  // requests of the forms and buttons inside it.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail && event.detail.elt;
    if (!(elt instanceof Element)) return;
    if (elt.hasAttribute("data-refresh-when-idle") && !inboxIdle()) {
      event.preventDefault();
    } else if (elt.hasAttribute("data-pause-while-menu-open")) {
      var active = document.activeElement;
      if (elt.querySelector("details.triage-badge[open]") ||
          (active && active.closest && active.closest(".triage-badge"))) {
        event.preventDefault();
      }
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    if (!event.target || event.target.id !== "inbox-list" || currentId === null) return;
    var row = document.getElementById("conv-" + currentId);
    if (row) setCurrent(row);
  });

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (isTyping(event.target)) return;
    var key = event.key;
    if ("jkxaero".indexOf(key) === -1 && key !== "Enter") return;
    var rows = inboxRows();
    if (rows.length) {
      var row = currentRow();
      var index = row ? rows.indexOf(row) : -1;
      if (key === "j" || key === "k") {
        event.preventDefault();
        var next = key === "j" ? Math.min(index + 1, rows.length - 1) : Math.max(index - 1, 0);
        setCurrent(rows[next]);
      } else if (!row) {
        return;
      } else if (key === "x") {
        event.preventDefault();
        var box = row.querySelector(".row-select");
        if (box) box.checked = !box.checked;
      } else if (key === "a") {
        event.preventDefault();
        rowAction(row, "assignee", "me");
      } else if (key === "e") {
        event.preventDefault();
        rowAction(row, "status", "closed");
      } else if (key === "Enter" || key === "o" || key === "r") {
        if (key === "Enter" && event.target && event.target.closest && event.target.closest("a")) return;
        event.preventDefault();
        window.location.assign(row.getAttribute("data-open-url") + (key === "r" ? "#reply" : ""));
      }
      return;
    }
    var button = document.querySelector('[data-key="' + key + '"]');
    if (button) {
      event.preventDefault();
      if (key === "r") {
        var reply = document.querySelector("#reply textarea");
        if (reply) { reply.focus(); return; }
      }
      button.click();
    }
  });

  // Presence: typing in a reply or a note tells colleagues who have the conversation open.
  var lastTyped = 0;
  var lastTold = 0;
  // The presence poll tells whether this person is typing.
  document.addEventListener("htmx:configRequest", function (event) {
    var elt = event.detail && event.detail.elt;
    if (elt instanceof Element && elt.hasAttribute("data-presence")) {
      event.detail.parameters.typing = Date.now() - lastTyped < 6000 ? "1" : "0";
    }
  });
  document.addEventListener("input", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (!target || !target.closest("#reply, [data-typing]")) return;
    lastTyped = Date.now();
    if (lastTyped - lastTold > 4000) {
      lastTold = lastTyped;
      document.body.dispatchEvent(new CustomEvent("rapport:typing"));
    }
  });

  // Destructive forms ask first.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && form.hasAttribute("data-confirm")) {
      if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
    }
  });
})();
