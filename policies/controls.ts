// The regulatory controls the pack enforces. Each rule names the ones it serves, in its
// description and in the offline check's report, so an auditor can trace a rule to a control.

export const CONTROLS = {
  sec17a4f: "SEC 17a-4(f) non-rewriteable, non-erasable records",
  finra4511: "FINRA 4511 books and records",
  hipaaAccess: "HIPAA 164.312(a) access control and encryption",
  hipaaAudit: "HIPAA 164.312(b) audit controls",
  hipaaIntegrity: "HIPAA 164.312(c) integrity",
  hipaaTransmission: "HIPAA 164.312(e) transmission security",
  sox802: "SOX 802 record retention",
  gdprStorageLimit: "GDPR Art. 5(1)(e) storage limitation",
  gdprIntegrity: "GDPR Art. 5(1)(f) integrity and confidentiality",
  gdprSecurity: "GDPR Art. 32 security of processing",
} as const;

export type Control = (typeof CONTROLS)[keyof typeof CONTROLS];

const c = CONTROLS;

/** The groups most rules serve; a rule may add to them. */
export const SERVES = {
  /** Records kept unaltered for the whole period. */
  worm: [c.sec17a4f, c.finra4511, c.sox802, c.hipaaIntegrity],
  /** Only the right people and services reach the records, encrypted under the customer's key. */
  confidentiality: [c.hipaaAccess, c.gdprIntegrity, c.gdprSecurity],
  transport: [c.hipaaTransmission, c.gdprSecurity],
  audit: [c.hipaaAudit, c.sec17a4f, c.sox802, c.gdprSecurity],
  /** Nothing lost: every message reaches the archive, or waits where someone is told. */
  availability: [c.sec17a4f, c.finra4511, c.gdprSecurity],
  endOfRetention: [c.gdprStorageLimit, c.sox802],
} as const satisfies Record<string, readonly Control[]>;
