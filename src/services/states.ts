/**
 * eService states and the reason catalogues that go with state changes.
 *
 * @spec SPEC §6; seed 002 表8 (受理機關審核: 無法提供原因); seed 004 §六 (本部得逕行停止服務)
 */

export const SERVICE_STATES = ['draft', 'submitted', 'approved', 'rejected', 'testing', 'active', 'suspended', 'deactivated'] as const;
export type ServiceState = (typeof SERVICE_STATES)[number];

/** seed 002 表8 review outcome "無法提供原因" (SPEC §6 wording). */
export const REVIEW_REASONS = {
  'incomplete-data': '填寫資料錯漏 — application data incomplete or wrong',
  'host-address-mismatch': '主機網路位址不符 — host network address does not match',
  'purpose-mismatch': '申請資料與業務性質不符 — purpose does not match the requested data',
  other: '其他 — other (explained in the note)',
} as const;
export type ReviewReason = keyof typeof REVIEW_REASONS;

/** seed 004 §六 (一)…(五): grounds on which MOI may stop the service without application. */
export const SUSPENSION_REASONS = {
  'false-data': '§六(一) 申請文件內容經查證記載不實 — application data found to be false',
  reorganisation: '§六(二) 裁撤、合併或整編而變更名稱或業務調整 — agency abolished, merged or reorganised',
  'system-transfer': '§六(三) 應用系統因移撥或業務移轉 — system or business transferred, responsibility changed',
  'security-violation': '§六(四) 違反第五點規定 — security management or data protection rules violated',
  'harmful-load': '§六(五) 嚴重耗損本系統效能…經要求限期改善仍未有效辦理 — harmful load not remedied after a warning',
} as const;
export type SuspensionReason = keyof typeof SUSPENSION_REASONS;

/** seed 004 §四: deactivation on the agency's application, or for a suspension ground, or certificate expiry (§三 啟用 "至伺服器憑證有效期限日止"). */
export const DEACTIVATION_REASONS = {
  'agency-request': '§四 申請停用 — deactivation applied for by the agency',
  'certificate-expired': '§附件 預定開放日期至伺服器憑證有效期限日止 — server certificate expired',
  ...SUSPENSION_REASONS,
} as const;
export type DeactivationReason = keyof typeof DEACTIVATION_REASONS;

export type TransitionReason = ReviewReason | SuspensionReason | DeactivationReason;

export const TRANSITION_REASONS = [
  ...new Set([...Object.keys(REVIEW_REASONS), ...Object.keys(SUSPENSION_REASONS), ...Object.keys(DEACTIVATION_REASONS)]),
] as TransitionReason[];
