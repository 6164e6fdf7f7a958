/* Reloads a page that asks for it (<body data-refresh-seconds="N">) every N seconds, the page's
 * own URL with its query, as the <noscript> meta refresh does without scripts — but not while
 * someone is using one of its forms: a field that has the focus or holds what was typed and not
 * yet submitted postpones the reload by another N seconds. */
(function () {
  'use strict';
  var seconds = Number(document.body.getAttribute('data-refresh-seconds'));
  if (!(seconds > 0)) return;

  function edited(field) {
    if (field.type === 'checkbox' || field.type === 'radio') return field.checked !== field.defaultChecked;
    if (field.tagName === 'SELECT') {
      for (var i = 0; i < field.options.length; i++) {
        if (field.options[i].selected !== field.options[i].defaultSelected) return true;
      }
      return false;
    }
    return field.value !== field.defaultValue;
  }

  function inUse() {
    var active = document.activeElement;
    if (active && active.form) return true;
    var fields = document.querySelectorAll('form input, form select, form textarea');
    for (var i = 0; i < fields.length; i++) {
      if (fields[i].type !== 'hidden' && edited(fields[i])) return true;
    }
    return false;
  }

  function tick() {
    if (inUse()) setTimeout(tick, seconds * 1000);
    else location.reload();
  }

  setTimeout(tick, seconds * 1000);
})();
