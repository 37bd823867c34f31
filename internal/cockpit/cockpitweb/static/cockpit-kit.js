// Cockpit kit (issue 12): one table helper for every cockpit table (sort by
// any column, pages with a jump to a page, a choice of columns), the chart
// toolbox (save as image, zoom) and the number flip of the big screen.
// Tables opt in with data-grid; the chart panels' tables (app.js) are
// enhanced when they are drawn.
'use strict';

(function () {
  const IB = window.IB;
  if (!IB) return;
  const t = IB.t;
  // fmt fills %s / %d placeholders in order.
  function fmt(s) {
    const args = Array.prototype.slice.call(arguments, 1);
    let i = 0;
    return s.replace(/%[sd]/g, function () { return String(args[i++]); });
  }
  IB.fmt = fmt;

  // ---- tables ----

  // sortKey reads a cell as a number when it shows one ("1,234.5", "+3.2%",
  // "–" is no value) and as text otherwise.
  function sortKey(cell) {
    if (!cell) return { n: null, s: '' };
    const s = (cell.innerText || cell.textContent || '').trim();
    const m = s.replace(/,/g, '').replace(/^[▲▼]\s*/, '').match(/^([+\-−]?\d+(?:\.\d+)?)/);
    if (m) return { n: Number(m[1].replace('−', '-')), s: s };
    return { n: null, s: s };
  }

  function Grid(table) {
    this.table = table;
    this.size = Number(table.dataset.pageSize) || 10;
    this.page = 0;
    this.sortCol = -1;
    this.dir = 1;
    this.rows = Array.from(table.tBodies[0] ? table.tBodies[0].rows : []);
    this.heads = table.tHead ? Array.from(table.tHead.rows[0].cells) : [];
    this.build();
    this.render();
  }

  Grid.prototype.build = function () {
    const self = this;
    const bar = document.createElement('div');
    bar.className = 'ck-gridbar';
    // Sorting: a button in every header cell.
    this.heads.forEach(function (th, i) {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'ck-sort';
      b.dataset.col = String(i);
      b.setAttribute('aria-label', fmt(t('js.grid_sort'), th.innerText.trim()));
      b.textContent = '↕';
      b.addEventListener('click', function () { self.sortBy(i); });
      th.appendChild(b);
    });
    // Columns: a checkbox per column.
    if (this.heads.length > 2) {
      const cols = document.createElement('details');
      cols.className = 'ck-cols';
      const sum = document.createElement('summary');
      sum.textContent = t('js.grid_columns');
      cols.appendChild(sum);
      const box = document.createElement('div');
      box.className = 'ck-colbox';
      this.heads.forEach(function (th, i) {
        const l = document.createElement('label');
        const cb = document.createElement('input');
        cb.type = 'checkbox';
        cb.checked = true;
        cb.dataset.col = String(i);
        cb.disabled = i === 0; // the first column names the row
        cb.addEventListener('change', function () { self.showColumn(i, cb.checked); });
        l.append(cb, ' ' + th.innerText.replace('↕', '').trim());
        box.appendChild(l);
      });
      cols.appendChild(box);
      bar.appendChild(cols);
    }
    // Pages: previous, "page x of n", a page number to jump to, next.
    if (this.rows.length > this.size) {
      const pager = document.createElement('div');
      pager.className = 'ck-pager';
      const prev = document.createElement('button');
      prev.type = 'button';
      prev.className = 'btn small';
      prev.dataset.pager = 'prev';
      prev.textContent = t('js.grid_prev');
      const next = document.createElement('button');
      next.type = 'button';
      next.className = 'btn small';
      next.dataset.pager = 'next';
      next.textContent = t('js.grid_next');
      const info = document.createElement('span');
      info.className = 'small muted';
      info.dataset.pager = 'info';
      const jump = document.createElement('label');
      jump.className = 'small';
      const input = document.createElement('input');
      input.type = 'number';
      input.min = '1';
      input.max = String(this.pages());
      input.dataset.pager = 'jump';
      input.className = 'ck-jump';
      jump.append(t('js.grid_jump') + ' ', input);
      prev.addEventListener('click', function () { self.go(self.page - 1); });
      next.addEventListener('click', function () { self.go(self.page + 1); });
      input.addEventListener('change', function () { self.go(Number(input.value) - 1); });
      pager.append(prev, info, next, jump);
      bar.appendChild(pager);
      this.info = info;
      this.input = input;
    }
    if (bar.childNodes.length === 0) return;
    // A chart panel's table scrolls in its holder with the bar; a page's
    // table gets the bar above its scrolling wrapper.
    const inPanel = this.table.parentElement && this.table.parentElement.matches('[data-table]');
    const wrap = inPanel ? this.table : (this.table.closest('.table-wrap') || this.table);
    wrap.parentNode.insertBefore(bar, wrap);
    this.bar = bar;
  };

  Grid.prototype.pages = function () { return Math.max(1, Math.ceil(this.rows.length / this.size)); };

  Grid.prototype.go = function (page) {
    if (!Number.isFinite(page)) return;
    this.page = Math.max(0, Math.min(this.pages() - 1, Math.floor(page)));
    this.render();
  };

  Grid.prototype.sortBy = function (col) {
    this.dir = this.sortCol === col ? -this.dir : (col === 0 ? 1 : -1); // numbers largest first
    this.sortCol = col;
    const dir = this.dir;
    const lang = IB.en ? 'en' : 'zh-CN';
    const keyed = this.rows.map(function (r, i) { return { r: r, k: sortKey(r.cells[col]), i: i }; });
    keyed.sort(function (a, b) {
      if (a.k.n !== null && b.k.n !== null) return (a.k.n - b.k.n) * dir || a.i - b.i;
      if (a.k.n !== null) return -1; // values before blanks, either way
      if (b.k.n !== null) return 1;
      return a.k.s.localeCompare(b.k.s, lang) * dir || a.i - b.i;
    });
    this.rows = keyed.map(function (x) { return x.r; });
    const body = this.table.tBodies[0];
    this.rows.forEach(function (r) { body.appendChild(r); });
    this.heads.forEach(function (th, i) {
      th.setAttribute('aria-sort', i === col ? (dir > 0 ? 'ascending' : 'descending') : 'none');
      const b = th.querySelector('.ck-sort');
      if (b) b.textContent = i === col ? (dir > 0 ? '↑' : '↓') : '↕';
    });
    this.page = 0;
    this.render();
  };

  Grid.prototype.showColumn = function (col, show) {
    const cells = [this.heads[col]];
    this.rows.forEach(function (r) { if (r.cells[col]) cells.push(r.cells[col]); });
    cells.forEach(function (c) { c.classList.toggle('ck-hide', !show); });
  };

  Grid.prototype.render = function () {
    const from = this.page * this.size;
    const to = from + this.size;
    const paged = this.rows.length > this.size;
    this.rows.forEach(function (r, i) { r.classList.toggle('ck-off', paged && (i < from || i >= to)); });
    if (this.info) {
      this.info.textContent = fmt(t('js.grid_page'), this.page + 1, this.pages(), this.rows.length);
      this.input.value = String(this.page + 1);
      this.bar.querySelector('[data-pager="prev"]').disabled = this.page === 0;
      this.bar.querySelector('[data-pager="next"]').disabled = this.page >= this.pages() - 1;
    }
  };

  // IB.grid enhances a table once and returns its helper.
  IB.grid = function (table) {
    if (!table || !table.tBodies[0]) return null;
    if (!table._grid) table._grid = new Grid(table);
    return table._grid;
  };
  document.querySelectorAll('table[data-grid]').forEach(IB.grid);
  // Chart panels draw their tables later, and again on a new period: a
  // new table gets a new helper (the old bar goes with the old table).
  document.querySelectorAll('[data-table]').forEach(function (holder) {
    new MutationObserver(function () {
      const table = holder.querySelector('table');
      if (!table || table._grid) return;
      holder.querySelectorAll('.ck-gridbar').forEach(function (b) { b.remove(); });
      IB.grid(table);
    }).observe(holder, { childList: true });
  });

  // ---- charts ----

  // IB.toolbox is the ECharts toolbox of a cockpit chart: save as image,
  // and for charts with axes a zoom (drag a box) with undo and restore.
  IB.toolbox = function (opts) {
    opts = opts || {};
    const feature = {
      saveAsImage: { title: t('js.tb_save'), name: opts.name || 'chart', pixelRatio: 2, backgroundColor: opts.background || '#ffffff' },
    };
    if (opts.zoom) {
      feature.dataZoom = { title: { zoom: t('js.tb_zoom'), back: t('js.tb_back') }, yAxisIndex: 'none' };
      feature.restore = { title: t('js.tb_restore') };
    }
    return { show: true, right: 4, top: 0, itemSize: 14, itemGap: 8, feature: feature };
  };

  // ---- numbers ----

  // IB.flip turns el's number to value, rolling through the figures in
  // between, and counts its changes in data-flips.
  IB.flip = function (el, value, digits, suffix) {
    suffix = suffix || '';
    if (value === null || value === undefined) {
      el.textContent = '–';
      el.dataset.value = '';
      return;
    }
    const from = el.dataset.value === undefined || el.dataset.value === '' ? 0 : Number(el.dataset.value);
    const changed = el.dataset.value !== String(value);
    el.dataset.value = String(value);
    if (!changed) return;
    el.dataset.flips = String(Number(el.dataset.flips || 0) + 1);
    el.classList.add('ck-flipping');
    const start = performance.now();
    const ms = 900;
    function step(now) {
      const k = Math.min(1, (now - start) / ms);
      const ease = 1 - Math.pow(1 - k, 3);
      el.textContent = IB.num(from + (value - from) * ease, digits) + suffix;
      if (k < 1) {
        requestAnimationFrame(step);
      } else {
        el.textContent = IB.num(value, digits) + suffix;
        el.classList.remove('ck-flipping');
      }
    }
    requestAnimationFrame(step);
    // A tab in the background gets no animation frames: land anyway.
    setTimeout(function () { step(start + ms); }, ms + 200);
  };
})();

// The time-control panel: a new span kind (year to date, month,
// quarter) applies at once, with its default periods.
(function () {
  const sel = document.getElementById('span-basis');
  if (!sel) return;
  sel.addEventListener('change', function () {
    ['span-a', 'span-b'].forEach(function (id) {
      const e = document.getElementById(id);
      if (e) e.disabled = true; // not sent: the server picks this kind's defaults
    });
    sel.form.requestSubmit();
  });
})();
