// Import forms: each posts its file with fetch() to the import API and
// shows either the counts of an accepted file or, for a rejected one, every
// row error (row, column, reason) in the user's language, as a table that
// can be exported to fix the file.
'use strict';

(function () {
  const t = IB.t;
  document.querySelectorAll('form[data-import]').forEach(function (form) {
    const out = form.parentElement.querySelector('[data-import-result]');
    form.addEventListener('submit', async function (ev) {
      ev.preventDefault();
      const btn = form.querySelector('button[type=submit]');
      btn.disabled = true;
      out.replaceChildren(flash('info', t('js.import_uploading')));
      try {
        const res = await fetch(form.action, {
          method: 'POST', body: new FormData(form), credentials: 'same-origin', headers: { Accept: 'application/json' },
        });
        let body = null;
        try { body = await res.json(); } catch (e) { /* not JSON */ }
        if (res.ok && body) {
          const parts = [flash('ok', t('js.import_ok')
            .replace('{rows}', IB.num(body.rows, 0)).replace('{inserted}', IB.num(body.inserted, 0))
            .replace('{updated}', IB.num(body.updated, 0)).replace('{unchanged}', IB.num(body.unchanged, 0)))];
          if (body.pending_confirmation) {
            parts.push(flash('info', t('js.import_pending').replace('{n}', IB.num(body.pending_confirmation, 0))));
          }
          if (body.warnings && body.warnings.length) {
            parts.push(flash('info', t('js.import_warnings')), rowTable(body.warnings, form.dataset.import + '_warnings'));
          }
          out.replaceChildren.apply(out, parts);
          form.reset();
          return;
        }
        const err = (body && body.error) || { message: res.status + ' ' + res.statusText };
        const parts = [flash('error', err.message)];
        if (err.rows && err.rows.length) parts.push(rowTable(err.rows, form.dataset.import + '_errors'));
        if (body && body.warnings && body.warnings.length) {
          parts.push(flash('info', t('js.import_warnings')), rowTable(body.warnings, form.dataset.import + '_warnings'));
        }
        out.replaceChildren.apply(out, parts);
      } catch (e) {
        out.replaceChildren(flash('error', t('js.load_failed') + ' ' + e.message));
      } finally {
        btn.disabled = false;
      }
    });
  });

  function flash(kind, text) {
    const d = document.createElement('div');
    d.className = 'flash ' + kind;
    d.setAttribute('role', kind === 'error' ? 'alert' : 'status');
    d.textContent = text;
    return d;
  }

  function rowTable(rows, kind) {
    const wrap = document.createElement('div');
    const bar = document.createElement('p');
    bar.className = 'toolbar';
    const exp = document.createElement('button');
    exp.type = 'button';
    exp.className = 'btn small';
    exp.textContent = t('js.export_errors');
    const header = [t('js.row'), t('js.column'), t('js.value'), t('js.reason')];
    const data = rows.map(function (r) { return [r.row || t('js.whole_file'), r.column || '', r.value || '', r.message]; });
    exp.addEventListener('click', function () { IB.download('import_' + kind + '.csv', IB.csv(header, data)); });
    bar.appendChild(exp);
    const scroller = document.createElement('div');
    scroller.className = 'table-wrap';
    const table = document.createElement('table');
    table.className = 'data';
    const hr = table.createTHead().insertRow();
    header.forEach(function (h) { const th = document.createElement('th'); th.textContent = h; hr.appendChild(th); });
    const tb = table.createTBody();
    data.forEach(function (r) {
      const tr = tb.insertRow();
      r.forEach(function (c, i) { const td = tr.insertCell(); td.textContent = c; if (i === 0) td.className = 'num'; });
    });
    scroller.appendChild(table);
    wrap.append(bar, scroller);
    return wrap;
  }
})();

// The city's confirmation queue: confirm or refuse one request, then
// reload the list.
(function () {
  'use strict';
  document.querySelectorAll('[data-request-decide]').forEach(function (form) {
    form.addEventListener('submit', async function (ev) {
      ev.preventDefault();
      const action = ev.submitter ? ev.submitter.value : 'confirm';
      try {
        await IB.postJSON('/api/v1/enterprise-requests/' + form.dataset.requestDecide + '/decision',
          { action: action, reason: form.elements.reason.value });
        window.location.reload();
      } catch (e) {
        window.alert(e.message);
      }
    });
  });
})();
