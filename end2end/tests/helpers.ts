import { expect, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const dataDir = process.env.HAGGLE_E2E_DATA!;

/** A username nobody has used in this run. */
export function freshName(prefix = 'user'): string {
  return `${prefix}${Date.now() % 10_000_000}${Math.floor(Math.random() * 90 + 10)}`;
}

/**
 * The page is hydrated: the header's live count shows (the socket is up),
 * and no request is still out. A split-out page's chunk may still be on its
 * way when the header already runs; its controlled fields then take their
 * server values back on hydration, over what a test typed meanwhile.
 */
export async function hydrated(page: Page) {
  await expect(page.getByTestId('online')).toHaveText(/./);
  // Bounded: a page that keeps asking (a pending top-up) never goes idle.
  await page.waitForLoadState('networkidle', { timeout: 5_000 }).catch(() => undefined);
}

/** Signs up through the English form; the browser is logged in afterwards, on /verify. */
export async function signUp(page: Page, name: string) {
  await page.goto('/signup');
  await hydrated(page);
  await page.getByLabel('Username').fill(name);
  await page.getByLabel('Nickname').fill(`Nick ${name}`);
  await page.getByLabel('Email').fill(`${name}@example.com`);
  await page.getByLabel('Password').fill('s3cret!pw');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/verify$/);
}

/** The 6-digit code in the newest message for `to` in the server's outbox. */
export function outboxCode(file: 'mail.jsonl' | 'sms.jsonl', to: string): string {
  const lines = readFileSync(join(dataDir, 'outbox', file), 'utf8').trim().split('\n');
  const message = lines.map((l) => JSON.parse(l)).reverse().find((m) => m.to === to);
  if (!message) throw new Error(`no message to ${to}`);
  const code = String(message.body).match(/\b\d{6}\b/);
  if (!code) throw new Error(`no code in ${message.body}`);
  return code[0];
}

/** Makes `name` an admin with the server binary's own subcommand. */
export function grantAdmin(name: string) {
  execFileSync('../target/release/haggle', ['admin', 'grant', name], {
    env: { ...process.env, HAGGLE_DATA_DIR: dataDir },
  });
}

/** A PNG drawn by the browser: a white ID card with `number` in a clear font. */
export async function cardImage(page: Page, number: string): Promise<Buffer> {
  const dataUrl = await page.evaluate((id) => {
    const canvas = document.createElement('canvas');
    canvas.width = 1000;
    canvas.height = 630;
    const g = canvas.getContext('2d')!;
    g.fillStyle = '#ffffff';
    g.fillRect(0, 0, canvas.width, canvas.height);
    g.fillStyle = '#111111';
    g.font = 'bold 44px "DejaVu Sans", Arial, sans-serif';
    g.fillText('IDENTITY CARD', 60, 110);
    g.font = '36px "DejaVu Sans", Arial, sans-serif';
    g.fillText('Name  CHEN MEI', 60, 230);
    g.fillText('Born  1990-01-01', 60, 300);
    g.font = 'bold 64px "DejaVu Sans Mono", "Courier New", monospace';
    g.fillText(id, 60, 470);
    return canvas.toDataURL('image/png');
  }, number);
  return Buffer.from(dataUrl.split(',')[1], 'base64');
}

/** A small coloured square PNG drawn by the browser, for an avatar. */
export async function squareImage(page: Page, colour: string): Promise<Buffer> {
  const dataUrl = await page.evaluate((fill) => {
    const canvas = document.createElement('canvas');
    canvas.width = 300;
    canvas.height = 200;
    const g = canvas.getContext('2d')!;
    g.fillStyle = fill;
    g.fillRect(0, 0, 300, 200);
    return canvas.toDataURL('image/png');
  }, colour);
  return Buffer.from(dataUrl.split(',')[1], 'base64');
}

/** Signs up and confirms the email with the mailed code; ends on the verified page. */
export async function signUpVerified(page: Page, name: string) {
  await signUp(page, name);
  await page.getByLabel('Code').fill(outboxCode('mail.jsonl', `${name}@example.com`));
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByTestId('email-verified')).toBeVisible();
}

/** A photo-like PNG of noise (so it does not compress away), drawn by the browser. */
export async function noisyPhoto(page: Page, hue: number): Promise<Buffer> {
  const dataUrl = await page.evaluate((h) => {
    const canvas = document.createElement('canvas');
    canvas.width = 900;
    canvas.height = 700;
    const g = canvas.getContext('2d')!;
    const img = g.createImageData(canvas.width, canvas.height);
    for (let i = 0; i < img.data.length; i += 4) {
      img.data[i] = (h + Math.random() * 60) % 256;
      img.data[i + 1] = Math.random() * 255;
      img.data[i + 2] = 255 - h;
      img.data[i + 3] = 255;
    }
    g.putImageData(img, 0, 0);
    return canvas.toDataURL('image/png');
  }, hue);
  return Buffer.from(dataUrl.split(',')[1], 'base64');
}

/** Creates and approves a live auction selling from `seller`; returns its id. */
export async function liveAuction(seller: Page, admin: Page, title: string): Promise<number> {
  const now = Date.now();
  const saved = await seller.request.post('/api/listing/save', {
    form: {
      'input[title]': title,
      'input[description]': 'Bid for it live.',
      'input[stock]': '1',
      'input[category]': 'games',
      'input[condition]': 'good',
      'input[meetup]': 'true',
      'input[area]': 'Taipei',
      'input[sale_mode]': 'auction',
      'input[start_price]': '1000',
      'input[starts_at]': String(now),
      'input[ends_at]': String(now + 6 * 60_000),
    },
  });
  expect(saved.ok(), await saved.text()).toBeTruthy();
  const { id } = await saved.json();
  const approved = await admin.request.post('/api/admin/review_listing', {
    form: { listing: String(id), approve: 'true', reason: '' },
  });
  expect(approved.ok(), await approved.text()).toBeTruthy();
  return id;
}

/** Creates and approves a listing sold at a fixed price (or taking offers) by `seller`; returns its id. */
export async function approvedListing(
  seller: Page,
  admin: Page,
  title: string,
  mode: 'fixed' | 'offers',
  price: string,
  stock = '1',
): Promise<number> {
  const saved = await seller.request.post('/api/listing/save', {
    form: {
      'input[title]': title,
      'input[description]': 'Meet me to see it.',
      'input[price]': price,
      'input[stock]': stock,
      'input[category]': 'games',
      'input[condition]': 'good',
      'input[meetup]': 'true',
      'input[meetup_place]': 'Taipei Main Station',
      'input[area]': 'Taipei',
      'input[sale_mode]': mode,
    },
  });
  expect(saved.ok(), await saved.text()).toBeTruthy();
  const { id } = await saved.json();
  const approved = await admin.request.post('/api/admin/review_listing', {
    form: { listing: String(id), approve: 'true', reason: '' },
  });
  expect(approved.ok(), await approved.text()).toBeTruthy();
  return id;
}

/** A `datetime-local` value `days` from now at 18:30, in the browser's zone. */
export function meetUpValue(days: number): string {
  const d = new Date(Date.now() + days * 86_400_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T18:30`;
}

/**
 * A seller, an admin and a buyer, each signed up in a context of their own
 * (made with `options`, then handed to `prepare` before its page opens).
 */
export async function sellerAdminBuyer(
  browser: Browser,
  options: BrowserContextOptions = {},
  prepare: (context: BrowserContext) => Promise<void> = async () => {},
) {
  const contexts = await Promise.all([1, 2, 3].map(() => browser.newContext(options)));
  for (const context of contexts) await prepare(context);
  const [seller, admin, buyer] = await Promise.all(contexts.map((c) => c.newPage()));
  const [sellerName, adminName, buyerName] = ['seller', 'admin', 'buyer'].map(freshName);
  for (const [page, name] of [[seller, sellerName], [admin, adminName], [buyer, buyerName]] as const) {
    await signUpVerified(page, name);
  }
  grantAdmin(adminName);
  return { contexts, seller, admin, buyer, buyerName };
}

/** An order's negotiation room, once its controls have the live socket. */
export async function openRoom(page: Page, url: string) {
  await page.goto(url);
  await hydrated(page);
  await expect(page.getByTestId('order-offline')).toBeHidden();
}

/**
 * In an open room: the seller proposes a meet-up time `days` ahead, the
 * buyer ticks all four terms and confirms, the seller confirms, and both
 * see the order established.
 */
export async function establish(buyer: Page, seller: Page, days: number) {
  const time = seller.getByTestId('term-time');
  await time.getByLabel('Meet-up time').fill(meetUpValue(days));
  await time.getByRole('button', { name: 'Save' }).click();
  await expect(buyer.getByTestId('term-time-value')).toContainText('18:30');
  for (const term of ['Quantity', 'Total price', 'Meet-up place', 'Meet-up time']) {
    await buyer.getByRole('checkbox', { name: term }).check();
    await expect(buyer.getByRole('checkbox', { name: term })).toBeChecked();
  }
  await buyer.getByRole('button', { name: 'Confirm' }).click();
  await expect(seller.getByTestId('order-status')).toHaveText("Waiting for the seller's confirmation");
  await seller.getByRole('button', { name: 'Confirm' }).click();
  await expect(seller.getByTestId('order-status')).toHaveText('Established');
  await expect(buyer.getByTestId('order-status')).toHaveText('Established');
}
