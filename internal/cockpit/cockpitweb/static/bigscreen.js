// The big screen (大屏, issue 12): the city's headline figures, the district
// map with a drill-down, a scrolling district ranking and the output
// trend, for a wall display. It reads the latest period from the same
// statistics API as the cockpit and reads it again every page.refresh
// seconds; changed figures flip to their new values.
'use strict';

(function () {
  const P = IB.page;
  const root = document.getElementById('bigscreen');
  if (!root || !window.echarts || !document.getElementById('bs-kpis')) return;
  const t = IB.t;
  const dark = { text: '#d6e4f5', muted: '#7f93ad', line: '#24405f', accent: '#35c3ff', warm: '#ffb547' };
  const digitsOf = { percent: 1, yi_yuan: 1 };
  const state = { period: '', region: '', geo: null, slices: [] };
  const charts = {};

  function chart(id) {
    if (!charts[id]) {
      const el = document.getElementById(id);
      charts[id] = echarts.init(el, 'dark', { locale: IB.en ? 'EN' : 'ZH', renderer: 'canvas' });
      if (window.ResizeObserver) {
        // Resize after the frame, once per frame: called back while
        // ECharts was still building the chart, resize threw inside its
        // layout ("reading '0'" of null, TestBigScreen in CI).
        let pending = false;
        new ResizeObserver(function () {
          if (pending) return;
          pending = true;
          requestAnimationFrame(function () {
            pending = false;
            const c = charts[id];
            if (c && !c.isDisposed() && el.clientWidth > 0 && el.clientHeight > 0) c.resize();
          });
        }).observe(el);
      }
    }
    return charts[id];
  }
  function name(f) { return IB.en ? f.name_en || f.name_zh : f.name_zh; }
  function unit(f) { return IB.en ? f.unit_en || f.unit_zh : f.unit_zh; }
  function regionName(code) { const r = P.regions[code]; return r ? r.name : code; }
  // periodLabel: "2024-06" → 2024年1–6月 / Jan–Jun 2024.
  function periodLabel(p) {
    const y = Number(p.slice(0, 4));
    const m = Number(p.slice(5, 7));
    return IB.en ? 'Jan–' + P.months[m - 1] + ' ' + y : y + '年1–' + m + '月';
  }
  function stateText(s, isError) {
    const el = document.getElementById('bs-state');
    el.textContent = s || '';
    el.classList.toggle('error', !!isError);
  }
  function base() {
    return {
      backgroundColor: 'transparent',
      textStyle: { fontFamily: getComputedStyle(document.body).fontFamily, color: dark.text },
      tooltip: { trigger: 'axis', renderMode: 'richText', confine: true },
      grid: { left: 48, right: 48, top: 36, bottom: 32 },
    };
  }

  // ---- headline figures ----

  function renderKPIs(holder, figures, prefix) {
    figures.forEach(function (f) {
      let card = holder.querySelector('[data-indicator="' + f.code + '"]');
      if (!card) {
        card = document.createElement('article');
        card.className = 'bs-kpi';
        card.dataset.indicator = f.code;
        card.id = prefix + f.code;
        const h = document.createElement('h3');
        h.textContent = name(f);
        const v = document.createElement('div');
        v.className = 'bs-num';
        const n = document.createElement('span');
        n.className = 'bs-value';
        const u = document.createElement('span');
        u.className = 'bs-unit';
        u.textContent = unit(f);
        v.append(n, u);
        const y = document.createElement('div');
        y.className = 'bs-yoy';
        card.append(h, v, y);
        holder.appendChild(card);
      }
      const digits = digitsOf[f.unit] === undefined ? 0 : digitsOf[f.unit];
      IB.flip(card.querySelector('.bs-value'), f.value === null || f.value === undefined ? null : IB.round(f.value, digits), digits);
      const y = card.querySelector('.bs-yoy');
      y.textContent = f.yoy_pct === undefined || f.yoy_pct === null ? '' : t('js.yoy') + ' ' + IB.signed(f.yoy_pct, 1) + '%';
      y.className = 'bs-yoy' + (f.yoy_pct > 0.05 ? ' up' : f.yoy_pct < -0.05 ? ' down' : '');
      card.classList.toggle('alert', f.mark === 'alert');
    });
  }

  // ---- the map and the ranking ----

  function drawMap() {
    const byCode = {};
    state.slices.forEach(function (s) { byCode[s.key] = s; });
    const nameMap = {};
    state.geo.features.forEach(function (f) { nameMap[f.properties.code] = regionName(f.properties.code); });
    const data = state.geo.features.map(function (f) {
      const s = byCode[f.properties.code];
      return { name: regionName(f.properties.code), code: f.properties.code, value: s ? IB.round(s.output_yi, 1) : null };
    });
    const values = data.map(function (d) { return d.value; }).filter(function (v) { return v !== null; });
    const c = chart('bs-map');
    c.setOption({
      backgroundColor: 'transparent',
      textStyle: base().textStyle,
      tooltip: { trigger: 'item', renderMode: 'richText', confine: true,
        formatter: function (p) { return p.name + '\n' + t('js.output') + ' ' + IB.num(p.value, 1) + ' ' + t('js.unit_yi'); } },
      visualMap: { min: values.length ? Math.min.apply(null, values) : 0, max: values.length ? Math.max.apply(null, values) : 1,
        left: 8, bottom: 8, calculable: true, text: [t('js.high'), t('js.low')], textStyle: { color: dark.text },
        inRange: { color: ['#0d2a4a', '#165a8c', '#1f8fd0', '#35c3ff'] }, formatter: function (v) { return IB.num(v, 0); } },
      toolbox: IB.toolbox({ name: 'bigscreen_map', background: '#071426' }),
      series: [{ type: 'map', map: 'chongqing-bs', nameProperty: 'code', nameMap: nameMap, roam: true, scaleLimit: { min: 1, max: 6 },
        layoutCenter: ['52%', '50%'], layoutSize: '96%', selectedMode: false, cursor: 'pointer', label: { show: false },
        itemStyle: { borderColor: '#5b86b5', borderWidth: 0.6, areaColor: '#0b1f38' },
        emphasis: { label: { show: true, color: '#fff' }, itemStyle: { areaColor: dark.warm } },
        data: data }],
    }, { replaceMerge: ['series'] });
  }

  function drawRank() {
    const ordered = state.slices.slice().sort(function (a, b) { return b.output_yi - a.output_yi; });
    const list = document.getElementById('bs-rank');
    const items = ordered.map(function (s, i) {
      const li = document.createElement('li');
      li.dataset.region = s.key;
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'bs-rankitem';
      const no = document.createElement('span');
      no.className = 'bs-no';
      no.textContent = String(i + 1);
      const nm = document.createElement('span');
      nm.className = 'bs-name';
      nm.textContent = regionName(s.key);
      const v = document.createElement('span');
      v.className = 'bs-v';
      v.textContent = IB.num(s.output_yi, 1);
      const g = document.createElement('span');
      g.className = 'bs-g' + (s.output_yoy_pct > 0.05 ? ' up' : s.output_yoy_pct < -0.05 ? ' down' : '');
      g.textContent = s.output_yoy_pct === null || s.output_yoy_pct === undefined ? '–' : IB.signed(s.output_yoy_pct, 1) + '%';
      b.append(no, nm, v, g);
      b.addEventListener('click', function () { drill(s.key); });
      li.appendChild(b);
      return li;
    });
    list.replaceChildren.apply(list, items);
    // The ranking scrolls when it is longer than its box: a copy follows
    // the list (marked aria-hidden) so the loop has no jump.
    const box = document.getElementById('bs-marquee');
    box.querySelectorAll('.bs-copy').forEach(function (c) { c.remove(); });
    if (list.scrollHeight > box.clientHeight + 4) {
      const copy = list.cloneNode(true);
      copy.removeAttribute('id');
      copy.classList.add('bs-copy');
      copy.setAttribute('aria-hidden', 'true');
      copy.querySelectorAll('button').forEach(function (b) { b.tabIndex = -1; });
      copy.querySelectorAll('[data-region]').forEach(function (li) {
        li.querySelector('button').addEventListener('click', function () { drill(li.dataset.region); });
      });
      box.appendChild(copy);
      box.classList.add('scrolling');
      box.style.setProperty('--bs-rows', String(items.length));
    } else {
      box.classList.remove('scrolling');
    }
  }

  // ---- the drill-down: a district's figures and clusters, in place ----

  function drill(code) {
    state.region = code || '';
    const back = document.getElementById('bs-back');
    const link = document.getElementById('bs-drill-link');
    back.hidden = !code;
    link.hidden = !code;
    document.getElementById('bs-drill-name').textContent = code ? regionName(code) : t('js.bs_city');
    if (code) link.href = P.regions[code] ? P.regions[code].url : '/';
    const q = { region: code };
    return Promise.all([
      IB.fetchJSON('/api/v1/stats/kpis?' + IB.query(q)),
      IB.fetchJSON('/api/v1/stats/breakdown?' + IB.query(Object.assign({ by: code ? 'cluster' : 'tier' }, q))),
    ]).then(function (res) {
      const holder = document.getElementById('bs-drill-kpis');
      if (holder.dataset.region !== state.region) {
        holder.replaceChildren();
        holder.dataset.region = state.region;
      }
      const wanted = ['IND_OUTPUT', 'IND_VA_GROWTH', 'ABOVE_SCALE_COUNT'];
      renderKPIs(holder, (res[0].figures || []).filter(function (f) { return wanted.indexOf(f.code) >= 0; }), 'bs-drill-');
      const slices = (res[1].slices || []).filter(function (s) { return s.key; }).sort(function (a, b) { return a.output_yi - b.output_yi; }).slice(-8);
      const opt = base();
      opt.tooltip = { trigger: 'item', renderMode: 'richText', confine: true };
      opt.grid = { left: 8, right: 56, top: 8, bottom: 8, containLabel: true };
      opt.xAxis = { type: 'value', splitLine: { lineStyle: { color: dark.line } }, axisLabel: { color: dark.muted } };
      opt.yAxis = { type: 'category', axisLabel: { color: dark.text, width: 150, overflow: 'truncate' },
        data: slices.map(function (s) { return code ? (IB.en ? s.name_en || s.key : s.name_zh || s.key) : (P.tiers[s.key] || s.key); }) };
      opt.series = [{ type: 'bar', name: t('js.output'), barMaxWidth: 14, color: dark.accent,
        label: { show: true, position: 'right', color: dark.text, formatter: function (p) { return IB.num(p.value, 1); } },
        data: slices.map(function (s) { return IB.round(s.output_yi, 1); }) }];
      chart('bs-drill-chart').setOption(opt, true);
      document.getElementById('bs-drill').dataset.region = state.region;
    });
  }

  // ---- the trend ----

  function drawTrend(res) {
    const pts = (res.points || []).filter(function (p) { return p.value !== null && p.value !== undefined; });
    const opt = base();
    const months = pts.map(function (p) { return IB.monthLabel(Number(p.period.slice(5, 7))); });
    opt.legend = { top: 0, textStyle: { color: dark.text } };
    opt.xAxis = { type: 'category', data: months, axisLabel: { color: dark.muted } };
    opt.yAxis = [
      { type: 'value', splitLine: { lineStyle: { color: dark.line } }, axisLabel: { color: dark.muted } },
      { type: 'value', splitLine: { show: false }, axisLabel: { color: dark.muted, formatter: '{value}%' } },
    ];
    opt.series = [
      { name: t('js.output') + ' (' + t('js.unit_yi') + ')', type: 'bar', barMaxWidth: 22, color: dark.accent, data: pts.map(function (p) { return IB.round(p.value, 1); }) },
      { name: t('js.yoy') + ' (%)', type: 'line', yAxisIndex: 1, color: dark.warm, data: pts.map(function (p) { return IB.round(p.yoy_pct, 1); }) },
    ];
    chart('bs-trend').setOption(opt, true);
  }

  // ---- loading, and loading again ----

  function load() {
    return IB.fetchJSON('/api/v1/stats/kpis').then(function (res) {
      state.period = res.period;
      const year = Number(res.period.slice(0, 4));
      const month = Number(res.period.slice(5, 7));
      document.getElementById('bs-period').textContent = periodLabel(res.period);
      renderKPIs(document.getElementById('bs-kpis'), res.figures || [], 'bs-kpi-');
      const q = { year: year, month: month };
      return Promise.all([
        state.geo ? Promise.resolve(state.geo) : IB.fetchJSON(P.mapUrl),
        IB.fetchJSON('/api/v1/stats/breakdown?' + IB.query(Object.assign({ by: 'region' }, q))),
        IB.fetchJSON('/api/v1/stats/trend?' + IB.query(Object.assign({ indicator: 'IND_OUTPUT' }, q))),
      ]);
    }).then(function (res) {
      if (!state.geo) {
        state.geo = res[0];
        echarts.registerMap('chongqing-bs', state.geo);
      }
      state.slices = res[1].slices || [];
      drawMap();
      drawRank();
      drawTrend(res[2]);
      return drill(state.region);
    }).then(function () {
      const now = new Date();
      document.getElementById('bs-updated').textContent = now.toLocaleTimeString(IB.en ? 'en-GB' : 'zh-CN', { hour12: false });
      root.dataset.loads = String(Number(root.dataset.loads || 0) + 1);
      root.dataset.period = state.period;
      stateText('');
    }).catch(function (err) {
      stateText(t('js.load_failed') + ' ' + err.message, true);
    });
  }

  chart('bs-map').on('click', function (p) {
    const code = p.data && p.data.code;
    if (code && P.regions[code]) drill(code);
  });
  document.getElementById('bs-back').addEventListener('click', function () { drill(''); });
  const fs = document.getElementById('bs-fullscreen');
  fs.addEventListener('click', function () {
    if (document.fullscreenElement) document.exitFullscreen();
    else if (root.requestFullscreen) root.requestFullscreen().catch(function () { /* refused: stays in the window */ });
  });
  load();
  setInterval(load, Math.max(2, Number(P.refresh) || 300) * 1000);
})();
