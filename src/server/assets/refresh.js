/* Reloads a page that asks for it (<body data-refresh-seconds="N">) every N seconds, the page's
 * own URL with its query, as the <noscript> meta refresh does without scripts — but not while
 * someone is using one of its forms: a field holding what was typed and not yet submitted, or
 * typed in (or clicked into) since the last tick, postpones the reload by another N seconds. A
 * field merely left with the focus does not: a wall display someone once clicked stays live. */
(function () {
  'use strict';
  var seconds = Number(document.body.getAttribute('data-refresh-seconds'));
  if (!(seconds > 0)) return;
  var active = false;

  /* A single <select> shows its first option when none is marked selected in the HTML. */
  function defaultIndex(select) {
    for (var i = 0; i < select.options.length; i++) {
      if (select.options[i].defaultSelected) return i;
    }
    return select.multiple ? -1 : 0;
  }

  function edited(field) {
    if (field.type === 'checkbox' || field.type === 'radio') return field.checked !== field.defaultChecked;
    if (field.tagName === 'SELECT') {
      if (!field.multiple) return field.selectedIndex !== defaultIndex(field);
      for (var i = 0; i < field.options.length; i++) {
        if (field.options[i].selected !== field.options[i].defaultSelected) return true;
      }
      return false;
    }
    return field.value !== field.defaultValue;
  }

  function inUse() {
    var fields = document.querySelectorAll('form input, form select, form textarea');
    for (var i = 0; i < fields.length; i++) {
      if (fields[i].type !== 'hidden' && edited(fields[i])) return true;
    }
    return false;
  }

  function touched(event) {
    if (event.target && event.target.form) active = true;
  }
  ['focusin', 'input', 'keydown', 'change'].forEach(function (type) {
    document.addEventListener(type, touched, true);
  });

  function tick() {
    var wait = active || inUse();
    active = false;
    if (wait) setTimeout(tick, seconds * 1000);
    else location.reload();
  }

  setTimeout(tick, seconds * 1000);
})();
