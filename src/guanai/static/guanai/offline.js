// The visit form that works without a connection (care/offline.html).
//
// The phone keeps, in IndexedDB 'guanai-offline' (deleted with the caches on logout, site.js):
//   recipients  the user's own recipients (a village's persons, a volunteer's pairings), only
//               id, name, category and village, refreshed from /api/v1/persons/ when online;
//   queue       visits recorded here, each with its Idempotency-Key, its aid rows, photos and
//               signature, until the API has them; then only a line for the list, for a week;
//   meta        whose data this is, when the names were fetched.
// Sending goes through the API with the key, so a visit sent twice (a lost answer, two tabs)
// is stored once. Nothing is sent on behalf of another account.
(() => {
  const config = JSON.parse(document.getElementById('offline-config').textContent);
  const DB_NAME = 'guanai-offline'; // site.js deletes it by this name on logout
  const KEEP_SENT_MS = 7 * 24 * 3600 * 1000;
  const $ = (selector) => document.querySelector(selector);

  // --- storage ---------------------------------------------------------------------------------
  let opened = null;
  function db() {
    opened = opened || new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = () => {
        const database = request.result;
        database.createObjectStore('meta');
        database.createObjectStore('recipients', { keyPath: 'id' });
        database.createObjectStore('queue', { keyPath: 'key' });
      };
      request.onsuccess = () => {
        const database = request.result;
        database.onversionchange = () => { database.close(); opened = null; }; // a logout deleting it
        resolve(database);
      };
      request.onerror = () => reject(request.error);
    });
    return opened;
  }
  async function run(store, mode, work) {
    const database = await db();
    return new Promise((resolve, reject) => {
      const transaction = database.transaction(store, mode);
      let result;
      const request = work(transaction.objectStore(store));
      if (request) request.onsuccess = () => { result = request.result; };
      transaction.oncomplete = () => resolve(result);
      transaction.onerror = () => reject(transaction.error);
      transaction.onabort = () => reject(transaction.error || new Error('aborted'));
    });
  }
  const getAll = (store) => run(store, 'readonly', (s) => s.getAll());
  const getOne = (store, key) => run(store, 'readonly', (s) => s.get(key));
  const putOne = (store, value, key) => run(store, 'readwrite', (s) => (key === undefined ? s.put(value) : s.put(value, key)));
  const deleteOne = (store, key) => run(store, 'readwrite', (s) => s.delete(key));

  // --- the page's state ---------------------------------------------------------------------------
  let recipients = [];
  let chosen = null;
  let photos = [];
  let previews = [];
  let syncing = false;
  const pad = window.signaturePad($('#off-signature'), (signed) => {
    $('#off-signature-state').textContent = signed ? '已签字' : '请对象在框内签字';
  });

  function today() {
    const now = new Date();
    return new Date(now.getTime() - now.getTimezoneOffset() * 60000).toISOString().slice(0, 10);
  }
  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  }
  function csrfToken() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : '';
  }
  function text(tag, content, className) {
    const el = document.createElement(tag);
    if (className) el.className = className;
    el.textContent = content;
    return el;
  }
  function message(content, loginLink) {
    const box = $('#sync-message');
    box.replaceChildren();
    box.hidden = !content;
    if (!content) return;
    box.append(content);
    if (loginLink) {
      const link = text('a', '重新登录', 'ms-1');
      link.href = config.loginUrl;
      box.append(link);
    }
  }

  // --- network state and the service worker ---------------------------------------------------------
  function showNetwork() {
    const badge = $('#net-status');
    badge.textContent = navigator.onLine ? '在线' : '离线：记录先存在本机';
    badge.className = 'badge ' + (navigator.onLine ? 'text-bg-success' : 'text-bg-secondary');
    badge.dataset.online = navigator.onLine ? '1' : '0';
  }
  window.addEventListener('online', () => { showNetwork(); sync(); refreshRecipients(); });
  window.addEventListener('offline', showNetwork);
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register(config.swUrl).catch(() => null);
  }
  if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => null);

  // --- recipients -----------------------------------------------------------------------------------
  async function ownData() {
    // Another account's names never stay on the phone; its unsent visits wait, unseen, for it.
    const owner = await getOne('meta', 'owner');
    if (owner && owner !== config.user) {
      await run('recipients', 'readwrite', (s) => s.clear());
      await deleteOne('meta', 'recipientsAt');
    }
    await putOne('meta', config.user, 'owner');
  }

  async function loadRecipients() {
    recipients = (await getAll('recipients')).sort((a, b) => a.name.localeCompare(b.name, 'zh-CN'));
    const at = await getOne('meta', 'recipientsAt');
    $('#recipients-status').textContent = recipients.length
      ? `本机名单：${recipients.length}名走访对象` + (at ? `（${new Date(at).toLocaleString('zh-CN', { hour12: false })}更新）` : '')
      : (navigator.onLine ? '正在下载走访对象名单…' : '本机还没有走访对象名单：请在有网络时打开本页一次。');
    showResults();
  }

  async function refreshRecipients() {
    if (!navigator.onLine) return;
    try {
      const list = [];
      let url = config.personsUrl;
      while (url && list.length < 5000) {
        const response = await api(url, { method: 'GET' });
        if (response.kind !== 'ok') return;
        for (const p of response.body.results || []) {
          list.push({ id: p.id, name: p.name, category: p.category || '', village: (p.village && p.village.name) || '' });
        }
        url = response.body.next;
      }
      await run('recipients', 'readwrite', (s) => { s.clear(); list.forEach((r) => s.put(r)); });
      await putOne('meta', Date.now(), 'recipientsAt');
      await loadRecipients();
    } catch (error) { /* offline after all: the kept names serve */ }
  }

  function showResults() {
    const box = $('#recipient-results');
    const q = $('#recipient-q').value.trim();
    const found = recipients.filter((r) => !q || r.name.includes(q)).slice(0, 20);
    box.replaceChildren(...found.map((r) => {
      const button = text('button', '', 'list-group-item list-group-item-action');
      button.type = 'button';
      button.dataset.id = r.id;
      button.dataset.name = r.name;
      button.append(text('strong', r.name), text('span', ` ${r.category}${r.village ? ' · ' + r.village : ''}`, 'text-muted small'));
      button.addEventListener('click', () => choose(r));
      return button;
    }));
  }
  function choose(recipient) {
    chosen = recipient;
    $('#recipient-name').textContent = recipient ? `${recipient.name}（${recipient.village || recipient.category}）` : '';
    $('#recipient-chosen').hidden = !recipient;
    $('#recipient-picker').hidden = !!recipient;
  }
  $('#recipient-q').addEventListener('input', showResults);
  $('#recipient-clear').addEventListener('click', () => { choose(null); $('#recipient-q').focus(); });

  // --- aid rows, photos, signature ----------------------------------------------------------------------
  function addAid(kind) {
    const row = $('#aid-row').content.firstElementChild.cloneNode(true);
    const kindSelect = row.querySelector('[data-field=kind]');
    const description = row.querySelector('[data-field=description]');
    const unit = row.querySelector('[data-field=unit]');
    const showKind = () => {
      const cash = kindSelect.value === 'cash';
      row.querySelectorAll('[data-goods-only]').forEach((el) => { el.hidden = cash; });
      description.placeholder = cash ? '慰问金' : '名称，如大米';
      row.querySelector('[data-field=value_yuan]').placeholder = cash ? '金额（元）' : '折合金额（元）';
    };
    kindSelect.value = kind;
    kindSelect.addEventListener('change', showKind);
    description.addEventListener('change', () => { if (!unit.value && config.units[description.value]) unit.value = config.units[description.value]; });
    row.querySelector('[data-remove]').addEventListener('click', () => row.remove());
    showKind();
    $('#aid-rows').append(row);
  }
  document.querySelectorAll('[data-add-aid]').forEach((button) => button.addEventListener('click', () => addAid(button.dataset.addAid)));

  function aidRows() {
    return Array.from(document.querySelectorAll('[data-aid-row]')).map((row) => {
      const value = (field) => row.querySelector(`[data-field=${field}]`).value.trim();
      const kind = value('kind');
      return { kind, description: value('description'), quantity: kind === 'goods' ? value('quantity') || null : null,
               unit: kind === 'goods' ? value('unit') : '', value_yuan: value('value_yuan') || null };
    }).filter((row) => row.description || row.quantity || row.value_yuan);
  }

  function showPhotos() {
    previews.forEach((url) => URL.revokeObjectURL(url));
    previews = photos.map((file) => URL.createObjectURL(file));
    $('#photo-previews').replaceChildren(...previews.map((url, index) => {
      const wrap = text('div', '', 'position-relative');
      const img = document.createElement('img');
      img.src = url;
      img.alt = `照片${index + 1}`;
      img.className = 'visit-thumb rounded border';
      const remove = text('button', '×', 'btn btn-sm btn-light position-absolute top-0 end-0 py-0 px-1');
      remove.type = 'button';
      remove.setAttribute('aria-label', `删除照片${index + 1}`);
      remove.addEventListener('click', () => { photos.splice(index, 1); showPhotos(); });
      wrap.append(img, remove);
      return wrap;
    }));
  }
  ['#photo-camera', '#photo-album'].forEach((selector) => $(selector).addEventListener('change', (event) => {
    photos = photos.concat(Array.from(event.target.files)).slice(0, config.maxPhotos);
    event.target.value = ''; // the same input takes the next shot
    showPhotos();
  }));

  $('#off-signature-clear').addEventListener('click', () => pad.clear());
  $('#off-declined').addEventListener('change', (event) => {
    $('#off-declined-note-box').hidden = !event.target.checked;
    $('#off-signature-box').hidden = event.target.checked;
    if (event.target.checked) pad.clear();
  });

  function resetForm() {
    $('#offline-form').reset();
    $('#off-visit-date').value = today();
    $('#aid-rows').replaceChildren();
    photos = [];
    showPhotos();
    pad.clear();
    $('#off-declined-note-box').hidden = true;
    $('#off-signature-box').hidden = false;
    choose(null);
    $('#recipient-q').value = '';
    showResults();
  }

  // --- recording a visit on the phone ---------------------------------------------------------------------
  function formProblems(payload) {
    const problems = [];
    if (!payload.person) problems.push('请选择走访对象');
    if (!payload.visit_date) problems.push('请填写走访日期');
    else if (payload.visit_date > today()) problems.push('走访日期不能晚于今天');
    if (payload.next_visit_on && payload.visit_date && payload.next_visit_on < payload.visit_date) {
      problems.push('下次走访日期不能早于本次走访日期');
    }
    payload.aid_items.forEach((row, index) => {
      if (row.value_yuan && !/^\d+(\.\d{1,2})?$/.test(row.value_yuan)) problems.push(`第${index + 1}项救助：金额应为数字，如 100 或 100.50`);
    });
    return problems;
  }

  $('#offline-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const form = event.target;
    const declined = $('#off-declined').checked;
    const payload = {
      person: chosen ? chosen.id : null, household: null, visit_date: $('#off-visit-date').value,
      mode: (form.querySelector('[name=mode]:checked') || {}).value || 'home',
      findings: $('#off-findings').value.trim(), needs: $('#off-needs').value.trim(),
      risk_level: (form.querySelector('[name=risk_level]:checked') || {}).value || '',
      next_visit_on: $('#off-next').value || null, other_visitors: $('#off-other').value.trim(),
      aid_items: aidRows(), signature_declined: declined,
      signature_note: declined ? $('#off-declined-note').value.trim() : '',
    };
    const problems = formProblems(payload);
    const errors = $('#form-errors');
    errors.hidden = !problems.length;
    errors.replaceChildren(...problems.map((p) => text('div', p)));
    if (problems.length) { errors.scrollIntoView({ block: 'center' }); return; }
    const entry = {
      key: newKey(), owner: config.user, status: 'waiting', createdAt: Date.now(), error: '',
      recipientName: chosen.name, payload, photos: photos.slice(), keepLocation: $('#off-keep-location').checked,
      signature: declined ? null : await pad.blob(), visitId: null,
    };
    await putOne('queue', entry); // kept before anything else: closing the page now loses nothing
    resetForm();
    await showQueue();
    $('#queue').scrollIntoView({ block: 'start' });
    sync();
  });

  // --- sending --------------------------------------------------------------------------------------------
  async function api(url, init) {
    const response = await fetch(url, {
      ...init, credentials: 'same-origin', redirect: 'manual',
      headers: { Accept: 'application/json', 'X-CSRFToken': csrfToken(), ...(init.headers || {}) },
    });
    // A redirect is the login page: the session ended (idle time-out) while the phone was away.
    if (response.type === 'opaqueredirect') return { kind: 'login', status: 0, body: null };
    const json = (response.headers.get('Content-Type') || '').includes('json');
    const body = json ? await response.json().catch(() => null) : null;
    const detail = (body && body.detail) || '';
    if (response.ok && json) return { kind: 'ok', status: response.status, body };
    if (response.status === 401 || (response.status === 403 && /CSRF|认证|登录/.test(detail)) || (response.ok && !json)) {
      return { kind: 'login', status: response.status, body };
    }
    if (response.status >= 500 || response.status === 429 || response.status === 408) {
      return { kind: 'retry', status: response.status, body };
    }
    return { kind: 'refused', status: response.status, body };
  }

  function flatten(value) {
    if (value == null) return [];
    if (typeof value === 'string') return [value];
    if (Array.isArray(value)) return value.flatMap(flatten);
    if (typeof value === 'object') return Object.values(value).flatMap(flatten);
    return [String(value)];
  }
  function reason(response) {
    if (response.status === 404) return '走访对象已不在您的管辖或结对范围内（可能已迁出或结对已结束），服务器未保存';
    if (response.status === 413) return '照片过大，服务器拒收';
    const body = response.body || {};
    const detail = body.detail || '';
    const fields = flatten(body.errors).filter((m) => m && m !== detail);
    return [detail, ...fields].filter(Boolean).join('；') || `服务器拒收（${response.status}）`;
  }

  async function sendOne(entry) {
    entry.status = 'sending';
    await putOne('queue', entry);
    await showQueue();
    let response;
    try {
      if (!entry.visitId) {
        response = await api(config.visitsUrl, {
          method: 'POST', headers: { 'Content-Type': 'application/json', 'Idempotency-Key': entry.key },
          body: JSON.stringify(entry.payload),
        });
        if (response.kind === 'ok') {
          entry.visitId = response.body.id;
          await putOne('queue', entry); // the visit is stored: never sent again, only its photos
        }
      }
      if (entry.visitId && (entry.photos.length || entry.signature)) {
        const data = new FormData();
        entry.photos.forEach((file, index) => data.append('photos', file, file.name || `photo-${index + 1}.jpg`));
        if (entry.signature) data.append('signature', entry.signature, 'signature.png');
        data.append('keep_location', entry.keepLocation ? 'true' : 'false');
        response = await api(config.photosUrl.replace('{id}', entry.visitId), {
          method: 'POST', headers: { 'Idempotency-Key': `${entry.key}-photos` }, body: data,
        });
      }
    } catch (error) {
      response = { kind: 'network' };
    }
    if (!response || response.kind === 'ok') {
      // Sent: the photos leave the phone; a line for the list stays a week.
      await putOne('queue', {
        key: entry.key, owner: entry.owner, status: 'sent', createdAt: entry.createdAt, sentAt: Date.now(),
        recipientName: entry.recipientName, payload: { visit_date: entry.payload.visit_date }, visitId: entry.visitId,
        photos: [], signature: null, photoCount: entry.photos.length,
      });
      return 'next';
    }
    if (response.kind === 'refused') {
      entry.status = 'failed';
      entry.error = (entry.visitId ? '走访已保存，但照片或签字未能上传：' : '') + reason(response);
      await putOne('queue', entry);
      return 'next';
    }
    entry.status = 'waiting';
    await putOne('queue', entry);
    if (response.kind === 'login') message('登录已过期，待发送的走访仍在本机。请', true);
    else if (response.kind === 'retry') message(`服务器暂时不能接收（${response.status}），稍后自动重试。`);
    else message('网络不稳定，稍后自动重试。');
    return 'stop';
  }

  async function syncNow() {
    if (syncing || !navigator.onLine) return;
    syncing = true;
    try {
      message('');
      const entries = (await getAll('queue'))
        .filter((e) => e.owner === config.user && (e.status === 'waiting' || e.status === 'sending'))
        .sort((a, b) => a.createdAt - b.createdAt);
      for (const entry of entries) {
        if ((await sendOne(entry)) === 'stop') break;
      }
    } finally {
      syncing = false;
      await showQueue();
    }
  }
  function sync() {
    // One tab sends at a time (the keys would make a second sender harmless, but quieter so).
    if (navigator.locks) return navigator.locks.request('guanai-offline-sync', { ifAvailable: true }, (lock) => (lock ? syncNow() : null));
    return syncNow();
  }
  $('#sync-now').addEventListener('click', sync);
  setInterval(() => { if (navigator.onLine) sync(); }, 60000);

  // --- what the phone holds ------------------------------------------------------------------------------------
  const LABELS = { waiting: '待发送', sending: '发送中', failed: '发送失败', sent: '已发送' };
  const BADGES = { waiting: 'text-bg-warning', sending: 'text-bg-info', failed: 'text-bg-danger', sent: 'text-bg-success' };

  async function showQueue() {
    const all = await getAll('queue');
    const mine = all.filter((e) => e.owner === config.user).sort((a, b) => b.createdAt - a.createdAt);
    const others = all.filter((e) => e.owner !== config.user && e.status !== 'sent').length;
    const count = (status) => mine.filter((e) => e.status === status || (status === 'waiting' && e.status === 'sending')).length;
    const waiting = count('waiting');
    const failed = count('failed');
    const sent = count('sent');
    $('#queue-summary').textContent = mine.length
      ? `待发送 ${waiting} 条 · 发送失败 ${failed} 条 · 已发送 ${sent} 条`
        + (others ? `；本机还有其他账号的 ${others} 条未发送走访，需该账号登录后发送` : '')
      : '本机没有待发送的走访。';
    $('#queue-summary').dataset.waiting = waiting;
    $('#queue-list').replaceChildren(...mine.map((entry) => {
      const item = text('li', '', 'list-group-item');
      item.dataset.status = entry.status === 'sending' ? 'waiting' : entry.status;
      item.dataset.key = entry.key;
      const head = text('div', '', 'd-flex justify-content-between align-items-center gap-2');
      const aid = (entry.payload.aid_items || []).length;
      const photoCount = entry.status === 'sent' ? entry.photoCount || 0 : entry.photos.length;
      head.append(text('span', `${entry.payload.visit_date} ${entry.recipientName}`
        + (aid ? ` · 救助${aid}项` : '') + (photoCount ? ` · 照片${photoCount}张` : '')),
      text('span', LABELS[entry.status], `badge ${BADGES[entry.status]}`));
      item.append(head);
      if (entry.status === 'failed') {
        item.append(text('div', entry.error, 'text-danger mt-1'));
        const actions = text('div', '', 'd-flex gap-2 mt-1');
        const retry = text('button', '重试', 'btn btn-sm btn-outline-danger');
        retry.type = 'button';
        retry.addEventListener('click', async () => { entry.status = 'waiting'; entry.error = ''; await putOne('queue', entry); sync(); });
        const remove = text('button', entry.visitId ? '不再上传照片' : '删除此记录', 'btn btn-sm btn-outline-secondary');
        remove.type = 'button';
        remove.addEventListener('click', async () => {
          if (!window.confirm(entry.visitId ? '照片和签字将从本机删除，走访记录已保存。确定吗？' : '这条走访尚未保存到服务器，删除后无法恢复。确定删除吗？')) return;
          await deleteOne('queue', entry.key);
          await showQueue();
        });
        actions.append(retry, remove);
        item.append(actions);
      }
      if (entry.status === 'sent' && entry.visitId) {
        const link = text('a', '查看走访记录', 'small');
        link.href = config.visitUrl.replace('/0/', `/${entry.visitId}/`);
        item.append(link);
      }
      return item;
    }));
  }

  async function forgetOldSent() {
    const old = (await getAll('queue')).filter((e) => e.status === 'sent' && Date.now() - e.sentAt > KEEP_SENT_MS);
    for (const entry of old) await deleteOne('queue', entry.key);
  }

  // --- start ------------------------------------------------------------------------------------------------------
  (async () => {
    showNetwork();
    $('#off-visit-date').value = today();
    $('#off-visit-date').max = today();
    await ownData();
    await forgetOldSent();
    await loadRecipients();
    await showQueue();
    document.body.dataset.offlineReady = '1';
    if (navigator.onLine) {
      await refreshRecipients();
      await sync();
    }
  })();
})();
