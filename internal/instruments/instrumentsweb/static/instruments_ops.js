// Instrument page, for its managers: uploads a photo or document as
// multipart form data and reloads the page; a refusal is shown in the
// user's language as the API words it.
'use strict';

(function () {
  const form = document.getElementById('instrument-upload');
  if (!form) return;
  const msg = document.getElementById('instrument-message');
  form.addEventListener('submit', async function (ev) {
    ev.preventDefault();
    try {
      const res = await fetch('/api/v1/instruments/' + encodeURIComponent(form.dataset.instrument) + '/files', {
        method: 'POST', body: new FormData(form), credentials: 'same-origin', headers: { Accept: 'application/json' },
      });
      if (!res.ok) {
        const body = await res.json().catch(function () { return {}; });
        throw new Error((body.error && body.error.message) || res.statusText);
      }
      window.location.reload();
    } catch (e) {
      if (msg) msg.textContent = e.message;
      else window.alert(e.message);
    }
  });
})();

// The window form: times are Chongqing time (UTC+8), whatever the
// browser's zone; the answer names the bookings the window hit.
(function () {
  const form = document.getElementById('instrument-window');
  if (!form) return;
  const msg = document.getElementById('instrument-message');
  const t = function (k, def) { return window.IB ? window.IB.t(k) : def; };
  form.addEventListener('submit', async function (ev) {
    ev.preventDefault();
    const data = new FormData(form);
    const at = function (v) { return String(v).slice(0, 16) + ':00+08:00'; };
    try {
      const res = await window.IB.postJSON('/api/v1/instruments/' + encodeURIComponent(form.dataset.instrument) + '/windows',
        { kind: String(data.get('kind')), start: at(data.get('start')), end: at(data.get('end')), note: String(data.get('note') || '') });
      const n = res && res.hits ? res.hits.length : 0;
      if (msg) msg.textContent = t('js.instruments.window_hits', 'Bookings hit: ') + n;
      window.setTimeout(function () { window.location.reload(); }, 1500);
    } catch (e) {
      if (msg) msg.textContent = e.message;
      else window.alert(e.message);
    }
  });
})();
