/* lab book search over window.LAB_SEARCH (set by searchindex.js, so it
   works from file:// too). The tokenizer mirrors src/book/search.rs char by
   char: lowercase; Han (U+3400-9FFF, U+F900-FAFF) runs become overlapping
   bigrams (a lone Han char is a token); other letter/digit runs are words,
   kept when 2+ chars long or made of ASCII digits only. */
(() => {
  'use strict';
  const HAN = /[\u3400-\u9fff\uf900-\ufaff]/;
  let ALNUM; // Rust's char::is_alphanumeric: Alphabetic or Numeric
  try { ALNUM = new RegExp('[\\p{Alphabetic}\\p{N}]', 'u'); } catch (e) { ALNUM = { test: (c) => /\d/.test(c) || c.toLowerCase() !== c.toUpperCase() }; }

  const tokenize = (text) => {
    const out = [];
    let word = [];
    let han = [];
    const flushWord = () => {
      if (word.length >= 2 || (word.length && /^[0-9]+$/.test(word.join('')))) out.push(word.join(''));
      word = [];
    };
    const flushHan = () => {
      if (han.length === 1) out.push(han[0]);
      for (let i = 0; i + 1 < han.length; i++) out.push(han[i] + han[i + 1]);
      han = [];
    };
    for (const ch of String(text)) {
      for (const c of ch.toLowerCase()) {
        if (HAN.test(c)) { flushWord(); han.push(c); } else if (ALNUM.test(c)) { flushHan(); word.push(c); } else { flushWord(); flushHan(); }
      }
    }
    flushWord();
    flushHan();
    return out;
  };
  window.labTokenize = tokenize;

  const TITLE_BONUS = 10;
  let keys = null;
  const titles = [];
  const titleHas = (d, i, tok, prefix) => (titles[i] || (titles[i] = tokenize(d.docs[i].title)))
    .some((t) => t === tok || (prefix && t.startsWith(tok)));

  // A doc must hold every token (AND); score: summed counts, plus a bonus
  // per token in the section title. The last token may be a word still
  // being typed: words it begins count half.
  const search = (query) => {
    const d = window.LAB_SEARCH;
    const toks = [...new Set(tokenize(query))];
    if (!d || !d.index || !toks.length) return [];
    const typing = !/\s$/.test(query);
    let scores = null;
    toks.forEach((tok, n) => {
      const prefix = typing && n === toks.length - 1;
      const hits = new Map((d.index[tok] || []).map((p) => [p[0], p[1]]));
      if (prefix) {
        keys = keys || Object.keys(d.index);
        for (const k of keys) {
          if (k !== tok && k.startsWith(tok)) for (const [doc, c] of d.index[k]) hits.set(doc, (hits.get(doc) || 0) + c / 2);
        }
      }
      const next = new Map();
      hits.forEach((c, doc) => {
        if (scores && !scores.has(doc)) return;
        next.set(doc, (scores ? scores.get(doc) : 0) + c + (titleHas(d, doc, tok, prefix) ? TITLE_BONUS : 0));
      });
      scores = next;
    });
    return [...scores].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, 10).map(([i, score]) => ({ doc: d.docs[i], score }));
  };
  window.labSearch = search;

  const esc = (s) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

  // What to mark: a Han run of the query as a whole when the text has it
  // (rather than each of its bigrams), else its tokens; words as typed.
  const terms = (query, lower) => {
    const out = [];
    let run = '';
    let han = false;
    const flush = () => {
      if (run) out.push(...(han && run.length > 1 && lower.includes(run) ? [run] : tokenize(run)));
      run = '';
    };
    for (const c of query.toLowerCase()) {
      const h = HAN.test(c);
      if (!h && !ALNUM.test(c)) { flush(); continue; }
      if (h !== han) flush();
      han = h;
      run += c;
    }
    flush();
    return out;
  };

  const ranges = (text, query) => {
    const lower = text.toLowerCase();
    if (lower.length !== text.length) return []; // offsets would not line up
    const r = [];
    for (const t of terms(query, lower)) for (let i = lower.indexOf(t); i >= 0; i = lower.indexOf(t, i + 1)) r.push([i, i + t.length]);
    r.sort((a, b) => a[0] - b[0]);
    const merged = [];
    for (const x of r) {
      const last = merged[merged.length - 1];
      if (last && x[0] <= last[1]) last[1] = Math.max(last[1], x[1]); else merged.push(x);
    }
    return merged;
  };

  const highlight = (text, query) => {
    let html = '';
    let at = 0;
    for (const [a, b] of ranges(text, query)) {
      html += `${esc(text.slice(at, a))}<mark>${esc(text.slice(a, b))}</mark>`;
      at = b;
    }
    return html + esc(text.slice(at));
  };

  // About 100 characters around the first hit, cut at spaces when close.
  const snippet = (text, query) => {
    const r = ranges(text, query);
    let start = r.length ? Math.max(0, r[0][0] - 30) : 0;
    if (start > 0) {
      const sp = text.indexOf(' ', start);
      if (sp >= 0 && sp < r[0][0] && sp - start < 15) start = sp + 1;
    }
    let end = Math.min(text.length, start + 100);
    if (end < text.length) {
      const sp = text.lastIndexOf(' ', end);
      if (sp > start + 70) end = sp;
    }
    if (/[\udc00-\udfff]/.test(text.charAt(start))) start++;
    if (/[\ud800-\udbff]/.test(text.charAt(end - 1))) end--;
    return (start > 0 ? '…' : '') + highlight(text.slice(start, end), query) + (end < text.length ? '…' : '');
  };

  const init = () => {
    const input = document.getElementById('search-input');
    const box = document.getElementById('search-results');
    if (!input || !box) return;
    const root = document.documentElement.getAttribute('data-root') || '';
    let timer = 0;
    const close = () => { box.hidden = true; };
    const links = () => [...box.querySelectorAll('a')];

    const run = () => {
      clearTimeout(timer);
      timer = 0;
      const q = input.value;
      if (!q.trim()) { box.innerHTML = ''; close(); return; }
      const results = search(q);
      box.innerHTML = results.length
        ? `<ul>${results.map(({ doc: d }, i) => `<li><a href="${esc(root + d.href)}"${i ? '' : ' class="active"'}><span class="sr-path">${esc(d.page)}${
          d.title && d.title !== d.page ? `<span class="sep" aria-hidden="true">›</span>${highlight(d.title, q)}` : ''
        }</span><span class="sr-snippet">${snippet(d.text || '', q)}</span></a></li>`).join('')}</ul>`
        : `<p class="search-empty" role="status">${esc(box.getAttribute('data-no-results') || '')}</p>`;
      box.setAttribute('data-query', q);
      box.hidden = false;
    };

    input.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(run, 100); });
    input.addEventListener('focus', () => { if (input.value.trim() && box.innerHTML) box.hidden = false; });
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        if (timer || box.hidden) run();
        const first = links()[0];
        if (first) { e.preventDefault(); close(); first.click(); }
      } else if (e.key === 'ArrowDown') {
        const l = links();
        if (l.length) { e.preventDefault(); box.hidden = false; l[0].focus(); }
      } else if (e.key === 'Escape') {
        e.stopPropagation();
        if (!box.hidden) close(); else if (input.value) input.value = ''; else input.blur();
      }
    });
    box.addEventListener('keydown', (e) => {
      const l = links();
      const i = l.indexOf(document.activeElement);
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        const j = i + (e.key === 'ArrowDown' ? 1 : -1);
        if (j < 0) input.focus(); else if (j < l.length) l[j].focus();
      } else if (e.key === 'Escape') {
        e.preventDefault();
        e.stopPropagation();
        input.focus();
        close();
      }
    });
    box.addEventListener('click', (e) => { if (e.target.closest('a')) close(); });
    const outside = (e) => { if (!box.hidden && !e.target.closest('.search')) close(); };
    document.addEventListener('mousedown', outside);
    document.addEventListener('focusin', outside);
  };

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init); else init();
})();
