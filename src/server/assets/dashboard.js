/* Renders the dashboard panels of a page with vega-embed. The page carries each panel's
 * Vega-Lite spec, with its data already embedded, in <script type="application/json"
 * id="dashboard-specs">: [{ "id", "spec" }]. No inline script and no eval: expressions go through
 * vega-embed's bundled interpreter (ast: true).
 * When every chart has rendered, <body data-ready="true"> tells the PDF job and the tests;
 * a chart that fails is marked and the body gets data-ready="error". */
(function () {
  'use strict';
  /* pt-BR formats: dashboards/locale-pt-BR.json (the PDF's charts use the same file), which the
   * page embeds as <script type="application/json" id="vega-locale">. */
  function readLocale() {
    var node = document.getElementById('vega-locale');
    try {
      return node ? JSON.parse(node.textContent || 'null') : null;
    } catch (error) {
      console.warn('vega locale unreadable', error);
      return null;
    }
  }

  function readPanels() {
    var node = document.getElementById('dashboard-specs');
    if (!node) return [];
    try {
      return JSON.parse(node.textContent || '[]');
    } catch (error) {
      console.warn('dashboard specs unreadable', error);
      return [];
    }
  }

  function embedOptions(lang) {
    // ast: vega-embed's bundled expression interpreter instead of eval (the CSP has no 'unsafe-eval').
    var options = { renderer: 'svg', actions: false, ast: true };
    var locale = readLocale();
    if (lang !== 'en' && locale) {
      options.formatLocale = locale.number;
      options.timeFormatLocale = locale.time;
    }
    return options;
  }

  function render() {
    var body = document.body;
    var panels = readPanels();
    if (typeof window.vegaEmbed !== 'function') {
      body.setAttribute('data-ready', 'error');
      return;
    }
    var options = embedOptions(body.getAttribute('data-lang'));
    var jobs = panels.map(function (panel) {
      var target = document.getElementById('chart-' + panel.id);
      if (!target) return Promise.resolve(true);
      return window
        .vegaEmbed(target, panel.spec, options)
        .then(function () {
          return true;
        })
        .catch(function (error) {
          target.classList.add('chart-error');
          target.textContent = String((error && error.message) || error);
          return false;
        });
    });
    Promise.all(jobs).then(function (results) {
      body.setAttribute('data-ready', results.every(Boolean) ? 'true' : 'error');
    });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', render);
  else render();
})();
