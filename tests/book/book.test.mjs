// End-to-end test of the HTML book (`lab book build`) in headless Chromium.
// Run through ./run.sh BOOK_DIR, which installs what is missing.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const BOOK = process.env.BOOK_DIR && path.resolve(process.env.BOOK_DIR);
const OUT = path.join(HERE, 'out');
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const T = { timeout: 60_000 };

if (!BOOK || !fs.existsSync(path.join(BOOK, 'en', 'task3.html'))) {
  throw new Error('BOOK_DIR must name a built book (run tests/book/run.sh BOOK_DIR)');
}
fs.mkdirSync(OUT, { recursive: true });

const read = (rel) => fs.readFileSync(path.join(BOOK, rel), 'utf8');
const taskIds = fs.readdirSync(path.join(BOOK, 'en')).filter((f) => /^task\d+\.html$/.test(f))
  .map((f) => f.replace('.html', '')).sort((a, b) => a.slice(4) - b.slice(4));

/** python3 -m http.server on 127.0.0.1 and a free port it picks itself. */
function serve(dir) {
  return new Promise((resolve, reject) => {
    const p = spawn('python3', ['-u', '-m', 'http.server', '0', '--bind', '127.0.0.1', '--directory', dir],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => { p.kill(); reject(new Error(`http.server did not start: ${out}`)); }, 15_000);
    p.stdout.on('data', (d) => {
      out += d;
      const m = /port (\d+)/.exec(out);
      if (m) { clearTimeout(timer); resolve({ url: `http://127.0.0.1:${m[1]}/`, stop: () => p.kill() }); }
    });
    p.stderr.on('data', () => {}); // request log
    p.on('exit', (code) => { clearTimeout(timer); reject(new Error(`http.server exited (${code}): ${out}`)); });
  });
}

let browser;
let server;
before(async () => {
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS });
  server = await serve(BOOK);
});
after(async () => {
  await browser?.close();
  server?.stop();
});

/** A page that fails the test on a script error, a failed or non-local request. */
async function open(ctx, url, problems) {
  const page = await ctx.newPage();
  page.on('pageerror', (e) => problems.push(`script error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
  page.on('request', (r) => {
    if (!/^(file:|data:|about:|http:\/\/127\.0\.0\.1[:/])/.test(r.url())) problems.push(`went to the network: ${r.url()}`);
  });
  if (url) await page.goto(url);
  return page;
}

const shot = (page, name) => page.screenshot({ path: path.join(OUT, `${name}.png`) });

for (const mode of ['file', 'http']) {
  describe(`the book over ${mode}://`, () => {
    let base;
    let ctx;
    let problems;
    const url = (rel) => base + rel;

    before(async () => {
      base = mode === 'file' ? pathToFileURL(BOOK).href + '/' : server.url;
      ctx = await browser.newContext({ viewport: { width: 1280, height: 860 }, colorScheme: 'light' });
      if (mode === 'http') await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url.replace(/\/$/, '') });
      else await ctx.grantPermissions(['clipboard-read', 'clipboard-write']).catch(() => {});
    });
    after(async () => { await ctx?.close(); });

    const check = (t) => async () => {
      problems = [];
      await t();
      assert.deepEqual(problems, [], 'no script errors, failed requests or network access');
    };

    test('searching 镜像加速 in the Chinese book finds task 2 first, and the result leads there', T, check(async () => {
      const page = await open(ctx, url('zh-CN/task3.html'), problems);
      await page.locator('#search-input').pressSequentially('镜像加速', { delay: 20 });
      const first = page.locator('#search-results[data-query="镜像加速"] li a').first();
      await first.waitFor();
      assert.match(await first.getAttribute('href'), /zh-CN\/task2\.html/);
      assert.ok(await page.locator('#search-results mark').count() > 0, 'matches are marked');
      assert.ok((await page.locator('#search-results li').count()) <= 10);
      if (mode === 'file') await shot(page, 'search-zh');
      await first.click();
      await page.waitForURL(/zh-CN\/task2\.html/);
      assert.match(await page.locator('main').innerText(), /镜像加速/);
      await page.close();
    }));

    test('searching "registry mirror" in the English book finds task 2 first; Enter opens it', T, check(async () => {
      const page = await open(ctx, url('en/task5.html'), problems);
      const input = page.locator('#search-input');
      await input.pressSequentially('registry mirror', { delay: 10 });
      const first = page.locator('#search-results[data-query="registry mirror"] li a').first();
      await first.waitFor();
      assert.match(await first.getAttribute('href'), /en\/task2\.html/);
      if (mode === 'file') await shot(page, 'search-en');
      await input.press('Enter');
      await page.waitForURL(/en\/task2\.html/);
      assert.match(await page.locator('main').innerText(), /registry mirror/i);
      // Nonsense finds nothing and says so.
      await page.locator('#search-input').fill('qqzzxxwv');
      await page.locator('#search-results .search-empty').waitFor();
      assert.equal(await page.locator('#search-results .search-empty').innerText(), await page.locator('#search-results').getAttribute('data-no-results'));
      await page.close();
    }));

    test('keyboard: / focuses search, arrows walk the results, Escape closes them', T, check(async () => {
      const page = await open(ctx, url('en/task3.html'), problems);
      await page.locator('body').click({ position: { x: 5, y: 300 } });
      await page.keyboard.press('/');
      assert.equal(await page.evaluate(() => document.activeElement.id), 'search-input');
      await page.keyboard.type('tomcat');
      await page.locator('#search-results[data-query="tomcat"] li a').first().waitFor();
      await page.keyboard.press('ArrowDown');
      assert.ok(await page.evaluate(() => document.activeElement.closest('#search-results') !== null));
      await page.keyboard.press('Escape');
      assert.equal(await page.locator('#search-results').isHidden(), true);
      assert.equal(await page.evaluate(() => document.activeElement.id), 'search-input');
      // `s` works too, and not while typing in the box.
      await page.locator('h1').click();
      await page.keyboard.press('s');
      assert.equal(await page.evaluate(() => document.activeElement.id), 'search-input');
      assert.equal(await page.locator('#search-input').inputValue(), 'tomcat', 'the s was not typed');
      await page.close();
    }));

    test('sidebar, next and previous links lead to the right pages', T, check(async () => {
      const page = await open(ctx, url('en/task3.html'), problems);
      assert.equal(await page.locator('#sidebar a[aria-current="page"]').getAttribute('href'), 'task3.html');
      await page.locator('#sidebar a[href="task5.html"]').click();
      await page.waitForURL(/en\/task5\.html$/);
      assert.equal(await page.locator('#sidebar a[aria-current="page"]').getAttribute('href'), 'task5.html');
      await page.locator('a[rel="next"]').click();
      await page.waitForURL(/en\/task6\.html$/);
      assert.match(await page.locator('h1').innerText(), /Task 6/);
      await page.locator('a[rel="prev"]').click();
      await page.waitForURL(/en\/task5\.html$/);
      // The first page has no previous link and the last no next one.
      await page.goto(url(`en/${taskIds[0]}.html`));
      assert.equal(await page.locator('a[rel="prev"]').count(), 0);
      await page.goto(url(`en/${taskIds.at(-1)}.html`));
      assert.equal(await page.locator('a[rel="next"]').count(), 0);
      // Home lists every task.
      await page.locator('.book-title').click();
      await page.waitForURL(/en\/index\.html$/);
      assert.equal(await page.locator('main a[href^="task"]').count(), taskIds.length);
      await page.close();
    }));

    test('the language switcher on task3 goes to task3 in the other language, and back', T, check(async () => {
      const page = await open(ctx, url('en/task3.html'), problems);
      assert.equal(await page.getAttribute('html', 'lang'), 'en');
      await page.locator('.langs a[hreflang="zh-CN"]').click();
      await page.waitForURL(/zh-CN\/task3\.html$/);
      assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
      assert.match(await page.locator('h1').innerText(), /任务三/);
      await page.locator('.langs a[hreflang="en"]').click();
      await page.waitForURL(/\/en\/task3\.html$/);
      assert.match(await page.locator('h1').innerText(), /Task 3/);
      await page.close();
    }));

    test('a code block\'s copy button puts its text on the clipboard (and the fallback path works)', T, check(async () => {
      const page = await open(ctx, url('en/task3.html'), problems);
      const block = page.locator('.code-block').filter({ hasText: 'docker tag tomcat:8.0 mytomcat:8.0' }).first();
      const code = (await block.locator('pre > code').textContent()).replace(/\n$/, '');
      const btn = block.locator('button.copy');
      assert.equal(await btn.innerText(), 'Copy');
      await block.hover();
      await btn.click();
      await page.waitForFunction((b) => b.hasAttribute('data-copied'), await btn.elementHandle());
      const how = await btn.getAttribute('data-copied');
      assert.ok(how === 'clipboard' || how === 'fallback', `copied by ${how}`);
      assert.equal(await btn.innerText(), 'Copied');
      assert.equal(await page.evaluate(() => navigator.clipboard.readText()), code);
      // Back to "Copy" after 1.5 s.
      await page.waitForFunction((b) => !b.hasAttribute('data-copied'), await btn.elementHandle(), { timeout: 4000 });
      assert.equal(await btn.innerText(), 'Copy');
      await page.close();

      // Without the async clipboard API (file:// is not a secure context
      // everywhere): the hidden-textarea fallback.
      const bare = await ctx.newPage();
      await bare.addInitScript(() => { Object.defineProperty(Navigator.prototype, 'clipboard', { get: () => undefined }); });
      await bare.goto(url('zh-CN/task3.html'));
      const zb = bare.locator('.code-block').filter({ hasText: 'docker pull tomcat:8.0' }).first();
      const zcode = (await zb.locator('pre > code').textContent()).replace(/\n$/, '');
      await zb.hover();
      await zb.locator('button.copy').click();
      assert.equal(await zb.locator('button.copy').getAttribute('data-copied'), 'fallback');
      assert.equal(await zb.locator('button.copy').innerText(), '已复制');
      await bare.close();
      const reader = await open(ctx, url('en/index.html'), problems);
      assert.equal(await reader.evaluate(() => navigator.clipboard.readText()), zcode);
      await reader.close();
    }));

    test('the dark theme toggle sets data-theme and survives a reload and a new page', T, check(async () => {
      const page = await open(ctx, url('en/task3.html'), problems);
      await page.evaluate(() => localStorage.removeItem('lab-theme'));
      await page.reload();
      assert.equal(await page.getAttribute('html', 'data-theme'), 'light', 'follows prefers-color-scheme: light');
      const toggle = page.locator('#theme-toggle');
      assert.equal(await toggle.getAttribute('aria-pressed'), 'false');
      await toggle.click();
      assert.equal(await page.getAttribute('html', 'data-theme'), 'dark');
      assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
      await page.reload();
      assert.equal(await page.getAttribute('html', 'data-theme'), 'dark');
      assert.equal(await page.locator('#theme-toggle').getAttribute('aria-pressed'), 'true');
      const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      assert.notEqual(bg, 'rgb(255, 255, 255)', 'the page really is dark');
      await page.goto(url('zh-CN/task3.html'));
      assert.equal(await page.getAttribute('html', 'data-theme'), 'dark', 'the other language too');
      if (mode === 'file') await shot(page, 'task3-zh-dark');
      await page.locator('#theme-toggle').click();
      await page.reload();
      assert.equal(await page.getAttribute('html', 'data-theme'), 'light');
      await page.close();
      // With no saved choice, a dark system preference wins.
      const dark = await browser.newContext({ colorScheme: 'dark' });
      const dp = await open(dark, url('en/task3.html'), problems);
      assert.equal(await dp.getAttribute('html', 'data-theme'), 'dark');
      await dark.close();
    }));

    test('print.html holds every task title, without sidebar or search', T, check(async () => {
      for (const lang of ['en', 'zh-CN']) {
        const page = await open(ctx, url(`${lang}/task3.html`), problems);
        const titles = await page.locator('#sidebar .tasks a').allInnerTexts();
        const h1s = taskIds.map((id) => /<h1[^>]*>([\s\S]*?)<\/h1>/.exec(read(`${lang}/${id}.html`))[1]
          .replace(/<[^>]+>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&').trim());
        await page.locator('#print-link').click();
        await page.waitForURL(new RegExp(`${lang}/print\\.html$`));
        const text = await page.locator('body').innerText();
        for (const t of [...titles, ...h1s]) assert.ok(text.includes(t), `print.html (${lang}) has "${t}"`);
        assert.equal(await page.locator('article.print-task').count(), taskIds.length);
        assert.equal(await page.locator('#search-input, #sidebar').count(), 0);
        await page.emulateMedia({ media: 'print' });
        const breaks = await page.evaluate(() => [...document.querySelectorAll('.print-task')].map((a) => getComputedStyle(a).breakBefore));
        assert.ok(breaks.every((b) => b === 'page'), `a page break before every task: ${breaks}`);
        assert.equal(await page.locator('.print-bar').isVisible(), false, 'the toolbar is not printed');
        if (mode === 'file' && lang === 'en') {
          await shot(page, 'print-en');
          await page.pdf({ path: path.join(OUT, 'book-en.pdf'), format: 'A4' });
        }
        await page.close();
      }
    }));
  });
}

describe('the book itself', () => {
  let ctx;
  before(async () => { ctx = await browser.newContext({ viewport: { width: 1280, height: 860 }, colorScheme: 'light' }); });
  after(async () => { await ctx?.close(); });

  test('search.js tokenizes exactly like the Rust index (every section of both books)', T, async () => {
    const page = await ctx.newPage();
    await page.goto(pathToFileURL(path.join(BOOK, 'en', 'task3.html')).href);
    const tok = (s) => page.evaluate((x) => window.labTokenize(x), s);
    assert.deepEqual(await tok('镜像加速'), ['镜像', '像加', '加速']);
    assert.deepEqual(await tok('registry mirror'), ['registry', 'mirror']);
    assert.deepEqual(await tok('Registry MIRROR'), ['registry', 'mirror']);
    assert.deepEqual(await tok('tomcat:8.0 a 镜'), ['tomcat', '8', '0', '镜']);
    assert.deepEqual(await tok('配置镜像加速（registry mirror）。'), ['配置', '置镜', '镜像', '像加', '加速', 'registry', 'mirror']);
    assert.deepEqual(await tok('Docker镜像 v2'), ['docker', '镜像', 'v2']);
    for (const lang of ['en', 'zh-CN']) {
      // Rebuild each index from its docs with labTokenize: it must be the
      // very index Rust wrote (title and text, as src/book/search.rs does).
      const diff = await page.evaluate((src) => {
        window.LAB_SEARCH = undefined;
        (0, eval)(src);
        const { docs, index } = window.LAB_SEARCH;
        const mine = {};
        docs.forEach((d, i) => {
          const counts = new Map();
          for (const t of window.labTokenize(d.title + ' ' + d.text)) counts.set(t, (counts.get(t) || 0) + 1);
          for (const [t, n] of counts) (mine[t] = mine[t] || []).push([i, n]);
        });
        const out = [];
        for (const t of new Set([...Object.keys(mine), ...Object.keys(index)])) {
          if (JSON.stringify(mine[t]) !== JSON.stringify(index[t])) out.push(`${t}: js ${JSON.stringify(mine[t])} rust ${JSON.stringify(index[t])}`);
        }
        return { docs: docs.length, tokens: Object.keys(index).length, out: out.slice(0, 10) };
      }, read(`${lang}/searchindex.js`));
      assert.ok(diff.docs > 20 && diff.tokens > 100, `${lang} index is not empty: ${JSON.stringify(diff)}`);
      assert.deepEqual(diff.out, [], `${lang}: tokens the JS and Rust tokenizers disagree on`);
    }
    await page.close();
  });

  test('every local link and #fragment of every page exists', T, async () => {
    const pages = ['index.html', ...['en', 'zh-CN'].flatMap((l) => fs.readdirSync(path.join(BOOK, l)).filter((f) => f.endsWith('.html')).map((f) => `${l}/${f}`))];
    const ids = new Map();
    const idsOf = (rel) => {
      if (!ids.has(rel)) ids.set(rel, new Set([...read(rel).matchAll(/\sid="([^"]+)"/g)].map((m) => m[1])));
      return ids.get(rel);
    };
    const bad = [];
    for (const rel of pages) {
      const html = read(rel);
      const dup = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]).filter((id, i, a) => a.indexOf(id) !== i);
      if (dup.length && !rel.endsWith('print.html')) bad.push(`${rel}: duplicate id ${[...new Set(dup)].join(', ')}`);
      for (const m of html.matchAll(/\s(?:href|src)="([^"]+)"/g)) {
        const href = m[1].replace(/&amp;/g, '&');
        if (/^(https?:|mailto:|data:)/.test(href)) continue;
        const [file, frag] = href.split('#');
        const target = file ? path.posix.normalize(path.posix.join(path.posix.dirname(rel), decodeURI(file))) : rel;
        if (!fs.existsSync(path.join(BOOK, target))) { bad.push(`${rel}: ${href} (no ${target})`); continue; }
        if (frag && target.endsWith('.html') && !idsOf(target).has(decodeURIComponent(frag))) bad.push(`${rel}: ${href} (no #${frag})`);
      }
    }
    assert.deepEqual(bad, []);
  });

  test('pages are accessible: lang, one h1, labelled controls, visible focus, contrast in both themes', T, async (t) => {
    const page = await ctx.newPage();
    for (const lang of ['en', 'zh-CN']) {
      for (const rel of [`${lang}/index.html`, `${lang}/task3.html`, `${lang}/print.html`]) {
        await page.goto(pathToFileURL(path.join(BOOK, rel)).href);
        assert.equal(await page.getAttribute('html', 'lang'), lang, rel);
        if (!rel.endsWith('print.html')) {
          assert.equal(await page.locator('h1').count(), 1, `${rel}: one h1`);
          assert.equal(await page.locator('main').count(), 1, `${rel}: one main`);
        }
        const unlabelled = await page.evaluate(() => [...document.querySelectorAll('button, input, a[href]')]
          .filter((e) => !(e.getAttribute('aria-label') || e.labels?.length || e.textContent.trim()))
          .map((e) => e.outerHTML.slice(0, 80)));
        assert.deepEqual(unlabelled, [], `${rel}: controls without a name`);
      }
    }
    await page.goto(pathToFileURL(path.join(BOOK, 'en/task2.html')).href);
    // Keyboard focus is visible: Tab lands on the skip link, then the controls.
    for (let i = 0; i < 4; i++) {
      await page.keyboard.press('Tab');
      const o = await page.evaluate(() => { const s = getComputedStyle(document.activeElement); return `${s.outlineStyle} ${s.outlineWidth}`; });
      assert.match(o, /^(solid|auto) [1-9]/, `focus ring on tab stop ${i + 1}: ${o}`);
    }
    // Contrast (WCAG AA, 4.5:1) of text, links, muted text and code on their backgrounds.
    for (const theme of ['light', 'dark']) {
      await page.evaluate((t) => document.documentElement.setAttribute('data-theme', t), theme);
      const ratios = await page.evaluate(() => {
        const rgb = (c) => c.match(/[\d.]+/g).slice(0, 3).map(Number);
        const lum = (c) => { const v = rgb(c).map((x) => { x /= 255; return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4; }); return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; };
        const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
        const bgOf = (e) => { for (; e; e = e.parentElement) { const b = getComputedStyle(e).backgroundColor; if (!/rgba\(.*, 0\)|transparent/.test(b)) return b; } return 'rgb(255, 255, 255)'; };
        const pick = {
          text: '.content > p:not(.eyebrow)', link: '.pager-title', muted: '.eyebrow', sidebar: '#sidebar .tasks a:not([aria-current])',
          current: '#sidebar a[aria-current]', code: '.content pre code', output: '.code-block.output pre', inline: '.content p code',
          note: '.callout.note .callout-title', warning: '.callout.warning .callout-title', check: '.check h2', label: '.check-label',
          toc: '.toc a', pager: '.pager-label', search: '#search-input',
        };
        const out = {};
        for (const [k, sel] of Object.entries(pick)) {
          const e = document.querySelector(sel);
          if (e) out[k] = Math.round(ratio(getComputedStyle(e).color, bgOf(e)) * 100) / 100;
        }
        return out;
      });
      t.diagnostic(`${theme}: ${JSON.stringify(ratios)}`);
      const low = Object.entries(ratios).filter(([, r]) => r < 4.5);
      assert.deepEqual(low, [], `${theme}: contrast below 4.5:1 in ${JSON.stringify(ratios)}`);
    }
    await page.close();
  });

  test('narrow screens: the sidebar is a drawer behind the menu button', T, async () => {
    const small = await browser.newContext({ viewport: { width: 390, height: 800 }, colorScheme: 'light', hasTouch: true, isMobile: true });
    const page = await small.newPage();
    await page.goto(pathToFileURL(path.join(BOOK, 'zh-CN/task3.html')).href);
    assert.equal(await page.locator('#sidebar').isVisible(), false);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `no sideways scrolling (${overflow}px too wide)`);
    await shot(page, 'mobile-zh-task3');
    // Icon-only buttons keep their names for screen readers.
    assert.equal(await page.getByRole('button', { name: '深色', exact: true }).count(), 1);
    assert.equal(await page.getByRole('link', { name: '打印', exact: true }).count(), 1);
    assert.equal(await page.getByRole('button', { name: '菜单', exact: true }).count(), 1);
    await page.locator('#menu-toggle').click();
    await page.locator('#sidebar').waitFor({ state: 'visible' });
    assert.equal(await page.locator('#menu-toggle').getAttribute('aria-expanded'), 'true');
    await page.waitForTimeout(300);
    await shot(page, 'mobile-zh-menu');
    await page.locator('#sidebar a[href="task4.html"]').click();
    await page.waitForURL(/zh-CN\/task4\.html$/);
    assert.equal(await page.locator('#sidebar').isVisible(), false, 'closed again on the new page');
    await small.close();
  });

  test('screenshots of the main views (tests/book/out/)', T, async () => {
    const page = await ctx.newPage();
    const go = (rel) => page.goto(pathToFileURL(path.join(BOOK, rel)).href);
    await go('en/task3.html');
    await shot(page, 'task3-en-light');
    await page.evaluate(() => document.querySelector('.callout.warning, .callout')?.scrollIntoView({ block: 'center' }));
    await shot(page, 'task3-en-callout');
    await page.evaluate(() => document.querySelector('.check').scrollIntoView());
    await shot(page, 'task3-en-check');
    await go('en/task1.html');
    await page.evaluate(() => document.querySelector('.content table')?.scrollIntoView({ block: 'center' }));
    await shot(page, 'task1-en-table');
    await go('zh-CN/index.html');
    await shot(page, 'index-zh');
    await page.locator('#theme-toggle').click();
    await go('en/task2.html');
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    await shot(page, 'task2-en-dark-bottom');
    await page.locator('#theme-toggle').click();
    await page.close();
  });

  test('the theme\'s JavaScript stays small (< 16 KB)', () => {
    const size = ['book.js', 'search.js'].reduce((n, f) => n + fs.statSync(path.join(BOOK, f)).size, 0);
    assert.ok(size < 16 * 1024, `book.js + search.js = ${size} bytes`);
  });
});

// Issue 13: the book at phone width, next to an mdBook build of the same lessons.
describe('at phone width (390 px)', () => {
  let phone;
  const PAGES = ['en/task3.html', 'zh-CN/task3.html', 'en/task2.html', 'zh-CN/task2.html', 'en/task9.html', 'zh-CN/task11.html'];
  const fileUrl = (rel) => pathToFileURL(path.join(BOOK, rel)).href;
  before(async () => {
    phone = await browser.newContext({ viewport: { width: 390, height: 844 }, colorScheme: 'light', hasTouch: true, isMobile: true });
  });
  after(async () => { await phone?.close(); });

  test('no copy button covers the text of its code block', T, async () => {
    const page = await phone.newPage();
    for (const rel of PAGES) {
      await page.goto(fileUrl(rel));
      const hits = await page.evaluate(() => {
        const out = [];
        for (const btn of document.querySelectorAll('.code-block .copy')) {
          const b = btn.getBoundingClientRect();
          const code = btn.closest('.code-block').querySelector('code');
          const r = document.createRange();
          r.selectNodeContents(code);
          // Each line box of the text, as laid out (scrolled or not).
          for (const t of r.getClientRects()) {
            if (t.width === 0) continue;
            if (t.left < b.right && t.right > b.left && t.top < b.bottom && t.bottom > b.top) {
              out.push(code.textContent.split('\n')[0]);
              break;
            }
          }
        }
        return out;
      });
      assert.deepEqual(hits, [], `${rel}: copy buttons over the text of these blocks`);
    }
    await page.close();
  });

  test('output blocks have no copy button, command blocks have one', T, async () => {
    const page = await phone.newPage();
    for (const rel of PAGES) {
      await page.goto(fileUrl(rel));
      const n = await page.evaluate(() => ({
        output: document.querySelectorAll('.code-block.output .copy').length,
        outputs: document.querySelectorAll('.code-block.output').length,
        commands: document.querySelectorAll('.code-block:not(.output)').length,
        commandsWithCopy: document.querySelectorAll('.code-block:not(.output) .copy').length,
      }));
      assert.equal(n.output, 0, `${rel}: ${n.output} of ${n.outputs} output blocks have a copy button`);
      assert.equal(n.commandsWithCopy, n.commands, `${rel}: every command block keeps its copy button`);
    }
    await page.close();
  });

  test('the book title is shown whole (wrapped, never cut)', T, async () => {
    const page = await phone.newPage();
    for (const rel of ['en/task3.html', 'zh-CN/task3.html', 'en/index.html', 'zh-CN/index.html']) {
      await page.goto(fileUrl(rel));
      const t = await page.evaluate(() => {
        const a = document.querySelector('.book-title');
        const cs = getComputedStyle(a);
        return { sw: a.scrollWidth, cw: a.clientWidth, sh: a.scrollHeight, ch: a.clientHeight, overflow: cs.textOverflow, text: a.textContent };
      });
      assert.ok(t.sw <= t.cw && t.sh <= t.ch, `${rel}: "${t.text}" is cut (${t.sw}x${t.sh} in ${t.cw}x${t.ch})`);
      assert.notEqual(t.overflow, 'ellipsis', `${rel}: the title may end in an ellipsis`);
    }
    await page.close();
  });

  test('inline code breaks only between words, never inside one', T, async () => {
    const page = await phone.newPage();
    for (const rel of PAGES) {
      await page.goto(fileUrl(rel));
      const broken = await page.evaluate(() => {
        const out = [];
        for (const code of document.querySelectorAll('.content :not(pre) > code')) {
          // The code's text nodes, and where each starts in its text.
          const nodes = [];
          const walk = document.createTreeWalker(code, NodeFilter.SHOW_TEXT);
          let text = '';
          for (let n; (n = walk.nextNode());) { nodes.push([n, text.length]); text += n.data; }
          const at = (i, end) => {
            const hit = nodes.filter(([n, o]) => o <= i && (end ? i <= o + n.data.length : i < o + n.data.length)).pop();
            return [hit[0], i - hit[1]];
          };
          const re = /\S+/g;
          let m;
          while ((m = re.exec(text))) {
            if (m[0].length > 40) continue; // wider than the column: it must break somewhere
            const r = document.createRange();
            r.setStart(...at(m.index, false));
            r.setEnd(...at(m.index + m[0].length, true));
            const tops = new Set([...r.getClientRects()].filter((x) => x.width > 0).map((x) => Math.round(x.top)));
            if (tops.size > 1) out.push(m[0]);
          }
        }
        return out;
      });
      assert.deepEqual(broken, [], `${rel}: inline code split across lines`);
    }
    await page.close();
  });

  test('switching language lands on the same section', T, async () => {
    const page = await phone.newPage();
    // Step 4 of task 3, and a generated check step, both ways.
    await page.goto(fileUrl('en/task3.html') + '#step-4-list-the-images');
    await page.locator('.langs a[hreflang="zh-CN"]').click();
    await page.waitForURL(/zh-CN\/task3\.html#/, { timeout: 5000 });
    assert.equal(decodeURIComponent(new URL(page.url()).hash), '#步骤-4-查看镜像');
    await page.goto(fileUrl('zh-CN/task3.html') + '#check-tag');
    await page.locator('.langs a[hreflang="en"]').click();
    await page.waitForURL(/en\/task3\.html#/, { timeout: 5000 });
    assert.equal(new URL(page.url()).hash, '#check-tag');
    await page.goto(fileUrl('zh-CN/task3.html') + '#' + encodeURIComponent('常见错误'));
    await page.locator('.langs a[hreflang="en"]').click();
    await page.waitForURL(/en\/task3\.html#/, { timeout: 5000 });
    assert.equal(new URL(page.url()).hash, '#common-mistakes');
    await page.close();
  });

  test('the root index.html has its <title> in the page\'s language', () => {
    const html = read('index.html');
    const lang = /<html lang="([^"]+)"/.exec(html)[1];
    const title = /<title>([^<]*)<\/title>/.exec(html)[1];
    const own = /<title>([^<]*)<\/title>/.exec(read(`${lang}/index.html`))[1];
    assert.equal(title, own, `root page (lang=${lang}) titled "${title}", its own language's home page "${own}"`);
    if (lang === 'zh-CN') assert.match(title, /\p{Script=Han}/u, `"${title}" under lang="zh-CN"`);
  });

  test('"Check your work" never repeats what the lesson\'s own section already says', () => {
    for (const lang of ['en', 'zh-CN']) {
      for (const id of taskIds) {
        const html = read(`${lang}/${id}.html`);
        const blocks = html.match(/<code class="language-bash">[^<]*<\/code>/g) || [];
        const runs = blocks.filter((b) => new RegExp(`(^|>|\\n)lab check ${id}(\\n|<)`).test(b));
        assert.equal(runs.length, 1, `${lang}/${id}: \`lab check ${id}\` shown in ${runs.length} code blocks`);
        // The generated part under the lesson's own heading adds the steps
        // only: the lesson's section already says what to run.
        const own = /<h2 id="[^"]*">(Check your work|检查你的成果)/.test(html);
        const generated = /<section class="check"[^>]*>([\s\S]*?)<\/section>/.exec(html)[1];
        if (own) assert.doesNotMatch(generated, /class="check-run"|lab check /, `${lang}/${id}: the generated part repeats the command`);
        const heads = html.match(/<h2[^>]*>(Check your work|检查你的成果)/g) || [];
        assert.equal(heads.length, 1, `${lang}/${id}: ${heads.length} "Check your work" headings`);
      }
    }
  });

  test('screenshots at 390 px (tests/book/out/)', T, async () => {
    const page = await phone.newPage();
    for (const rel of ['en/task3.html', 'zh-CN/task3.html']) {
      await page.goto(fileUrl(rel));
      const tag = rel.replace(/\W+/g, '-');
      await shot(page, `phone-${tag}-top`);
      await page.evaluate(() => document.querySelectorAll('.code-block')[3]?.scrollIntoView({ block: 'center' }));
      await shot(page, `phone-${tag}-code`);
      await page.evaluate(() => document.querySelector('.check')?.scrollIntoView());
      await shot(page, `phone-${tag}-check`);
    }
    await page.close();
  });
});
