import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { approvedListing, freshName, hydrated, sellerAdminBuyer } from './helpers';

/**
 * Each context's peer connections, for reading their statistics: the page
 * keeps its own out of reach, so the constructor is wrapped before any
 * script of the site runs.
 */
async function trackPeerConnections(context: BrowserContext) {
  await context.addInitScript(() => {
    const Native = window.RTCPeerConnection;
    const all: RTCPeerConnection[] = [];
    (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs = all;
    // What each connection did, in order: read by `rtcReport` when a picture does not play.
    const log: string[] = [];
    (window as unknown as { __rtcLog: string[] }).__rtcLog = log;
    const t0 = performance.now();
    const note = (n: number, what: string) =>
      log.push(`${Math.round(performance.now() - t0)}ms pc${n} ${what}`);
    window.RTCPeerConnection = class extends Native {
      constructor(config?: RTCConfiguration) {
        super(config);
        const n = all.push(this);
        note(n, 'created');
        this.addEventListener('icecandidate', (e) => note(n, `local candidate ${e.candidate?.candidate ?? 'end'}`));
        this.addEventListener('negotiationneeded', () => note(n, 'negotiationneeded'));
        this.addEventListener('signalingstatechange', () => note(n, `signaling ${this.signalingState}`));
        this.addEventListener('iceconnectionstatechange', () => note(n, `ice ${this.iceConnectionState}`));
        this.addEventListener('icegatheringstatechange', () => note(n, `gathering ${this.iceGatheringState}`));
        const wrap = (name: 'setLocalDescription' | 'setRemoteDescription' | 'addIceCandidate') => {
          const native = this[name].bind(this) as (...a: unknown[]) => Promise<void>;
          (this as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => {
            const arg = args[0] as { type?: string; candidate?: string } | undefined;
            const what = `${name}(${arg?.type ?? arg?.candidate ?? ''})`;
            return native(...args).then(
              () => void note(n, `${what} ok`),
              (e: unknown) => {
                note(n, `${what} failed: ${e}`);
                throw e;
              },
            );
          };
        };
        wrap('setLocalDescription');
        wrap('setRemoteDescription');
        wrap('addIceCandidate');
      }
    } as typeof RTCPeerConnection;
  });
}

/** Video frames this page has decoded from the other side, over its open connections. */
async function framesDecoded(page: Page): Promise<number> {
  return page.evaluate(async () => {
    let total = 0;
    const pcs = (window as unknown as { __pcs?: RTCPeerConnection[] }).__pcs ?? [];
    for (const pc of pcs) {
      if (pc.connectionState === 'closed') continue;
      const stats = await pc.getStats();
      stats.forEach((s) => {
        if (s.type === 'inbound-rtp' && s.kind === 'video') total += s.framesDecoded ?? 0;
      });
    }
    return total;
  });
}

/**
 * How this page's connections stand (states, and what each sent and
 * received): printed when a picture does not play, to tell a stalled
 * sender from a broken connection.
 */
async function rtcReport(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const pcs = (window as unknown as { __pcs?: RTCPeerConnection[] }).__pcs ?? [];
    const lines = [];
    for (const pc of pcs) {
      const rtp: string[] = [];
      if (pc.connectionState !== 'closed') {
        (await pc.getStats()).forEach((s) => {
          if (s.type === 'inbound-rtp' || s.type === 'outbound-rtp') {
            rtp.push(
              `${s.type}/${s.kind} packets=${s.packetsReceived ?? s.packetsSent} ` +
                `frames=${s.framesDecoded ?? s.framesEncoded ?? '-'}`,
            );
          }
        });
      }
      lines.push(
        `pc ${pc.connectionState} ice=${pc.iceConnectionState} signaling=${pc.signalingState} ` +
          `transceivers=${pc.getTransceivers().map((t) => `${t.mid}:${t.currentDirection}`).join(',')} ` +
          rtp.join('; '),
      );
    }
    const video = document.querySelector<HTMLVideoElement>('[data-testid=remote-video]');
    lines.push(`remote video ${video?.videoWidth}x${video?.videoHeight} paused=${video?.paused}`);
    lines.push(...((window as unknown as { __rtcLog?: string[] }).__rtcLog ?? []));
    return lines.join('\n');
  });
}

/** The remote `<video>` shows a picture, and the picture moves. */
async function remotePlays(page: Page, other: Page) {
  const video = page.getByTestId('remote-video');
  const report = async () =>
    `this side:\n${await rtcReport(page)}\nthe other side:\n${await rtcReport(other)}`;
  try {
    await expect
      .poll(() => video.evaluate((v: HTMLVideoElement) => v.videoWidth), { timeout: 20_000 })
      .toBeGreaterThan(0);
    const first = await framesDecoded(page);
    await expect.poll(() => framesDecoded(page), { timeout: 10_000 }).toBeGreaterThan(first);
  } catch (error) {
    throw new Error(`${error}\n${await report()}`);
  }
}

/** A seller, an admin and a buyer, each in a context of their own with camera and microphone. */
const people = (browser: Browser) =>
  sellerAdminBuyer(browser, { permissions: ['camera', 'microphone'] }, trackPeerConnections);

/** The buyer's conversation with the listing's seller ("Message seller"): its public id. */
async function openConversation(buyer: Page, listing: number): Promise<string> {
  const res = await buyer.request.post('/api/chat/open', {
    form: { listing: String(listing) },
    headers: { Accept: 'application/json' },
    maxRedirects: 0,
  });
  expect(res.status(), await res.text()).toBeLessThan(400);
  const location = res.headers()['location'];
  const id: string = location ? location.split('/').pop()! : await res.json();
  expect(id).toMatch(/^[\w-]+$/);
  return id;
}

test('a video call: the other side rings anywhere, both pictures play, mute and camera off show across, hang-up ends it for both', async ({ browser }) => {
  test.setTimeout(120_000);
  const { contexts, seller, admin, buyer } = await people(browser);
  const title = `Turntable ${freshName('tt')}`;
  const id = await approvedListing(seller, admin, title, 'fixed', '900');
  const conversation = await openConversation(buyer, id);
  const callPage = `/call/${conversation}`;

  // The seller is elsewhere in the app; the buyer opens the call page and calls.
  await seller.goto('/');
  await hydrated(seller);
  await buyer.goto(callPage);
  await hydrated(buyer);
  await expect(buyer.getByTestId('call-state')).toHaveText('No call right now');
  await buyer.getByRole('button', { name: 'Video call' }).click();
  await expect(buyer.getByTestId('call-state')).toHaveText('Calling…');
  // The buyer's own camera shows in the preview.
  await expect
    .poll(() => buyer.getByTestId('local-video').evaluate((v: HTMLVideoElement) => v.videoWidth))
    .toBeGreaterThan(0);

  // The seller's ringing notice: Answer leads to the call page and answers.
  const ring = seller.getByTestId('ring');
  await expect(ring).toContainText(title);
  await ring.getByRole('button', { name: 'Answer' }).click();
  await expect(seller).toHaveURL(new RegExp(`${callPage}\\?answer=1$`));
  await expect(seller.getByTestId('call-state')).toHaveText('Connected');
  await expect(buyer.getByTestId('call-state')).toHaveText('Connected');
  await expect(seller.getByTestId('ring')).toHaveCount(0);

  // Each side's remote video really plays.
  await remotePlays(buyer, seller);
  await remotePlays(seller, buyer);

  // Mute and camera off are shown on the other side.
  await buyer.getByRole('button', { name: 'Mute' }).click();
  await expect(buyer.getByRole('button', { name: 'Mute' })).toHaveAttribute('aria-pressed', 'true');
  await expect(seller.getByTestId('remote-muted')).toBeVisible();
  await seller.getByRole('button', { name: 'Camera off' }).click();
  await expect(buyer.getByTestId('remote-camera-off')).toBeVisible();
  await buyer.getByRole('button', { name: 'Mute' }).click();
  await expect(seller.getByTestId('remote-muted')).toHaveCount(0);

  // Hang up: it ends on both sides, and the cameras go off.
  await buyer.getByRole('button', { name: 'Hang up' }).click();
  for (const page of [buyer, seller]) {
    await expect(page.getByTestId('call-state')).toContainText('Call ended');
    await expect(page.getByRole('button', { name: 'Hang up' })).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'Video call' })).toBeVisible();
    await expect
      .poll(() => page.getByTestId('local-video').evaluate((v: HTMLVideoElement) => v.srcObject === null))
      .toBe(true);
  }

  for (const c of contexts) await c.close();
});

test('a declined call ends for the caller, and strangers cannot open the call page', async ({ browser }) => {
  const { contexts, seller, admin, buyer } = await people(browser);
  const id = await approvedListing(seller, admin, `Radio ${freshName('rd')}`, 'fixed', '500');
  const conversation = await openConversation(buyer, id);

  await seller.goto('/');
  await hydrated(seller);
  await buyer.goto(`/call/${conversation}`);
  await hydrated(buyer);
  await buyer.getByRole('button', { name: 'Video call' }).click();
  await seller.getByTestId('ring').getByRole('button', { name: 'Decline' }).click();
  await expect(seller.getByTestId('ring')).toHaveCount(0);
  await expect(buyer.getByTestId('call-state')).toHaveText('Call ended · Declined');

  // The admin is no member of the conversation.
  const res = await admin.goto(`/call/${conversation}`);
  expect(res!.status()).toBe(404);
  for (const c of contexts) await c.close();
});
