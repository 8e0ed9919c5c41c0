// The site's own behaviour, loaded before Alpine (no inline script: the
// Content-Security-Policy allows only files the site ships).

// 打印 buttons ([data-print]) print the page as it is (a record, a statistics table) with print.css
// (A4, no navigation). A list's 打印 is a link to its print view (every row on one page, not the page
// on the screen: core.pagination), which opens the print dialog itself once loaded ([data-print-view]).
document.addEventListener('click', (event) => {
  if (event.target.closest('[data-print]')) window.print();
});
window.addEventListener('load', () => {
  if (document.querySelector('[data-print-view]')) window.print();
});

// <select data-autosubmit> submits its form when a choice is made.
document.addEventListener('change', (event) => {
  if (event.target.matches && event.target.matches('[data-autosubmit]') && event.target.form) event.target.form.submit();
});

// <form data-confirm="..."> asks before submitting.
document.addEventListener('submit', (event) => {
  const message = event.target.dataset && event.target.dataset.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
});

// A form's one-time token (core.idempotency) rides in the address too, where nginx can see it:
// a POST with one may be re-sent to the other web process when the first dies before answering
// (deploy/nginx.conf.in), and the server saves it once. Without this script the form still
// works; it is only not re-sent.
document.addEventListener('submit', (event) => {
  const form = event.target;
  if (event.defaultPrevented || !form.elements || (form.method || '').toLowerCase() !== 'post') return;
  const token = form.elements.namedItem('form_token');
  if (!token || !token.value) return;
  const url = new URL(form.action, window.location.href);
  url.searchParams.set('form_token', token.value);
  form.action = url.toString();
});

// Logging out wipes what the offline visit form keeps on the phone (static/guanai/offline.js):
// its IndexedDB, its caches and its service worker (the logout answer also sends Clear-Site-Data).
// Visits not yet sent are named first, as the wipe deletes them.
async function offlineUnsent() {
  if (!window.indexedDB || !indexedDB.databases) return 0;
  if (!(await indexedDB.databases()).some((d) => d.name === 'guanai-offline')) return 0;
  return new Promise((resolve) => {
    const request = indexedDB.open('guanai-offline');
    request.onerror = () => resolve(0);
    request.onsuccess = () => {
      const database = request.result;
      try {
        const all = database.transaction('queue').objectStore('queue').getAll();
        all.onsuccess = () => { database.close(); resolve(all.result.filter((e) => e.status !== 'sent').length); };
        all.onerror = () => { database.close(); resolve(0); };
      } catch (error) { database.close(); resolve(0); }
    };
  });
}

async function wipeOfflineData() {
  const jobs = [];
  if (window.indexedDB) {
    jobs.push(new Promise((resolve) => {
      const request = indexedDB.deleteDatabase('guanai-offline');
      request.onsuccess = request.onerror = request.onblocked = resolve;
    }));
  }
  if (window.caches) jobs.push(caches.keys().then((keys) => Promise.all(keys.filter((k) => k.startsWith('guanai-')).map((k) => caches.delete(k)))));
  if (navigator.serviceWorker) jobs.push(navigator.serviceWorker.getRegistrations().then((all) => Promise.all(all.map((r) => r.unregister()))));
  await Promise.race([Promise.all(jobs).catch(() => null), new Promise((resolve) => { setTimeout(resolve, 3000); })]);
}

document.addEventListener('submit', (event) => {
  const form = event.target;
  if (!form.matches || !form.matches('form[action$="/accounts/logout/"]') || form.dataset.wiped) return;
  event.preventDefault();
  (async () => {
    const unsent = await offlineUnsent().catch(() => 0);
    if (unsent && !window.confirm(`本机还有${unsent}条走访未发送到服务器，退出登录将删除它们。确定退出吗？`)) return;
    await wipeOfflineData();
    form.dataset.wiped = '1';
    form.submit();
  })();
});

function jsonFrom(id) {
  const el = document.getElementById(id);
  return el ? JSON.parse(el.textContent) : null;
}

// A signature pad on a canvas, drawn with a finger or a mouse (the visit form and the offline
// form): onChange(signed) after each stroke and on clear; dataUrl()/blob() give the PNG.
function signaturePad(canvas, onChange) {
  let ctx = null;
  let drawing = false;
  let signed = false;
  function fit() {
    const width = canvas.getBoundingClientRect().width;
    if (!width) return false;
    const ratio = window.devicePixelRatio || 1;
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(canvas.getBoundingClientRect().height * ratio);
    ctx = canvas.getContext('2d');
    ctx.scale(ratio, ratio);
    Object.assign(ctx, { lineWidth: 2.5, lineCap: 'round', lineJoin: 'round', strokeStyle: '#000' });
    return true;
  }
  function point(event) {
    const rect = canvas.getBoundingClientRect();
    return [event.clientX - rect.left, event.clientY - rect.top];
  }
  canvas.addEventListener('pointerdown', (event) => {
    if (!ctx && !fit()) return; // a pad hidden at first is sized on its first touch
    event.preventDefault();
    canvas.setPointerCapture(event.pointerId);
    drawing = true;
    const [x, y] = point(event);
    ctx.beginPath();
    ctx.moveTo(x, y);
    ctx.lineTo(x + 0.1, y + 0.1);
    ctx.stroke();
  });
  canvas.addEventListener('pointermove', (event) => {
    if (!drawing) return;
    const [x, y] = point(event);
    ctx.lineTo(x, y);
    ctx.stroke();
  });
  const end = () => {
    if (!drawing) return;
    drawing = false;
    signed = true;
    onChange(true);
  };
  ['pointerup', 'pointerleave', 'pointercancel'].forEach((name) => canvas.addEventListener(name, end));
  fit();
  window.addEventListener('resize', () => { if (!signed) fit(); }); // resizing would wipe a signature
  return {
    get signed() { return signed; },
    clear() {
      if (ctx) ctx.clearRect(0, 0, canvas.width, canvas.height);
      signed = false;
      onChange(false);
    },
    dataUrl() { return signed ? canvas.toDataURL('image/png') : ''; },
    blob() { return new Promise((resolve) => (signed ? canvas.toBlob(resolve, 'image/png') : resolve(null))); },
  };
}

document.addEventListener('alpine:init', () => {
  // Aid rows, recipient choice and the next visit date of the visit form.
  Alpine.data('visitForm', () => {
    const init = jsonFrom('visit-initial');
    const units = init.units;
    let seq = 0;
    return {
      recipient: init.recipient, mode: init.mode, risk: init.risk, next: init.next,
      aid: init.aid.map((row) => ({ ...row, key: ++seq })),
      choose(data) {
        this.recipient = { id: data.id, name: data.name, next: data.next };
        if (data.next) this.next = data.next;
      },
      clearRecipient() { this.recipient = { id: '', name: '', next: '' }; },
      addAid(kind) { this.aid.push({ key: ++seq, kind, description: '', quantity: '', unit: '', value_yuan: '' }); },
      removeAid(index) { this.aid.splice(index, 1); },
      fillUnit(row) { if (!row.unit && units[row.description]) row.unit = units[row.description]; },
      // Photos: a camera input holds one shot, so each shot's input is set aside and an empty one takes its place.
      previews: [],
      photoTaken(event) {
        const input = event.target;
        if (!input.matches('[data-photo-input]')) return;
        if (input.hasAttribute('capture') && input.files.length) {
          const fresh = input.cloneNode(false);
          fresh.value = ''; // a clone may carry the chosen file along
          input.before(fresh);
          input.removeAttribute('id'); // the button's label now opens the fresh one
          this.$refs.taken.append(input);
        }
        this.previews.forEach((url) => URL.revokeObjectURL(url));
        const inputs = Array.from(this.$root.querySelectorAll('[data-photo-input]'));
        this.previews = inputs.flatMap((one) => Array.from(one.files)).map((file) => URL.createObjectURL(file));
      },
    };
  });

  // The recipient signs with a finger; the drawing goes into a hidden input as a PNG data URL.
  Alpine.data('signaturePad', () => ({
    signed: false, declined: false, pad: null,
    init() {
      this.declined = !!this.$root.querySelector('[name=signature_declined]:checked');
      this.pad = signaturePad(this.$refs.canvas, (signed) => {
        this.signed = signed;
        this.$refs.value.value = signed ? this.pad.dataUrl() : '';
      });
    },
    clear() { this.pad.clear(); },
    declinedChanged() { if (this.declined) this.pad.clear(); },
  }));

  // Material rows of the activity form.
  Alpine.data('materialRows', () => {
    let seq = 0;
    return {
      rows: jsonFrom('materials-initial').map((row) => ({ ...row, key: ++seq })),
      add() { this.rows.push({ key: ++seq, item: '', quantity: '', unit: '' }); },
      remove(index) { this.rows.splice(index, 1); },
    };
  });

  // A list of chosen persons (care/_person_picker.html).
  Alpine.data('personPicker', () => ({
    chosen: jsonFrom('chosen-persons'),
    choose(data) { if (!this.chosen.some((p) => String(p.id) === String(data.id))) this.chosen.push({ id: data.id, name: data.name }); },
    remove(id) { this.chosen = this.chosen.filter((p) => p.id !== id); },
  }));

  // Target lines of a project plan (coordination/oversight/project_form.html).
  Alpine.data('lineRows', () => {
    let seq = 0;
    return {
      rows: jsonFrom('lines-initial').map((row) => ({ ...row, key: ++seq })),
      add() { this.rows.push({ key: ++seq, action: '', subject: '', measure: '户', planned: '' }); },
    };
  });

  // The child of a mandatory report.
  Alpine.data('reportForm', () => ({
    child: jsonFrom('report-child'),
    choose(data) { this.child = { id: data.id, name: data.name }; },
    clearChild() { this.child = { id: '', name: '' }; },
  }));
});
