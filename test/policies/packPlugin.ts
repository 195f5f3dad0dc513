// A policy pack folder run as the Pulumi CLI runs one: the Node.js language host starts
// @pulumi/pulumi/cmd/run-policy-pack from the pack's own node_modules, in the pack's folder, with
// TypeScript on (PulumiPolicy.yaml `typescript: true`), and reads the port it prints; the engine
// then calls it over the analyzer gRPC protocol. The client here uses the pack's own installed
// protocol modules, so nothing of this repository's node_modules is involved.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { join } from "node:path";

export interface PackInfo {
  readonly name: string;
  readonly version: string;
  readonly policies: string[];
}

export interface Diagnostic {
  readonly policy: string;
  /** What the rule reported, without the description the server puts before it. */
  readonly message: string;
  readonly enforcementLevel: string;
}

export interface PlannedResource {
  readonly type: string;
  readonly name: string;
  readonly urn: string;
  readonly inputs: Record<string, unknown>;
  readonly options?: { readonly protect?: boolean };
}

export interface PackPlugin {
  info(): Promise<PackInfo>;
  /** Every resource rule on each resource (the engine's Analyze), then the stack rules (AnalyzeStack). */
  analyze(resources: readonly PlannedResource[]): Promise<Diagnostic[]>;
  stop(): void;
}

export async function startPackPlugin(packDir: string): Promise<PackPlugin> {
  const { NODE_OPTIONS: _ignored, ...env } = process.env;
  const child = spawn(process.execPath, [join(packDir, "node_modules", "@pulumi", "pulumi", "cmd", "run-policy-pack"), "127.0.0.1:0", "."], {
    cwd: packDir,
    env: { ...env, PULUMI_NODEJS_TYPESCRIPT: "true" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.on("data", (chunk) => {
      const line = /^(\d+)\s*$/m.exec(String(chunk));
      if (line) resolve(Number(line[1]));
    });
    child.on("exit", (code) => reject(new Error(`the pack exited (${code}) before serving:\n${stderr}`)));
  });

  const load = createRequire(join(packDir, "package.json"));
  const grpc = load("@grpc/grpc-js");
  const services = load("@pulumi/pulumi/proto/analyzer_grpc_pb");
  const proto = load("@pulumi/pulumi/proto/analyzer_pb");
  const { Struct } = load("google-protobuf/google/protobuf/struct_pb");
  const { Empty } = load("google-protobuf/google/protobuf/empty_pb");
  const client = new services.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const call = <T>(method: string, request: unknown) =>
    new Promise<T>((resolve, reject) => client[method](request, (err: Error | null, response: T) => (err ? reject(err) : resolve(response))));
  const levels = Object.fromEntries(Object.entries(proto.EnforcementLevel as Record<string, number>).map(([name, value]) => [value, name.toLowerCase()]));

  const withResource = <R>(request: R & Record<string, (value: unknown) => R>, r: PlannedResource) => {
    request.setType(r.type);
    request.setName(r.name);
    request.setUrn(r.urn);
    // Struct takes JSON values only: undefined fields go, as they never reach the engine.
    request.setProperties(Struct.fromJavaScript(JSON.parse(JSON.stringify(r.inputs))));
    request.setOptions(new proto.AnalyzerResourceOptions().setProtect(r.options?.protect ?? false));
    return request;
  };
  const diagnostics = (response: { getDiagnosticsList(): any[] }): Diagnostic[] =>
    response.getDiagnosticsList().map((d) => ({
      policy: d.getPolicyname(),
      message: String(d.getMessage()).startsWith(`${d.getDescription()}\n`) ? String(d.getMessage()).slice(d.getDescription().length + 1) : d.getMessage(),
      enforcementLevel: levels[d.getEnforcementlevel()],
    }));

  return {
    async info() {
      const info: any = await call("getAnalyzerInfo", new Empty());
      return { name: info.getName(), version: info.getVersion(), policies: info.getPoliciesList().map((p: any) => p.getName()) };
    },
    async analyze(resources) {
      const found: Diagnostic[] = [];
      for (const r of resources) found.push(...diagnostics(await call("analyze", withResource(new proto.AnalyzeRequest(), r))));
      const stack = new proto.AnalyzeStackRequest().setResourcesList(resources.map((r) => withResource(new proto.AnalyzerResource(), r)));
      found.push(...diagnostics(await call("analyzeStack", stack)));
      return found;
    },
    stop() {
      client.close();
      child.kill();
    },
  };
}
