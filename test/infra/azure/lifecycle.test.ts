// The archive lifecycle moves blobs to the archive tier only where Azure supports it: "LRS, GRS,
// and RA-GRS only" ("Access tiers for blob data"). The stack's own redundancies (ZRS, GZRS) stop at cold.
import { describe, expect, it } from "vitest";
import { parseStackConfig } from "../../../infra/config";
import { archiveLifecycleRules, archiveSku, supportsArchiveTier } from "../../../infra/azure/storage";
import { projectConfig } from "../../../infra/stackFiles";

const config = parseStackConfig(projectConfig("azure-eastus2"), "azure-eastus2");
/** The rules as plain data, as the program hands them to Azure. */
const actions = (sku: string, rule: number) => (archiveLifecycleRules(config, sku)[rule].definition as { actions: Record<string, any> }).actions;
const baseBlob = (sku: string) => actions(sku, 0).baseBlob as Record<string, unknown>;

describe("archiveLifecycleRules", () => {
  it.each(["Standard_ZRS", "Standard_GZRS", "Standard_RAGZRS"])("stops at cold on %s", (sku) => {
    expect(baseBlob(sku)).toEqual({ tierToCool: { daysAfterCreationGreaterThan: 30 }, tierToCold: { daysAfterCreationGreaterThan: 90 } });
  });

  it.each(["Standard_LRS", "Standard_GRS", "Standard_RAGRS"])("archives after tiers.archiveAfterDays on %s", (sku) => {
    expect(baseBlob(sku).tierToArchive).toEqual({ daysAfterCreationGreaterThan: 365 });
  });

  it("gives every redundancy the stack can choose a tier set Azure accepts", () => {
    for (const redundancy of ["zone", "geo-zone"] as const) {
      const sku = archiveSku(redundancy);
      expect(supportsArchiveTier(sku), sku).toBe(false);
      expect(baseBlob(sku).tierToArchive, sku).toBeUndefined();
    }
  });

  it("still deletes base blobs and versions after the maximum retention", () => {
    expect(actions("Standard_ZRS", 1)).toEqual({
      baseBlob: { delete: { daysAfterCreationGreaterThan: 2922 } },
      version: { delete: { daysAfterCreationGreaterThan: 2922 } },
    });
  });
});
