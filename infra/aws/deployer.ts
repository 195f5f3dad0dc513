// What the deploying identity does with the stack's key: plain data, for the key policy that must
// let it count (keys.ts), the preflight that asks IAM whether the deployer holds it
// (infra/preflight/aws.ts), and the contracts that check both (test/contracts/awsContracts.ts).

/** What Pulumi, deploying, does to the key it creates (besides kms:CreateKey, on "*"): all delegated to IAM by the key policy's KeyAdministration. */
export const DEPLOYER_KEY_ADMIN_ACTIONS = ["kms:DescribeKey", "kms:GetKeyPolicy", "kms:PutKeyPolicy", "kms:EnableKeyRotation", "kms:GetKeyRotationStatus", "kms:ListResourceTags", "kms:TagResource", "kms:CreateAlias"];

/**
 * What AWS Backup requires of whoever creates a vault under the key (AWS Backup Developer Guide,
 * "Backup vault creation and deletion", "Required permissions").
 */
export const BACKUP_VAULT_CREATOR_ACTIONS = ["kms:CreateGrant", "kms:DescribeKey", "kms:RetireGrant", "kms:Decrypt", "kms:GenerateDataKey"];
