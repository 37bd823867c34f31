// Cockpit charts: the district map, monthly trends and the 33618
// breakdowns. Every figure comes from the JSON API (/api/v1/stats/…), the
// same statistics engine that renders the KPI cards; every chart has the
// same data as a table and a CSV export.
'use strict';

(function () {
  const P = IB.page;
  if (!P.year || !window.echarts) return;
  const t = IB.t;
  const scope = { year: P.year, month: P.month, region: P.region, cluster: P.cluster };
  const periodQuery = '?' + IB.query({ year: P.year, month: P.month });
  const fileStem = [P.region, P.cluster, P.year + '-' + String(P.month).padStart(2, '0')].filter(Boolean).join('_');

  function api(path, params) {
    return IB.fetchJSON('/api/v1/' + path + '?' + IB.query(params));
  }
  function failed(panel) {
    return function (err) {
      panel.state(t('js.load_failed') + ' ' + err.message, true);
    };
  }
  function regionName(code) {
    const r = P.regions[code];
    return r ? r.name : code;
  }
  function clusterName(code) {
    if (!code) return t('js.outside_catalogue');
    const c = P.clusters[code];
    return c ? c.name : code;
  }
  function tierName(code) {
    if (!code) return t('js.outside_catalogue');
    return P.tiers[code] || code;
  }

  // tierColor gives each 33618 tier the same colour in every chart.
  function tierColor(tier) {
    const i = (P.tierOrder || []).indexOf(tier);
    return IB.palette[i >= 0 ? i : 7];
  }

  // ---- monthly trends ----

  function trend(id, indicator, draw) {
    const panel = IB.panel(id);
    if (!panel) return;
    api('stats/trend', { indicator: indicator, year: P.year, month: P.month, region: P.region, cluster: P.cluster })
      .then(function (res) {
        const pts = (res.points || []).filter(function (p) { return p.value !== null && p.value !== undefined; });
        if (pts.length === 0) { panel.state(t('js.no_data')); return; }
        panel.state('');
        draw(panel, pts, res.target);
      })
      .catch(failed(panel));
  }

  function monthOf(p) { return Number(String(p.period).slice(5, 7)); }

  trend('trend-output', 'IND_OUTPUT', function (panel, pts, target) {
    const months = pts.map(function (p) { return IB.monthLabel(monthOf(p)); });
    const opt = IB.baseOption();
    opt.legend = { top: 0, data: [t('js.output'), t('js.yoy')] };
    opt.xAxis = { type: 'category', data: months };
    // Units go on the tick labels, not as axis names, which collide with
    // the top label and the legend.
    opt.yAxis = [
      { type: 'value', axisLabel: { formatter: function (v) { return IB.num(v, 0); } }, splitLine: { lineStyle: { color: '#eef1f5' } } },
      { type: 'value', axisLabel: { formatter: '{value}%' }, splitLine: { show: false } },
    ];
    opt.legend.data = [t('js.output') + ' (' + t('js.unit_yi') + ')', t('js.yoy') + ' (%)'];
    opt.series = [
      { name: t('js.output') + ' (' + t('js.unit_yi') + ')', type: 'bar', barMaxWidth: 28, data: pts.map(function (p) { return IB.round(p.value, 1); }) },
      { name: t('js.yoy') + ' (%)', type: 'line', yAxisIndex: 1, symbolSize: 6, color: '#e39b2d', data: pts.map(function (p) { return IB.round(p.yoy_pct, 1); }) },
    ];
    // The year's target as its pro-rata path (target × month / 12), the
    // line the task table's projection is judged against.
    if (target && target.kind === 'level') {
      const name = t('js.target_pace') + ' (' + t('js.unit_yi') + ')';
      opt.legend.data.push(name);
      opt.series.push({ name: name, type: 'line', symbol: 'none', color: '#b91c1c', lineStyle: { type: 'dashed' },
        data: pts.map(function (p) { return IB.round(target.value * monthOf(p) / 12, 1); }) });
    }
    if (IB.toolbox) opt.toolbox = IB.toolbox({ zoom: true, name: 'output_trend_' + fileStem });
    panel.echarts().setOption(opt);
    panel.setTable({
      title: t('js.trend_output_caption'), filename: 'output_trend_' + fileStem,
      columns: [{ label: t('js.period') }, { label: t('js.output') + ' (' + t('js.unit_yi') + ')', num: true, digits: 1 }, { label: t('js.yoy') + ' (%)', num: true, digits: 1, signed: true }],
      rows: pts.map(function (p) { return [IB.monthLabel(monthOf(p)), p.value, p.yoy_pct === undefined ? null : p.yoy_pct]; }),
    });
  });

  trend('trend-va', 'IND_VA_GROWTH', function (panel, pts, target) {
    const months = pts.map(function (p) { return IB.monthLabel(monthOf(p)); });
    const nominal = pts.some(function (p) { return p.nominal; });
    const opt = IB.baseOption();
    opt.legend = { top: 0, data: [t('js.va_growth')] };
    opt.xAxis = { type: 'category', data: months, boundaryGap: false };
    // The axis includes 0 (and a margin around the values), so a change of
    // a few tenths of a point does not fill the chart like a crash.
    opt.yAxis = {
      type: 'value', axisLabel: { formatter: '{value}%' }, splitLine: { lineStyle: { color: '#eef1f5' } },
      min: function (v) { return Math.min(0, Math.floor(Math.min(v.min, target ? target.value : v.min) - 1)); },
      max: function (v) { return Math.max(0, Math.ceil(Math.max(v.max, target ? target.value : v.max) + 1)); },
    };
    opt.series = [{
      name: t('js.va_growth'), type: 'line', symbolSize: 7, areaStyle: { opacity: 0.08 },
      label: { show: true, position: 'top', formatter: function (p) { return IB.num(p.value, 1); } },
      data: pts.map(function (p) { return IB.round(p.value, 1); }),
    }];
    // The year's target rate as a line.
    if (target && target.kind === 'rate') {
      opt.series[0].markLine = { symbol: 'none', silent: true, lineStyle: { type: 'dashed', color: '#b91c1c' },
        label: { formatter: t('js.target_line') + ' ' + IB.num(target.value, 1) + '%', position: 'insideEndTop' },
        data: [{ yAxis: target.value }] };
    }
    if (IB.toolbox) opt.toolbox = IB.toolbox({ zoom: true, name: 'va_growth_' + fileStem });
    panel.echarts().setOption(opt);
    if (nominal) panel.state(t('js.nominal_note'));
    panel.setTable({
      title: t('js.trend_va_caption'), filename: 'va_growth_' + fileStem,
      columns: [{ label: t('js.period') }, { label: t('js.va_growth') + ' (%)', num: true, digits: 1, signed: true }],
      rows: pts.map(function (p) { return [IB.monthLabel(monthOf(p)), p.value]; }),
    });
  });

  // ---- breakdowns ----

  function breakdown(by) {
    return api('stats/breakdown', Object.assign({ by: by }, scope));
  }

  const sliceColumns = function (first) {
    return [
      { label: first, link: 7 },
      { label: t('js.enterprises'), num: true },
      { label: t('js.output') + ' (' + t('js.unit_yi') + ')', num: true, digits: 1 },
      { label: t('js.share') + ' (%)', num: true, digits: 1 },
      { label: t('js.output_yoy') + ' (%)', num: true, digits: 1, signed: true },
      { label: t('js.va_growth') + ' (%)', num: true, digits: 1, signed: true },
      { label: t('js.rd_intensity') + ' (%)', num: true, digits: 2 },
      { label: 'url', hidden: true },
    ];
  };
  function sliceRow(name, s, url) {
    return [name, s.enterprises, s.output_yi, s.share_pct, s.output_yoy_pct, s.va_growth_pct, s.rd_intensity_pct, url || ''];
  }

  const tierPanel = IB.panel('by-tier');
  const clusterPanel = IB.panel('by-cluster');
  if (tierPanel) {
    breakdown('tier').then(function (res) {
      const slices = res.slices || [];
      if (slices.length === 0) { tierPanel.state(t('js.no_data')); return; }
      tierPanel.state('');
      const opt = IB.baseOption();
      opt.tooltip = { trigger: 'item', renderMode: 'richText', confine: true };
      // A plain legend wraps onto a second line instead of hiding tiers
      // behind scroll arrows; the slices carry only their share.
      opt.legend = { bottom: 0, left: 'center', type: 'plain', itemGap: 12 };
      opt.series = [{
        name: t('js.output'), type: 'pie', radius: ['32%', '58%'], center: ['50%', '42%'],
        label: { formatter: function (p) { return IB.num(p.percent, 1) + '%'; } },
        data: slices.map(function (s) { return { name: tierName(s.key), value: IB.round(s.output_yi, 1), itemStyle: { color: tierColor(s.key) } }; }),
      }];
      if (IB.toolbox) opt.toolbox = IB.toolbox({ name: 'by_tier_' + fileStem });
      tierPanel.echarts().setOption(opt);
      tierPanel.setTable({
        title: t('js.by_tier_caption'), filename: 'by_tier_' + fileStem, columns: sliceColumns(t('js.tier')),
        rows: slices.map(function (s) { return sliceRow(tierName(s.key), s); }),
      });
    }).catch(failed(tierPanel));
  }
  if (clusterPanel) {
    breakdown('cluster').then(function (res) {
      const slices = (res.slices || []).filter(function (s) { return s.key; });
      if (slices.length === 0) { clusterPanel.state(t('js.no_data')); return; }
      clusterPanel.state('');
      const sorted = slices.slice().sort(function (a, b) { return a.output_yi - b.output_yi; });
      // One row per cluster, however many the catalogue has.
      clusterPanel.chartEl.style.height = Math.max(280, 26 * sorted.length + 90) + 'px';
      const opt = IB.baseOption();
      opt.grid = { left: 8, right: 64, top: 16, bottom: 24, containLabel: true };
      opt.tooltip = { trigger: 'item', renderMode: 'richText', confine: true,
        formatter: function (p) {
          const s = sorted[p.dataIndex];
          return clusterName(s.key) + '\n' + t('js.output') + ' ' + IB.num(s.output_yi, 1) + ' ' + t('js.unit_yi') +
            '\n' + t('js.va_growth') + ' ' + IB.signed(s.va_growth_pct, 1) + '%';
        } };
      opt.xAxis = { type: 'value', name: t('js.unit_yi'), splitLine: { lineStyle: { color: '#eef1f5' } } };
      opt.yAxis = { type: 'category', data: sorted.map(function (s) { return clusterName(s.key); }), axisLabel: { width: 180, overflow: 'truncate' } };
      // One stacked series per tier (empty outside it): the bars keep
      // their rows and the legend names the tier colours.
      const tiers = (P.tierOrder || []).filter(function (tr) {
        return sorted.some(function (s) { const c = P.clusters[s.key]; return c && c.tier === tr; });
      });
      opt.legend = { top: 0, left: 'center', type: 'plain', data: tiers.map(tierName) };
      opt.grid.top = 40;
      opt.series = tiers.map(function (tr) {
        return {
          name: tierName(tr), type: 'bar', stack: 'tier', barMaxWidth: 18, cursor: 'pointer', color: tierColor(tr),
          // '-' is ECharts' empty value: the row belongs to another tier.
          label: { show: true, position: 'right', formatter: function (p) { return typeof p.value === 'number' ? IB.num(p.value, 1) : ''; } },
          data: sorted.map(function (s) { const c = P.clusters[s.key]; return c && c.tier === tr ? IB.round(s.output_yi, 1) : '-'; }),
        };
      });
      if (IB.toolbox) opt.toolbox = IB.toolbox({ name: 'by_cluster_' + fileStem });
      const chart = clusterPanel.echarts();
      chart.setOption(opt);
      chart.on('click', function (p) {
        const c = P.clusters[sorted[p.dataIndex].key];
        if (c) window.location.href = c.url + periodQuery;
      });
      clusterPanel.setTable({
        title: t('js.by_cluster_caption'), filename: 'by_cluster_' + fileStem, columns: sliceColumns(t('js.cluster')),
        rows: slices.map(function (s) {
          const c = P.clusters[s.key];
          return sliceRow(clusterName(s.key), s, c ? c.url + periodQuery : '');
        }),
      });
    }).catch(failed(clusterPanel));
  }

  // ---- the district map ----

  const mapPanel = IB.panel('map');
  if (mapPanel && P.mapUrl) {
    Promise.all([IB.fetchJSON(P.mapUrl), breakdown('region')]).then(function (res) {
      const geo = res[0];
      const slices = res[1].slices || [];
      echarts.registerMap('chongqing', geo);
      const byCode = {};
      slices.forEach(function (s) { byCode[s.key] = s; });
      const nameMap = {};
      const codeOf = {};
      geo.features.forEach(function (f) {
        const code = f.properties.code;
        nameMap[code] = regionName(code);
        codeOf[regionName(code)] = code;
      });
      const data = geo.features.map(function (f) {
        const code = f.properties.code;
        const s = byCode[code];
        return { name: regionName(code), code: code, value: s ? IB.round(s.output_yi, 1) : null };
      });
      const values = data.map(function (d) { return d.value; }).filter(function (v) { return v !== null; });
      const opt = {
        textStyle: IB.baseOption().textStyle,
        tooltip: {
          trigger: 'item', renderMode: 'richText', confine: true,
          formatter: function (p) {
            const s = byCode[codeOf[p.name]];
            if (!s) return p.name + '\n' + t('js.no_data');
            return p.name + '\n' + t('js.output') + ' ' + IB.num(s.output_yi, 1) + ' ' + t('js.unit_yi') +
              '\n' + t('js.output_yoy') + ' ' + IB.signed(s.output_yoy_pct, 1) + '%' +
              '\n' + t('js.enterprises') + ' ' + IB.num(s.enterprises, 0);
          },
        },
        visualMap: {
          min: values.length ? Math.min.apply(null, values) : 0,
          max: values.length ? Math.max.apply(null, values) : 1,
          left: 8, bottom: 8, calculable: true, text: [t('js.high'), t('js.low')],
          inRange: { color: ['#e8f0fa', '#7cb7e8', '#2f6fb3', '#1d4e89'] },
          formatter: function (v) { return IB.num(v, 0); },
        },
        series: [{
          name: t('js.output'), type: 'map', map: 'chongqing', nameProperty: 'code', nameMap: nameMap,
          layoutCenter: ['55%', '50%'], layoutSize: '96%', roam: true, scaleLimit: { min: 1, max: 6 }, selectedMode: false, cursor: 'pointer',
          label: { show: false },
          emphasis: { label: { show: true, fontWeight: 'bold' }, itemStyle: { areaColor: '#e39b2d' } },
          itemStyle: { borderColor: '#ffffff', borderWidth: 0.8, areaColor: '#f0f2f5' },
          data: data,
        }],
      };
      if (IB.toolbox) opt.toolbox = IB.toolbox({ name: 'by_region_' + fileStem });
      const chart = mapPanel.echarts();
      chart.setOption(opt);
      chart.on('click', function (p) {
        const code = (p.data && p.data.code) || codeOf[p.name];
        const r = P.regions[code];
        if (r) window.location.href = r.url + periodQuery;
      });
      mapPanel.el.dataset.ready = 'true';
      mapPanel.state('');

      // The table lists every unit, the functional zones included.
      const ordered = slices.slice().sort(function (a, b) { return b.output_yi - a.output_yi; });
      mapPanel.setTable({
        title: t('js.map_caption'), filename: 'by_region_' + fileStem, columns: sliceColumns(t('js.region')),
        rows: ordered.map(function (s) {
          const r = P.regions[s.key];
          const name = regionName(s.key) + (r && r.zone ? ' (' + t('js.zone') + ')' : '');
          return sliceRow(name, s, r ? r.url + periodQuery : '');
        }),
      });
      // Zones beside the map, and a top-10 ranking.
      document.querySelectorAll('#zone-list [data-region]').forEach(function (li) {
        const s = byCode[li.dataset.region];
        li.querySelector('[data-zone-value]').textContent = s ? IB.num(s.output_yi, 1) + ' ' + t('js.unit_yi') : '–';
      });
      const rank = document.getElementById('region-rank');
      if (rank) {
        rank.replaceChildren.apply(rank, ordered.slice(0, 10).map(function (s) {
          const li = document.createElement('li');
          const a = document.createElement('a');
          const r = P.regions[s.key];
          a.href = r ? r.url + periodQuery : '#';
          a.textContent = regionName(s.key);
          const v = document.createElement('span');
          v.className = 'num';
          v.textContent = IB.num(s.output_yi, 1);
          li.append(a, v);
          return li;
        }));
      }
    }).catch(failed(mapPanel));
  }
})();
