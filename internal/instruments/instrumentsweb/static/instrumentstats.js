// Instrument statistics page: the district map of effective machine hours
// (the cockpit's district shapes, /static/map/chongqing.json), with the
// same figures as a table beside it, from the page's JSON.
'use strict';

(function () {
  const P = IB.page;
  const t = IB.t;
  const panel = IB.panel('instrument-map');
  if (!panel || !window.echarts || !P.mapUrl) return;
  IB.fetchJSON(P.mapUrl).then(function (geo) {
    echarts.registerMap('chongqing', geo);
    const byCode = {};
    (P.districts || []).forEach(function (d) { byCode[d.key] = d; });
    const nameMap = {};
    const codeOf = {};
    geo.features.forEach(function (f) {
      const name = IB.en ? (f.properties.name_en || f.properties.name) : f.properties.name;
      nameMap[f.properties.code] = name;
      codeOf[name] = f.properties.code;
    });
    const data = geo.features.map(function (f) {
      const d = byCode[f.properties.code];
      return { name: nameMap[f.properties.code], value: d ? IB.round(d.effective_hours, 0) : null };
    });
    const values = data.map(function (d) { return d.value; }).filter(function (v) { return v !== null; });
    panel.echarts().setOption({
      textStyle: IB.baseOption().textStyle,
      tooltip: {
        trigger: 'item', renderMode: 'richText', confine: true,
        formatter: function (p) {
          const d = byCode[codeOf[p.name]];
          if (!d) return p.name + '\n' + t('js.instrumentstats.no_data');
          return p.name + '\n' + t('js.instrumentstats.hours') + ' ' + IB.num(d.effective_hours, 0) +
            '\n' + t('js.instrumentstats.external') + ' ' + IB.num(d.external_hours, 0) +
            '\n' + t('js.instrumentstats.instruments') + ' ' + IB.num(d.instruments, 0);
        },
      },
      visualMap: {
        min: values.length ? Math.min.apply(null, values) : 0,
        max: values.length ? Math.max.apply(null, values) : 1,
        left: 8, bottom: 8, calculable: true, text: [t('js.instrumentstats.high'), t('js.instrumentstats.low')],
        inRange: { color: ['#e8f0fa', '#7cb7e8', '#2f6fb3', '#1d4e89'] },
        formatter: function (v) { return IB.num(v, 0); },
      },
      series: [{
        type: 'map', map: 'chongqing', nameProperty: 'code', nameMap: nameMap,
        layoutCenter: ['55%', '50%'], layoutSize: '96%', roam: true, scaleLimit: { min: 1, max: 6 }, selectedMode: false,
        label: { show: false }, emphasis: { label: { show: true, fontWeight: 'bold' }, itemStyle: { areaColor: '#e39b2d' } },
        itemStyle: { borderColor: '#ffffff', borderWidth: 0.8, areaColor: '#f0f2f5' },
        data: data,
      }],
    });
    const ordered = (P.districts || []).slice().sort(function (a, b) { return b.effective_hours - a.effective_hours; });
    panel.setTable({
      title: t('js.instrumentstats.hours'), filename: 'instrument_hours_' + P.year,
      columns: [{ label: t('js.instrumentstats.district') }, { label: t('js.instrumentstats.instruments'), num: true, digits: 0 },
        { label: t('js.instrumentstats.hours'), num: true, digits: 0 }, { label: t('js.instrumentstats.external'), num: true, digits: 0 }],
      rows: ordered.map(function (d) { return [d.label, d.instruments, d.effective_hours, d.external_hours]; }),
    });
    panel.el.dataset.ready = 'true';
    panel.state('');
  }).catch(function (e) { panel.state(t('js.instrumentstats.no_data')); throw e; });
})();
