// Legal holds by case. The store has one hold flag per object; cases are the auditor's: which case
// holds which message is read back from the audited `hold-set`/`hold-cleared` events, so clearing one
// case's hold leaves the store's hold on while another case still holds the message. A hold covers
// the message and its sidecar. Clearing a hold only clears the flag: retention is never touched.
import type { AuditorEvent, AuditorStore } from "./store";

const CASE = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/;

export function checkCase(id: string | undefined): string {
  if (!id || !CASE.test(id)) throw new Error(`--case must name the legal matter: 1-128 letters, digits, ".", "_", ":", "/" or "-", starting with a letter or digit, got "${id ?? ""}"`);
  return id;
}

export interface HoldTarget {
  /** The message's key (`messages/…` or `quarantine/…`). */
  readonly key: string;
  readonly sha256: string;
}

const sidecarOf = (key: string) => key.replace(/^messages\//, "meta/").replace(/\.eml$/, ".json");

interface Membership {
  readonly sha256: string;
  readonly setBy: string;
  readonly setAt: string;
}

/** Which cases hold each message now, from the trail (message key → case → who set it, when). */
export async function holdsByKey(store: AuditorStore): Promise<Map<string, Map<string, Membership>>> {
  const held = new Map<string, Map<string, Membership>>();
  for await (const event of store.events()) {
    if (!event.key || !event.case) continue;
    if (event.action === "hold-set") {
      const cases = held.get(event.key) ?? new Map<string, Membership>();
      if (!cases.has(event.case)) cases.set(event.case, { sha256: event.sha256 ?? "", setBy: event.actor, setAt: event.at });
      held.set(event.key, cases);
    } else if (event.action === "hold-cleared") held.get(event.key)?.delete(event.case);
  }
  return held;
}

export interface HoldChange {
  readonly key: string;
  readonly sha256: string;
  /** What happened: `set`, `already` (this case held it), `cleared`, `kept` (another case still holds it), `not-held`. */
  readonly outcome: "set" | "already" | "cleared" | "kept" | "not-held";
  readonly otherCases: readonly string[];
}

/** Puts each message (and its sidecar) under the store's hold for `caseId`; each new hold audited once. */
export async function setHolds(store: AuditorStore, caseId: string, targets: readonly HoldTarget[]): Promise<HoldChange[]> {
  const held = await holdsByKey(store);
  const actor = await store.actor();
  const out: HoldChange[] = [];
  for (const target of targets) {
    const cases = held.get(target.key);
    const otherCases = [...(cases?.keys() ?? [])].filter((c) => c !== caseId);
    const state = await store.state(target.key);
    if (!state) throw new Error(`no object at ${target.key} in ${store.location}`);
    if (cases?.has(caseId) && state.legalHold) {
      out.push({ ...target, outcome: "already", otherCases });
      continue;
    }
    // The hold first: a hold the trail does not yet record keeps more, never less.
    await store.setLegalHold(target.key, true);
    if (await store.state(sidecarOf(target.key))) await store.setLegalHold(sidecarOf(target.key), true);
    if (!cases?.has(caseId)) {
      const event: AuditorEvent = { action: "hold-set", at: new Date().toISOString(), sha256: target.sha256, key: target.key, actor, case: caseId };
      await store.audit(event);
    }
    out.push({ ...target, outcome: "set", otherCases });
  }
  return out;
}

/**
 * Ends `caseId`'s hold on each message (all of the case's messages when `targets` is undefined). The
 * store's hold is cleared only when no other case holds the message. Audited before the flag is cleared:
 * a failure leaves the hold on, never an unaudited release.
 */
export async function clearHolds(store: AuditorStore, caseId: string, targets?: readonly HoldTarget[]): Promise<HoldChange[]> {
  const held = await holdsByKey(store);
  const actor = await store.actor();
  const chosen = targets ?? [...held.entries()].filter(([, cases]) => cases.has(caseId)).map(([key, cases]) => ({ key, sha256: cases.get(caseId)!.sha256 }));
  const out: HoldChange[] = [];
  for (const target of chosen) {
    const cases = held.get(target.key);
    const otherCases = [...(cases?.keys() ?? [])].filter((c) => c !== caseId);
    if (!cases?.has(caseId)) {
      out.push({ ...target, outcome: "not-held", otherCases });
      continue;
    }
    await store.audit({ action: "hold-cleared", at: new Date().toISOString(), sha256: target.sha256, key: target.key, actor, case: caseId });
    if (otherCases.length === 0) {
      await store.setLegalHold(target.key, false);
      if (await store.state(sidecarOf(target.key))) await store.setLegalHold(sidecarOf(target.key), false);
      out.push({ ...target, outcome: "cleared", otherCases });
    } else out.push({ ...target, outcome: "kept", otherCases });
  }
  return out;
}

export interface CaseHold {
  readonly key: string;
  readonly sha256: string;
  /** Whether the case holds it now, by the trail. */
  readonly active: boolean;
  readonly setBy: string;
  readonly setAt: string;
  readonly clearedBy?: string;
  readonly clearedAt?: string;
  /** The store's hold flag, read back from the store; undefined when the object is gone. */
  readonly storeHold?: boolean;
  readonly retainUntil?: string;
  readonly otherCases: readonly string[];
}

/** Every message `caseId` ever held, with who set and cleared it, and the store's hold as it is now. */
export async function listHolds(store: AuditorStore, caseId: string): Promise<CaseHold[]> {
  const history = new Map<string, { sha256: string; setBy: string; setAt: string; clearedBy?: string; clearedAt?: string; active: boolean }>();
  const now = await holdsByKey(store);
  for await (const event of store.events()) {
    if (event.case !== caseId || !event.key) continue;
    if (event.action === "hold-set") history.set(event.key, { sha256: event.sha256 ?? "", setBy: event.actor, setAt: event.at, active: true });
    else if (event.action === "hold-cleared") {
      const entry = history.get(event.key);
      if (entry) history.set(event.key, { ...entry, active: false, clearedBy: event.actor, clearedAt: event.at });
    }
  }
  const out: CaseHold[] = [];
  for (const [key, entry] of [...history.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const state = await store.state(key);
    out.push({
      key,
      ...entry,
      ...(state ? { storeHold: state.legalHold, ...(state.retainUntil ? { retainUntil: state.retainUntil.toISOString() } : {}) } : {}),
      otherCases: [...(now.get(key)?.keys() ?? [])].filter((c) => c !== caseId),
    });
  }
  return out;
}
