// What each compliance framework requires of retention. The config and the policy pack both read this table;
// it lives in the pack's folder, which `pulumi policy publish` ships alone.

export const FRAMEWORKS = ["sec-17a-4", "finra-4511", "hipaa", "sox", "gdpr"] as const;
export type Framework = (typeof FRAMEWORKS)[number];

export interface FrameworkRule {
  /** Human name and the rule it cites. */
  readonly control: string;
  /** Shortest retention the framework accepts, in days (0: it sets none). */
  readonly minimumDays: number;
  /** Whether records must be unalterable by anyone, so that only compliance-mode WORM will do. */
  readonly requiresComplianceMode: boolean;
  /** Whether a deletion date (maximum retention) must be set. */
  readonly requiresMaximum: boolean;
}

const SIX_YEARS = 2192; // 6 x 365 + 2 leap days
const SEVEN_YEARS = 2557; // 7 x 365 + 2 leap days

export const FRAMEWORK_RULES: Readonly<Record<Framework, FrameworkRule>> = {
  // 17 CFR 240.17a-4(b)(4): communications kept 3 years; (a) records 6 years; (f): non-rewriteable, non-erasable storage.
  "sec-17a-4": { control: "SEC 17a-4(b)(4), 17a-4(f)", minimumDays: SIX_YEARS, requiresComplianceMode: true, requiresMaximum: false },
  // FINRA Rule 4511(b): 6 years where no other period is specified; (c): SEA Rule 17a-4(f) media.
  "finra-4511": { control: "FINRA 4511(b)-(c)", minimumDays: SIX_YEARS, requiresComplianceMode: true, requiresMaximum: false },
  // 45 CFR 164.316(b)(2)(i): documentation retained 6 years.
  hipaa: { control: "HIPAA 45 CFR 164.316(b)(2)(i)", minimumDays: SIX_YEARS, requiresComplianceMode: false, requiresMaximum: false },
  // SOX 802 (18 U.S.C. 1520) and SEC Rule 2-06 of Regulation S-X (17 CFR 210.2-06): 7 years.
  sox: { control: "SOX 802, 17 CFR 210.2-06", minimumDays: SEVEN_YEARS, requiresComplianceMode: false, requiresMaximum: false },
  // GDPR Art. 5(1)(e) storage limitation: personal data kept no longer than necessary.
  gdpr: { control: "GDPR Art. 5(1)(e)", minimumDays: 0, requiresComplianceMode: false, requiresMaximum: true },
};

/** The longest minimum among the frameworks, with the one that sets it. */
export function requiredMinimumDays(frameworks: readonly Framework[]): { days: number; framework?: Framework } {
  let strictest: { days: number; framework?: Framework } = { days: 0 };
  for (const framework of frameworks) {
    if (FRAMEWORK_RULES[framework].minimumDays > strictest.days) strictest = { days: FRAMEWORK_RULES[framework].minimumDays, framework };
  }
  return strictest;
}
