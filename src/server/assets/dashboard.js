/* Renders the dashboard panels of a page with vega-embed. The page carries each panel's
 * Vega-Lite spec, with its data already embedded, in <script type="application/json"
 * id="dashboard-specs">: [{ "id", "spec" }]. No inline script and no eval: expressions go through
 * vega-embed's bundled interpreter (ast: true).
 * When every chart has rendered, <body data-ready="true"> tells the PDF job and the tests;
 * a chart that fails is marked and the body gets data-ready="error". */
(function () {
  'use strict';
  var PT_NUMBER = { decimal: ',', thousands: '.', grouping: [3], currency: ['R$ ', ''], percent: '%' };
  var PT_TIME = {
    dateTime: '%A, %e de %B de %Y. %X',
    date: '%d/%m/%Y',
    time: '%H:%M:%S',
    periods: ['AM', 'PM'],
    days: ['Domingo', 'Segunda', 'Terça', 'Quarta', 'Quinta', 'Sexta', 'Sábado'],
    shortDays: ['Dom', 'Seg', 'Ter', 'Qua', 'Qui', 'Sex', 'Sáb'],
    months: ['Janeiro', 'Fevereiro', 'Março', 'Abril', 'Maio', 'Junho', 'Julho', 'Agosto', 'Setembro', 'Outubro', 'Novembro', 'Dezembro'],
    shortMonths: ['Jan', 'Fev', 'Mar', 'Abr', 'Mai', 'Jun', 'Jul', 'Ago', 'Set', 'Out', 'Nov', 'Dez'],
  };

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
    if (lang !== 'en') {
      options.formatLocale = PT_NUMBER;
      options.timeFormatLocale = PT_TIME;
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
