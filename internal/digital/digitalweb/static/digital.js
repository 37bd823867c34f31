// Digital-transformation pages: the forms post to the JSON API and reload
// the page on success; errors are shown in the user's language as the API
// words them (with every row problem of a rejected import).
'use strict';

(function () {
  const t = function (k, def) { return window.IB ? window.IB.t(k) : def; };
  const post = window.IB.postJSON;

  function show(el, m) {
    if (!el) { window.alert(m); return; }
    el.hidden = false;
    el.textContent = m;
  }

  function bind(id, msgID, url, body) {
    const form = document.getElementById(id);
    if (!form) return;
    const msg = document.getElementById(msgID);
    form.addEventListener('submit', async function (ev) {
      ev.preventDefault();
      try {
        const res = await post(url(form), body(new FormData(form), form));
        show(msg, t('js.digital.done', 'OK'));
        if (res && res.id && id === 'digital-apply-form') {
          window.location.href = '/digital/projects/' + res.id;
        } else {
          window.location.reload();
        }
      } catch (e) {
        show(msg, e.message);
      }
    });
  }

  const str = function (d, k) { return String(d.get(k) || '').trim(); };

  bind('digital-apply-form', 'digital-apply-msg', function () { return '/api/v1/digital/projects'; }, function (d) {
    return {
      enterprise_id: Number(d.get('enterprise_id')), code: str(d, 'code'), name: str(d, 'name'), kind: str(d, 'kind'),
      scenarios: d.getAll('scenarios').map(String), planned_wan: str(d, 'planned_wan'), demonstration: d.get('demonstration') === 'on',
      start_on: str(d, 'start_on'), end_on: str(d, 'end_on'), applied_on: str(d, 'applied_on')
    };
  });

  bind('digital-event-form', 'digital-event-msg', function (f) { return '/api/v1/digital/projects/' + encodeURIComponent(f.dataset.id) + '/events'; }, function (d, f) {
    const stage = str(d, 'stage');
    const body = { stage: stage, date: str(d, 'date'), note: str(d, 'note'), expect_events: Number(f.dataset.events) };
    if (stage === 'approved') body.level = str(d, 'level');
    const amt = str(d, 'amount_wan');
    if (amt) body.amount_wan = amt;
    return body;
  });

  // The application's review: the submitter's button names the action.
  document.querySelectorAll('form.digital-review-form').forEach(function (form) {
    const msg = document.getElementById('digital-review-msg');
    form.addEventListener('submit', async function (ev) {
      ev.preventDefault();
      const d = new FormData(form);
      const action = (ev.submitter && ev.submitter.value) || form.dataset.action;
      const body = { action: action };
      if (action === 'submit') {
        body.name = str(d, 'name');
        if (str(d, 'planned_wan')) body.planned_wan = str(d, 'planned_wan');
      } else {
        body.reason = str(d, 'reason');
        if (action === 'accept' && str(d, 'date')) body.date = str(d, 'date');
      }
      try {
        await post('/api/v1/digital/projects/' + encodeURIComponent(form.dataset.id) + '/review', body);
        window.location.reload();
      } catch (e) {
        show(msg, e.message);
      }
    });
  });

  bind('digital-maturity-form', 'digital-maturity-msg', function (f) { return '/api/v1/digital/firms/' + encodeURIComponent(f.dataset.id) + '/maturity'; }, function (d) {
    const body = { year: Number(d.get('year')), cmmm_level: Number(d.get('cmmm_level') || 0), sme_level: Number(d.get('sme_level') || 0),
      cloud: d.get('cloud') === 'on', source: str(d, 'source'), evidence: str(d, 'evidence') };
    const nc = str(d, 'nc_rate_pct');
    if (nc) body.nc_rate_pct = nc;
    return body;
  });

  bind('digital-recognise-form', 'digital-recognise-msg', function (f) { return '/api/v1/digital/firms/' + encodeURIComponent(f.dataset.id) + '/recognitions'; }, function (d) {
    return { rung: str(d, 'rung'), name: str(d, 'name'), recognised_on: str(d, 'recognised_on'), batch: str(d, 'batch'), future_type: str(d, 'future_type') };
  });

  // Rung applications: filing one opens its page; the review steps name
  // themselves by the pressed button.
  const rungApply = document.getElementById('digital-rung-apply-form');
  if (rungApply) {
    rungApply.addEventListener('submit', async function (ev) {
      ev.preventDefault();
      const d = new FormData(rungApply);
      const body = { enterprise_id: Number(rungApply.dataset.id), rung: str(d, 'rung'), year: Number(d.get('year')), name: str(d, 'name'), evidence: str(d, 'evidence') };
      if (str(d, 'future_type')) body.future_type = str(d, 'future_type');
      try {
        const res = await post('/api/v1/digital/rung-applications', body);
        window.location.href = '/digital/rung-applications/' + res.id;
      } catch (e) {
        show(document.getElementById('digital-rung-apply-msg'), e.message);
      }
    });
  }
  document.querySelectorAll('form.digital-rung-form').forEach(function (form) {
    form.addEventListener('submit', async function (ev) {
      ev.preventDefault();
      const d = new FormData(form);
      const action = (ev.submitter && ev.submitter.value) || form.dataset.action;
      const body = { action: action };
      if (action === 'submit') body.evidence = str(d, 'evidence');
      if (str(d, 'reason')) body.reason = str(d, 'reason');
      if (action === 'accept') {
        if (str(d, 'date')) body.date = str(d, 'date');
        if (str(d, 'batch')) body.batch = str(d, 'batch');
      }
      try {
        await post('/api/v1/digital/rung-applications/' + encodeURIComponent(form.dataset.id) + '/review', body);
        window.location.reload();
      } catch (e) {
        show(document.getElementById('digital-rung-msg'), e.message);
      }
    });
  });

  const imp = document.getElementById('digital-import-form');
  if (imp) {
    const msg = document.getElementById('digital-import-msg');
    imp.addEventListener('submit', async function (ev) {
      ev.preventDefault();
      try {
        const res = await fetch('/api/v1/digital/projects/import', {
          method: 'POST', body: new FormData(imp), credentials: 'same-origin', headers: { Accept: 'application/json' }
        });
        const body = await res.json().catch(function () { return {}; });
        if (!res.ok) {
          const err = body.error || {};
          const lines = [err.message || res.statusText].concat((err.problems || []).map(function (p) { return p.path + ': ' + p.message; }));
          show(msg, lines.join('\n'));
          return;
        }
        show(msg, t('js.digital.imported', 'Imported') + ' ' + body.rows);
      } catch (e) {
        show(msg, e.message);
      }
    });
  }
})();
