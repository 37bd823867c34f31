// District comparison (issue 12): the chosen districts' output and
// value-added growth as bars, from the figures the table shows (rendered
// by the server from the statistics engine).
'use strict';

(function () {
  const P = IB.page;
  if (!P.names || !window.echarts) return;
  const t = IB.t;
  function bars(id, values, label, digits, suffix) {
    const panel = IB.panel(id);
    if (!panel) return;
    const known = values.some(function (v) { return v !== null; });
    if (!known) { panel.state(t('js.no_data')); return; }
    panel.state('');
    const opt = IB.baseOption();
    opt.grid = { left: 8, right: 24, top: 40, bottom: 8, containLabel: true };
    opt.toolbox = IB.toolbox({ name: id, zoom: true });
    opt.tooltip = { trigger: 'axis', renderMode: 'richText', confine: true };
    opt.xAxis = { type: 'category', data: P.names, axisLabel: { interval: 0, width: 80, overflow: 'truncate' } };
    opt.yAxis = { type: 'value', axisLabel: { formatter: '{value}' + suffix }, splitLine: { lineStyle: { color: '#eef1f5' } } };
    opt.series = [{ name: label, type: 'bar', barMaxWidth: 36,
      label: { show: true, position: 'top', formatter: function (p) { return IB.num(p.value, digits) + suffix; } },
      data: values.map(function (v) { return v === null ? '-' : IB.round(v, digits); }) }];
    panel.echarts().setOption(opt);
    panel.setTable({
      title: label, filename: id,
      columns: [{ label: t('js.region') }, { label: label, num: true, digits: digits, signed: suffix === '%' }],
      rows: P.names.map(function (n, i) { return [n, values[i]]; }),
    });
  }
  bars('compare-output', P.output || [], t('js.output') + ' (' + t('js.unit_yi') + ')', 1, '');
  bars('compare-va', P.vaGrowth || [], t('js.va_growth') + ' (%)', 1, '%');
})();
