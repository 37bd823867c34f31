// Enterprise profile chart: one reported field through the chosen year,
// from /api/v1/enterprises/{id}/reports. Bars are single-month values
// (derived from year-to-date totals, drawn lighter and marked in the
// table), the line is the year-to-date total, the dashed line the same
// period a year earlier.
'use strict';

(function () {
  const P = IB.page;
  const panel = IB.panel('ent-chart');
  if (!P.id || !P.year || !panel || !window.echarts) return;
  const t = IB.t;
  IB.fetchJSON('/api/v1/enterprises/' + P.id + '/reports?' + IB.query({ from: P.year - 1, to: P.year }))
    .then(function (res) {
      const months = (res.months || []);
      const cur = months.filter(function (m) { return m.period.slice(0, 4) === String(P.year); });
      if (cur.length === 0) { panel.state(t('js.no_data')); return; }
      panel.state('');
      const prevBy = {};
      months.forEach(function (m) {
        if (m.period.slice(0, 4) === String(P.year - 1)) prevBy[m.period.slice(5, 7)] = m.reported[P.field];
      });
      const label = function (m) { return IB.monthLabel(Number(m.period.slice(5, 7))); };
      const rows = cur.map(function (m) {
        const s = (m.single_month || {})[P.field] || {};
        const prev = prevBy[m.period.slice(5, 7)];
        return {
          label: label(m), cum: m.reported[P.field],
          single: s.value === undefined ? null : s.value, derived: !!s.derived,
          prev: prev === undefined ? null : prev,
        };
      });
      const unit = P.unit;
      const opt = IB.baseOption();
      const series = [];
      const legend = [];
      if (P.cumulative) {
        legend.push(t('js.single_month'), t('js.cumulative'), t('js.prev_year'));
        series.push({
          name: t('js.single_month'), type: 'bar', barMaxWidth: 26,
          data: rows.map(function (r) {
            return { value: IB.round(r.single, 2), itemStyle: r.derived ? { color: '#7cb7e8' } : { color: '#1d4e89' } };
          }),
        });
        series.push({ name: t('js.cumulative'), type: 'line', color: '#e39b2d', data: rows.map(function (r) { return IB.round(r.cum, 2); }) });
      } else {
        legend.push(P.fieldName, t('js.prev_year'));
        series.push({ name: P.fieldName, type: 'line', data: rows.map(function (r) { return IB.round(r.cum, 2); }) });
      }
      series.push({ name: t('js.prev_year'), type: 'line', color: '#8c8c8c', lineStyle: { type: 'dashed' }, data: rows.map(function (r) { return IB.round(r.prev, 2); }) });
      opt.legend = { top: 0, data: legend };
      opt.xAxis = { type: 'category', data: rows.map(function (r) { return r.label; }) };
      opt.yAxis = { type: 'value', name: unit, splitLine: { lineStyle: { color: '#eef1f5' } } };
      opt.series = series;
      panel.echarts().setOption(opt);
      const columns = [{ label: t('js.period') }, { label: (P.cumulative ? t('js.cumulative') : P.fieldName) + ' (' + unit + ')', num: true, digits: 2 }];
      if (P.cumulative) columns.push({ label: t('js.single_month') + ' (' + unit + ')', num: true, digits: 2, mark: 4 });
      columns.push({ label: t('js.prev_year') + ' (' + unit + ')', num: true, digits: 2 });
      panel.setTable({
        title: P.name + ' · ' + P.fieldName + ' · ' + P.year,
        filename: 'enterprise_' + P.id + '_' + P.field + '_' + P.year,
        columns: P.cumulative ? columns.concat([{ label: 'mark', hidden: true }]) : columns,
        rows: rows.map(function (r) {
          const mark = r.derived ? t('js.derived') : '';
          return P.cumulative ? [r.label, r.cum, r.single, r.prev, mark] : [r.label, r.cum, r.prev];
        }),
      });
    })
    .catch(function (err) { panel.state(t('js.load_failed') + ' ' + err.message, true); });
})();
