/* lab book: theme toggle, copy buttons, sidebar drawer, keyboard. No
   dependencies, no network; works from file://. */
(() => {
  'use strict';
  const html = document.documentElement;
  const body = document.body;
  const $ = (id) => document.getElementById(id);

  // Theme: the inline script in <head> applied the saved one before paint.
  const theme = () => (html.getAttribute('data-theme') === 'dark' ? 'dark' : 'light');
  const syncTheme = () => { if ($('theme-toggle')) $('theme-toggle').setAttribute('aria-pressed', String(theme() === 'dark')); };
  const setTheme = (t) => {
    html.setAttribute('data-theme', t);
    try { localStorage.setItem('lab-theme', t); } catch (e) { /* storage off: this page only */ }
    syncTheme();
  };
  if ($('theme-toggle')) $('theme-toggle').addEventListener('click', () => setTheme(theme() === 'dark' ? 'light' : 'dark'));
  syncTheme();
  // With no saved choice, follow the system when it changes.
  const mq = window.matchMedia && window.matchMedia('(prefers-color-scheme: dark)');
  if (mq && mq.addEventListener) {
    mq.addEventListener('change', (e) => {
      let saved = null;
      try { saved = localStorage.getItem('lab-theme'); } catch (x) { /* none */ }
      if (!saved) { html.setAttribute('data-theme', e.matches ? 'dark' : 'light'); syncTheme(); }
    });
  }

  // A copy button on every pre > code. file:// is not a secure context in
  // every browser, so without navigator.clipboard: a hidden textarea.
  const label = body.getAttribute('data-copy-label') || 'Copy';
  const done = body.getAttribute('data-copied-label') || 'Copied';
  const status = document.createElement('div');
  status.className = 'visually-hidden';
  status.setAttribute('role', 'status');
  body.appendChild(status);

  const fallbackCopy = (text) => {
    const ta = document.createElement('textarea');
    ta.value = text;
    ta.setAttribute('readonly', '');
    ta.style.cssText = 'position:fixed;top:0;left:0;width:1px;height:1px;opacity:0';
    body.appendChild(ta);
    ta.focus({ preventScroll: true });
    ta.select();
    let ok = false;
    try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
    ta.remove();
    return ok ? 'fallback' : 'failed';
  };
  const copy = (text) => {
    const clip = navigator.clipboard;
    if (clip && clip.writeText && window.isSecureContext !== false) {
      return clip.writeText(text).then(() => 'clipboard', () => fallbackCopy(text));
    }
    return Promise.resolve(fallbackCopy(text));
  };

  // Not on output blocks (```text): only commands are worth copying.
  const buttons = [];
  for (const code of document.querySelectorAll('pre > code')) {
    const pre = code.parentNode;
    const wrap = document.createElement('div');
    wrap.className = 'code-block';
    const m = /(?:^|\s)language-(\S+)/.exec(code.className);
    if (m) {
      wrap.setAttribute('data-lang', m[1]);
      if (/^(text|txt|output|plain)$/.test(m[1])) wrap.classList.add('output');
    }
    pre.before(wrap);
    wrap.appendChild(pre);
    if (wrap.classList.contains('output')) continue;
    const btn = document.createElement('button');
    btn.type = 'button';
    btn.className = 'copy';
    btn.textContent = label;
    let timer = 0;
    btn.addEventListener('click', () => copy(code.textContent.replace(/\n$/, '')).then((how) => {
      btn.focus();
      btn.setAttribute('data-copied', how);
      if (how !== 'failed') btn.textContent = status.textContent = done;
      clearTimeout(timer);
      timer = setTimeout(() => {
        btn.textContent = label;
        btn.removeAttribute('data-copied');
        status.textContent = '';
      }, 1500);
    }));
    wrap.appendChild(btn);
    buttons.push([btn, code]);
  }
  // A first line that would run under its button: a band for the button.
  const fit = () => {
    for (const [btn, code] of buttons) {
      const t = code.firstChild;
      let over = !t || t.nodeType !== 3;
      if (!over) {
        const r = document.createRange();
        const nl = t.data.indexOf('\n');
        r.setStart(t, 0);
        r.setEnd(t, nl < 0 ? t.data.length : nl);
        over = r.getBoundingClientRect().right - code.parentNode.scrollLeft + 8 > btn.getBoundingClientRect().left;
      }
      btn.parentNode.classList.toggle('crowded', over);
    }
  };
  fit();
  let fitting = false;
  window.addEventListener('resize', () => { if (!fitting) { fitting = true; requestAnimationFrame(() => { fitting = false; fit(); }); } });

  // Wide tables scroll on their own instead of widening the page.
  for (const t of document.querySelectorAll('.content table')) {
    const w = document.createElement('div');
    w.className = 'table-wrap';
    t.before(w);
    w.appendChild(t);
  }

  // The sidebar is a drawer on narrow screens.
  const menu = $('menu-toggle');
  const side = $('sidebar');
  const isOpen = () => html.classList.contains('sidebar-open');
  const setMenu = (open) => {
    html.classList.toggle('sidebar-open', open);
    if (menu) menu.setAttribute('aria-expanded', String(open));
  };
  if (menu && side) {
    menu.addEventListener('click', () => {
      setMenu(!isOpen());
      const a = isOpen() && (side.querySelector('a[aria-current="page"]') || side.querySelector('a'));
      if (a) a.focus();
    });
    if ($('backdrop')) $('backdrop').addEventListener('click', () => setMenu(false));
    // Keep the current task in view in a long sidebar.
    const cur = side.querySelector('.tasks a[aria-current="page"]');
    if (cur && cur.offsetTop - side.offsetTop > side.clientHeight - 60) side.scrollTop = cur.offsetTop - side.offsetTop - side.clientHeight / 3;
  }

  // "On this page" follows the reading position.
  const toc = [...document.querySelectorAll('.toc a[href^="#"]')];
  const heads = toc.map((a) => document.getElementById(decodeURIComponent(a.hash.slice(1)))).filter(Boolean);
  let queued = false;
  const mark = () => {
    queued = false;
    let cur = heads[0];
    for (const h of heads) if (h.getBoundingClientRect().top < 140) cur = h;
    toc.forEach((a, i) => { if (heads[i] === cur) a.setAttribute('aria-current', 'location'); else a.removeAttribute('aria-current'); });
  };
  if (heads.length === toc.length && heads.length) {
    window.addEventListener('scroll', () => { if (!queued) { queued = true; requestAnimationFrame(mark); } }, { passive: true });
    mark();
  }

  // The language switch keeps the section: the one in the address, else the
  // one being read; the other language's id by position (data-ids).
  for (const a of document.querySelectorAll('.langs a[data-ids]')) {
    a.addEventListener('click', () => {
      const mine = (document.querySelector('.langs [aria-current]').getAttribute('data-ids') || '').split(' ');
      const theirs = a.getAttribute('data-ids').split(' ');
      const cur = !location.hash && scrollY > 0 && document.querySelector('.toc a[aria-current]');
      const id = decodeURIComponent((cur || location).hash.slice(1));
      const i = mine.indexOf(id);
      const to = i < 0 ? id : mine.length === theirs.length ? theirs[i] : '';
      if (to) a.hash = '#' + encodeURIComponent(to);
    });
  }

  // Keyboard: / or s focuses search; Escape closes what is open.
  document.addEventListener('keydown', (e) => {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
    const t = e.target;
    const typing = t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
    const input = $('search-input');
    if ((e.key === '/' || e.key === 's' || e.key === 'S') && !typing && input) {
      e.preventDefault();
      setMenu(false);
      input.focus();
      input.select();
    } else if (e.key === 'Escape') {
      if ($('search-results')) $('search-results').hidden = true;
      if (isOpen()) {
        setMenu(false);
        if (menu) menu.focus();
      }
    }
  });
})();
