// Listing pipeline page: the stage counts and the yearly listings with IPO
// proceeds as charts (each also a table with CSV export), from the page's
// JSON; and on a firm's page, the form that records the next stage
// through POST /api/v1/listing/firms/{id}/events.
'use strict';

(function () {
  const P = IB.page;
  const t = IB.t;

  const stages = IB.panel('listing-stages');
  if (stages && window.echarts && P.stages) {
    stages.state('');
    const opt = IB.baseOption();
    opt.tooltip = { trigger: 'axis', renderMode: 'richText', confine: true };
    opt.grid = { left: 110, right: 30, top: 20, bottom: 30 };
    opt.xAxis = { type: 'value', minInterval: 1, splitLine: { lineStyle: { color: '#eef1f5' } } };
    opt.yAxis = { type: 'category', inverse: true, data: P.stages.map(function (s) { return s.name; }) };
    opt.series = [{ name: t('js.listing.firms'), type: 'bar', barMaxWidth: 22, label: { show: true, position: 'right' },
      data: P.stages.map(function (s) { return s.n; }) }];
    stages.echarts().setOption(opt);
    stages.setTable({
      title: t('js.listing.stages_title'), filename: 'listing_stages',
      columns: [{ label: t('js.listing.stage') }, { label: t('js.listing.firms'), num: true }],
      rows: P.stages.map(function (s) { return [s.name, s.n]; }),
    });
  }

  const years = IB.panel('listing-years');
  if (years && window.echarts && P.years) {
    years.state('');
    const opt = IB.baseOption();
    opt.legend = { top: 0, data: [t('js.listing.ipo'), t('js.listing.relocation'), t('js.listing.other'), t('js.listing.proceeds')] };
    opt.xAxis = { type: 'category', data: P.years.map(function (y) { return String(y.year); }) };
    opt.yAxis = [
      { type: 'value', minInterval: 1, name: t('js.listing.firms'), splitLine: { lineStyle: { color: '#eef1f5' } } },
      { type: 'value', name: t('js.listing.proceeds'), splitLine: { show: false } },
    ];
    const bar = function (key, name) {
      return { name: name, type: 'bar', stack: 'n', barMaxWidth: 28, data: P.years.map(function (y) { return y[key]; }) };
    };
    opt.series = [bar('ipo', t('js.listing.ipo')), bar('relocation', t('js.listing.relocation')), bar('other', t('js.listing.other')),
      { name: t('js.listing.proceeds'), type: 'line', yAxisIndex: 1, color: '#e39b2d',
        data: P.years.map(function (y) { return IB.round(y.proceeds, 2); }) }];
    years.echarts().setOption(opt);
    years.setTable({
      title: t('js.listing.years_title'), filename: 'listing_years',
      columns: [{ label: t('js.listing.year') }, { label: t('js.listing.ipo'), num: true }, { label: t('js.listing.relocation'), num: true },
        { label: t('js.listing.other'), num: true }, { label: t('js.listing.proceeds'), num: true, digits: 2 },
        { label: t('js.listing.yoy'), num: true, digits: 1, signed: true }],
      rows: P.years.map(function (y) { return [String(y.year), y.ipo, y.relocation, y.other, y.proceeds, y.yoy]; }),
    });
  }

  const form = document.getElementById('listing-record-form');
  if (form && P.id) {
    const msg = document.getElementById('listing-record-msg');
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      const body = { expect_events: Number(form.dataset.events) };
      new FormData(form).forEach(function (v, k) { if (String(v).trim() !== '') body[k] = String(v).trim(); });
      fetch('/api/v1/listing/firms/' + P.id + '/events', {
        method: 'POST', credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify(body),
      }).then(function (res) {
        return res.json().then(function (data) { return { ok: res.ok, data: data }; });
      }).then(function (r) {
        if (r.ok) { window.location.reload(); return; }
        msg.hidden = false;
        msg.className = 'flash error';
        msg.textContent = (r.data && r.data.error && r.data.error.message) || t('js.load_failed');
      }).catch(function (err) {
        msg.hidden = false;
        msg.className = 'flash error';
        msg.textContent = t('js.load_failed') + ' ' + err.message;
      });
    });
  }
})();
