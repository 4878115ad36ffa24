// TOTP codes for the demo staff accounts (RFC 6238, SHA-1, 6 digits, 30 s), computed from the
// secrets the local server writes to <data dir>/simulators/demo-staff.json: the e2e stand-in for
// an authenticator app.
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface DemoStaff {
  municipality: string;
  user_id: string;
  surface: string;
  password: string;
  totp_secret: string;
}

export function demoStaff(municipality: string, userId: string): DemoStaff {
  const dir = process.env.SESSHU_E2E_DATA ?? join(__dirname, '..', '..', '.sesshu', 'data');
  const all: DemoStaff[] = JSON.parse(readFileSync(join(dir, 'simulators', 'demo-staff.json'), 'utf8'));
  const found = all.find((s) => s.municipality === municipality && s.user_id === userId);
  if (!found) throw new Error(`no demo staff ${userId} in ${municipality}`);
  return found;
}

function base32Decode(text: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const c of text.replace(/=+$/, '').toUpperCase()) {
    const index = alphabet.indexOf(c);
    if (index < 0) throw new Error('not base32');
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((value >>> bits) & 0xff);
    }
  }
  return Buffer.from(out);
}

export function totpCode(base32Secret: string, epochSeconds = Date.now() / 1000): string {
  const step = Math.floor(epochSeconds / 30);
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const digest = createHmac('sha1', base32Decode(base32Secret)).update(counter).digest();
  const offset = digest[19] & 0x0f;
  const binary = digest.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 1_000_000).padStart(6, '0');
}

/** Waits until a fresh 30-second step starts, so a code is not refused as a replay. */
export async function nextStep(): Promise<void> {
  const now = Date.now() / 1000;
  const wait = (30 - (now % 30)) * 1000 + 200;
  await new Promise((resolve) => setTimeout(resolve, wait));
}

const lastStepUsed = new Map<string, number>();

/**
 * A login code that no earlier login of this test run has used. The server refuses a code whose
 * 30-second step was already used by the same account (replay protection), and spec files run
 * one after another in one worker, so two logins of one demo account can fall into one step:
 * then this waits for the next.
 */
export async function freshTotpCode(base32Secret: string): Promise<string> {
  let now = Date.now() / 1000;
  if ((lastStepUsed.get(base32Secret) ?? -1) >= Math.floor(now / 30)) {
    await nextStep();
    now = Date.now() / 1000;
  }
  lastStepUsed.set(base32Secret, Math.floor(now / 30));
  return totpCode(base32Secret, now);
}
