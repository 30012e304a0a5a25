/**
 * Argument checks shared by both store implementations, so that a call the Redis store rejects is
 * rejected by the memory store in the same way (and before anything is written).
 *
 * Strings must be well-formed UTF-16: Redis stores UTF-8 bytes, so a lone surrogate would come back
 * as U+FFFD from Redis but unchanged from memory. Rejecting it keeps both stores identical and
 * turns silent corruption into a visible bug.
 */
import { invalidArgument } from './errors.js';
import type { TtlOption } from './store.js';

const LONE_SURROGATE = /\p{Cs}/u;
/** Redis stream ids are two unsigned 64-bit integers. */
const STREAM_ID = /^(\d{1,20})-(\d{1,20})$/;
const U64_MAX = (1n << 64n) - 1n;

export function checkKey(op: string, key: unknown): asserts key is string {
  if (typeof key !== 'string' || key.length === 0) throw invalidArgument(op, 'key must be a non-empty string');
  if (LONE_SURROGATE.test(key)) throw invalidArgument(op, 'key is not well-formed Unicode');
}

export function checkString(op: string, what: string, value: unknown): asserts value is string {
  if (typeof value !== 'string') throw invalidArgument(op, `${what} must be a string`);
  if (LONE_SURROGATE.test(value)) throw invalidArgument(op, `${what} is not well-formed Unicode`);
}

/** Positive integer milliseconds (Redis PX/PEXPIRE reject fractions; <= 0 would delete the key). */
export function checkTtlMs(op: string, ttlMs: unknown): asserts ttlMs is number {
  if (typeof ttlMs !== 'number' || !Number.isSafeInteger(ttlMs) || ttlMs < 1) {
    throw invalidArgument(op, 'TTL must be a positive integer number of milliseconds');
  }
}

export function ttlOf(op: string, options: TtlOption | undefined): number | undefined {
  const ttlMs = options?.ttlMs;
  if (ttlMs === undefined) return undefined;
  checkTtlMs(op, ttlMs);
  return ttlMs;
}

export function checkIncrement(op: string, by: unknown): asserts by is number {
  if (typeof by !== 'number' || !Number.isSafeInteger(by)) throw invalidArgument(op, 'increment must be a safe integer');
}

export function checkPositiveInt(op: string, what: string, n: unknown): asserts n is number {
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1) throw invalidArgument(op, `${what} must be a positive integer`);
}

/** Field maps for hashes and stream entries: at least one field, string names and values. */
export function fieldEntries(op: string, fields: unknown): [string, string][] {
  if (fields === null || typeof fields !== 'object' || Array.isArray(fields)) throw invalidArgument(op, 'fields must be an object');
  const entries = Object.entries(fields as Record<string, unknown>);
  if (entries.length === 0) throw invalidArgument(op, 'at least one field is required');
  for (const [name, value] of entries) {
    checkString(op, 'field name', name);
    checkString(op, 'field value', value);
  }
  return entries as [string, string][];
}

export function checkStrings(op: string, what: string, values: readonly unknown[]): asserts values is string[] {
  for (const v of values) checkString(op, what, v);
}

/** Parses a full stream id `<ms>-<seq>`; incomplete ids are rejected so both stores agree on "after". */
export function parseStreamId(op: string, id: unknown): readonly [bigint, bigint] {
  const m = typeof id === 'string' ? STREAM_ID.exec(id) : null;
  if (m === null) throw invalidArgument(op, 'stream id must have the form <ms>-<seq>');
  const ms = BigInt(m[1] as string);
  const seq = BigInt(m[2] as string);
  if (ms > U64_MAX || seq > U64_MAX) throw invalidArgument(op, 'stream id out of range');
  return [ms, seq];
}

export function checkPrefix(prefix: unknown): asserts prefix is string {
  if (typeof prefix !== 'string') throw invalidArgument('create', 'keyPrefix must be a string');
  if (LONE_SURROGATE.test(prefix)) throw invalidArgument('create', 'keyPrefix is not well-formed Unicode');
}
