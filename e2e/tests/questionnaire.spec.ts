// The questionnaire (予診票) end to end on a 360 x 800 phone, against the real backend:
// a parent logs in through the Mynaportal simulator as their child's proxy, fills in the infant
// form in Vietnamese, loses the connection half-way and keeps typing, closes the tab, comes back
// online, resumes at the same section with every answer, sends it, and the print view shows the
// answers in Japanese. Also: the fill's duration and how fast each interaction responds, axe on
// every screen in every shipped language, keyboard-only completion, and no horizontal scrolling
// at 200 % zoom.
import { test, expect, type Page, type TestInfo, type APIRequestContext, type BrowserContext } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const LANGS = ['ja', 'en', 'vi', 'zh-Hans', 'ko', 'pt-BR'] as const;
const FORM = 'infant_general';

test.use({ viewport: { width: 360, height: 800 } });

/** The shipped texts of the infant form in `lang`, as the app gets them from the API. */
function texts(lang: string): Record<string, string> {
  const file = join(__dirname, '..', '..', 'functions', 'domain', 'data', 'questionnaires', FORM, `${lang}.json`);
  return JSON.parse(readFileSync(file, 'utf8')).texts;
}
const JA = texts('ja');
const VI = texts('vi');

async function expectNoAxeViolations(page: Page, where: string) {
  const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  const violations = results.violations.map(
    (v) => `${where}: ${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
  );
  expect(violations).toEqual([]);
}

async function screenshot(page: Page, testInfo: TestInfo, name: string) {
  const path = testInfo.outputPath(name);
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach(name, { path, contentType: 'image/png' });
}

/** Logs in through the simulator as the demo parent, as the proxy of their children. */
async function logInAsProxy(page: Page) {
  await page.goto('/');
  await page.getByRole('link', { name: 'マイナポータルでログイン' }).click();
  await page.waitForURL(/\/sim\/mynaportal\//);
  await page.getByRole('button', { name: /代理人として/ }).first().click();
  await page.waitForURL(/\/records$/);
}

interface Person {
  handle: string;
  relation: 'self' | 'proxy';
  name: string;
}

/** The first child (proxy entry) for whom the infant form can be filled in now. */
async function childWithInfantForm(request: APIRequestContext): Promise<Person> {
  const people: Person[] = (await (await request.get('/api/resident/people')).json()).people;
  for (const person of people.filter((p) => p.relation === 'proxy')) {
    const list = await (await request.get(`/api/resident/people/${person.handle}/questionnaires`)).json();
    if (list.fillable.some((f: { setting: string }) => f.setting === FORM)) return person;
  }
  throw new Error('the demo parent has no child who can fill in the infant form now');
}

/** Withdraws an open draft of the infant form, so each test starts its own. */
async function withdrawOpenDraft(request: APIRequestContext, person: Person) {
  const list = await (await request.get(`/api/resident/people/${person.handle}/questionnaires`)).json();
  const draft = list.fillable.find((f: { setting: string }) => f.setting === FORM)?.open_draft;
  if (!draft) return;
  const path = `/api/resident/people/${person.handle}/responses/${draft}`;
  const { version } = await (await request.get(path)).json();
  const done = await request.post(`${path}/withdraw`, {
    data: { version },
    headers: { 'x-requested-with': 'sesshu' },
  });
  expect(done.ok()).toBeTruthy();
}

/** From the resident app to the child's questionnaires, starting a new infant form. */
async function startInfantForm(page: Page, child: Person, startLabel = '入力を始める') {
  // The resident header says 予診票を入力する, the forms header 予診票.
  await page.getByRole('navigation').getByRole('link', { name: /^予診票/ }).click();
  await page.waitForURL(/\/forms/);
  // With one person the list forwards to them; with several the person is chosen.
  const card = page.getByRole('link', { name: nameRe(child.name) }).first();
  await Promise.race([card.waitFor(), page.waitForURL(/\/forms\/[^/]+$/)]);
  if (!/\/forms\/[^/]+$/.test(page.url())) await card.click();
  await page.waitForURL(/\/forms\/[^/]+$/);
  await expect(page.getByText(nameRe(child.name, 'さんの予診票'))).toBeVisible();
  const form = page.locator('li.qn-fillable').filter({ hasText: JA.title });
  await form.getByRole('button', { name: startLabel }).click();
  await page.waitForURL(/\/forms\/[^/]+\/[^/]+$/);
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
}

/** A name as the page shows it: the full-width space between surname and given name may be
 * collapsed into any whitespace. */
const nameRe = (name: string, suffix = '') => new RegExp(name.split(/\s+/).join('\\s+') + suffix);

const no = (page: Page, item: string) => page.locator(`#q-${item}-no`);
const yes = (page: Page, item: string) => page.locator(`#q-${item}`);

/** Records every interaction's Event Timing (input to next paint) in every page from its load on. */
async function recordInteractions(context: BrowserContext) {
  await context.addInitScript(() => {
    const w = window as unknown as {
      __interactions: { name: string; duration: number }[];
      __targets: Map<number, string>;
    };
    w.__interactions = [];
    // What each pointer or key event hit, by its time stamp: the target may be gone (replaced
    // by the next screen) when the browser reports the event's timing.
    w.__targets = new Map();
    const describe = (t: EventTarget | null) => {
      const el = t as HTMLElement | null;
      if (!el || !el.tagName) return '?';
      const text = (el.textContent ?? '').trim().slice(0, 20);
      return `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${text ? ' "' + text + '"' : ''}`;
    };
    for (const type of ['pointerdown', 'keydown']) {
      addEventListener(type, (e) => w.__targets.set(Math.round(e.timeStamp), describe(e.target)), true);
    }
    new PerformanceObserver((list) => {
      for (const e of list.getEntries() as PerformanceEventTiming[]) {
        if (!e.interactionId || (e.name !== 'pointerdown' && e.name !== 'keydown')) continue;
        const what = w.__targets.get(Math.round(e.startTime)) ?? describe(e.target);
        w.__interactions.push({ name: `${e.name} ${what}`, duration: e.duration });
      }
    }).observe({ type: 'event', durationThreshold: 16, buffered: true } as PerformanceObserverInit);
  });
}

async function interactions(page: Page): Promise<{ name: string; duration: number }[]> {
  return page.evaluate(() => (window as unknown as { __interactions: { name: string; duration: number }[] }).__interactions ?? []);
}

/**
 * Presses the form's submit button (Next / Review) in the page and measures the time from the
 * click to the frame after the next section's heading is in the document.
 */
async function timedNext(page: Page): Promise<number> {
  const ms = await page.evaluate(async () => {
    const button = document.querySelector<HTMLButtonElement>('.qn-nav__next');
    const before = document.querySelector('#main h1')?.textContent;
    if (!button) throw new Error('no next button');
    const start = performance.now();
    button.click();
    return await new Promise<number>((resolve, reject) => {
      const deadline = start + 5000;
      const check = () => {
        const now = document.querySelector('#main h1')?.textContent;
        if (now !== before) requestAnimationFrame(() => resolve(performance.now() - start));
        else if (performance.now() > deadline) reject(new Error('the next section did not appear'));
        else requestAnimationFrame(check);
      };
      check();
    });
  });
  return ms;
}

test('a parent fills in the infant form in Vietnamese, survives going offline and a closed tab, sends it and prints it in Japanese', async ({ page, context }, testInfo) => {
  test.setTimeout(240_000);
  await recordInteractions(context);
  await logInAsProxy(page);
  const child = await childWithInfantForm(page.request);
  await withdrawOpenDraft(page.request, child);

  const started = Date.now();
  const transitions: number[] = [];
  await startInfantForm(page, child);
  const formUrl = page.url();

  // The form language: Vietnamese. The page around it follows in English.
  await page.getByLabel('予診票の言語').selectOption('vi');
  await expect(page.locator('.qn-title')).toHaveText(VI.title);
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(VI['section.about']);
  // No vaccine chosen yet: the section on today's vaccines is not shown.
  await expect(page.getByText('1 / 5')).toBeVisible();
  await expect(page.getByText(nameRe('Questionnaires for ' + child.name))).toBeVisible();

  // Section 1: conditions and as-typed messages.
  const temperature = page.getByLabel(VI['item.temperature']);
  await temperature.fill('43');
  await temperature.blur();
  await expect(page.locator('#q-temperature-error')).toContainText('Enter a number from 35.0 to 42.0');
  await temperature.fill('36,5');
  await expect(page.locator('#q-temperature-error')).toHaveCount(0);
  await page.getByLabel(VI['option.vaccines_today.mr']).check();
  await expect(page.getByText('1 / 6')).toBeVisible();
  await yes(page, 'read_leaflet').check();
  await expect(page.getByRole('status').filter({ hasText: /^Saved$/ })).toBeVisible();
  transitions.push(await timedNext(page));

  // Section 2.
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(VI['section.development']);
  await page.getByLabel(VI['item.birth_weight']).fill('3120');
  for (const item of ['delivery_abnormal', 'neonatal_abnormal', 'checkup_abnormal']) await no(page, item).check();
  transitions.push(await timedNext(page));

  // Section 3: Next without answers lists what to correct, then the answers.
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(VI['section.health']);
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page.locator('#error-summary')).toBeFocused();
  await expect(page.locator('#error-summary li')).toHaveCount(4);
  await expect(page.locator('#q-unwell_today-error')).toHaveText('This question is required; answer it');
  for (const item of ['unwell_today', 'ill_last_month', 'infection_contact', 'vaccinated_last_month']) await no(page, item).check();
  await expect(page.locator('#error-summary')).toHaveCount(0);
  await expect(page.getByRole('status').filter({ hasText: /^Saved$/ })).toBeVisible();

  // Half-way: the connection goes, the person keeps going.
  await context.setOffline(true);
  transitions.push(await timedNext(page));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(VI['section.history']);
  await expect(page.getByText('4 / 6')).toBeVisible();
  await yes(page, 'convulsion').check();
  // A follow-up question appears for "yes", with the detail box.
  await expect(page.getByRole('group', { name: VI['item.convulsion_fever'] })).toBeVisible();
  await page.getByLabel(VI['item.convulsion.detail']).fill('1 tuổi 3 tháng');
  await no(page, 'convulsion_fever').check();
  await yes(page, 'allergy').check();
  await page.getByLabel(VI['item.allergy.detail']).fill('trứng');
  await no(page, 'chronic_condition').check();
  await expect(page.getByRole('status').filter({ hasText: 'No connection: saved on this device' })).toBeVisible();

  // The tab is closed while offline; later, online again, the form is opened anew.
  const timedBefore = await interactions(page);
  await page.close();
  await context.setOffline(false);
  const again = await context.newPage();
  await again.goto(formUrl);
  await expect(again.getByText('We restored what you had entered on this device.')).toBeVisible();
  await expect(again.getByRole('heading', { level: 1 })).toHaveText(VI['section.history']);
  await expect(again.locator('.qn-title')).toHaveText(VI.title);
  await expect(yes(again, 'convulsion')).toBeChecked();
  await expect(no(again, 'convulsion_fever')).toBeChecked();
  await expect(again.getByLabel(VI['item.convulsion.detail'])).toHaveValue('1 tuổi 3 tháng');
  await expect(again.getByLabel(VI['item.allergy.detail'])).toHaveValue('trứng');
  await expect(no(again, 'chronic_condition')).toBeChecked();
  // …and the restored answers reach the server.
  await expect(again.getByRole('status').filter({ hasText: /^Saved$/ })).toBeVisible();

  for (const item of ['family_immunodeficiency', 'vaccine_reaction', 'family_vaccine_reaction', 'transfusion', 'questions_today']) {
    await no(again, item).check();
  }
  transitions.push(await timedNext(again));

  // MR today: the question on immunosuppressive medicines, and only that one.
  await expect(again.getByRole('heading', { level: 1 })).toHaveText(VI['section.vaccine_specific']);
  await expect(again.locator('.qn-item')).toHaveCount(1);
  await no(again, 'immunosuppressant').check();
  transitions.push(await timedNext(again));

  // Consent by the guardian, signed with a name.
  await expect(again.getByRole('heading', { level: 1 })).toHaveText(VI['section.consent']);
  await again.getByLabel(VI['item.consent.agree'], { exact: true }).check();
  await again.getByLabel(VI['item.consent.signer_name']).fill('山田 花子');
  transitions.push(await timedNext(again));

  // Review, with the doctor's part read-only, then send.
  await expect(again.getByRole('heading', { level: 1, name: 'Check your answers' })).toBeVisible();
  await expect(again.locator('.qn-answers').first()).toContainText('36.5 ℃');
  await expect(again.locator('.qn-review--doctor')).toContainText(VI['item.doctor_name']);
  await again.getByRole('button', { name: 'Send', exact: true }).click();
  await expect(again.getByRole('heading', { level: 1, name: 'Sent' })).toBeVisible();
  const fillSeconds = (Date.now() - started) / 1000;
  await expect(again.getByText('Valid until (forced expiry)')).toBeVisible();
  await screenshot(again, testInfo, 'done-360x800.png');

  // The printable form: Japanese whatever the form's language, A4.
  await again.getByRole('link', { name: 'Printable form' }).click();
  await again.waitForURL(/\/print$/);
  const paper = again.locator('article.paper');
  await expect(paper).toHaveAttribute('lang', 'ja');
  await expect(paper.getByRole('heading', { level: 1 })).toHaveText(JA.title);
  await expect(paper).toContainText(nameRe(child.name));
  await expect(paper.getByRole('row', { name: new RegExp(JA['item.temperature']) })).toContainText('36.5 ℃');
  await expect(paper.getByRole('row', { name: new RegExp(JA['item.convulsion'].slice(0, 10)) })).toContainText('☑はい');
  await expect(paper.getByRole('row', { name: new RegExp(JA['item.allergy'].slice(0, 10)) })).toContainText('（trứng）');
  await expect(paper.getByRole('row', { name: new RegExp(JA['item.unwell_today']) })).toContainText('☑いいえ');
  await expect(paper.getByRole('row', { name: new RegExp(JA['item.intussusception']) })).toContainText('該当しない');
  await expect(paper.locator('.paper__agreement')).toContainText(`☑${JA['item.consent.agree']}`);
  await expect(paper.locator('.paper__signature')).toContainText('山田 花子');
  await expect(paper.locator('.paper__doctor')).toContainText('☐実施できる');
  await expect(paper).not.toContainText(VI['item.temperature']);
  await expectNoAxeViolations(again, 'print');
  await screenshot(again, testInfo, 'print-360x800.png');
  await again.emulateMedia({ media: 'print' });
  const pdf = await again.pdf({ format: 'A4', printBackground: true });
  await testInfo.attach('questionnaire-a4.pdf', { body: pdf, contentType: 'application/pdf' });
  const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length;
  expect(pages).toBeGreaterThanOrEqual(1);
  expect(pages).toBeLessThanOrEqual(2);

  // Measurements: the whole scripted fill, section changes, and every interaction (Event
  // Timing: input to next paint; only those of 16 ms or more are reported by the browser).
  const timed = [...timedBefore, ...(await interactions(again))];
  const slowest = Math.max(0, ...timed.map((t) => t.duration));
  const report = {
    fill_seconds: Number(fillSeconds.toFixed(1)),
    section_change_ms: transitions.map((t) => Math.round(t)),
    section_change_max_ms: Math.round(Math.max(...transitions)),
    interactions_over_16ms: timed.length,
    interaction_max_ms: Math.round(slowest),
    slowest_interactions: [...timed].sort((a, b) => b.duration - a.duration).slice(0, 12).map((t) => `${t.name} ${Math.round(t.duration)}`),
    pdf_pages: pages,
  };
  console.log(`questionnaire timings: ${JSON.stringify(report)}`);
  testInfo.annotations.push({ type: 'timings', description: JSON.stringify(report) });
  expect(fillSeconds).toBeLessThan(180);
  expect(Math.max(...transitions)).toBeLessThan(100);
  // The 100 ms bar is for answering: the fields and the section buttons. Page changes (the
  // person card, the print link) fetch data and are reported above, not held to it, so the
  // test does not fail on a loaded machine's network stack.
  const answering = timed.filter((t) => /input#q-|button "(Next|Back|次へ|戻る|Tiếp|Quay)/.test(t.name));
  expect(Math.max(0, ...answering.map((t) => t.duration))).toBeLessThan(100);
});

test('a sent form can be corrected and withdrawn until it is used, and says so', async ({ page }) => {
  test.setTimeout(120_000);
  await logInAsProxy(page);
  const child = await childWithInfantForm(page.request);
  await withdrawOpenDraft(page.request, child);
  await startInfantForm(page, child);
  await fillWholeFormInJapanese(page);
  await page.getByRole('button', { name: '送信する', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: '送信しました' })).toBeVisible();
  await page.getByRole('link', { name: '予診票の一覧へ' }).click();

  const sent = page.locator('.record-card').filter({ hasText: '送信済み' }).first();
  await expect(sent).toContainText('強制失効日');
  await sent.click();
  await expect(page.getByText('送信済みです。強制失効日まで、医療機関で使えます。')).toBeVisible();
  await expectNoAxeViolations(page, 'sent');

  // A correction: the temperature, sent whole.
  await page.getByRole('button', { name: '修正する' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(JA['section.about']);
  await page.getByLabel(JA['item.temperature']).fill('36.8');
  await expect(page.getByRole('status').filter({ hasText: 'この端末に保存しました' })).toBeVisible();
  for (let step = 1; step <= 6; step++) {
    await expect(page.getByText(`${step} / 6`)).toBeVisible();
    await page.locator('.qn-nav__next').click();
  }
  await expect(page.getByRole('heading', { level: 1, name: '回答の確認' })).toBeVisible();
  await page.getByRole('button', { name: '修正を送信する' }).click();
  await expect(page.getByRole('heading', { level: 1, name: '修正を送信しました' })).toBeVisible();
  await page.getByRole('link', { name: '印刷用の表示' }).click();
  await expect(page.locator('article.paper').getByRole('row', { name: new RegExp(JA['item.temperature']) })).toContainText('36.8 ℃');

  // Withdrawn after a confirmation; then neither correctable nor withdrawable.
  await page.getByRole('link', { name: '予診票に戻る' }).click();
  await page.getByRole('button', { name: '取り下げる' }).click();
  const dialog = page.getByRole('dialog', { name: 'この予診票を取り下げますか' });
  await expect(dialog).toBeVisible();
  await expectNoAxeViolations(page, 'withdraw dialog');
  await dialog.getByRole('button', { name: '取り下げる' }).click();
  await expect(page.getByText('取り下げました。')).toBeVisible();
  await expect(page.getByRole('button', { name: '修正する' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: '取り下げる' })).toHaveCount(0);
  await expect(page.locator('.facts').getByText('取り下げ')).toBeVisible();
});

/** Answers every section in Japanese (no to everything, MR today, the guardian's consent). */
async function fillWholeFormInJapanese(page: Page) {
  await page.getByLabel(JA['item.temperature']).fill('36.6');
  await page.getByLabel(JA['option.vaccines_today.mr']).check();
  await yes(page, 'read_leaflet').check();
  await page.locator('.qn-nav__next').click();
  for (const item of ['delivery_abnormal', 'neonatal_abnormal', 'checkup_abnormal']) await no(page, item).check();
  await page.locator('.qn-nav__next').click();
  for (const item of ['unwell_today', 'ill_last_month', 'infection_contact', 'vaccinated_last_month']) await no(page, item).check();
  await page.locator('.qn-nav__next').click();
  for (const item of ['chronic_condition', 'convulsion', 'allergy', 'family_immunodeficiency', 'vaccine_reaction', 'family_vaccine_reaction', 'transfusion', 'questions_today']) {
    await no(page, item).check();
  }
  await page.locator('.qn-nav__next').click();
  await no(page, 'immunosuppressant').check();
  await page.locator('.qn-nav__next').click();
  await page.getByLabel(JA['item.consent.agree'], { exact: true }).check();
  await page.getByLabel(JA['item.consent.signer_name']).fill('山田 花子');
  await page.locator('.qn-nav__next').click();
  await expect(page.getByRole('heading', { level: 1, name: '回答の確認' })).toBeVisible();
}

test('axe finds no violations on any questionnaire screen in any shipped language at 360 x 800', async ({ page }, testInfo) => {
  test.setTimeout(300_000);
  await logInAsProxy(page);
  const child = await childWithInfantForm(page.request);
  await withdrawOpenDraft(page.request, child);

  // The resident header says 予診票を入力する, the forms header 予診票.
  await page.getByRole('navigation').getByRole('link', { name: /^予診票/ }).click();
  await page.waitForURL(/\/forms/);
  if (!/\/forms\/[^/]+$/.test(page.url())) await expectNoAxeViolations(page, 'people');
  await startInfantForm(page, child);
  // The list of problems and the field messages.
  await page.locator('.qn-nav__next').click();
  await expect(page.locator('#error-summary')).toBeVisible();
  await expectNoAxeViolations(page, 'section with errors');
  await screenshot(page, testInfo, 'errors-360x800.png');
  await fillWholeFormInJapanese(page);

  for (const lang of LANGS) {
    await page.getByLabel(/予診票の言語|Form language/).selectOption(lang);
    await expect(page.locator('.qn-title')).toHaveText(texts(lang).title);
    await expectNoAxeViolations(page, `review ${lang}`);
    // Every section from the first, through Next, back to the review.
    await page.locator('.qn-review__change').first().click();
    for (let step = 1; step <= 6; step++) {
      await expect(page.getByText(`${step} / 6`)).toBeVisible();
      await expectNoAxeViolations(page, `section ${step} ${lang}`);
      if (lang === 'vi' || lang === 'zh-Hans') await screenshot(page, testInfo, `section-${step}-${lang}-360x800.png`);
      await page.locator('.qn-nav__next').click();
    }
    await expect(page.locator('.qn-review').first()).toBeVisible();
  }

  // The person's list, in both UI languages.
  await page.getByLabel(/予診票の言語|Form language/).selectOption('ja');
  await page.goto(page.url().replace(/\/[^/]+$/, ''));
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await expect(page.locator('li.qn-fillable').first()).toBeVisible();
  for (const ui of ['日本語', 'English']) {
    await page.getByRole('button', { name: ui }).click();
    await expectNoAxeViolations(page, `person list ${ui}`);
  }
  await screenshot(page, testInfo, 'person-list-360x800.png');
});

test('the form can be completed with the keyboard alone', async ({ page }) => {
  test.setTimeout(180_000);
  await logInAsProxy(page);
  const child = await childWithInfantForm(page.request);
  await withdrawOpenDraft(page.request, child);
  await startInfantForm(page, child);

  /** Presses Tab until `selector` has focus (at most 40 times). */
  async function tabTo(selector: string) {
    for (let i = 0; i < 40; i++) {
      if (await page.locator(selector).evaluate((el) => el === document.activeElement)) return;
      await page.keyboard.press('Tab');
    }
    throw new Error(`Tab never reached ${selector}`);
  }
  /** A yes/no answer: Tab into the group, Space for yes, → for no (radio buttons). */
  async function answer(item: string, value: 'yes' | 'no') {
    await tabTo(`#q-${item}`);
    await page.keyboard.press(value === 'yes' ? 'Space' : 'ArrowRight');
    await expect(value === 'yes' ? yes(page, item) : no(page, item)).toBeChecked();
  }
  async function next(heading: string) {
    await tabTo('.qn-nav__next');
    await page.keyboard.press('Enter');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(heading);
    await expect(page.getByRole('heading', { level: 1 })).toBeFocused();
  }

  await tabTo('#q-temperature');
  await page.keyboard.type('36.7');
  await tabTo('#q-vaccines_today-mr');
  await page.keyboard.press('Space');
  await expect(page.locator('#q-vaccines_today-mr')).toBeChecked();
  await answer('read_leaflet', 'yes');
  await next(JA['section.development']);
  for (const item of ['delivery_abnormal', 'neonatal_abnormal', 'checkup_abnormal']) await answer(item, 'no');
  await next(JA['section.health']);
  for (const item of ['unwell_today', 'ill_last_month', 'infection_contact', 'vaccinated_last_month']) await answer(item, 'no');
  await next(JA['section.history']);
  await answer('chronic_condition', 'no');
  await answer('convulsion', 'yes');
  await tabTo('#q-convulsion-detail');
  await page.keyboard.type('1歳3か月頃');
  await answer('convulsion_fever', 'yes');
  for (const item of ['allergy', 'family_immunodeficiency', 'vaccine_reaction', 'family_vaccine_reaction', 'transfusion', 'questions_today']) {
    await answer(item, 'no');
  }
  await next(JA['section.vaccine_specific']);
  await answer('immunosuppressant', 'no');
  await next(JA['section.consent']);
  await tabTo('#q-consent');
  await page.keyboard.press('Space');
  await tabTo('#q-consent-name');
  await page.keyboard.type('山田 花子');
  // Enter in the last field sends the section, as in any form.
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: '回答の確認' })).toBeFocused();
  await tabTo('.qn-send .button--primary');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: '送信しました' })).toBeVisible();
});

test('at 200 % zoom (a 720 px wide viewport) no questionnaire screen scrolls sideways', async ({ page }) => {
  test.setTimeout(180_000);
  // A 1440 px wide window at 200 % lays pages out in 720 CSS pixels.
  await page.setViewportSize({ width: 720, height: 450 });
  await logInAsProxy(page);
  const child = await childWithInfantForm(page.request);
  await withdrawOpenDraft(page.request, child);
  const noSidewaysScroll = async (where: string) => {
    const widths = await page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      client: document.documentElement.clientWidth,
    }));
    expect(widths.scroll, where).toBeLessThanOrEqual(widths.client);
  };
  await startInfantForm(page, child);
  await page.getByLabel('予診票の言語').selectOption('pt-BR');
  await expect(page.locator('.qn-title')).toHaveText(texts('pt-BR').title);
  await noSidewaysScroll('section 1');
  // A form language other than Japanese switches the buttons to English.
  await page.getByLabel(/予診票の言語|Form language/).selectOption('ja');
  await page.getByRole('button', { name: '日本語' }).click();
  await fillWholeFormInJapanese(page);
  await noSidewaysScroll('review');
  await page.getByRole('button', { name: '送信する', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: '送信しました' })).toBeVisible();
  await noSidewaysScroll('done');
  await page.getByRole('link', { name: '印刷用の表示' }).click();
  await expect(page.locator('article.paper')).toBeVisible();
  await noSidewaysScroll('print');
  await page.getByRole('link', { name: '予診票に戻る' }).click();
  await expect(page.getByText('送信済みです。')).toBeVisible();
  await noSidewaysScroll('sent');
});
