// 亩均论英雄 overview: the class distribution chart and the district map
// coloured by mean score or by the share of the best class. The data comes
// with the page (the same figures as the server-rendered tables beside
// them); every chart has its table and CSV export.
'use strict';

(function () {
  const P = IB.page;
  if (!P.classes || !window.echarts) return;
  const t = IB.t;

  // ---- class distribution ----
  const classPanel = IB.panel('classes');
  if (classPanel) {
    const groups = P.groups || [];
    const opt = IB.baseOption();
    opt.tooltip = { trigger: 'axis', renderMode: 'richText', confine: true };
    opt.legend = { top: 4 };
    opt.xAxis = { type: 'category', data: P.classes };
    opt.yAxis = { type: 'value', name: t('js.mujun_firms') };
    opt.series = groups.map(function (g) {
      return { name: g.name, type: 'bar', stack: 'firms', barMaxWidth: 48, data: g.counts };
    });
    classPanel.echarts().setOption(opt);
    classPanel.el.dataset.ready = 'true';
    classPanel.state('');
    classPanel.setTable({
      title: t('js.mujun_classes'), filename: 'mujun_classes',
      columns: [{ label: t('js.mujun_class') }].concat(groups.map(function (g) { return { label: g.name, num: true }; })),
      rows: P.classes.map(function (c, i) { return [c].concat(groups.map(function (g) { return g.counts[i]; })); }),
    });
  }

  // ---- district map ----
  const mapPanel = IB.panel('mujun-map');
  if (!mapPanel || !P.mapUrl) return;
  const byCode = {};
  (P.districts || []).forEach(function (d) { byCode[d.code] = d; });
  let measure = 'mean';
  let geo = null;

  function label(m) { return m === 'mean' ? t('js.mujun_mean') : t('js.mujun_a_share'); }
  function draw() {
    const names = {};
    const data = geo.features.map(function (f) {
      const code = f.properties.code;
      const d = byCode[code];
      names[code] = d ? d.name : (IB.en ? f.properties.name_en : f.properties.name);
      return { name: names[code], code: code, value: d ? IB.round(measure === 'mean' ? d.mean : d.a_share, 1) : null };
    });
    const values = data.map(function (d) { return d.value; }).filter(function (v) { return v !== null; });
    const chart = mapPanel.echarts();
    chart.setOption({
      textStyle: IB.baseOption().textStyle,
      tooltip: {
        trigger: 'item', renderMode: 'richText', confine: true,
        formatter: function (p) {
          const d = p.data && byCode[p.data.code];
          if (!d) return p.name + '\n' + t('js.no_data');
          return p.name + '\n' + t('js.mujun_mean') + ' ' + IB.num(d.mean, 2) + '\n' + t('js.mujun_a_share') + ' ' + IB.num(d.a_share, 1) + '%\n' + t('js.mujun_firms') + ' ' + d.firms;
        },
      },
      visualMap: {
        min: values.length ? Math.min.apply(null, values) : 0, max: values.length ? Math.max.apply(null, values) : 1,
        left: 8, bottom: 8, calculable: true, text: [t('js.high'), t('js.low')],
        inRange: { color: ['#e8f0fa', '#7cb7e8', '#2f6fb3', '#1d4e89'] },
      },
      series: [{
        name: label(measure), type: 'map', map: 'chongqing', nameProperty: 'code', nameMap: names,
        layoutCenter: ['55%', '50%'], layoutSize: '96%', roam: true, selectedMode: false, label: { show: false }, cursor: 'pointer',
        emphasis: { label: { show: true }, itemStyle: { areaColor: '#e39b2d' } },
        itemStyle: { borderColor: '#ffffff', borderWidth: 0.8, areaColor: '#f0f2f5' }, data: data,
      }],
    }, true);
    const rows = (P.districts || []).slice().sort(function (a, b) {
      return measure === 'mean' ? b.mean - a.mean : b.a_share - a.a_share;
    }).map(function (d) { return [d.name, d.firms, d.mean, d.a_share, d.url]; });
    mapPanel.setTable({
      title: label(measure), filename: 'mujun_districts_' + measure,
      columns: [{ label: t('js.region'), link: 4 }, { label: t('js.mujun_firms'), num: true }, { label: t('js.mujun_mean'), num: true, digits: 2 }, { label: t('js.mujun_a_share'), num: true, digits: 1 }, { label: 'url', hidden: true }],
      rows: rows,
    });
    mapPanel.el.dataset.measure = measure;
  }

  // A click on a district with results opens its firms in the ranking.
  function onMapClick(p) {
    const d = p.data && byCode[p.data.code];
    if (d && d.url) window.location.href = d.url;
  }

  mapPanel.el.querySelectorAll('[data-measure]').forEach(function (b) {
    b.addEventListener('click', function () {
      measure = b.dataset.measure;
      mapPanel.el.querySelectorAll('[data-measure]').forEach(function (x) { x.setAttribute('aria-pressed', String(x === b)); });
      if (geo) draw();
    });
  });
  IB.fetchJSON(P.mapUrl).then(function (g) {
    geo = g;
    echarts.registerMap('chongqing', geo);
    draw();
    mapPanel.echarts().on('click', onMapClick);
    mapPanel.el.dataset.ready = 'true';
    mapPanel.state('');
  }).catch(function (err) { mapPanel.state(t('js.load_failed') + ' ' + err.message, true); });
})();
