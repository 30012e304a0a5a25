/**
 * 統一編號 (unified business number) of an agency or company: 8 digits with a weighted checksum.
 *
 * @spec taiwan-pki §4.4 (Ministry of Finance rule, as published by fia.gov.tw)
 *
 * Weights 1,2,1,2,1,2,4,1; each product contributes the sum of its digits. Valid when the total is
 * divisible by 5 (current rule; every number valid under the legacy ÷10 rule also passes). When the
 * 7th digit is 7, its product 28 may count as 10 or as 1, so total+1 divisible by 5 also passes.
 */

const WEIGHTS = [1, 2, 1, 2, 1, 2, 4, 1] as const;

export function isValidBusinessNumber(value: string): boolean {
  if (!/^\d{8}$/.test(value)) return false;
  let sum = 0;
  for (let i = 0; i < 8; i++) {
    const product = Number(value[i]) * (WEIGHTS[i] ?? 0);
    sum += Math.floor(product / 10) + (product % 10);
  }
  if (sum % 5 === 0) return true;
  // taiwan-pki §4.4: 7th digit 7 → the product 28 → 2+8 = 10 may be taken as 1+0 = 1.
  return value[6] === '7' && (sum + 1) % 5 === 0;
}
