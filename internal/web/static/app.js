// Industry Brain — shared page code. No framework, no inline scripts: pages
// pass data in <script type="application/json"> elements and load this file
// and their own script. Every chart panel can switch to a table of the same
// data and export that table as CSV, escaped against formula injection the
// same way the server's exports are (internal/tabular.SafeCell).
'use strict';

(function () {
  const IB = {};
  window.IB = IB;

  IB.lang = document.body.dataset.lang || 'zh-CN';
  IB.en = IB.lang === 'en';

  // data parses a JSON data element; {} when absent.
  IB.data = function (id) {
    const el = document.getElementById(id);
    if (!el) return {};
    try { return JSON.parse(el.textContent); } catch (e) { return {}; }
  };

  const page = IB.data('page-data');
  IB.page = page;
  // t returns a catalogue text handed over in page.text (keys "js.*").
  IB.t = function (key) {
    const text = (page.text || {})[key];
    return text === undefined ? key : text;
  };

  // postJSON posts body as JSON and returns the decoded answer; a refusal
  // throws an Error carrying the API's message in the user's language.
  IB.postJSON = async function (url, body) {
    const res = await fetch(url, {
      method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(body),
    });
    let b = null;
    try { b = await res.json(); } catch (e) { /* not JSON */ }
    if (res.ok) return b;
    throw new Error((b && b.error && b.error.message) || (res.status + ' ' + res.statusText));
  };

  // num formats a number with separators and fixed decimals; '–' for null.
  IB.num = function (v, digits) {
    if (v === null || v === undefined || Number.isNaN(v)) return '–';
    return Number(v).toLocaleString(IB.en ? 'en-US' : 'zh-CN', {
      minimumFractionDigits: digits, maximumFractionDigits: digits,
    });
  };
  IB.signed = function (v, digits) {
    if (v === null || v === undefined) return '–';
    const s = IB.num(v, digits);
    return v > 0 && !s.startsWith('+') ? '+' + s : s;
  };
  IB.round = function (v, digits) {
    if (v === null || v === undefined) return null;
    const f = Math.pow(10, digits);
    return Math.round(v * f) / f;
  };

  // monthLabel is the cumulative label of a month: 1–N月 / Jan–Mon.
  const abbr = ['', 'Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  IB.monthLabel = function (m) {
    return IB.en ? 'Jan–' + abbr[m] : '1–' + m + '月';
  };

  IB.fetchJSON = async function (url) {
    const res = await fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
    let body = null;
    try { body = await res.json(); } catch (e) { /* not JSON */ }
    if (!res.ok) {
      const msg = body && body.error && body.error.message ? body.error.message : res.status + ' ' + res.statusText;
      const err = new Error(msg);
      err.status = res.status;
      err.body = body;
      throw err;
    }
    return body;
  };

  IB.query = function (params) {
    const q = new URLSearchParams();
    Object.keys(params).forEach(function (k) {
      const v = params[k];
      if (v !== undefined && v !== null && v !== '') q.set(k, v);
    });
    return q.toString();
  };

  // ---- CSV, escaped like internal/tabular ----

  // isPlainNumber: [+-]digits[.digits] or [+-].digits, nothing else.
  IB.isPlainNumber = function (s) {
    return /^[+-]?(\d+(\.\d+)?|\.\d+)$/.test(s);
  };
  // safeCell prefixes an apostrophe to a cell a spreadsheet would run as a
  // formula: one starting with = + - @ (or full-width ＝＋－＠, tab, CR),
  // unless it is a plain number such as -12.5.
  IB.safeCell = function (v) {
    if (v === null || v === undefined) return '';
    const s = String(v);
    if (s === '' || IB.isPlainNumber(s)) return s;
    if ('=+-@\t\r＝＋－＠'.indexOf(s[0]) >= 0) return "'" + s;
    return s;
  };
  function csvQuote(s) {
    return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }
  // csv builds UTF-8 CSV text with a BOM (Excel in a Chinese locale needs
  // it) and CRLF line ends, like the server's WriteCSV.
  IB.csv = function (header, rows) {
    const lines = [header].concat(rows).map(function (r) {
      return r.map(function (c) { return csvQuote(IB.safeCell(c)); }).join(',');
    });
    return '\ufeff' + lines.join('\r\n') + '\r\n';
  };
  IB.download = function (filename, text, type) {
    const blob = new Blob([text], { type: type || 'text/csv;charset=utf-8' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = filename;
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  };

  // ---- chart panels ----

  // Panel wraps a chart panel element (templates/partials/chart.html): a
  // chart, the same data as a table, a chart/table switch and a CSV export.
  function Panel(el) {
    this.el = el;
    this.chartEl = el.querySelector('[data-chart]');
    this.tableEl = el.querySelector('[data-table]');
    this.stateEl = el.querySelector('[data-state]');
    this.exportBtn = el.querySelector('[data-export]');
    this.chart = null;
    this.table = null;
    const self = this;
    el.querySelectorAll('[data-view]').forEach(function (b) {
      b.addEventListener('click', function () { self.show(b.dataset.view); });
    });
    if (this.exportBtn) {
      this.exportBtn.addEventListener('click', function () { self.exportCSV(); });
    }
  }
  Panel.prototype.show = function (view) {
    const table = view === 'table';
    this.el.querySelectorAll('[data-view]').forEach(function (b) {
      b.setAttribute('aria-pressed', String(b.dataset.view === view));
    });
    this.chartEl.hidden = table;
    this.tableEl.hidden = !table;
    if (!table && this.chart) this.chart.resize();
  };
  Panel.prototype.state = function (text, isError) {
    if (!this.stateEl) return;
    this.stateEl.textContent = text || '';
    this.stateEl.hidden = !text;
    this.stateEl.classList.toggle('error', !!isError);
  };
  // echarts creates (once) the ECharts instance in the panel's locale.
  Panel.prototype.echarts = function () {
    if (!this.chart) {
      this.chart = window.echarts.init(this.chartEl, null, { locale: IB.en ? 'EN' : 'ZH', renderer: 'canvas' });
      const c = this.chart;
      if (window.ResizeObserver) {
        new ResizeObserver(function () { c.resize(); }).observe(this.chartEl);
      } else {
        window.addEventListener('resize', function () { c.resize(); });
      }
    }
    return this.chart;
  };
  // setTable renders {title, columns: [{label, num, digits, link}], rows: [[…]]}
  // and keeps it for the CSV export. A column with link takes the URL from
  // row[link] (a hidden column).
  Panel.prototype.setTable = function (t) {
    this.table = t;
    const table = document.createElement('table');
    table.className = 'data';
    const cap = document.createElement('caption');
    cap.textContent = t.title || '';
    table.appendChild(cap);
    const thead = table.createTHead().insertRow();
    t.columns.forEach(function (c) {
      if (c.hidden) return;
      const th = document.createElement('th');
      th.textContent = c.label;
      th.scope = 'col';
      if (c.num) th.className = 'num';
      thead.appendChild(th);
    });
    const tbody = table.createTBody();
    t.rows.forEach(function (r) {
      const tr = tbody.insertRow();
      t.columns.forEach(function (c, i) {
        if (c.hidden) return;
        const td = tr.insertCell();
        const v = r[i];
        const text = c.num ? (c.signed ? IB.signed(v, c.digits || 0) : IB.num(v, c.digits || 0)) : (v === null || v === undefined ? '' : String(v));
        if (c.link !== undefined && r[c.link]) {
          const a = document.createElement('a');
          a.href = r[c.link];
          a.textContent = text;
          td.appendChild(a);
        } else {
          td.textContent = text;
        }
        if (c.num) td.className = 'num';
        if (c.mark && r[c.mark]) {
          const m = document.createElement('span');
          m.className = 'pill derived';
          m.textContent = r[c.mark];
          td.appendChild(document.createTextNode(' '));
          td.appendChild(m);
        }
      });
    });
    this.tableEl.replaceChildren(table);
    if (this.exportBtn) this.exportBtn.disabled = t.rows.length === 0;
  };
  // exportCSV downloads the table's data: numbers unformatted at their
  // shown precision, hidden columns (links) left out.
  Panel.prototype.exportCSV = function () {
    const t = this.table;
    if (!t) return;
    const cols = t.columns.map(function (c, i) { return [c, i]; }).filter(function (p) { return !p[0].hidden; });
    const header = cols.map(function (p) { return p[0].label; });
    const rows = t.rows.map(function (r) {
      return cols.map(function (p) {
        const c = p[0];
        const v = r[p[1]];
        if (v === null || v === undefined) return '';
        if (c.num) return String(IB.round(v, c.digits || 0));
        return c.mark && r[c.mark] ? String(v) + ' (' + r[c.mark] + ')' : String(v);
      });
    });
    IB.download((t.filename || 'data') + '.csv', IB.csv(header, rows));
  };

  IB.panel = function (id) {
    const el = document.getElementById('panel-' + id);
    if (!el) return null;
    if (!el._panel) el._panel = new Panel(el);
    return el._panel;
  };

  // Common chart options: restrained colours and tooltips drawn on the
  // canvas (renderMode richText) so no inline HTML styles are needed
  // under the page's Content-Security-Policy.
  IB.palette = ['#1d4e89', '#3f8fd2', '#7cb7e8', '#e39b2d', '#4f9d69', '#a05195', '#d45087', '#8c8c8c'];
  IB.baseOption = function () {
    return {
      color: IB.palette,
      animationDuration: 400,
      textStyle: { fontFamily: getComputedStyle(document.body).fontFamily },
      tooltip: { trigger: 'axis', renderMode: 'richText', confine: true },
      grid: { left: 56, right: 56, top: 40, bottom: 40 },
    };
  };

  // Progress bars: widths come from data-pct, set through the CSSOM
  // (allowed by the CSP, unlike style attributes).
  document.querySelectorAll('[data-pct]').forEach(function (el) {
    const pct = Math.max(0, Math.min(100, Number(el.dataset.pct) || 0));
    el.style.width = pct + '%';
  });

  // Buttons data-export-table="id" export a server-rendered table as CSV:
  // cell text as shown, minus marks in .pill elements, which go in
  // brackets.
  document.querySelectorAll('[data-export-table]').forEach(function (b) {
    const table = document.getElementById(b.dataset.exportTable);
    if (!table) return;
    b.disabled = false;
    b.addEventListener('click', function () {
      const cellText = function (c) {
        const copy = c.cloneNode(true);
        const marks = Array.from(copy.querySelectorAll('.pill')).map(function (p) { p.remove(); return p.textContent.trim(); });
        let text = copy.textContent.replace(/\s+/g, ' ').trim();
        if (c.classList.contains('num')) text = text.replace(/[,%+]/g, '').replace(/^–$/, '');
        return marks.length ? text + ' (' + marks.join(', ') + ')' : text;
      };
      const rows = Array.from(table.rows).map(function (tr) { return Array.from(tr.cells).map(cellText); });
      IB.download((b.dataset.filename || b.dataset.exportTable) + '.csv', IB.csv(rows[0], rows.slice(1)));
    });
  });

  // Buttons data-filter-table="id" data-filter-value="v" show only the
  // rows of that table whose data-filter is v ("" shows all).
  document.querySelectorAll('[data-filter-table]').forEach(function (b) {
    const table = document.getElementById(b.dataset.filterTable);
    if (!table) return;
    b.addEventListener('click', function () {
      const v = b.dataset.filterValue;
      document.querySelectorAll('[data-filter-table="' + b.dataset.filterTable + '"]').forEach(function (o) { o.setAttribute('aria-pressed', String(o === b)); });
      table.querySelectorAll('tbody tr').forEach(function (tr) { tr.hidden = v !== '' && tr.dataset.filter !== v; });
    });
  });

  // Selects marked data-autosubmit submit their form on change.
  document.querySelectorAll('select[data-autosubmit]').forEach(function (s) {
    s.addEventListener('change', function () { s.form.requestSubmit(); });
  });

  // Main navigation groups (<details>): one open at a time; Escape or a
  // click outside closes them.
  const groups = Array.from(document.querySelectorAll('.navgroup'));
  groups.forEach(function (g) {
    g.addEventListener('toggle', function () {
      if (g.open) groups.forEach(function (o) { if (o !== g) o.open = false; });
    });
  });
  document.addEventListener('click', function (e) {
    groups.forEach(function (g) { if (g.open && !g.contains(e.target)) g.open = false; });
  });
  document.addEventListener('keydown', function (e) {
    if (e.key !== 'Escape') return;
    groups.forEach(function (g) {
      if (!g.open) return;
      g.open = false;
      g.querySelector('summary').focus();
    });
  });
})();
