// Online reporting: the form's buttons (save, submit, return, accept) and
// the status page's reminder and publish buttons post JSON to the API and
// reload on success; an error is shown as the API words it, in the
// user's language.
'use strict';

(function () {
  const t = function (k, def) { return window.IB ? window.IB.t(k) : def; };
  const msg = document.getElementById('reporting-message');

  const post = window.IB.postJSON;

  function show(m) {
    if (msg) msg.textContent = m;
    else window.alert(m);
  }

  const form = document.getElementById('reporting-form');
  if (form) {
    const base = '/api/v1/reporting/firms/' + encodeURIComponent(form.dataset.firm) + '/' + encodeURIComponent(form.dataset.period);
    form.querySelectorAll('[data-action]').forEach(function (btn) {
      btn.addEventListener('click', async function () {
        const values = {};
        form.querySelectorAll('#reporting-values input').forEach(function (i) { values[i.name] = i.value.trim(); });
        const explanations = {};
        form.querySelectorAll('[data-explain]').forEach(function (i) { explanations[i.dataset.explain] = i.value; });
        const reason = document.getElementById('reporting-reason');
        try {
          await post(base + '/submission', { action: btn.dataset.action, values: values, explanations: explanations, reason: reason ? reason.value : '' });
          show(t('js.reporting.done', 'OK'));
          window.location.reload();
        } catch (e) {
          show(e.message);
        }
      });
    });
    form.querySelectorAll('[data-review]').forEach(function (btn) {
      btn.addEventListener('click', async function () {
        const reason = document.getElementById('reporting-review-reason');
        try {
          await post(base + '/review', { action: btn.dataset.review, reason: reason ? reason.value : '' });
          window.location.reload();
        } catch (e) {
          show(e.message);
        }
      });
    });
  }

  const remind = document.getElementById('reporting-remind');
  if (remind) {
    remind.addEventListener('click', async function () {
      try {
        const b = await post('/api/v1/reporting/remind', { period: remind.dataset.period });
        show(t('js.reporting.reminded', 'Reminded: ') + b.reminded);
        window.setTimeout(function () { window.location.reload(); }, 600);
      } catch (e) {
        show(e.message);
      }
    });
  }
  const publish = document.getElementById('reporting-publish');
  if (publish) {
    publish.addEventListener('click', async function () {
      if (!window.confirm(t('js.reporting.confirm_publish', 'Publish and lock this period?'))) return;
      try {
        await post('/api/v1/reporting/publish', { period: publish.dataset.period, note: '' });
        window.location.reload();
      } catch (e) {
        show(e.message);
      }
    });
  }
})();
