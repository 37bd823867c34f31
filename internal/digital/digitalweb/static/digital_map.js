// Digital-transformation cockpit: the district map coloured by the measure
// chosen (projects approved, investment accepted, digital workshops, smart
// factories, future factories held at the end of the year), with its table
// and CSV export; a click on a district opens its own figures.
'use strict';

(function () {
  const P = IB.page;
  const mapPanel = IB.panel('digital-map');
  if (!mapPanel || !P.mapUrl || !window.echarts) return;
  const t = IB.t;
  const byCode = {};
  (P.districts || []).forEach(function (d) { byCode[d.code] = d; });
  const measures = ['approved', 'actual_yi', 'workshops', 'smart', 'future'];
  let measure = 'approved';
  let geo = null;

  function label(m) { return t('js.digital.map_' + m); }
  function draw() {
    const names = {};
    const data = geo.features.map(function (f) {
      const code = f.properties.code;
      const d = byCode[code];
      names[code] = d ? d.name : (IB.en ? f.properties.name_en : f.properties.name);
      return { name: names[code], code: code, value: d ? d[measure] : null };
    });
    const values = data.map(function (d) { return d.value; }).filter(function (v) { return v !== null; });
    mapPanel.echarts().setOption({
      textStyle: IB.baseOption().textStyle,
      tooltip: {
        trigger: 'item', renderMode: 'richText', confine: true,
        formatter: function (p) {
          const d = p.data && byCode[p.data.code];
          if (!d) return p.name + '\n' + t('js.no_data');
          return [p.name].concat(measures.map(function (m) { return label(m) + ' ' + IB.num(d[m], m === 'actual_yi' ? 2 : 0); })).join('\n');
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
    // The table lists every district, functional zones included.
    const rows = (P.districts || []).slice().sort(function (a, b) { return b[measure] - a[measure]; })
      .map(function (d) { return [d.name, d.approved, d.accepted, d.actual_yi, d.workshops, d.smart, d.future, d.url]; });
    mapPanel.setTable({
      title: label(measure), filename: 'digital_districts_' + measure,
      columns: [{ label: t('js.region'), link: 7 }, { label: label('approved'), num: true }, { label: t('js.digital.map_accepted'), num: true },
        { label: label('actual_yi'), num: true, digits: 2 }, { label: label('workshops'), num: true }, { label: label('smart'), num: true },
        { label: label('future'), num: true }, { label: 'url', hidden: true }],
      rows: rows,
    });
    mapPanel.el.dataset.measure = measure;
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
    mapPanel.echarts().on('click', function (p) {
      const d = p.data && byCode[p.data.code];
      if (d && d.url) window.location.href = d.url;
    });
    mapPanel.el.dataset.ready = 'true';
    mapPanel.state('');
  }).catch(function (err) { mapPanel.state(t('js.load_failed') + ' ' + err.message, true); });
})();
