// Hard-tech pool page: the admission form and the removal buttons post to
// the JSON API and reload the page on success; errors are shown in the
// user's language as the API words them.
'use strict';

(function () {
  const t = function (k, def) { return window.IB ? window.IB.t(k) : def; };
  const msg = document.getElementById('hardtech-message');

  const post = window.IB.postJSON;

  function show(m) {
    if (msg) msg.textContent = m;
    else window.alert(m);
  }

  const form = document.getElementById('hardtech-admit');
  if (form) {
    form.addEventListener('submit', async function (ev) {
      ev.preventDefault();
      const data = new FormData(form);
      try {
        await post('/api/v1/hardtech/' + encodeURIComponent(data.get('year')) + '/members',
          { enterprise_id: Number(data.get('enterprise_id')), reasons: String(data.get('reasons') || '') });
        show(t('js.hardtech.done', 'OK'));
        window.location.reload();
      } catch (e) {
        show(e.message);
      }
    });
  }

  document.querySelectorAll('[data-hardtech-remove]').forEach(function (btn) {
    btn.addEventListener('click', async function () {
      const reason = window.prompt(t('js.hardtech.prompt', 'Reason:'));
      if (reason === null) return;
      try {
        await post('/api/v1/hardtech/' + encodeURIComponent(btn.dataset.year) + '/members/' +
          encodeURIComponent(btn.dataset.hardtechRemove) + '/remove', { reason: reason });
        window.location.reload();
      } catch (e) {
        show(e.message);
      }
    });
  });
})();
