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

  // Destructive forms ask first.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && form.hasAttribute("data-confirm")) {
      if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
    }
  });
})();
