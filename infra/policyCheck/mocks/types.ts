// The shape of one cloud's answers to the Pulumi mocks.
export interface MockContext {
  readonly stack: string;
  readonly region: string;
}

export interface MockAnswer {
  readonly id: string | undefined;
  readonly state: Record<string, unknown>;
}

export interface CloudMocks {
  /** A new resource: its inputs plus what the cloud computes. */
  resource(type: string, name: string, inputs: Record<string, any>, context: MockContext): MockAnswer;
  /** An invoke the program makes, or undefined for one this cloud does not know. */
  call(token: string, inputs: Record<string, any>, context: MockContext): Record<string, unknown> | undefined;
  /** A deployed stack's outputs (the peer's, or this stack's own last ones), as the program exports them. */
  stackOutputs(stack: string, context: MockContext): Record<string, unknown>;
}
